"""tlcore: TensorLayer's hand-chained layers on TensorFlow 2, extended by plugins.

``import tlcore as tl`` is cheap: TensorFlow and the plugins load on first use of
``tl.layers``, ``tl.cost``, ``tl.nlp`` and so on.
"""
from __future__ import annotations

import importlib
from typing import Any

from tlcore._log import logger, set_verbosity, show_logs
from tlcore._version import __version__

__all__ = [
    "__version__",
    "act",
    "activation",
    "alphas",
    "alphas_like",
    "array_ops",
    "cost",
    "decorators",
    "files",
    "initializers",
    "iterate",
    "layers",
    "logger",
    "logging",
    "optimizers",
    "owner",
    "plugins",
    "set_verbosity",
    "show_logs",
    "training",
    "utils",
    "vis",
    "visualize",
]

_SUBMODULES = {"activation", "array_ops", "cost", "decorators", "files", "initializers", "iterate",
               "layers", "logging", "optimizers", "owner", "plugins", "training", "utils",
               "visualize"}
_ALIASES = {"act": "activation", "vis": "visualize"}


def __getattr__(name: str) -> Any:
    # Submodules and plugin namespaces (tl.nlp, tl.rein, tl.prepro) resolve on first access.
    if name in _SUBMODULES or name in _ALIASES and _ALIASES[name] in _SUBMODULES:
        module = importlib.import_module(f"tlcore.{_ALIASES.get(name, name)}")
        globals()[name] = module
        return module
    if name in {"alphas", "alphas_like"}:
        from tlcore import array_ops

        return getattr(array_ops, name)
    if name.startswith("__"):
        raise AttributeError(name)
    from tlcore.plugins import get_registry

    # Plugin namespaces are not cached here, so that a registry reload can remove them.
    return get_registry().get("modules", _ALIASES.get(name, name))


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
