"""The plugin registry: a small facade over discovery, policy, loading and the name table.

Loading is lazy (first lookup, never ``import tlcore``) and all-or-nothing per plugin: a plugin
whose import or hook fails contributes no entry at all, and every other plugin keeps working.
The parts: ``_discovery`` (entry points -> candidates), ``_policy`` (allow/block lists, strict
mode, the requirement on tlcore), ``_loading`` (import, hooks through pluggy, isolation),
``_admission`` (one load: statuses, namesakes, warnings), ``_names`` (names, qualified ids,
ambiguity, error text) and ``_targets`` (import on first use).
"""
from __future__ import annotations

import contextlib
import threading
import types
from typing import Any, Iterator

import pluggy

from tlcore.plugins._admission import Admission, Reporter
from tlcore.plugins._discovery import CORE, Candidate, EntryPoints, core_candidate, scan
from tlcore.plugins._errors import PluginError
from tlcore.plugins._hooks import KINDS
from tlcore.plugins._names import Entry, NameTable, install_hint
from tlcore.plugins._status import PluginInfo, Status
from tlcore.plugins._targets import Targets, import_target

# Kept importable from here: the CLI and older code import them from this module.
__all__ = ["BLOCKED", "CORE", "FAILED", "INCOMPATIBLE", "KINDS", "LOADED", "Entry", "PluginInfo",
           "Registry", "Status", "get_registry", "import_target", "install_hint"]

LOADED, FAILED, BLOCKED = Status.LOADED, Status.FAILED, Status.BLOCKED
INCOMPATIBLE = Status.INCOMPATIBLE


class Registry:
    """Plugins and the names they register, loaded on first use.

    Args:
        entry_points: a callable returning the entry points to consider (tests pass their own
            objects with ``name``, ``value``, ``load()`` and optionally ``dist``); defaults to
            the installed ``tlcore.plugins`` group.
    """

    def __init__(self, entry_points: EntryPoints | None = None) -> None:
        self._entry_points_fn = entry_points
        self._scanned: list[Candidate] | None = None
        self._in_process: list[Candidate] = []
        self._lock = threading.RLock()
        self._loaded = False
        self._reporter = Reporter()  # its memory of warnings outlives reloads
        self._plugins: dict[str, PluginInfo] = {}
        self._shadowed: list[PluginInfo] = []  # namesakes of a plugin in _plugins, not loaded
        self.problems: list[str] = []  #: environment values that could not be read
        self._table = NameTable()
        self._targets = Targets()
        #: the pluggy manager the last load called hooks through (see ``_loading.Loader``)
        self.pm: pluggy.PluginManager | None = None

    # ------------------------------------------------------------------------------ loading
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
        if self._scanned is None:  # entry points are scanned once per registry (per process)
            self._scanned = scan(self._entry_points_fn)
        run = Admission(self._reporter)
        try:
            run.run([core_candidate(), *self._scanned, *self._in_process])
        finally:  # what was found before strict mode raised stays visible, as it was
            self._plugins, self._shadowed, self.problems = run.plugins, run.shadowed, run.problems
            self._table, self._targets, self.pm = run.table, Targets(), run.loader.pm

    # ------------------------------------------------------------------------------ lookups
    def plugins(self, *, include_core: bool = True) -> list[PluginInfo]:
        """Every plugin found, whatever its status, in discovery order (core first)."""
        self.load()
        return [p for p in self._plugins.values() if include_core or p.name != CORE]

    def shadowed(self) -> list[PluginInfo]:
        """Plugins not loaded because another one of the same name was (or was found first)."""
        self.load()
        return list(self._shadowed)

    def plugin(self, name: str) -> PluginInfo | None:
        """The plugin called ``name`` (whatever its status), or ``None``."""
        self.load()
        return self._plugins.get(name)

    def entries(self, kind: str) -> list[Entry]:
        """Every entry of one kind, without importing targets, sorted by name."""
        self.load()
        return self._table.entries(kind)

    def names(self, kind: str) -> list[str]:
        """The unqualified names of one kind (aliases included)."""
        self.load()
        return self._table.names(kind)

    def find(self, kind: str, pattern: str = "*") -> list[Entry]:
        """Entries whose name, alias or qualified id matches a shell-style ``pattern``
        (case-insensitive; a pattern without ``*?[`` matches as a substring)."""
        self.load()
        return self._table.find(kind, pattern)

    def entry(self, kind: str, name: str) -> Entry:
        """The entry for ``name`` or ``plugin.name``; raises on unknown or ambiguous names."""
        self.load()
        return self._table.lookup(kind, name, self._plugins, self._shadowed)

    def get(self, kind: str, name: str) -> Any:
        """Resolve ``name`` to its object, importing a ``"module:attr"`` target on first use.

        Raises :class:`PluginError` when the target cannot be imported or is not what its kind
        requires (a layer must be a ``tlcore.layers.Layer`` subclass, a helper callable).
        """
        return self.resolve(self.entry(kind, name))

    def resolve(self, entry: Entry) -> Any:
        """The object of ``entry``, imported and validated once."""
        return self._targets.resolve(entry)

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

    def owner_of(self, kind: str, obj: Any) -> Entry | None:
        """The entry whose target is ``obj`` (used to serialize layers by registered name)."""
        self.load()
        return self._table.owner_of(kind, obj)

    # --------------------------------------------------------------------- in-process plugins
    @contextlib.contextmanager
    def registered(self, obj: Any, *, name: str, distribution: str = "(in-process)",
                   version: str = "0", requires: str | None = None) -> Iterator[Registry]:
        """Register ``obj`` (a module or object with hookimpls) as plugin ``name`` meanwhile."""
        module = (obj.__name__ if isinstance(obj, types.ModuleType)
                  else getattr(obj, "__module__", None))
        cand = Candidate(name, distribution, version, lambda: obj, requires, module)
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


_default = Registry()


def get_registry() -> Registry:
    """The process-wide registry that ``tl.layers``, ``tl.files`` and the CLI use."""
    return _default
