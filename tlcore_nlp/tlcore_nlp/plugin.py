"""The ``nlp`` plugin's manifest: what it registers with tlcore. Cheap to import (no TensorFlow)."""
from __future__ import annotations

from tlcore.plugins import hookimpl

#: registered name -> "module:attr" target
LAYERS: dict[str, str] = {}


@hookimpl
def register_layers(register):
    for name, target in LAYERS.items():
        register(name, target)
