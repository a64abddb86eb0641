"""Checkpoints with ``tf.train.Checkpoint``: a network's variables, an optimizer's state and any
other trackables, plus the global step, so that a stopped run resumes where it was.

TensorFlow writes the checkpoint files before it updates the ``checkpoint`` state file
atomically, so a run killed while saving still finds the previous checkpoint as the latest.
"""
from __future__ import annotations

import logging
import os
from typing import Any

import tensorflow as tf

logger = logging.getLogger("tlcore")


def _objects(network: Any, optimizer: Any, var_list: Any, trackables: dict[str, Any]) -> dict[str, Any]:
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


def save_ckpt(network: Any = None, optimizer: Any = None, *, save_dir: str = "checkpoint",
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


def latest_ckpt(save_dir: str = "checkpoint") -> str | None:
    """The path prefix of the latest checkpoint in ``save_dir``, or None."""
    return tf.train.latest_checkpoint(save_dir) if os.path.isdir(save_dir) else None


def load_ckpt(network: Any = None, optimizer: Any = None, *, save_dir: str = "checkpoint",
              mode_name: str = "model.ckpt", is_latest: bool = True, var_list: Any = None,
              printable: bool = False, **trackables: Any) -> int | None:
    """Restore a checkpoint written by :func:`save_ckpt`.

    Args:
        network, optimizer, var_list, **trackables: the objects to restore (as saved).
        save_dir: the directory.
        mode_name: with ``is_latest=False``, the checkpoint to load, as a path relative to
            ``save_dir`` (e.g. ``"model.ckpt-3"``).
        is_latest: load the latest checkpoint in ``save_dir``.

    Returns:
        The saved ``global_step``, or None (with an info log) when there is no checkpoint.

    Raises:
        ValueError: the checkpoint lacks a variable of the network (e.g. another architecture).
    """
    objs = _objects(network, optimizer, var_list, trackables)
    path = latest_ckpt(save_dir) if is_latest else os.path.join(save_dir, mode_name)
    if path is None or not tf.io.gfile.exists(f"{path}.index"):
        logger.info("[!] no checkpoint found in %s", save_dir)
        return None
    if network is not None and optimizer is not None and not getattr(optimizer, "built", True):
        # A Keras 3 optimizer creates its slots on first use; create them now so that they
        # are restored instead of silently starting from zero.
        optimizer.build(network.trainable_params)
    step = tf.Variable(0, dtype=tf.int64, trainable=False)
    ckpt = tf.train.Checkpoint(step=step, **objs)
    try:
        status = ckpt.restore(path)
        status.assert_existing_objects_matched()
    except (AssertionError, ValueError, tf.errors.OpError) as e:
        raise ValueError(f"load_ckpt: {path} does not match the given objects: {e}") from e
    if printable:
        for name, shape in tf.train.list_variables(path):
            logger.info("  %s %s", name, shape)
    logger.info("[*] checkpoint restored: %s (step %d)", path, int(step.numpy()))
    return int(step.numpy())
