"""The ``rl`` plugin's manifest: what it registers with tlcore. Cheap to import (no TensorFlow)."""
from __future__ import annotations

from tlcore.plugins import Manifest

#: namespace (tl.<name>) -> "module:" (an empty attribute is the module itself)
MODULES: dict[str, str] = {
    "rein": "tlcore_rl.rein:",
}

#: example name (tlcore run <name>) -> "module:attr" of a ``main(args) -> int``
EXAMPLES: dict[str, str] = {
    "cartpole": "tlcore_rl.examples:cartpole",
    "cartpole-dqn": "tlcore_rl.examples:cartpole_dqn",
    "pong": "tlcore_rl.pong:main",
}

manifest = Manifest(modules=MODULES, examples=EXAMPLES)
