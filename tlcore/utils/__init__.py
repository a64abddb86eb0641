"""``tl.utils``: training loop (fit, test, predict), evaluation and small helpers.

Names resolve lazily so that ``import tlcore.utils`` does not import TensorFlow.
"""
from __future__ import annotations

import importlib
from typing import Any

#: public name -> private module under tlcore.utils that defines it
_EXPORTS: dict[str, str] = {
    "class_balancing_oversample": "_misc",
    "dict_to_one": "_misc",
    "flatten_list": "_misc",
    "get_random_int": "_misc",
    "list_string_to_dict": "_misc",
    "set_keep": "_misc",
    "fit": "_training",
    "test": "_training",
    "predict": "_training",
    "evaluation": "_evaluation",
    "TrainingHistory": "_history",
    "make_strategy": "_distributed",
    "parse_tf_config": "_distributed",
    "is_chief": "_distributed",
    "free_port": "_distributed",
    "free_ports": "_distributed",
    "distribute_dataset": "_distributed",
    "EpochBackup": "_distributed",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'tlcore.utils' has no attribute {name!r}")
    obj = getattr(importlib.import_module(f"tlcore.utils.{_EXPORTS[name]}"), name)
    globals()[name] = obj
    return obj


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
