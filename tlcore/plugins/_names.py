"""The name table: registered names, qualified ids, ambiguity, and the text of lookup errors.

Every plugin's entries are kept, also when two plugins register the same name: each is
reachable as ``plugin.Name``, and the plain name is ambiguous unless the core owns it (a core
name always means the core's entry). An unknown name's error says what to install, what is
installed but not loaded, and which registered names are close.
"""
from __future__ import annotations

import difflib
import fnmatch
from typing import Any, Mapping, Sequence

import attrs

from tlcore.plugins._errors import AmbiguousNameError, UnknownNameError
from tlcore.plugins._hooks import KINDS, SINGULAR
from tlcore.plugins._known import CHECKOUT_FOLDER, KNOWN
from tlcore.plugins._status import PluginInfo, Status
from tlcore.plugins._targets import normal, path_of

_CORE = "core"  # the built-in plugin (see _discovery.CORE), whose names cannot be taken


@attrs.frozen
class Entry:
    """One registered name: a layer class, a module, a dataset loader or an example."""

    kind: str
    name: str
    target: Any  #: the object, or a "module:attr" string imported on first use
    plugin: str
    aliases: tuple[str, ...] = ()
    helper: bool = False  #: a layer-kind entry that is not a Layer (a function, a cell)

    @property
    def qualified(self) -> str:
        """``plugin.name``, unique across plugins."""
        return f"{self.plugin}.{self.name}"

    @property
    def target_path(self) -> str:
        """Where the target lives, without importing it."""
        if isinstance(self.target, str):
            return self.target
        return path_of(self.target)


def install_hint(dist: str, *, upgrade: bool = False) -> str:
    """``pip install tlcore-vision (from a source checkout: pip install ./tlcore_vision)``."""
    hint = f"pip install {'--upgrade ' if upgrade else ''}{dist}"
    folder = CHECKOUT_FOLDER.get(dist)
    return f"{hint} (from a source checkout: pip install ./{folder})" if folder else hint


class NameTable:
    """The entries of the loaded plugins, by kind and by name (aliases included)."""

    def __init__(self) -> None:
        self._entries: dict[str, dict[str, list[Entry]]] = {k: {} for k in KINDS}

    def kind(self, kind: str) -> str:
        """``kind`` itself, or a ``ValueError`` naming the kinds there are."""
        if kind not in self._entries:
            raise ValueError(f"unknown registry kind {kind!r}; expected one of {KINDS}")
        return kind

    def add(self, entry: Entry) -> list[str]:
        """Add ``entry`` under its name and aliases; return a warning for each of these names
        that belongs to the core (the entry is then reachable by its qualified id only)."""
        warnings = []
        for key in (entry.name, *entry.aliases):
            existing = self._entries[entry.kind].get(key, [])
            if existing and entry.plugin != _CORE and any(e.plugin == _CORE for e in existing):
                warnings.append(f"plugin {entry.plugin!r} registers {SINGULAR[entry.kind]} name "
                                f"{key!r}, which belongs to the core; it is reachable only as "
                                f"{entry.plugin}.{key}")
            self._entries[entry.kind].setdefault(key, []).append(entry)
        return warnings

    def entries(self, kind: str) -> list[Entry]:
        """Every entry of one kind, sorted by name (then plugin)."""
        seen: dict[str, Entry] = {}
        for key, lst in self._entries[self.kind(kind)].items():
            for e in lst:
                if key == e.name:
                    seen[e.qualified] = e
        return sorted(seen.values(), key=lambda e: (e.name.lower(), e.plugin))

    def names(self, kind: str) -> list[str]:
        """The unqualified names of one kind (aliases included), sorted."""
        return sorted(self._entries[self.kind(kind)])

    def find(self, kind: str, pattern: str = "*") -> list[Entry]:
        """Entries whose name, alias or qualified id matches a shell-style ``pattern``
        (case-insensitive; a pattern without ``*?[`` matches as a substring)."""
        pat = (pattern if any(c in pattern for c in "*?[") else f"*{pattern}*").lower()
        return [e for e in self.entries(kind)
                if any(fnmatch.fnmatchcase(n.lower(), pat)
                       for n in (e.name, e.qualified, *e.aliases))]

    def owner_of(self, kind: str, obj: Any) -> Entry | None:
        """The entry whose target is ``obj`` (or names it), without importing any target."""
        for e in self.entries(kind):
            if e.target is obj or (isinstance(e.target, str)
                                   and normal(e.target) == path_of(obj)):
                return e
        return None

    def lookup(self, kind: str, name: str, plugins: Mapping[str, PluginInfo],
               shadowed: Sequence[PluginInfo] = ()) -> Entry:
        """The entry for ``name`` or ``plugin.name``.

        Args:
            plugins: the plugins by name, whatever their status (a qualified id is only read as
                one when its prefix names a plugin; the error text uses their statuses).
            shadowed: namesakes that were not loaded, for the error text.

        Raises:
            AmbiguousNameError: several plugins register ``name`` and none is the core.
            UnknownNameError: nothing registers it (an ``AttributeError``).
        """
        table = self._entries[self.kind(kind)]
        plugin, dot, short = name.rpartition(".")
        if dot and plugin in plugins:
            for e in table.get(short, []):
                if e.plugin == plugin:
                    return e
        found = table.get(name, [])
        if len(found) == 1:
            return found[0]
        core = [e for e in found if e.plugin == _CORE]
        if core:
            return core[0]
        if found:
            ids = tuple(sorted(e.qualified for e in found))
            raise AmbiguousNameError(
                f"{SINGULAR[kind]} name {name!r} is registered by several plugins: "
                f"{', '.join(ids)}; use one of these qualified ids, or block one plugin with "
                f"TLCORE_DISABLE_PLUGINS", kind=kind, name=name, candidates=ids)
        raise UnknownNameError(self.unknown_message(kind, name, plugins, shadowed),
                               kind=kind, name=name)

    def unknown_message(self, kind: str, name: str, plugins: Mapping[str, PluginInfo],
                        shadowed: Sequence[PluginInfo] = ()) -> str:
        """``no plugin registers a layer named 'X'``, then what would provide it (a known
        distribution, or a plugin that is installed but not loaded), then close names."""
        noun = SINGULAR[kind]
        msg = f"no plugin registers {'an' if noun[0] in 'aeiou' else 'a'} {noun} named {name!r}"
        prefix, dot, _ = name.rpartition(".")
        dist = KNOWN.get(kind, {}).get(name)
        if dist is not None:
            msg += _known_hint(dist, [*plugins.values(), *shadowed])
        elif dot and prefix in plugins and plugins[prefix].status != Status.LOADED:
            msg += "; " + _not_loaded(plugins[prefix])
        elif not dot:
            msg += _blocked_hint(sorted((p for p in plugins.values()
                                         if p.status == Status.BLOCKED), key=lambda p: p.name))
        names = list(self._entries[kind])
        if dot:  # a qualified id: suggest qualified ids ("vision.Conv2D" -> "vision.Conv2d")
            names += [e.qualified for e in self.entries(kind)]
        close = [n for n in names if n.lower() == name.lower()]
        close += [n for n in difflib.get_close_matches(name, names, n=3, cutoff=0.75)
                  if n not in close]
        if close:
            msg += f". Did you mean {' or '.join(repr(c) for c in close[:3])}?"
        return msg


def _not_loaded(info: PluginInfo) -> str:
    """``plugin 'vision' (tlcore-vision 0.1.0) is installed but blocked: blocked by ...``"""
    text = f"plugin {info.name!r} ({info.distribution} {info.version}) is installed but " \
           f"{info.status}"
    return text + (f": {info.error}" if info.error else "")


def _known_hint(dist: str, infos: Sequence[PluginInfo]) -> str:
    """What to do about a name that the official distribution ``dist`` provides."""
    found = [p for p in infos if p.distribution == dist]
    owner = next((p for p in found if p.status == Status.LOADED), found[0] if found else None)
    if owner is None:
        return f"; it is provided by {dist}: {install_hint(dist)}"
    if owner.status == Status.LOADED:
        return (f"; it is provided by {dist}, but the installed {dist} {owner.version} does not "
                f"register it: {install_hint(dist, upgrade=True)}")
    hint = (f"; it is provided by plugin {owner.name!r} ({dist} {owner.version}), which is "
            f"installed but {owner.status}")
    return hint + (f": {owner.error}" if owner.error else "")


def _blocked_hint(blocked: Sequence[PluginInfo]) -> str:
    """Blocked plugins are never imported, so which names they provide is unknown: say that
    they may provide the name (a third-party plugin's name is in no table of ours)."""
    if not blocked:
        return ""
    if len(blocked) == 1:
        p = blocked[0]
        return (f"; plugin {p.name!r} ({p.distribution} {p.version}) may provide it, but is "
                f"{p.error}")
    listed = ", ".join(f"{p.name!r} ({p.distribution} {p.version}, {p.error})" for p in blocked)
    return f"; blocked plugins may provide it: {listed}"
