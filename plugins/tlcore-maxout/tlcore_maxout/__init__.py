"""tlcore-maxout: a maxout layer for tlcore, installed as the plugin ``maxout``.

Use it as ``tl.layers.MaxoutLayer`` once the distribution is installed (the registry finds it
through the ``tlcore.plugins`` entry point); importing this package does not import TensorFlow.
"""
from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["MaxoutLayer"]


def __getattr__(name: str) -> Any:
    if name == "MaxoutLayer":
        from tlcore_maxout.maxout import MaxoutLayer

        return MaxoutLayer
    raise AttributeError(f"module 'tlcore_maxout' has no attribute {name!r}")
