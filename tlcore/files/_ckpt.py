"""Checkpoints with ``tf.train.Checkpoint``: a network's variables, an optimizer's state and any
other trackables, plus the global step, so that a stopped run resumes where it was.

TensorFlow writes the checkpoint files before it updates the ``checkpoint`` state file
atomically, so a run killed while saving still finds the previous checkpoint as the latest.
"""
from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

import tensorflow as tf

if TYPE_CHECKING:
    from tlcore.owner import ParamOwner

logger = logging.getLogger("tlcore")


def _objects(network: ParamOwner | None, optimizer: Any, var_list: Any,
             trackables: dict[str, Any]) -> dict[str, Any]:
    objs: dict[str, Any] = {}
    if network is not None:
        # Keyed by "<layer>/<var>" so a checkpoint survives rebuilding the same network.
        objs["network"] = {network.param_name(v): v for v in network.all_params}
    if optimizer is not None:
        objs["optimizer"] = optimizer
    if var_list is not None:
        objs["var_list"] = list(var_list)
    for key, value in trackables.items():
        if key in ("network", "optimizer", "var_list", "step"):
            raise ValueError(f"save_ckpt/load_ckpt: {key!r} is a reserved trackable name")
        objs[key] = value
    if not objs:
        raise ValueError("save_ckpt/load_ckpt: nothing to checkpoint; pass network=, optimizer=, "
                         "var_list= or named trackables")
    return objs


def save_ckpt(network: ParamOwner | None = None, optimizer: Any = None, *,
              save_dir: str = "checkpoint",
              mode_name: str = "model.ckpt", global_step: int | None = None,
              var_list: Any = None, max_to_keep: int | None = 5, printable: bool = False,
              **trackables: Any) -> str:
    """Save a checkpoint ``<save_dir>/<mode_name>-<n>``.

    Args:
        network: a tlcore network; its ``all_params`` are saved under ``<layer>/<var>`` names.
        optimizer: a Keras optimizer (its slots and iteration count are saved).
        save_dir: the directory (created if needed).
        mode_name: the checkpoint prefix.
        global_step: the step (or epoch) recorded and used as ``n``; ``load_ckpt`` returns it.
        var_list: extra variables to save (a list).
        max_to_keep: older checkpoints beyond this number are deleted (None keeps all).
        printable: log every saved variable.
        **trackables: other ``tf.train.Checkpoint``-able objects, by name.

    Returns:
        The checkpoint path prefix.
    """
    objs = _objects(network, optimizer, var_list, trackables)
    step = tf.Variable(int(global_step or 0), dtype=tf.int64, trainable=False)
    ckpt = tf.train.Checkpoint(step=step, **objs)
    manager = tf.train.CheckpointManager(ckpt, save_dir, max_to_keep=max_to_keep,
                                         checkpoint_name=mode_name)
    path = manager.save(checkpoint_number=global_step)
    if printable:
        for name, shape in tf.train.list_variables(path):
            logger.info("  %s %s", name, shape)
    logger.info("[*] checkpoint saved: %s", path)
    return path


def _state_error(state: str, why: str) -> ValueError:
    return ValueError(f"{state}: {why}; it is not a checkpoint state file written by save_ckpt "
                      f"(delete it to start without a checkpoint)")


def latest_ckpt(save_dir: str = "checkpoint") -> str | None:
    """The path prefix of the latest checkpoint in ``save_dir``, or None when there is none.

    Raises:
        ValueError: the ``checkpoint`` state file exists but is unreadable, names no
            checkpoint, names one outside ``save_dir``, or one whose files are missing.
    """
    state = os.path.join(save_dir, "checkpoint")
    if not os.path.isdir(save_dir) or not os.path.exists(state):
        return None
    from google.protobuf import text_format
    from tensorflow.python.training.checkpoint_state_pb2 import CheckpointState

    try:
        with open(state, encoding="utf-8") as f:
            proto = text_format.Parse(f.read(), CheckpointState())
    except (OSError, UnicodeDecodeError, text_format.ParseError) as e:
        raise _state_error(state, f"unreadable ({type(e).__name__}: {e})") from e
    name = proto.model_checkpoint_path
    if not name:
        raise _state_error(state, "names no checkpoint")
    path = name if os.path.isabs(name) else os.path.join(save_dir, name)
    root = os.path.realpath(save_dir)
    if not os.path.realpath(path).startswith(root + os.sep):
        raise _state_error(state, f"names {name!r}, outside {save_dir}")
    if not tf.io.gfile.exists(f"{path}.index"):
        raise _state_error(state, f"names {name!r}, but {path}.index does not exist")
    return path


def _escape(name: str) -> str:
    # tf.train.Checkpoint's escaping of a dict key in a variable's checkpoint key.
    return name.replace(".", "..").replace("/", ".S")


def _precheck(path: str, network: ParamOwner | None, var_list: Any) -> None:
    """Compare the checkpoint's network and var_list entries (names, shapes, dtypes) with the
    objects, before anything is restored; raise listing every difference."""
    try:
        reader = tf.train.load_checkpoint(path)
        shapes = reader.get_variable_to_shape_map()
        dtypes = reader.get_variable_to_dtype_map()
    except (tf.errors.OpError, ValueError) as e:
        raise ValueError(f"load_ckpt: {path} is unreadable (truncated or corrupt?): {e}; "
                         f"nothing was restored") from e
    suffix = "/.ATTRIBUTES/VARIABLE_VALUE"
    expected: dict[str, tuple[str, Any]] = {}
    if network is not None:
        for v in network.all_params:
            name = network.param_name(v)
            expected[f"network/{_escape(name)}{suffix}"] = (name, v)
    if var_list is not None:
        for i, v in enumerate(var_list):
            expected[f"var_list/{i}{suffix}"] = (f"var_list[{i}]", v)
    problems = []
    for key, (label, var) in expected.items():
        if key not in shapes:
            problems.append(f"{label} is not in the checkpoint")
        elif tuple(shapes[key]) != tuple(var.shape):
            problems.append(f"{label}: expected shape {tuple(var.shape)}, found "
                            f"{tuple(shapes[key])}")
        elif dtypes[key].base_dtype != tf.as_dtype(var.dtype).base_dtype:
            problems.append(f"{label}: expected dtype {tf.as_dtype(var.dtype).name}, found "
                            f"{dtypes[key].name}")
    if network is not None:
        extra = sorted(k[len("network/"):-len(suffix)] for k in shapes
                       if k.startswith("network/") and k.endswith(suffix) and k not in expected)
        if extra:
            problems.append(f"the checkpoint has network variables the network lacks: "
                            f"{extra[:8]}{' ...' if len(extra) > 8 else ''}")
    if problems:
        raise ValueError(f"load_ckpt: {path} does not match the given objects: "
                         + "; ".join(problems) + "; nothing was restored")


def _variables(objs: dict[str, Any]) -> list[Any]:
    """Every variable a restore may change (for the roll-back)."""
    out: list[Any] = []
    for value in objs.values():
        if isinstance(value, dict):
            out.extend(value.values())
        elif isinstance(value, (list, tuple)):
            out.extend(value)
        elif isinstance(value, tf.Variable):
            out.append(value)
        else:
            found = getattr(value, "variables", None)
            found = found() if callable(found) else found
            out.extend(found or [])
    return [v for v in out if hasattr(v, "assign") and hasattr(v, "numpy")]


def load_ckpt(network: ParamOwner | None = None, optimizer: Any = None, *,
              save_dir: str = "checkpoint",
              mode_name: str = "model.ckpt", is_latest: bool = True, var_list: Any = None,
              printable: bool = False, **trackables: Any) -> int | None:
    """Restore a checkpoint written by :func:`save_ckpt`, all or nothing.

    The checkpoint's network and ``var_list`` entries are compared with the given objects
    (names, shapes, dtypes) before anything changes; any other failure during the restore
    puts every variable back as it was.

    Args:
        network, optimizer, var_list, **trackables: the objects to restore (as saved).
        save_dir: the directory.
        mode_name: with ``is_latest=False``, the checkpoint to load, as a path relative to
            ``save_dir`` (e.g. ``"model.ckpt-3"``).
        is_latest: load the latest checkpoint in ``save_dir``.

    Returns:
        The saved ``global_step``, or None (with an info log) when there is no checkpoint.

    Raises:
        ValueError: the checkpoint does not match (another architecture: missing, extra or
            differently shaped variables), is unreadable, or the ``checkpoint`` state file is
            garbage; nothing was restored.
    """
    objs = _objects(network, optimizer, var_list, trackables)
    path = latest_ckpt(save_dir) if is_latest else os.path.join(save_dir, mode_name)
    if path is None or not tf.io.gfile.exists(f"{path}.index"):
        logger.info("[!] no checkpoint found in %s", save_dir)
        return None
    _precheck(path, network, var_list)
    if network is not None and optimizer is not None and not getattr(optimizer, "built", True):
        # A Keras 3 optimizer creates its slots on first use; create them now so that they
        # are restored instead of silently starting from zero.
        optimizer.build(network.trainable_params)
    variables = _variables(objs)
    saved = [v.numpy() for v in variables]
    step = tf.Variable(0, dtype=tf.int64, trainable=False)
    ckpt = tf.train.Checkpoint(step=step, **objs)
    try:
        status = ckpt.restore(path)
        status.assert_existing_objects_matched()
    except Exception as e:
        for v, value in zip(variables, saved):
            v.assign(value)
        if not isinstance(e, (AssertionError, ValueError, IndexError, tf.errors.OpError)):
            raise
        raise ValueError(f"load_ckpt: {path} does not match the given objects: {e}; nothing "
                         f"was restored") from e
    if printable:
        for name, shape in tf.train.list_variables(path):
            logger.info("  %s %s", name, shape)
    logger.info("[*] checkpoint restored: %s (step %d)", path, int(step.numpy()))
    return int(step.numpy())
