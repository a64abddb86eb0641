"""``Manifest``: a plugin's registrations as tables, so a manifest module holds data only.

A plugin module writes its tables and one ``Manifest``; the registry finds it in the module
the entry point names (a module-level ``Manifest`` instance) and calls its hooks::

    from tlcore.plugins import Manifest

    LAYERS = {"MaxoutLayer": "tlcore_maxout.maxout:MaxoutLayer"}
    manifest = Manifest(layers=LAYERS)
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

import attrs

from tlcore.plugins._hooks import hookimpl

Table = Mapping[str, Any]


def _table(value: Table | None) -> dict[str, Any]:
    return dict(value or {})


@attrs.frozen
class Manifest:
    """What a plugin registers, as ``name -> target`` tables.

    A target is the object itself or a ``"package.module:attr"`` string imported on first use
    (keep strings, so that loading the manifest imports no TensorFlow).

    Args:
        layers: ``tl.layers.<name>``; every target must be a subclass of
            ``tlcore.layers.Layer`` (checked when first used and by ``tlcore plugins --check``).
        layer_helpers: also ``tl.layers.<name>``, for what is not a layer but belongs beside the
            layers (functions such as ``retrieve_seq_length_op``, RNN cells); must be callable.
        modules: namespaces ``tl.<name>``; targets ``"package.module:"``.
        datasets: loaders ``tl.files.load_<name>_dataset``.
        examples: ``tlcore run <name>`` entry points, callables ``main(args) -> int``.
    """

    layers: dict[str, Any] = attrs.field(factory=dict, converter=_table)
    layer_helpers: dict[str, Any] = attrs.field(factory=dict, converter=_table)
    modules: dict[str, Any] = attrs.field(factory=dict, converter=_table)
    datasets: dict[str, Any] = attrs.field(factory=dict, converter=_table)
    examples: dict[str, Any] = attrs.field(factory=dict, converter=_table)

    # The registry registers this object with pluggy: these are its hook implementations.
    @hookimpl
    def register_layers(self, register: Callable[..., None]) -> None:
        for name, target in self.layers.items():
            register(name, target)
        for name, target in self.layer_helpers.items():
            register(name, target, helper=True)

    @hookimpl
    def register_modules(self, register: Callable[..., None]) -> None:
        for name, target in self.modules.items():
            register(name, target)

    @hookimpl
    def register_datasets(self, register: Callable[..., None]) -> None:
        for name, target in self.datasets.items():
            register(name, target)

    @hookimpl
    def register_examples(self, register: Callable[..., None]) -> None:
        for name, target in self.examples.items():
            register(name, target)

    def names(self) -> dict[str, tuple[str, ...]]:
        """kind -> registered names (helpers count as layers), for hints and tests."""
        return {"layers": (*self.layers, *self.layer_helpers), "modules": tuple(self.modules),
                "datasets": tuple(self.datasets), "examples": tuple(self.examples)}
