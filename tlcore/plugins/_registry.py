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
import re
import sys
import threading
import types
import warnings
from typing import Any, Iterator

import attrs
import pluggy

from tlcore._version import __version__
from tlcore.plugins._errors import AmbiguousNameError, PluginError, PluginWarning, UnknownNameError
from tlcore.plugins._hooks import ENTRY_POINT_GROUP, HOOK_KINDS, PROJECT, TlcoreHookSpecs
from tlcore.plugins._known import CHECKOUT_FOLDER, KNOWN
from tlcore.plugins._manifest import Manifest
from tlcore.plugins._policy import (ALLOW_VAR, BLOCK_VAR, NameList, compatible, name_list,
                                    strict_mode, tlcore_requirement)

logger = logging.getLogger("tlcore")

CORE = "core"
_CORE_MODULE = "tlcore.plugins._core"
KINDS: tuple[str, ...] = tuple(HOOK_KINDS.values())
_SINGULAR = {"layers": "layer", "modules": "module", "datasets": "dataset", "examples": "example"}

#: Plugin statuses.
LOADED, FAILED, BLOCKED, INCOMPATIBLE = "loaded", "failed", "blocked", "incompatible"

# "package.module" (a module) or "package.module:attr.sub"
# A plugin's failure is isolated whatever it raises (SystemExit and odd BaseException subclasses
# too: they must not take down a program that merely looked up a layer), except Ctrl-C.
_PASS_THROUGH = (KeyboardInterrupt,)
_TARGET = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*(:([A-Za-z_]\w*(\.[A-Za-z_]\w*)*)?)?$")


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
        return _path_of(self.target)


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
    module: str | None = None  # the plugin's module, to point warnings at its code
    builtin: bool = False  # the core itself: its failure is always an error
    req_error: str | None = None  # its Requires-Dist on tlcore could not be read

    @property
    def label(self) -> str:
        return f"tlcore plugin {self.name!r} ({self.distribution} {self.version})"


def import_target(target: str) -> Any:
    """Import ``"package.module:attr.sub"`` (or the module ``"package.module"``) and return it."""
    module_name, _, attr = target.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in filter(None, attr.split(".")):
        obj = getattr(obj, part)
    return obj


def _candidate_from_ep(ep: Any) -> _Candidate:
    """What discovery knows about an entry point, read without importing the plugin."""
    name, value = str(getattr(ep, "name", "?")), str(getattr(ep, "value", ""))
    dist = getattr(ep, "dist", None)
    distribution, version, requires = "?", "?", None
    module = value.partition(":")[0] or None
    try:
        if dist is not None:
            distribution = str(dist.metadata["Name"] or "?")
            version = str(dist.version or "?")
            requires, req_error = tlcore_requirement(dist)
            return _Candidate(name, distribution, version, ep.load, requires, module,
                              req_error=req_error)
    except BaseException as e:  # broken metadata: report it when the plugin loads, not here
        if isinstance(e, _PASS_THROUGH):
            raise
        err = _describe(e, " reading its metadata")

        def load() -> Any:
            raise PluginError(err, plugin=name)
        return _Candidate(name, distribution, version, load, None, module)
    return _Candidate(name, distribution, version, ep.load, requires, module)


def _describe(exc: BaseException, where: str = "") -> str:
    """``KeyError in its hook: 'x'``, even for an exception whose ``str()`` itself raises."""
    try:
        text = str(exc)
    except BaseException as e:
        if isinstance(e, _PASS_THROUGH):
            raise
        text = f"<str() of the exception raised {type(e).__name__}>"
    return f"{type(exc).__name__}{where}: {text}"


def _plugin_object(obj: Any) -> Any:
    """What to register with pluggy: the entry point's object, or the one ``Manifest`` of a
    manifest module (a module with hookimpl functions is registered as itself)."""
    if isinstance(obj, types.ModuleType):
        found = [v for v in vars(obj).values() if isinstance(v, Manifest)]
        if len(found) > 1:
            raise PluginError(f"module {obj.__name__} holds {len(found)} Manifest objects; "
                              f"keep one", plugin=obj.__name__)
        hooks = sorted(k for k, v in vars(obj).items() if hasattr(v, f"{PROJECT}_impl"))
        if found and hooks:
            raise PluginError(f"module {obj.__name__} holds a Manifest and hook functions "
                              f"{hooks}; use one of the two", plugin=obj.__name__)
        if found:
            return found[0]
    return obj


def _blame(exc: BaseException | None, module: str | None) -> tuple[str, int] | None:
    """The plugin's own file and line in ``exc``'s traceback, where a warning should point."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return exc.filename, exc.lineno or 1
    tb = exc.__traceback__ if exc is not None else None
    best = None
    while tb is not None:
        mod = tb.tb_frame.f_globals.get("__name__", "")
        top = (module or "").split(".")[0]
        if top and (mod == top or mod.startswith(top + ".")):
            best = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    if best is None and module and module in sys.modules:
        path = getattr(sys.modules[module], "__file__", None)
        best = (path, 1) if path else None
    return best


class Registry:
    """Plugins and the names they register, loaded on first use.

    Args:
        entry_points: a callable returning the entry points to consider (tests pass their own
            objects with ``name``, ``value``, ``load()`` and optionally ``dist``); defaults to
            the installed ``tlcore.plugins`` group.
    """

    def __init__(self, entry_points: Any = None) -> None:
        self._entry_points_fn = entry_points
        self._scanned: list[_Candidate] | None = None
        self._in_process: list[_Candidate] = []
        self._lock = threading.RLock()
        self._loaded = False
        self._warned: set[tuple[str, str]] = set()
        self._plugins: dict[str, PluginInfo] = {}
        self._shadowed: list[PluginInfo] = []  # namesakes of a plugin in _plugins, not loaded
        self.problems: list[str] = []  #: environment values that could not be read
        self._entries: dict[str, dict[str, list[Entry]]] = {k: {} for k in KINDS}
        self._aliases: dict[str, dict[str, str]] = {k: {} for k in KINDS}
        self._cache: dict[tuple[str, str], Any] = {}
        self.pm: pluggy.PluginManager | None = None

    # ----------------------------------------------------------------- discovery and loading
    def _discover(self) -> list[_Candidate]:
        if self._scanned is None:  # entry points are scanned once per registry (per process)
            eps = self._entry_points_fn() if self._entry_points_fn else md.entry_points(
                group=ENTRY_POINT_GROUP)
            self._scanned = [_candidate_from_ep(ep) for ep in eps]
        return self._scanned

    def load(self) -> None:
        """Load every plugin once; later calls do nothing until :meth:`reload`."""
        with self._lock:
            if not self._loaded:
                self._load_all()
                self._loaded = True

    def reload(self, *, rescan: bool = False) -> None:
        """Forget loaded plugins (and, with ``rescan``, discovered entry points); load again.

        Environment variables (``TLCORE_PLUGINS``, ``TLCORE_DISABLE_PLUGINS``,
        ``TLCORE_STRICT_PLUGINS``) are read again; a plugin already warned about is not warned
        about twice with the same message.
        """
        with self._lock:
            if rescan:
                self._scanned = None
            self._loaded = False
            self.load()

    def _load_all(self) -> None:
        self._plugins, self._shadowed, self.problems = {}, [], []
        self._entries = {k: {} for k in KINDS}
        self._aliases = {k: {} for k in KINDS}
        self._cache = {}
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(TlcoreHookSpecs)
        strict = strict_mode(self.problems)
        allow, block = name_list(ALLOW_VAR, self.problems), name_list(BLOCK_VAR, self.problems)
        core = _Candidate(CORE, "tlcore", __version__,
                          lambda: importlib.import_module(_CORE_MODULE),
                          module=_CORE_MODULE, builtin=True)
        cands = [core, *self._discover(), *self._in_process]
        names = sorted({c.name for c in cands})
        for var_list in (allow, block):
            if var_list is None:
                continue
            for pattern in var_list.unmatched(names):
                self.problems.append(f"{var_list.var} names {pattern!r}, which matches no "
                                     f"installed plugin (installed: {', '.join(names)})")
        for problem in self.problems:
            if strict:
                raise PluginError(problem, plugin="(environment)")
            self._warn(problem, key=("(environment)", problem))
        if block is not None and CORE in block.patterns:
            self._warn(f"{BLOCK_VAR} lists 'core', which cannot be blocked; ignored",
                       key=(CORE, "block"))

        for cand in cands:
            taken = self._plugins.get(cand.name)
            if taken is not None and taken.status in (LOADED, BLOCKED):
                self._shadowed.append(self._duplicate(cand, taken, strict))
                continue
            info = self._admit(cand, allow, block, strict)
            if taken is None:
                self._plugins[cand.name] = info
            elif info.status == LOADED:
                # A failed or incompatible plugin (an impostor, an old copy) that happens to be
                # found first must not shadow a working plugin of the same name.
                self._shadowed.append(taken)
                self._plugins[cand.name] = info
            else:
                self._shadowed.append(info)

    def _duplicate(self, cand: _Candidate, taken: PluginInfo, strict: bool) -> PluginInfo:
        if taken.status == BLOCKED:  # the lists name plugins: a namesake is blocked as well
            return PluginInfo(cand.name, cand.distribution, cand.version, BLOCKED, taken.error)
        return self._fail(cand, f"plugin name {cand.name!r} is already taken by "
                                f"{taken.distribution} {taken.version}", strict)

    def _admit(self, cand: _Candidate, allow: NameList | None, block: NameList | None,
               strict: bool) -> PluginInfo:
        """Apply the allow/block lists and the tlcore requirement, then load."""
        if not cand.builtin:
            why = (BLOCK_VAR if block is not None and block.matches(cand.name) else
                   ALLOW_VAR if allow is not None and not allow.matches(cand.name) else None)
            if why is not None:
                logger.debug("%s is blocked by %s", cand.label, why)
                return PluginInfo(cand.name, cand.distribution, cand.version, BLOCKED,
                                  f"blocked by {why}")
            error = cand.req_error
            if error is None and not compatible(cand.requires):
                error = (f"requires tlcore{cand.requires}, but tlcore {__version__} is "
                         f"installed; install a {cand.distribution} release made for tlcore "
                         f"{__version__}")
            if error is not None:
                msg = f"{cand.label} is incompatible and was not loaded: {error}"
                if strict:
                    raise PluginError(msg, plugin=cand.name)
                self._warn(msg, key=(cand.name, msg))
                return PluginInfo(cand.name, cand.distribution, cand.version, INCOMPATIBLE,
                                  error)
        return self._load_one(cand, strict)

    def _fail(self, cand: _Candidate, error: str, strict: bool, *,
              exc: BaseException | None = None) -> PluginInfo:
        msg = f"{cand.label} failed and was skipped: {error}"
        if strict or cand.builtin:
            raise PluginError(msg, plugin=cand.name) from exc
        self._warn(msg, key=(cand.name, msg), where=_blame(exc, cand.module))
        return PluginInfo(cand.name, cand.distribution, cand.version, FAILED, error)

    def _warn(self, msg: str, *, key: tuple[str, str],
              where: tuple[str, int] | None = None) -> None:
        """One :class:`PluginWarning` per plugin and problem, pointing at the plugin's code."""
        if key in self._warned:
            return
        self._warned.add(key)
        logger.debug(msg)
        if where is None:
            warnings.warn(msg, PluginWarning, stacklevel=5)
        else:
            warnings.warn_explicit(msg, PluginWarning, where[0], where[1])

    def _load_one(self, cand: _Candidate, strict: bool) -> PluginInfo:
        assert self.pm is not None
        obj: Any = None
        try:
            obj = _plugin_object(cand.load())
            if obj is not None:  # pluggy cannot register None; reported below
                self.pm.register(obj, name=cand.name)
        except BaseException as e:  # an unimportable plugin must not hurt the others
            if isinstance(e, _PASS_THROUGH):
                raise
            error = str(e) if isinstance(e, PluginError) else _describe(e)
            return self._fail(cand, error, strict, exc=e)
        if obj is None:
            return self._fail(cand, f"its entry point {cand.module or '?'!s} gives None, which "
                                    f"holds no Manifest and implements no tlcore hook", strict)
        callers = self.pm.get_hookcallers(obj) or ()
        if not callers:  # e.g. an entry point naming the wrong module or attribute
            self.pm.unregister(obj)
            return self._fail(cand, f"its entry point {cand.module or '?'!s} gives "
                                    f"{_kind_of(obj)}, which holds no Manifest and implements "
                                    f"no tlcore hook", strict)
        unknown = sorted(c.name for c in callers if c.spec is None)
        if unknown:
            self.pm.unregister(obj)
            return self._fail(cand, f"it implements unknown hooks {unknown}; tlcore's hooks "
                                    f"are {sorted(HOOK_KINDS)}", strict)
        staged: list[Entry] = []
        try:
            # The hooks are called one plugin at a time (not through pm.hook.<name>()), so that
            # a failing plugin's partial registrations can be dropped as a whole.
            for hook_name, kind in HOOK_KINDS.items():
                for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
                    if impl.plugin is obj:
                        register = self._register_fn(cand.name, kind, staged)
                        impl.function(**{a: register for a in impl.argnames})
        except BaseException as e:
            if isinstance(e, _PASS_THROUGH):
                raise
            self.pm.unregister(obj)
            return self._fail(cand, _describe(e, " in its hook"), strict, exc=e)
        provides: dict[str, list[str]] = {}
        for entry in staged:
            self._add(entry)
            provides.setdefault(entry.kind, []).append(entry.name)
        return PluginInfo(cand.name, cand.distribution, cand.version, LOADED, None,
                          {k: tuple(v) for k, v in provides.items()})

    def _register_fn(self, plugin: str, kind: str, staged: list[Entry]) -> Any:
        def register(name: str, target: Any, *, aliases: tuple[str, ...] | list[str] = (),
                     helper: bool = False) -> None:
            aliases = (aliases,) if isinstance(aliases, str) else tuple(aliases)
            if helper is not False and (kind != "layers" or helper is not True):
                raise ValueError(f"plugin {plugin!r}: helper=True is for layer helpers only, "
                                 f"received helper={helper!r} for {_SINGULAR[kind]} {name!r}")
            for n in (name, *aliases):
                if not isinstance(n, str) or not n or "." in n:
                    raise ValueError(f"plugin {plugin!r}: {_SINGULAR[kind]} name must be a "
                                     f"non-empty string without '.', received {n!r}")
                if any(e.kind == kind and n in (e.name, *e.aliases) for e in staged):
                    raise ValueError(f"plugin {plugin!r} registers {_SINGULAR[kind]} name "
                                     f"{n!r} twice")
            if target is None or (isinstance(target, str) and not _TARGET.match(target)):
                raise ValueError(f"plugin {plugin!r}: target of {name!r} must be an object, "
                                 f"'package.module' or 'package.module:attr', received {target!r}")
            staged.append(Entry(kind, name, target, plugin, aliases, helper))
        return register

    def _add(self, entry: Entry) -> None:
        for key in (entry.name, *entry.aliases):
            existing = self._entries[entry.kind].get(key, [])
            if existing and entry.plugin != CORE and any(e.plugin == CORE for e in existing):
                msg = (f"plugin {entry.plugin!r} registers {_SINGULAR[entry.kind]} name {key!r}, "
                       f"which belongs to the core; it is reachable only as {entry.plugin}.{key}")
                self._warn(msg, key=(entry.plugin, msg))
            self._entries[entry.kind].setdefault(key, []).append(entry)
            if key != entry.name:
                self._aliases[entry.kind][key] = entry.name

    # ------------------------------------------------------------------------------- lookups
    def plugins(self, *, include_core: bool = True) -> list[PluginInfo]:
        """Every plugin found, whatever its status, in discovery order (core first)."""
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
        """Entries whose name, alias or qualified id matches a shell-style ``pattern``
        (case-insensitive; a pattern without ``*?[`` matches as a substring)."""
        pat = (pattern if any(c in pattern for c in "*?[") else f"*{pattern}*").lower()
        return [e for e in self.entries(kind)
                if any(fnmatch.fnmatchcase(n.lower(), pat)
                       for n in (e.name, e.qualified, *e.aliases))]

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
            ids = tuple(sorted(e.qualified for e in found))
            raise AmbiguousNameError(
                f"{_SINGULAR[kind]} name {name!r} is registered by several plugins: "
                f"{', '.join(ids)}; use one of these qualified ids, or block one plugin with "
                f"TLCORE_DISABLE_PLUGINS", kind=kind, name=name, candidates=ids)
        raise UnknownNameError(self._unknown_message(kind, name), kind=kind, name=name)

    def get(self, kind: str, name: str) -> Any:
        """Resolve ``name`` to its object, importing a ``"module:attr"`` target on first use.

        Raises :class:`PluginError` when the target cannot be imported or is not what its kind
        requires (a layer must be a ``tlcore.layers.Layer`` subclass, a helper callable).
        """
        return self.resolve(self.entry(kind, name))

    def resolve(self, entry: Entry) -> Any:
        """The object of ``entry``, imported and validated once."""
        key = (entry.kind, entry.qualified)
        if key not in self._cache:
            what = f"plugin {entry.plugin!r} registers {_SINGULAR[entry.kind]} {entry.name!r}"
            obj = entry.target
            if isinstance(obj, str):
                try:
                    obj = import_target(obj)
                except BaseException as e:
                    if isinstance(e, _PASS_THROUGH):
                        raise
                    raise PluginError(f"{what} as {entry.target!r}, which cannot be imported: "
                                      f"{_describe(e)}", plugin=entry.plugin) from e
            problem = _invalid(entry, obj)
            if problem is not None:
                raise PluginError(f"{what} as {entry.target_path!r}, which {problem}",
                                  plugin=entry.plugin)
            self._cache[key] = obj
        return self._cache[key]

    def check(self) -> list[tuple[Entry, str]]:
        """Import and validate every registered target: ``(entry, error)`` for each failure."""
        failures = []
        for kind in KINDS:
            for entry in self.entries(kind):
                try:
                    self.resolve(entry)
                except PluginError as e:
                    failures.append((entry, str(e)))
        return failures

    def shadowed(self) -> list[PluginInfo]:
        """Plugins not loaded because another one of the same name was (or was found first)."""
        self.load()
        return list(self._shadowed)

    def owner_of(self, kind: str, obj: Any) -> Entry | None:
        """The entry whose target is ``obj`` (used to serialize layers by registered name)."""
        self.load()
        for e in self.entries(kind):
            if e.target is obj or (isinstance(e.target, str)
                                   and _normal(e.target) == _path_of(obj)):
                return e
        return None

    def _kind(self, kind: str) -> str:
        if kind not in self._entries:
            raise ValueError(f"unknown registry kind {kind!r}; expected one of {KINDS}")
        return kind

    def _unknown_message(self, kind: str, name: str) -> str:
        msg = f"no plugin registers a {_SINGULAR[kind]} named {name!r}"
        dist = KNOWN.get(kind, {}).get(name)
        if dist is not None:
            found = [p for p in (*self._plugins.values(), *self._shadowed)
                     if p.distribution == dist]
            owner = next((p for p in found if p.status == LOADED), found[0] if found else None)
            if owner is None:
                msg += f"; it is provided by {dist}: {install_hint(dist)}"
            elif owner.status == LOADED:
                msg += (f"; it is provided by {dist}, but the installed {dist} {owner.version} "
                        f"does not register it: {install_hint(dist, upgrade=True)}")
            else:
                msg += (f"; it is provided by plugin {owner.name!r} ({dist} {owner.version}), "
                        f"which is installed but {owner.status}")
                if owner.error:
                    msg += f": {owner.error}"
        names = list(self._entries[kind])
        close = [n for n in names if n.lower() == name.lower()]
        close += [n for n in difflib.get_close_matches(name, names, n=3, cutoff=0.75)
                  if n not in close]
        if close:
            msg += f". Did you mean {' or '.join(repr(c) for c in close[:3])}?"
        return msg

    # ------------------------------------------------------------------- in-process plugins
    @contextlib.contextmanager
    def registered(self, obj: Any, *, name: str, distribution: str = "(in-process)",
                   version: str = "0", requires: str | None = None) -> Iterator[Registry]:
        """Register ``obj`` (a module or object with hookimpls) as plugin ``name`` meanwhile."""
        module = (obj.__name__ if isinstance(obj, types.ModuleType)
                  else getattr(obj, "__module__", None))
        cand = _Candidate(name, distribution, version, lambda: obj, requires, module)
        with self._lock:
            self._in_process.append(cand)
            try:
                self.reload()
            except BaseException:
                self._in_process.remove(cand)
                self._loaded = False
                raise
        try:
            yield self
        finally:
            with self._lock:
                self._in_process.remove(cand)
                self._loaded = False  # reloaded lazily on the next lookup


def install_hint(dist: str, *, upgrade: bool = False) -> str:
    """``pip install tlcore-vision (from a source checkout: pip install ./tlcore_vision)``."""
    hint = f"pip install {'--upgrade ' if upgrade else ''}{dist}"
    folder = CHECKOUT_FOLDER.get(dist)
    return f"{hint} (from a source checkout: pip install ./{folder})" if folder else hint


def _invalid(entry: Entry, obj: Any) -> str | None:
    """Why ``obj`` cannot be what ``entry`` registers it as, or ``None``."""
    if entry.kind == "layers":
        if entry.helper:
            return None if callable(obj) else f"is a {type(obj).__name__}, not callable"
        # Layer is looked up, not imported: a class can only subclass it once it is imported,
        # and importing it here would import TensorFlow for plugins that list names.
        core = sys.modules.get("tlcore.layers.core")
        base = getattr(core, "Layer", None)
        if not (isinstance(obj, type) and base is not None and issubclass(obj, base)):
            kind = f"class {obj.__qualname__}" if isinstance(obj, type) else type(obj).__name__
            return (f"is a {kind}, not a subclass of tlcore.layers.Layer (register functions "
                    f"and cells as layer helpers: Manifest(layer_helpers=...) or "
                    f"register(..., helper=True))")
    elif entry.kind in ("datasets", "examples") and not callable(obj):
        return f"is a {type(obj).__name__}, not callable"
    return None


def _kind_of(obj: Any) -> str:
    if isinstance(obj, types.ModuleType):
        return f"module {obj.__name__}"
    return f"a {type(obj).__name__}"


def _normal(target: str) -> str:
    return target if ":" in target else f"{target}:"


def _path_of(obj: Any) -> str:
    if isinstance(obj, types.ModuleType):
        return f"{obj.__name__}:"
    return f"{getattr(obj, '__module__', '?')}:{getattr(obj, '__qualname__', type(obj).__name__)}"


_default = Registry()


def get_registry() -> Registry:
    """The process-wide registry that ``tl.layers``, ``tl.files`` and the CLI use."""
    return _default
