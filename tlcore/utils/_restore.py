"""Check-first restore for the training loop: a checkpoint is compared with the network and
optimizer (names, shapes, dtypes) before any variable is assigned, and a restore that still
fails puts every variable back, so a mismatch never leaves a half-restored network.
"""
from __future__ import annotations

import os
from typing import Any, Callable

import tensorflow as tf

_VALUE = "/.ATTRIBUTES/VARIABLE_VALUE"


def _escape(name: str) -> str:
    # tf.train.Checkpoint's escaping of a dict key inside a checkpoint key.
    return name.replace(".", "..").replace("/", ".S")


def check_checkpoint(path: str, network: Any, optimizer: Any = None, *, what: str = "fit"
                     ) -> None:
    """Raise ``ValueError`` unless the checkpoint ``path`` (a prefix) holds exactly the
    network's parameters (``network/<layer>/<var>`` keys, as ``tl.files.save_ckpt`` and the
    backups write them) with the same shapes and dtypes, and optimizer slots of the optimizer's
    shapes. Reads only the checkpoint's index; assigns nothing."""
    try:
        reader = tf.train.load_checkpoint(path)
        shapes = reader.get_variable_to_shape_map()
        dtypes = reader.get_variable_to_dtype_map()
    except (tf.errors.OpError, ValueError) as e:
        raise ValueError(f"{what}: cannot read the checkpoint {path}: {e}") from None
    params = {f"network/{_escape(network.param_name(v))}{_VALUE}": v
              for v in network.all_params}
    for key, v in params.items():
        label = key[len("network/"):-len(_VALUE)].replace(".S", "/").replace("..", ".")
        if key not in shapes:
            raise ValueError(f"{what}: the checkpoint {path} has no value for the parameter "
                             f"{label!r} {tuple(v.shape)}: it was written for another network; "
                             f"nothing was restored")
        if tuple(shapes[key]) != tuple(v.shape) or dtypes[key] != v.dtype.base_dtype:
            raise ValueError(f"{what}: the checkpoint {path} holds {label!r} with shape "
                             f"{tuple(shapes[key])} {dtypes[key].name}, but the network's is "
                             f"{tuple(v.shape)} {v.dtype.base_dtype.name}; nothing was restored")
    extra = sorted(k for k in shapes if k.startswith("network/") and k not in params)
    if extra:
        names = [k[len("network/"):-len(_VALUE)].replace(".S", "/").replace("..", ".")
                 for k in extra[:5]]
        raise ValueError(f"{what}: the checkpoint {path} holds parameters this network lacks "
                         f"({', '.join(map(repr, names))}{', ...' if len(extra) > 5 else ''}): "
                         f"it was written for another network; nothing was restored")
    if optimizer is None:
        return
    slots = list(getattr(optimizer, "variables", []))
    prefix = "optimizer/_variables/"
    for key, shape in shapes.items():
        if not key.startswith(prefix) or not key.endswith(_VALUE):
            continue
        index = key[len(prefix):-len(_VALUE)]
        if not index.isdigit() or int(index) >= len(slots) or \
                tuple(slots[int(index)].shape) != tuple(shape):
            raise ValueError(f"{what}: the optimizer state in the checkpoint {path} does not "
                             f"fit {type(optimizer).__name__} on this network ({key} with shape "
                             f"{tuple(shape)}); nothing was restored")


def all_or_nothing(variables: list[Any], restore: Callable[[], Any]) -> Any:
    """Run ``restore``; if it raises, put every variable of ``variables`` back as it was."""
    saved = [(v, tf.identity(v)) for v in variables]
    try:
        return restore()
    except BaseException:
        for v, value in saved:
            v.assign(value)
        raise


def state_variables(network: Any, optimizer: Any) -> list[Any]:
    """What a restore may assign: the network's parameters and the optimizer's variables."""
    return list(network.all_params) + list(getattr(optimizer, "variables", []))


def checkpoint_state_error(directory: str, what: str) -> ValueError | None:
    """A ``ValueError`` when ``directory`` has a ``checkpoint`` state file that names no
    readable checkpoint (garbage, or files gone), else None: that is not "no checkpoint"."""
    state = os.path.join(directory, "checkpoint")
    if not os.path.exists(state):
        return None
    try:
        latest = tf.train.latest_checkpoint(directory)
    except (UnicodeDecodeError, tf.errors.OpError, ValueError) as e:
        return ValueError(f"{what}: the checkpoint state file {state} is unreadable ({e}); "
                          f"delete it or use another checkpoint_dir")
    if latest is None or not tf.io.gfile.exists(f"{latest}.index"):
        return ValueError(f"{what}: the checkpoint state file {state} names no readable "
                          f"checkpoint (garbage, or its files were removed); delete it or use "
                          f"another checkpoint_dir")
    return None
