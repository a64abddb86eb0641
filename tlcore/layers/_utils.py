"""Kept importable for code written before :mod:`tlcore.layers.utils` was public; new code
imports ``tlcore.layers.utils``."""
from __future__ import annotations

from tlcore.layers.utils import *  # noqa: F401,F403
from tlcore.layers.utils import __all__  # noqa: F401
