"""``tl.utils``: training loop (fit, test, predict), evaluation and small helpers.

Names resolve lazily so that ``import tlcore.utils`` does not import TensorFlow.
"""
from __future__ import annotations

import importlib
from typing import Any

#: public name -> module that defines it (a private module of tlcore.utils, or a full name)
_EXPORTS: dict[str, str] = {
    "class_balancing_oversample": "_misc",
    "dict_to_one": "_misc",
    "flatten_list": "_misc",
    "get_random_int": "_misc",
    "list_string_to_dict": "_misc",
    "set_keep": "_misc",
    "fit": "tlcore.training.api",
    "test": "tlcore.training.api",
    "predict": "tlcore.training.api",
    "evaluation": "_evaluation",
    "TrainingHistory": "_history",
    "make_strategy": "tlcore.training.cluster",
    "parse_tf_config": "tlcore.training.cluster",
    "is_chief": "tlcore.training.cluster",
    "free_port": "tlcore.training.cluster",
    "free_ports": "tlcore.training.cluster",
    "distribute_dataset": "tlcore.training.cluster",
    "maybe_scope": "tlcore.training.cluster",
    "EpochBackup": "tlcore.training.checkpoint",
    "EarlyStopping": "tlcore.training.callbacks",
    "ModelCheckpoint": "tlcore.training.callbacks",
    "ReduceLROnPlateau": "tlcore.training.callbacks",
    "CSVLogger": "tlcore.training.callbacks",
    "TensorBoard": "tlcore.training.callbacks",
    "Callback": "tlcore.training.callbacks",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'tlcore.utils' has no attribute {name!r}")
    module = _EXPORTS[name]
    if not module.startswith("tlcore."):
        module = f"tlcore.utils.{module}"
    obj = getattr(importlib.import_module(module), name)
    globals()[name] = obj
    return obj


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
