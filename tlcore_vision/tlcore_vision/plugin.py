"""The ``vision`` plugin's manifest: what it registers with tlcore. Cheap to import (no TensorFlow)."""
from __future__ import annotations

from tlcore.plugins import hookimpl

_L = "tlcore_vision.layers."

#: registered name -> "module:attr" target
LAYERS: dict[str, str] = {
    # conv.py
    "Conv1dLayer": _L + "conv:Conv1dLayer",
    "Conv2dLayer": _L + "conv:Conv2dLayer",
    "Conv3dLayer": _L + "conv:Conv3dLayer",
    "Conv1d": _L + "conv:Conv1d",
    "Conv2d": _L + "conv:Conv2d",
}


@hookimpl
def register_layers(register):
    for name, target in LAYERS.items():
        register(name, target)
