"""Loading and isolation: import one plugin, check what it implements, call its hooks.

A plugin loads all-or-nothing: its entries are staged while its hooks run and handed over only
when every hook returned; whatever it raises (Ctrl-C aside) becomes a :class:`LoadFailure` that
names the problem, and the plugin is unregistered from pluggy again.
"""
from __future__ import annotations

import logging
import sys
import types
from typing import Any, Callable

import pluggy

from tlcore.plugins._discovery import Candidate
from tlcore.plugins._errors import PASS_THROUGH, PluginError, describe
from tlcore.plugins._hooks import HOOK_KINDS, PROJECT, SINGULAR, TlcoreHookSpecs
from tlcore.plugins._manifest import Manifest
from tlcore.plugins._names import Entry
from tlcore.plugins._targets import TARGET

Register = Callable[..., None]
logger = logging.getLogger("tlcore")


class LoadFailure(Exception):
    """A plugin could not be loaded. ``error`` is the text for its status line; ``cause`` the
    exception it raised, if any (warnings point at the plugin's code through it)."""

    def __init__(self, error: str, cause: BaseException | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.cause = cause


class Loader:
    """Loads plugins one at a time through one pluggy :class:`~pluggy.PluginManager` (``pm``).

    A plugin is registered in ``pm`` while pluggy validates it and its hooks run, then
    unregistered again. So ``pm.hook.<hook>(register=...)`` calls that plugin alone, through
    pluggy's hook calling (its tracing and monitoring see every call); the plugin gets its own
    ``register`` (its entries know their plugin); and a failing plugin's partial registrations
    are dropped as a whole. (A manager holding every plugin would need
    ``pm.subset_hook_caller``, which hashes each plugin object; a ``Manifest`` holds dicts and
    is not hashable, and a hostile plugin's ``__hash__`` would run during the others' loading.)
    """

    def __init__(self) -> None:
        self.loaded: dict[str, Any] = {}  #: plugin name -> the object its hooks came from
        self._current = ""  # whose hooks run, for the trace lines
        self.pm = new_plugin_manager(lambda: self._current)

    def load(self, cand: Candidate) -> list[Entry]:
        """Import ``cand``, validate it with pluggy and call its hooks; its entries.

        Raises:
            LoadFailure: the import or a hook raised, or the plugin implements no hook, an
                unknown hook, or registers something invalid. Nothing of it stays registered.
        """
        obj: Any = None
        where = cand.module or "?"
        try:
            obj = plugin_object(cand.load())
            same = next((n for n, o in self.loaded.items() if o is obj), None)
            if same is not None:  # two entry points, one object: its names would all clash
                raise PluginError(f"its entry point {where} gives the object that plugin "
                                  f"{same!r} registered already", plugin=cand.name)
            if obj is not None:  # pluggy cannot register None; reported below
                self.pm.register(obj, name=cand.name)
        except BaseException as e:  # an unimportable plugin must not hurt the others
            if isinstance(e, PASS_THROUGH):
                raise
            raise LoadFailure(str(e) if isinstance(e, PluginError) else describe(e), e) from e
        if obj is None:
            raise LoadFailure(f"its entry point {where} gives None, which holds no Manifest and "
                              f"implements no tlcore hook")
        try:
            staged = self._call_hooks(cand.name, where, obj)
        finally:
            self.pm.unregister(obj)
        self.loaded[cand.name] = obj
        return staged

    def _call_hooks(self, plugin: str, where: str, obj: Any) -> list[Entry]:
        callers = self.pm.get_hookcallers(obj) or ()
        if not callers:  # e.g. an entry point naming the wrong module or attribute
            raise LoadFailure(f"its entry point {where} gives {_kind_of(obj)}, which holds no "
                              f"Manifest and implements no tlcore hook")
        unknown = sorted(c.name for c in callers if c.spec is None)
        if unknown:
            raise LoadFailure(f"it implements unknown hooks {unknown}; tlcore's hooks are "
                              f"{sorted(HOOK_KINDS)}")
        implemented = {c.name for c in callers}
        staged: list[Entry] = []
        self._current = plugin
        try:
            for hook_name, kind in HOOK_KINDS.items():
                if hook_name in implemented:
                    getattr(self.pm.hook, hook_name)(register=make_register(plugin, kind, staged))
        except BaseException as e:
            if isinstance(e, PASS_THROUGH):
                raise
            raise LoadFailure(describe(e, " in its hook"), e) from e
        finally:
            self._current = ""
        return staged


def new_plugin_manager(plugin: Callable[[], str] = lambda: "") -> pluggy.PluginManager:
    """A pluggy manager with tlcore's hook specifications. With the ``tlcore`` logger at DEBUG,
    pluggy's own tracing of hook calls goes to it (``plugin()`` names whose hooks run)."""
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(TlcoreHookSpecs)
    if logger.isEnabledFor(logging.DEBUG):
        def write(text: str) -> None:
            logger.debug("pluggy, plugin %r: %s", plugin(), text.strip())

        pm.trace.root.setwriter(write)
        pm.enable_tracing()
    return pm


def make_register(plugin: str, kind: str, staged: list[Entry]) -> Register:
    """The ``register(name, target, *, aliases=(), helper=False)`` callback a hook receives:
    it checks each registration and appends it to ``staged``."""

    def register(name: str, target: Any, *, aliases: tuple[str, ...] | list[str] = (),
                 helper: bool = False) -> None:
        aliases = (aliases,) if isinstance(aliases, str) else tuple(aliases)
        if helper is not False and (kind != "layers" or helper is not True):
            raise ValueError(f"plugin {plugin!r}: helper=True is for layer helpers only, "
                             f"received helper={helper!r} for {SINGULAR[kind]} {name!r}")
        for n in (name, *aliases):
            if not isinstance(n, str) or not n or "." in n:
                raise ValueError(f"plugin {plugin!r}: {SINGULAR[kind]} name must be a "
                                 f"non-empty string without '.', received {n!r}")
            if any(e.kind == kind and n in (e.name, *e.aliases) for e in staged):
                raise ValueError(f"plugin {plugin!r} registers {SINGULAR[kind]} name "
                                 f"{n!r} twice")
        if target is None or (isinstance(target, str) and not TARGET.match(target)):
            raise ValueError(f"plugin {plugin!r}: target of {name!r} must be an object, "
                             f"'package.module' or 'package.module:attr', received {target!r}")
        staged.append(Entry(kind, name, target, plugin, aliases, helper))
    return register


def plugin_object(obj: Any) -> Any:
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


def blame(exc: BaseException | None, module: str | None) -> tuple[str, int] | None:
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


def _kind_of(obj: Any) -> str:
    if isinstance(obj, types.ModuleType):
        return f"module {obj.__name__}"
    return f"a {type(obj).__name__}"
