"""Saving and restoring a training run: ``checkpoint_dir`` checkpoints (:class:`Checkpointer`),
``backup_dir`` backups (:class:`EpochBackup`), and the check-first restore both use: a
checkpoint is compared with the network and optimizer (names, shapes, dtypes) before any
variable is assigned, and a restore that still fails puts every variable back.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
from typing import TYPE_CHECKING, Any, Callable

import tensorflow as tf

from tlcore.utils import TrainingHistory

if TYPE_CHECKING:
    from tlcore.owner import Network

logger = logging.getLogger("tlcore")

_VALUE = "/.ATTRIBUTES/VARIABLE_VALUE"


def _escape(name: str) -> str:
    # tf.train.Checkpoint's escaping of a dict key inside a checkpoint key.
    return name.replace(".", "..").replace("/", ".S")


def check_checkpoint(path: str, network: Network, optimizer: Any = None, *, what: str = "fit"
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


def state_variables(network: Network, optimizer: Any) -> list[Any]:
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


class Checkpointer:
    """Weights, optimizer state and epoch through ``tl.files.save_ckpt``; history as JSON."""

    def __init__(self, directory: str, network: Network, optimizer: Any, max_to_keep: int, *,
                 create: bool = True) -> None:
        if create:
            os.makedirs(directory, exist_ok=True)
        self.directory, self.network, self.optimizer = directory, network, optimizer
        self.max_to_keep = max_to_keep
        self.history_path = os.path.join(directory, "history.json")

    @property
    def latest(self) -> str | None:
        from tlcore.files import latest_ckpt

        return latest_ckpt(self.directory)

    def restore(self, what: str = "fit") -> tuple[int, TrainingHistory] | None:
        """Resume state, checked against the network before anything is assigned."""
        from tlcore.files import load_ckpt

        error = checkpoint_state_error(self.directory, what)
        if error is not None:
            raise error
        path = self.latest
        if path is None:
            return None
        history = TrainingHistory()
        if os.path.exists(self.history_path):
            history = TrainingHistory.load_checked(self.history_path, what)
        if not getattr(self.optimizer, "built", True):
            self.optimizer.build(self.network.trainable_params)
        check_checkpoint(path, self.network, self.optimizer, what=what)
        epoch = all_or_nothing(state_variables(self.network, self.optimizer),
                               lambda: load_ckpt(self.network, self.optimizer,
                                                 save_dir=self.directory))
        if epoch is None:
            return None
        history.truncate(epoch)
        return epoch, history

    def save(self, epoch: int, history: TrainingHistory) -> None:
        from tlcore.files import save_ckpt

        # History first: if killed in between, the restored history is truncated to the
        # checkpoint's epoch, never shorter than it.
        history.save(self.history_path)
        save_ckpt(self.network, self.optimizer, save_dir=self.directory, global_step=epoch,
                  max_to_keep=self.max_to_keep)


class EpochBackup:
    """Backup and restore of a training run at epoch ends (as Keras's ``BackupAndRestore``).

    The chief writes, after every epoch, the weights (by ``<layer>/<var>`` name), the optimizer
    state, the epoch number, the seed and the history into ``backup_dir``: the checkpoint goes
    to a fresh sub-directory and ``state.json`` is replaced atomically last, so a crash at any
    point leaves the previous backup whole. On start, every worker restores the backup named by
    ``state.json``. ``backup_dir`` must be storage that every worker reads (a shared file
    system); the backup is deleted when training completes.
    """

    STATE = "state.json"

    def __init__(self, backup_dir: str, network: Network, optimizer: Any, *, chief: bool = True
                 ) -> None:
        self.directory = os.fspath(backup_dir)
        self.network, self.optimizer, self.chief = network, optimizer, chief

    def _checkpoint(self) -> Any:
        params = {self.network.param_name(v): v for v in self.network.all_params}
        return tf.train.Checkpoint(network=params, optimizer=self.optimizer)

    def read_state(self) -> dict[str, Any] | None:
        """The checked contents of ``state.json``, or None when there is no backup.

        Raises:
            ValueError: the file is not a backup state written by :meth:`save`.
        """
        path = os.path.join(self.directory, self.STATE)
        if not os.path.exists(path):
            return None
        try:
            with open(path, encoding="utf-8") as f:
                state = json.load(f)
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as e:
            raise ValueError(f"backup_dir: {path} is unreadable ({type(e).__name__}: "
                             f"{str(e)[:200]}); delete it or use another backup_dir") from None
        problem = None
        if not isinstance(state, dict):
            problem = f"a JSON object, received {type(state).__name__}"
        elif not isinstance(state.get("epoch"), int) or isinstance(state["epoch"], bool) \
                or state["epoch"] < 0:
            problem = f"'epoch' an int >= 0, received {state.get('epoch')!r}"
        elif not isinstance(state.get("checkpoint"), str) or not re.fullmatch(
                r"epoch-\d{6,}/ckpt", state["checkpoint"]):
            # Never a path of the file's choosing: it stays inside backup_dir.
            problem = f"'checkpoint' 'epoch-NNNNNN/ckpt', received {state.get('checkpoint')!r}"
        elif state.get("seed") is not None and (not isinstance(state["seed"], int)
                                                or isinstance(state["seed"], bool)):
            problem = f"'seed' an int or null, received {state.get('seed')!r}"
        if problem is not None:
            raise ValueError(f"backup_dir: {path} is not a backup state: expected {problem}; "
                             f"delete it or use another backup_dir")
        return state

    def save(self, epoch: int, history: Any, seed: int | None) -> None:
        """Write the backup of a completed ``epoch`` (no-op on non-chief workers)."""
        if not self.chief:
            return
        from tlcore.files import atomic_write

        os.makedirs(self.directory, exist_ok=True)
        name = f"epoch-{epoch:06d}"
        tmp = os.path.join(self.directory, f".tmp-{name}-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        self._checkpoint().write(os.path.join(tmp, "ckpt"))
        final = os.path.join(self.directory, name)
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
        state = {"format": 1, "epoch": int(epoch), "checkpoint": f"{name}/ckpt",
                 "seed": seed, "history": history.to_dict()}
        with atomic_write(os.path.join(self.directory, self.STATE), "w") as f:
            json.dump(state, f)
        for entry in os.listdir(self.directory):  # older backups, stale temporaries
            if entry != name and (entry.startswith("epoch-") or entry.startswith(".tmp-")):
                shutil.rmtree(os.path.join(self.directory, entry), ignore_errors=True)
        logger.debug("backup of epoch %d written to %s", epoch, final)

    def restore(self) -> tuple[int, Any, int | None] | None:
        """Restore weights and optimizer; ``(epoch, history, seed)`` or None without a backup."""
        state = self.read_state()
        if state is None:
            return None
        path = os.path.join(self.directory, self.STATE)
        history = TrainingHistory.checked(state.get("history", {}),
                                          f"backup_dir: the history in {path}")
        prefix = os.path.join(self.directory, state["checkpoint"])
        if not getattr(self.optimizer, "built", True):
            self.optimizer.build(self.network.trainable_params)

        def read() -> None:
            status = self._checkpoint().read(prefix)
            status.assert_existing_objects_matched()

        try:
            # Compare first, so that a backup of another network assigns nothing.
            check_checkpoint(prefix, self.network, self.optimizer, what="backup_dir")
            all_or_nothing(state_variables(self.network, self.optimizer), read)
        except Exception as e:  # noqa: BLE001 - any mismatch or I/O error, reported whole
            raise ValueError(f"backup_dir: the backup {prefix} does not match this network and "
                             f"optimizer ({type(e).__name__}: {e}); it belongs to another run: "
                             f"use another backup_dir or delete this one") from e
        history.truncate(int(state["epoch"]))
        return int(state["epoch"]), history, state.get("seed")

    def delete(self) -> None:
        """Remove the backup (chief only): the run is complete."""
        if not self.chief or not os.path.isdir(self.directory):
            return
        with contextlib.suppress(FileNotFoundError):
            os.remove(os.path.join(self.directory, self.STATE))
        for entry in os.listdir(self.directory):
            if entry.startswith("epoch-") or entry.startswith(".tmp-"):
                shutil.rmtree(os.path.join(self.directory, entry), ignore_errors=True)
