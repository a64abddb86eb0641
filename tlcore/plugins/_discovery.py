"""Discovery: what plugins exist, read from entry-point metadata without importing them.

A :class:`Candidate` is a plugin before it loads: its name, distribution, version, its
requirement on tlcore and how to load it. The policy (``_policy.py``) decides from these
whether it may load; the loader (``_loading.py``) then imports it.
"""
from __future__ import annotations

import importlib
import importlib.metadata as md
from typing import Any, Callable, Iterable

import attrs

from tlcore._version import __version__
from tlcore.plugins._errors import PASS_THROUGH, PluginError, describe
from tlcore.plugins._hooks import ENTRY_POINT_GROUP
from tlcore.plugins._policy import tlcore_requirement

#: The built-in plugin's name; it cannot be blocked and its failure is always an error.
CORE = "core"
_CORE_MODULE = "tlcore.plugins._core"

#: A callable returning the entry points to consider (objects with ``name``, ``value``,
#: ``load()`` and optionally ``dist``).
EntryPoints = Callable[[], Iterable[Any]]


@attrs.define
class Candidate:
    """A plugin found by discovery or registered in-process, before it is loaded."""

    name: str
    distribution: str
    version: str
    load: Callable[[], Any]  #: returns the module or object with hookimpls
    requires: str | None = None  #: the distribution's requirement on tlcore, e.g. ">=0.1"
    module: str | None = None  #: the plugin's module, to point warnings at its code
    builtin: bool = False  #: the core itself: its failure is always an error
    req_error: str | None = None  #: its Requires-Dist on tlcore could not be read

    @property
    def label(self) -> str:
        """``tlcore plugin 'vision' (tlcore-vision 0.1.0)``, how messages name it."""
        return f"tlcore plugin {self.name!r} ({self.distribution} {self.version})"


def core_candidate() -> Candidate:
    """The built-in plugin ``core`` (always first)."""
    return Candidate(CORE, "tlcore", __version__, lambda: importlib.import_module(_CORE_MODULE),
                     module=_CORE_MODULE, builtin=True)


def scan(entry_points: EntryPoints | None = None) -> list[Candidate]:
    """One candidate per entry point of ``entry_points()`` (default: the installed
    ``tlcore.plugins`` group), in discovery order."""
    eps = entry_points() if entry_points else md.entry_points(group=ENTRY_POINT_GROUP)
    return [candidate_from_ep(ep) for ep in eps]


def candidate_from_ep(ep: Any) -> Candidate:
    """What discovery knows about an entry point, read without importing the plugin.

    Metadata that cannot be read (whatever it raises) does not stop discovery: the candidate
    then fails when it loads, with the error as its message.
    """
    name, value = str(getattr(ep, "name", "?")), str(getattr(ep, "value", ""))
    dist = getattr(ep, "dist", None)
    distribution, version, requires = "?", "?", None
    module = value.partition(":")[0] or None
    try:
        if dist is not None:
            distribution = str(dist.metadata["Name"] or "?")
            version = str(dist.version or "?")
            requires, req_error = tlcore_requirement(dist)
            return Candidate(name, distribution, version, ep.load, requires, module,
                             req_error=req_error)
    except BaseException as e:  # broken metadata: report it when the plugin loads, not here
        if isinstance(e, PASS_THROUGH):
            raise
        err = describe(e, " reading its metadata")

        def load() -> Any:
            raise PluginError(err, plugin=name)
        return Candidate(name, distribution, version, load, None, module)
    return Candidate(name, distribution, version, ep.load, requires, module)
