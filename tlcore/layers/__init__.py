"""``tl.layers``: every layer, core or plugin, resolved by name through the plugin registry.

``tl.layers.DenseLayer`` comes from the built-in ``core`` plugin; ``tl.layers.Conv2d`` from
``tlcore-vision`` once installed. Nothing is imported until a name is first used.

``from tlcore.layers import *`` binds every registered name (TensorLayer scripts start with
it): Python asks the module for ``__all__``, which :func:`__getattr__` computes from the
registry, loading the plugins then. A name that two plugins register is left out (its plain
lookup is ambiguous); ``tlcore layers`` shows the qualified ids to use instead.
"""
from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    from tlcore.plugins import get_registry

    if name == "__all__":
        # Computed, not stored: the registry (allow/block lists, tests' registered(...)) decides.
        return _unambiguous_names(get_registry())
    if name.startswith("__"):
        raise AttributeError(name)
    # Not cached here: the registry caches, and a reload (allow/block lists, tests'
    # registered(...)) must be able to take a name away again.
    return get_registry().get("layers", name)


def __dir__() -> list[str]:
    from tlcore.plugins import get_registry

    return sorted(set(globals()) | set(get_registry().names("layers")))


def _unambiguous_names(registry: Any) -> list[str]:
    names = []
    for name in registry.names("layers"):
        try:
            registry.entry("layers", name)
        except Exception:  # registered by two plugins: `import *` must not fail on it
            continue
        names.append(name)
    return names
