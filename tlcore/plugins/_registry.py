"""The plugin registry: discovers plugins by entry point, isolates failures, resolves names.

Loading is lazy (first lookup, never ``import tlcore``) and all-or-nothing per plugin: a plugin
whose import or hook fails contributes no entry at all, and every other plugin keeps working.
"""
from __future__ import annotations

import contextlib
import difflib
import fnmatch
import importlib
import importlib.metadata as md
import logging
import os
import threading
import types
import warnings
from typing import Any, Iterator

import attrs
import pluggy

from tlcore._version import __version__
from tlcore.plugins._errors import AmbiguousNameError, PluginError, PluginWarning, UnknownNameError
from tlcore.plugins._hooks import ENTRY_POINT_GROUP, HOOK_KINDS, PROJECT, TlcoreHookSpecs
from tlcore.plugins._known import KNOWN

logger = logging.getLogger("tlcore")

CORE = "core"
KINDS: tuple[str, ...] = tuple(HOOK_KINDS.values())

#: Plugin statuses.
LOADED, FAILED, BLOCKED, INCOMPATIBLE = "loaded", "failed", "blocked", "incompatible"


@attrs.frozen
class Entry:
    """One registered name: a layer class, a module, a dataset loader or an example."""

    kind: str
    name: str
    target: Any  #: the object, or a "module:attr" string imported on first use
    plugin: str
    aliases: tuple[str, ...] = ()

    @property
    def qualified(self) -> str:
        """``plugin.name``, unique across plugins."""
        return f"{self.plugin}.{self.name}"

    @property
    def target_path(self) -> str:
        """Where the target lives, without importing it."""
        if isinstance(self.target, str):
            return self.target
        mod = getattr(self.target, "__module__", None) or getattr(self.target, "__name__", "?")
        return f"{mod}:{getattr(self.target, '__qualname__', type(self.target).__name__)}"


@attrs.frozen
class PluginInfo:
    """What ``tlcore plugins`` shows about one plugin."""

    name: str
    distribution: str
    version: str
    status: str
    error: str | None = None
    provides: dict[str, tuple[str, ...]] = attrs.field(factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return attrs.asdict(self)


@attrs.define
class _Candidate:
    """A plugin found by discovery or registered in-process, before it is loaded."""

    name: str
    distribution: str
    version: str
    load: Any  # () -> module or object with hookimpls
    requires: str | None = None  # the distribution's requirement on tlcore, e.g. ">=0.1"


def _env_list(var: str) -> set[str] | None:
    raw = os.environ.get(var)
    if raw is None or not raw.strip():
        return None
    return {x.strip() for x in raw.replace(";", ",").split(",") if x.strip()}


def _strict() -> bool:
    return os.environ.get("TLCORE_STRICT_PLUGINS", "").strip().lower() in {"1", "true", "yes", "on"}


def _tlcore_requirement(dist: md.Distribution | None) -> str | None:
    """The version specifier a distribution puts on tlcore, if any."""
    if dist is None:
        return None
    from packaging.requirements import InvalidRequirement, Requirement

    for raw in dist.requires or ():
        try:
            req = Requirement(raw)
        except InvalidRequirement:
            continue
        if req.name.lower().replace("_", "-") == "tlcore" and not req.marker:
            return str(req.specifier)
    return None


def _compatible(spec: str | None) -> bool:
    if not spec:
        return True
    from packaging.specifiers import SpecifierSet

    return SpecifierSet(spec).contains(__version__, prereleases=True)


def import_target(target: str) -> Any:
    """Import ``"package.module:attr.sub"`` and return the attribute."""
    module_name, _, attr = target.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in filter(None, attr.split(".")):
        obj = getattr(obj, part)
    return obj


class Registry:
    """Plugins and the names they register, loaded on first use.

    Args:
        entry_points: a callable returning the entry points to consider (tests pass their own);
            defaults to the installed ``tlcore.plugins`` group.
    """

    def __init__(self, entry_points: Any = None) -> None:
        self._entry_points_fn = entry_points
        self._scanned: list[_Candidate] | None = None
        self._in_process: list[_Candidate] = []
        self._lock = threading.RLock()
        self._loaded = False
        self._plugins: dict[str, PluginInfo] = {}
        self._entries: dict[str, dict[str, list[Entry]]] = {k: {} for k in KINDS}
        self._aliases: dict[str, dict[str, str]] = {k: {} for k in KINDS}
        self._cache: dict[tuple[str, str], Any] = {}
        self.pm: pluggy.PluginManager | None = None

    # ----------------------------------------------------------------- discovery and loading
    def _discover(self) -> list[_Candidate]:
        if self._scanned is None:  # entry points are scanned once per registry (per process)
            eps = self._entry_points_fn() if self._entry_points_fn else md.entry_points(
                group=ENTRY_POINT_GROUP)
            found = []
            for ep in eps:
                dist = getattr(ep, "dist", None)
                found.append(_Candidate(
                    name=ep.name,
                    distribution=dist.metadata["Name"] if dist is not None else "?",
                    version=dist.version if dist is not None else "?",
                    load=ep.load,
                    requires=_tlcore_requirement(dist),
                ))
            self._scanned = found
        return self._scanned

    def load(self) -> None:
        """Load every plugin once; later calls do nothing until :meth:`reload`."""
        with self._lock:
            if not self._loaded:
                self._load_all()
                self._loaded = True

    def reload(self, *, rescan: bool = False) -> None:
        """Forget loaded plugins (and, with ``rescan``, discovered entry points); load again."""
        with self._lock:
            if rescan:
                self._scanned = None
            self._loaded = False
            self.load()

    def _load_all(self) -> None:
        self._plugins = {}
        self._entries = {k: {} for k in KINDS}
        self._aliases = {k: {} for k in KINDS}
        self._cache = {}
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(TlcoreHookSpecs)
        allow, block, strict = _env_list("TLCORE_PLUGINS"), _env_list("TLCORE_DISABLE_PLUGINS"), _strict()

        core = _Candidate(CORE, "tlcore", __version__,
                          lambda: importlib.import_module("tlcore._core_plugin"))
        for cand in [core, *self._discover(), *self._in_process]:
            if cand.name in self._plugins:
                self._fail(cand, f"plugin name {cand.name!r} is already taken by distribution "
                                 f"{self._plugins[cand.name].distribution!r}", strict, keep=True)
                continue
            if cand.name != CORE and ((allow is not None and cand.name not in allow)
                                      or (block is not None and cand.name in block)):
                self._plugins[cand.name] = PluginInfo(cand.name, cand.distribution, cand.version, BLOCKED)
                continue
            if not _compatible(cand.requires):
                msg = (f"plugin {cand.name!r} ({cand.distribution} {cand.version}) requires "
                       f"tlcore{cand.requires}, but tlcore {__version__} is installed")
                self._plugins[cand.name] = PluginInfo(cand.name, cand.distribution, cand.version,
                                                      INCOMPATIBLE, msg)
                if strict:
                    raise PluginError(msg, plugin=cand.name)
                warnings.warn(msg, PluginWarning, stacklevel=2)
                continue
            self._load_one(cand, strict)

    def _fail(self, cand: _Candidate, error: str, strict: bool, *, keep: bool = False) -> None:
        msg = (f"tlcore plugin {cand.name!r} from {cand.distribution} {cand.version} failed and "
               f"was skipped: {error}")
        if not keep:
            self._plugins[cand.name] = PluginInfo(cand.name, cand.distribution, cand.version,
                                                  FAILED, error)
        if strict or cand.name == CORE:
            raise PluginError(msg, plugin=cand.name)
        warnings.warn(msg, PluginWarning, stacklevel=3)
        logger.warning(msg)

    def _load_one(self, cand: _Candidate, strict: bool) -> None:
        assert self.pm is not None
        try:
            obj = cand.load()
            self.pm.register(obj, name=cand.name)
        except Exception as e:  # an unimportable plugin must not hurt the others
            self._fail(cand, f"{type(e).__name__}: {e}", strict)
            return
        staged: list[Entry] = []
        try:
            for hook_name, kind in HOOK_KINDS.items():
                for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
                    if impl.plugin is obj:
                        impl.function(register=self._register_fn(cand.name, kind, staged))
        except Exception as e:
            self.pm.unregister(obj)
            self._fail(cand, f"{type(e).__name__} in its hook: {e}", strict)
            return
        provides: dict[str, list[str]] = {}
        for entry in staged:
            self._add(entry)
            provides.setdefault(entry.kind, []).append(entry.name)
        self._plugins[cand.name] = PluginInfo(cand.name, cand.distribution, cand.version, LOADED,
                                              None, {k: tuple(v) for k, v in provides.items()})

    def _register_fn(self, plugin: str, kind: str, staged: list[Entry]) -> Any:
        def register(name: str, target: Any, *, aliases: tuple[str, ...] | list[str] = ()) -> None:
            if not isinstance(name, str) or not name or "." in name:
                raise ValueError(f"plugin {plugin!r}: {kind} name must be a non-empty string "
                                 f"without '.', received {name!r}")
            if isinstance(target, str) and ":" not in target:
                raise ValueError(f"plugin {plugin!r}: target of {name!r} must be an object or "
                                 f"'module:attr', received {target!r}")
            if any(e.kind == kind and name in (e.name, *e.aliases) for e in staged):
                raise ValueError(f"plugin {plugin!r} registers {kind} name {name!r} twice")
            staged.append(Entry(kind, name, target, plugin, tuple(aliases)))
        return register

    def _add(self, entry: Entry) -> None:
        for key in (entry.name, *entry.aliases):
            existing = self._entries[entry.kind].get(key, [])
            if existing and entry.plugin != CORE and any(e.plugin == CORE for e in existing):
                msg = (f"plugin {entry.plugin!r} registers {entry.kind} name {key!r}, which belongs "
                       f"to the core; it is reachable only as {entry.plugin}.{key}")
                warnings.warn(msg, PluginWarning, stacklevel=4)
            self._entries[entry.kind].setdefault(key, []).append(entry)
            if key != entry.name:
                self._aliases[entry.kind][key] = entry.name

    # ------------------------------------------------------------------------------- lookups
    def plugins(self, *, include_core: bool = True) -> list[PluginInfo]:
        """Every plugin found, whatever its status."""
        self.load()
        return [p for p in self._plugins.values() if include_core or p.name != CORE]

    def entries(self, kind: str) -> list[Entry]:
        """Every entry of one kind, without importing targets, sorted by name."""
        self.load()
        seen: dict[str, Entry] = {}
        for key, lst in self._entries[self._kind(kind)].items():
            for e in lst:
                if key == e.name:
                    seen[e.qualified] = e
        return sorted(seen.values(), key=lambda e: (e.name.lower(), e.plugin))

    def names(self, kind: str) -> list[str]:
        """The unqualified names of one kind (aliases included)."""
        self.load()
        return sorted(self._entries[self._kind(kind)])

    def find(self, kind: str, pattern: str = "*") -> list[Entry]:
        """Entries whose name matches a shell-style ``pattern`` (case-insensitive)."""
        pat = pattern if any(c in pattern for c in "*?[") else f"*{pattern}*"
        return [e for e in self.entries(kind) if fnmatch.fnmatch(e.name.lower(), pat.lower())]

    def entry(self, kind: str, name: str) -> Entry:
        """The entry for ``name`` or ``plugin.name``; raises on unknown or ambiguous names."""
        self.load()
        kind = self._kind(kind)
        table = self._entries[kind]
        plugin, dot, short = name.rpartition(".")
        if dot and plugin in self._plugins:
            for e in table.get(short, []):
                if e.plugin == plugin:
                    return e
        found = table.get(name, [])
        if len(found) == 1:
            return found[0]
        core = [e for e in found if e.plugin == CORE]
        if core:
            return core[0]
        if found:
            ids = tuple(e.qualified for e in found)
            raise AmbiguousNameError(
                f"{kind[:-1]} name {name!r} is registered by several plugins: "
                f"{', '.join(ids)}; use one of these qualified ids", kind=kind, name=name,
                candidates=ids)
        raise UnknownNameError(self._unknown_message(kind, name), kind=kind, name=name)

    def get(self, kind: str, name: str) -> Any:
        """Resolve ``name`` to its object, importing a ``"module:attr"`` target on first use."""
        entry = self.entry(kind, name)
        key = (entry.kind, entry.qualified)
        if key not in self._cache:
            if isinstance(entry.target, str):
                try:
                    self._cache[key] = import_target(entry.target)
                except Exception as e:
                    raise PluginError(
                        f"plugin {entry.plugin!r} registers {entry.kind[:-1]} {entry.name!r} as "
                        f"{entry.target!r}, which cannot be imported: {type(e).__name__}: {e}",
                        plugin=entry.plugin) from e
            else:
                self._cache[key] = entry.target
        return self._cache[key]

    def owner_of(self, kind: str, obj: Any) -> Entry | None:
        """The entry whose target is ``obj`` (used to serialize layers by registered name)."""
        self.load()
        for e in self.entries(kind):
            if e.target is obj or (isinstance(e.target, str) and e.target_path == _path_of(obj)):
                return e
        return None

    def _kind(self, kind: str) -> str:
        if kind not in self._entries:
            raise ValueError(f"unknown registry kind {kind!r}; expected one of {KINDS}")
        return kind

    def _unknown_message(self, kind: str, name: str) -> str:
        what = {"layers": "layer", "modules": "module", "datasets": "dataset",
                "examples": "example"}[kind]
        msg = f"no plugin registers a {what} named {name!r}"
        dist = KNOWN.get(kind, {}).get(name)
        if dist is not None:
            owner = next((p for p in self._plugins.values() if p.distribution == dist), None)
            if owner is None:
                msg += f"; it is provided by {dist}: pip install {dist}"
            else:
                msg += (f"; it is provided by plugin {owner.name!r} ({dist} {owner.version}), "
                        f"whose status is {owner.status}")
                if owner.error:
                    msg += f": {owner.error}"
        close = difflib.get_close_matches(name, list(self._entries[kind]), n=3, cutoff=0.6)
        if close:
            msg += f". Did you mean {' or '.join(repr(c) for c in close)}?"
        return msg

    # ------------------------------------------------------------------- in-process plugins
    @contextlib.contextmanager
    def registered(self, obj: Any, *, name: str, distribution: str = "(in-process)",
                   version: str = "0", requires: str | None = None) -> Iterator[Registry]:
        """Register ``obj`` (a module or object with hookimpls) as plugin ``name`` meanwhile."""
        cand = _Candidate(name, distribution, version, lambda: obj, requires)
        with self._lock:
            self._in_process.append(cand)
            self.reload()
        try:
            yield self
        finally:
            with self._lock:
                self._in_process.remove(cand)
                self.reload()


def _path_of(obj: Any) -> str:
    if isinstance(obj, types.ModuleType):
        return f"{obj.__name__}:"
    return f"{getattr(obj, '__module__', '?')}:{getattr(obj, '__qualname__', '?')}"


_default = Registry()


def get_registry() -> Registry:
    """The process-wide registry that ``tl.layers``, ``tl.files`` and the CLI use."""
    return _default
