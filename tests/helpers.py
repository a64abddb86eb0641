"""The layer test harness of this repository: :mod:`tlcore.testing`, re-exported so that the
tests keep importing ``tests.helpers`` (plugin authors import ``tlcore.testing``)."""
from __future__ import annotations

from tlcore.testing import *  # noqa: F401,F403
from tlcore.testing import __all__  # noqa: F401
