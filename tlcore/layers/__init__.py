"""``tl.layers``: every layer, core or plugin, resolved by name through the plugin registry.

``tl.layers.DenseLayer`` comes from the built-in ``core`` plugin; ``tl.layers.Conv2d`` from
``tlcore-vision`` once installed. Nothing is imported until a name is first used.

Where two plugins register the same name, the plain name is ambiguous and each plugin's layer is
reached through the plugin's name: ``tl.layers.vision.Conv2d`` (the same as
``getattr(tl.layers, "vision.Conv2d")``). A plugin that is installed but blocked, failed or
incompatible still has its namespace, and its layers' errors say why they are missing.
Submodules (``tl.layers.utils``, ``tl.layers.core``) come before plugin namespaces, so the
built-in plugin's layers are reached by their plain names only (core names are never ambiguous).

``from tlcore.layers import *`` binds every registered name (TensorLayer scripts start with
it): Python asks the module for ``__all__``, which :func:`__getattr__` computes from the
registry, loading the plugins then. A name that two plugins register is left out (its plain
lookup is ambiguous); ``tlcore layers`` shows the qualified ids to use instead.
"""
from __future__ import annotations

import importlib
import importlib.util
from typing import Any


def __getattr__(name: str) -> Any:
    from tlcore.plugins import UnknownNameError, get_registry

    registry = get_registry()
    if name == "__all__":
        # Computed, not stored: the registry (allow/block lists, tests' registered(...)) decides.
        return _unambiguous_names(registry)
    if name.startswith("__"):
        raise AttributeError(name)
    # Not cached here: the registry caches, and a reload (allow/block lists, tests'
    # registered(...)) must be able to take a name away again.
    try:
        return registry.get("layers", name)
    except UnknownNameError:
        if name.isidentifier() and importlib.util.find_spec(f"{__name__}.{name}") is not None:
            return importlib.import_module(f"{__name__}.{name}")
        if registry.plugin(name) is None:
            raise
    return PluginLayers(name)


def __dir__() -> list[str]:
    from tlcore.plugins import get_registry

    registry = get_registry()
    plugins = {p.name for p in registry.plugins(include_core=False)}  # tl.layers.<plugin>
    return sorted(set(globals()) | set(registry.names("layers")) | plugins)


class PluginLayers:
    """``tl.layers.<plugin>``: the layers of one plugin, by their plain names.

    ``tl.layers.maxout.MaxoutLayer`` is ``getattr(tl.layers, "maxout.MaxoutLayer")``: resolved
    through the registry on each access (a reload may take names away), so the errors are the
    registry's (an unknown name is an ``AttributeError`` that says whether the plugin is
    blocked, failed or incompatible).
    """

    def __init__(self, plugin: str) -> None:
        self._plugin = plugin

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        from tlcore.plugins import get_registry

        return get_registry().get("layers", f"{self._plugin}.{name}")

    def __dir__(self) -> list[str]:
        from tlcore.plugins import get_registry

        entries = get_registry().entries("layers")
        return sorted({n for e in entries if e.plugin == self._plugin
                       for n in (e.name, *e.aliases)})

    def __repr__(self) -> str:
        return f"<layers of tlcore plugin {self._plugin!r}>"


def _unambiguous_names(registry: Any) -> list[str]:
    names = []
    for name in registry.names("layers"):
        try:
            registry.entry("layers", name)
        except Exception:  # registered by two plugins: `import *` must not fail on it
            continue
        names.append(name)
    return names
