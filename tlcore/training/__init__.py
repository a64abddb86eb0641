"""``tlcore.training``: the training engine behind ``tl.utils.fit``.

Modules: ``options`` (the validated :class:`TrainOptions`), ``engine`` (the one epoch loop),
``steps`` (the local and stream step runners), ``replicated`` (the ``tf.distribute`` runner),
``data`` (arrays and batch sources), ``callbacks``, ``checkpoint`` (resume and backups),
``cluster`` (``TF_CONFIG``, ports, strategies) and ``report`` (log lines, bar, TensorBoard).

Names resolve lazily so that importing the package does not import TensorFlow.
"""
from __future__ import annotations

import importlib
from typing import Any

#: public name -> module under tlcore.training that defines it
_EXPORTS: dict[str, str] = {
    "fit": "api",
    "test": "api",
    "predict": "api",
    "train": "engine",
    "Run": "engine",
    "TrainOptions": "options",
    "Callback": "callbacks",
    "EarlyStopping": "callbacks",
    "ModelCheckpoint": "callbacks",
    "ReduceLROnPlateau": "callbacks",
    "CSVLogger": "callbacks",
    "TensorBoard": "callbacks",
    "LocalRunner": "steps",
    "StreamRunner": "steps",
    "ReplicatedRunner": "replicated",
    "Checkpointer": "checkpoint",
    "EpochBackup": "checkpoint",
    "make_strategy": "cluster",
    "parse_tf_config": "cluster",
    "is_chief": "cluster",
    "free_port": "cluster",
    "free_ports": "cluster",
    "distribute_dataset": "cluster",
    "maybe_scope": "cluster",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'tlcore.training' has no attribute {name!r}")
    obj = getattr(importlib.import_module(f"tlcore.training.{_EXPORTS[name]}"), name)
    globals()[name] = obj
    return obj


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
