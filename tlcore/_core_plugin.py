"""The built-in plugin ``core``: registers the core's layers, datasets and examples.

Targets are "module:attr" strings so that nothing here imports TensorFlow.
"""
from __future__ import annotations

from tlcore.plugins import hookimpl

#: registered name -> module under tlcore.layers that defines it
LAYERS: dict[str, str] = {
    "Layer": "core",
    "InputLayer": "core",
    "DenseLayer": "dense",
    "DropoutLayer": "dropout",
}


@hookimpl
def register_layers(register):
    for name, module in LAYERS.items():
        register(name, f"tlcore.layers.{module}:{name}")
