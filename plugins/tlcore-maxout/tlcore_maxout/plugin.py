"""The ``maxout`` plugin's manifest: what it registers with tlcore.

tlcore imports this module when its registry first loads, so it stays cheap: no TensorFlow,
only ``"module:attr"`` strings that are imported when the name is first used.
"""
from __future__ import annotations

from tlcore.plugins import Manifest

#: registered name -> "module:attr" target
LAYERS: dict[str, str] = {
    "MaxoutLayer": "tlcore_maxout.maxout:MaxoutLayer",
}

manifest = Manifest(layers=LAYERS)
