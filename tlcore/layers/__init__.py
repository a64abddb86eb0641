"""``tl.layers``: every layer, core or plugin, resolved by name through the plugin registry.

``tl.layers.DenseLayer`` comes from the built-in ``core`` plugin; ``tl.layers.Conv2d`` from
``tlcore-vision`` once installed. Nothing is imported until a name is first used.
"""
from __future__ import annotations

from typing import Any

__all__ = ["Layer", "InputLayer"]  # the rest is whatever the registry holds; see dir()


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    from tlcore.plugins import get_registry

    # Not cached here: the registry caches, and a reload (allow/block lists, tests'
    # registered(...)) must be able to take a name away again.
    return get_registry().get("layers", name)


def __dir__() -> list[str]:
    from tlcore.plugins import get_registry

    return sorted(set(globals()) | set(get_registry().names("layers")))
