"""The ``rl`` plugin's manifest: what it registers with tlcore. Cheap to import (no TensorFlow)."""
from __future__ import annotations

from tlcore.plugins import hookimpl

#: registered name -> "module:attr" target
LAYERS: dict[str, str] = {}

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


@hookimpl
def register_layers(register):
    for name, target in LAYERS.items():
        register(name, target)


@hookimpl
def register_modules(register):
    for name, target in MODULES.items():
        register(name, target)


@hookimpl
def register_examples(register):
    for name, target in EXAMPLES.items():
        register(name, target)
