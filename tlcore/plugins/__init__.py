"""tlcore's plugin system: pluggy hooks discovered through the ``tlcore.plugins`` entry points.

A plugin's manifest module (the entry point's target) holds its tables and one
:class:`Manifest`::

    from tlcore.plugins import Manifest

    LAYERS = {"MaxoutLayer": "tlcore_maxout.maxout:MaxoutLayer"}
    manifest = Manifest(layers=LAYERS)

A module may instead implement the hooks of :class:`TlcoreHookSpecs` itself with
:data:`hookimpl` (``def register_layers(register): register(name, target)``).
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator

from tlcore.plugins._errors import AmbiguousNameError, PluginError, PluginWarning, UnknownNameError
from tlcore.plugins._hooks import ENTRY_POINT_GROUP, TlcoreHookSpecs, hookimpl, hookspec
from tlcore.plugins._manifest import Manifest
from tlcore.plugins._names import Entry
from tlcore.plugins._registry import Registry, get_registry
from tlcore.plugins._status import PluginInfo, Status

__all__ = [
    "ENTRY_POINT_GROUP",
    "AmbiguousNameError",
    "Entry",
    "Manifest",
    "PluginError",
    "PluginInfo",
    "PluginWarning",
    "Registry",
    "Status",
    "TlcoreHookSpecs",
    "UnknownNameError",
    "get_registry",
    "hookimpl",
    "hookspec",
    "registered",
]


@contextlib.contextmanager
def registered(obj: Any, *, name: str, **info: Any) -> Iterator[Registry]:
    """Register ``obj`` as plugin ``name`` in the process registry for the ``with`` block.

    Args:
        obj: a module or object whose methods carry :data:`hookimpl`.
        name: the plugin's name (its entries' qualified ids start with it).
        **info: ``distribution``, ``version``, ``requires`` (a specifier on tlcore).
    """
    with get_registry().registered(obj, name=name, **info) as reg:
        yield reg
