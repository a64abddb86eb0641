"""Callbacks of a training run: the protocol and the built-in ones.

A callback subclasses :class:`Callback` and overrides any of its hooks. ``logs`` of an epoch
hold ``epoch``, ``time``, ``train_loss`` and, at evaluated epochs, ``val_loss``, ``val_<metric>``,
``train_eval_loss`` and ``train_<metric>``. ``on_batch_end`` runs once per call of the compiled
step, i.e. every ``steps_per_call`` optimizer steps (the steps between calls run in one graph),
with ``logs = {"step": steps done in the epoch, "loss": mean loss so far}``. Setting
``run.stop_training = True`` ends training after the current epoch (or call); ``fit`` then
returns the history so far. A plain function ``fn(epoch, history)`` is called after each epoch.

Non-finite losses (Keras's ``TerminateOnNaN``) are ``fit``'s ``nan_policy``.
"""
from __future__ import annotations

import csv
import logging
import math
import os
from typing import Any, Callable, Sequence

logger = logging.getLogger("tlcore")

_MODES = ("auto", "min", "max")


class Callback:
    """Base class: every hook does nothing. ``self.run`` is the :class:`Run` being trained."""

    run: Any = None

    def set_run(self, run: Any) -> None:
        self.run = run

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Before the first epoch (after a resume restored the state)."""

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        """After the last epoch, an early stop, or an error (``logs["error"]`` set)."""

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Before the steps of ``epoch`` (1-based)."""

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """After ``epoch``'s steps and evaluation; ``logs`` is its history record."""

    def on_batch_end(self, step: int, logs: dict[str, Any] | None = None) -> None:
        """After each call of the compiled step (``steps_per_call`` steps)."""


class FunctionCallback(Callback):
    """Adapts a plain ``fn(epoch, history)`` (``fit``'s callbacks before the protocol)."""

    def __init__(self, fn: Callable[[int, Any], Any]) -> None:
        self.fn = fn

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.fn(epoch, self.run.history)


def as_callbacks(items: Sequence[Any], what: str) -> list[Callback]:
    """Callbacks and plain functions as a list of :class:`Callback`."""
    out: list[Callback] = []
    for item in items:
        if isinstance(item, Callback):
            out.append(item)
        elif callable(item):
            out.append(FunctionCallback(item))
        else:
            raise TypeError(f"{what}: a callback must be a tlcore.training.Callback or a "
                            f"function fn(epoch, history), received {type(item).__name__}")
    return out


class _Monitor:
    """The value to watch and whether it improved (lower for losses, else higher)."""

    def __init__(self, who: str, monitor: str, mode: str, min_delta: float) -> None:
        if mode not in _MODES:
            raise ValueError(f"{who}: mode must be one of {_MODES}, received {mode!r}")
        if not isinstance(min_delta, (int, float)) or not math.isfinite(min_delta) \
                or min_delta < 0:
            raise ValueError(f"{who}: min_delta must be a finite number >= 0, received "
                             f"{min_delta!r}")
        if mode == "auto":
            mode = "min" if "loss" in monitor else "max"
        self.who, self.monitor, self.mode, self.min_delta = who, monitor, mode, float(min_delta)
        self.best: float | None = None

    def check(self, keys: Sequence[str]) -> None:
        """Raise ``ValueError`` unless this run's logs will hold the monitored key."""
        if self.monitor not in keys:
            raise ValueError(f"{self.who}: monitor {self.monitor!r} is not measured by this run; "
                             f"its logs hold {list(keys)} (val_* needs X_val and y_val)")

    def value(self, logs: dict[str, Any] | None) -> float | None:
        """The monitored value of these logs; None at an epoch that did not measure it."""
        value = (logs or {}).get(self.monitor)
        return None if value is None else float(value)

    def improved(self, value: float) -> bool:
        if self.best is None:
            return True
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved for ``patience`` evaluated epochs.

    Args:
        monitor: a logs key, e.g. ``"val_loss"`` or ``"val_acc"``.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (min for names containing "loss").
        patience: evaluated epochs without improvement before stopping.
        min_delta: smallest change that counts as an improvement.
        restore_best_weights: at the end, put back the weights of the best epoch.

    >>> stop = EarlyStopping("val_loss", patience=3, restore_best_weights=True)
    """

    def __init__(self, monitor: str = "val_loss", mode: str = "auto", patience: int = 0,
                 min_delta: float = 0.0, restore_best_weights: bool = False) -> None:
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be an int >= 0, received "
                             f"{patience!r}")
        self.watch = _Monitor("EarlyStopping", monitor, mode, min_delta)
        self.patience, self.restore_best_weights = patience, restore_best_weights
        self.wait = 0
        self.best_epoch: int | None = None
        self.stopped_epoch: int | None = None
        self._best_weights: list[Any] | None = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.watch.check(self.run.log_keys)
        self.watch.best, self.wait, self.best_epoch, self._best_weights = None, 0, None, None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        value = self.watch.value(logs)
        if value is None:
            return
        if self.watch.improved(value):
            self.watch.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self._best_weights = [v.numpy() for v in self.run.network.all_params]
            return
        self.wait += 1
        if self.wait >= max(self.patience, 1):
            self.stopped_epoch = epoch
            self.run.stop_training = True
            logger.info("EarlyStopping: %s has not improved on %.6g (epoch %d) for %d "
                        "evaluated epoch(s); stopping after epoch %d", self.watch.monitor,
                        self.watch.best, self.best_epoch, self.wait, epoch)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self.restore_best_weights and self._best_weights is not None \
                and not (logs or {}).get("error"):
            for v, w in zip(self.run.network.all_params, self._best_weights):
                v.assign(w)
            logger.info("EarlyStopping: restored the weights of epoch %d (%s %.6g)",
                        self.best_epoch, self.watch.monitor, self.watch.best)


class ModelCheckpoint(Callback):
    """Save the network during training: the best one by ``monitor``, or every ``save_freq``
    epochs.

    Args:
        filepath: where to save; may contain ``{epoch}`` (e.g. ``"model-{epoch:03d}.npz"``). A
            path ending in ``.npz`` saves the parameters with ``tl.files.save_npz_dict``
            (by ``<layer>/<var>`` name); any other path is a checkpoint directory written with
            ``tl.files.save_ckpt`` (weights and optimizer state, step = epoch).
        monitor, mode, min_delta: as for :class:`EarlyStopping` (used with ``save_best_only``).
        save_best_only: save only when ``monitor`` improved (at evaluated epochs).
        save_freq: otherwise save every this many epochs (and at the last).
    """

    def __init__(self, filepath: str, monitor: str = "val_loss", mode: str = "auto",
                 save_best_only: bool = False, save_freq: int = 1, min_delta: float = 0.0
                 ) -> None:
        if isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 1:
            raise ValueError(f"ModelCheckpoint: save_freq must be a positive int, received "
                             f"{save_freq!r}")
        self.filepath = os.fspath(filepath)
        self.watch = _Monitor("ModelCheckpoint", monitor, mode, min_delta)
        self.save_best_only, self.save_freq = save_best_only, save_freq
        self.saved: list[str] = []

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.watch.check(self.run.log_keys)
        self.watch.best = None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if not self.run.chief:
            return
        if self.save_best_only:
            value = self.watch.value(logs)
            if value is None or not self.watch.improved(value):
                return
            self.watch.best = value
        elif epoch % self.save_freq and epoch != self.run.options.n_epoch:
            return
        self.saved.append(self._save(epoch))

    def _save(self, epoch: int) -> str:
        from tlcore.files import save_ckpt, save_npz_dict

        path = self.filepath.format(epoch=epoch)
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        if path.endswith(".npz"):
            save_npz_dict(self.run.network.all_params, name=path, network=self.run.network)
        else:
            save_ckpt(self.run.network, self.run.optimizer, save_dir=path, global_step=epoch,
                      max_to_keep=1)
        logger.info("ModelCheckpoint: epoch %d saved to %s", epoch, path)
        return path


class ReduceLROnPlateau(Callback):
    """Multiply the optimizer's learning rate by ``factor`` when ``monitor`` has not improved
    for ``patience`` evaluated epochs (not below ``min_lr``; then wait ``cooldown`` epochs)."""

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 mode: str = "auto", min_delta: float = 1e-4, cooldown: int = 0,
                 min_lr: float = 0.0) -> None:
        if not isinstance(factor, (int, float)) or not 0 < factor < 1:
            raise ValueError(f"ReduceLROnPlateau: factor must be in (0, 1), received "
                             f"{factor!r}")
        for name, value in (("patience", patience), ("cooldown", cooldown)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"ReduceLROnPlateau: {name} must be an int >= 0, received "
                                 f"{value!r}")
        self.watch = _Monitor("ReduceLROnPlateau", monitor, mode, min_delta)
        self.factor, self.patience, self.cooldown = float(factor), patience, cooldown
        self.min_lr = float(min_lr)
        self.wait = self.cooling = 0

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        lr = getattr(self.run.optimizer, "learning_rate", None)
        if not hasattr(lr, "assign"):
            raise ValueError(f"ReduceLROnPlateau: the optimizer's learning_rate must be a "
                             f"variable (a float), received {type(lr).__name__} (a schedule?)")
        self.watch.check(self.run.log_keys)
        self.watch.best, self.wait, self.cooling = None, 0, 0

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        value = self.watch.value(logs)
        if value is None:
            return
        if self.cooling > 0:
            self.cooling -= 1
            self.wait = 0
        if self.watch.improved(value):
            self.watch.best, self.wait = value, 0
            return
        self.wait += 1
        if self.wait >= self.patience and self.cooling == 0:
            lr = self.run.optimizer.learning_rate
            old = float(lr.numpy())
            new = max(old * self.factor, self.min_lr)
            if new < old:
                lr.assign(new)
                logger.info("ReduceLROnPlateau: learning rate %.3g -> %.3g after epoch %d",
                            old, new, epoch)
            self.cooling, self.wait = self.cooldown, 0


class CSVLogger(Callback):
    """One CSV row per epoch: ``epoch``, ``time``, the losses and metrics (empty where an epoch
    was not evaluated). The file is flushed after every row.

    Args:
        filename: the CSV file.
        append: append to an existing file (a resumed run) instead of replacing it.
    """

    def __init__(self, filename: str, append: bool = False) -> None:
        self.filename, self.append = os.fspath(filename), append
        self._file: Any = None
        self._writer: Any = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        if not self.run.chief:
            return
        keys = list(self.run.log_keys)
        exists = self.append and os.path.exists(self.filename) and \
            os.path.getsize(self.filename) > 0
        self._file = open(self.filename, "a" if self.append else "w", newline="",
                          encoding="utf-8")
        self._writer = csv.DictWriter(self._file, fieldnames=keys, extrasaction="ignore")
        if not exists:
            self._writer.writeheader()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self._writer is None:
            return
        self._writer.writerow({k: ("" if v is None else v) for k, v in (logs or {}).items()})
        self._file.flush()

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self._file is not None:
            self._file.close()
            self._file = self._writer = None


class TensorBoard(Callback):
    """TensorBoard scalars of every logged value (and weight histograms) every ``epoch_freq``
    epochs, the first and the last (``fit(tensorboard_dir=...)`` adds one)."""

    def __init__(self, log_dir: str, epoch_freq: int = 1, histograms: bool = False) -> None:
        if isinstance(epoch_freq, bool) or not isinstance(epoch_freq, int) or epoch_freq < 1:
            raise ValueError(f"TensorBoard: epoch_freq must be a positive int, received "
                             f"{epoch_freq!r}")
        self.log_dir, self.epoch_freq, self.histograms = os.fspath(log_dir), epoch_freq, \
            histograms
        self._writer: Any = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        if not self.run.chief:
            return
        try:
            import tensorboard  # noqa: F401  (tf.summary needs it since TF 2.16)
        except ImportError as e:
            raise ImportError(f"{self.run.options.what}: TensorBoard needs the tensorboard "
                              f"package: pip install tensorboard (or tlcore[tensorboard])") from e
        import tensorflow as tf

        self._writer = tf.summary.create_file_writer(self.log_dir)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self._writer is None:
            return
        if epoch == 1 or epoch % self.epoch_freq == 0 or epoch == self.run.options.n_epoch:
            from tlcore.training.report import write_summaries

            write_summaries(self._writer, epoch, logs or {}, self.run.variables,
                            self.run.network, self.histograms)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self._writer is not None:
            self._writer.flush()
            self._writer.close()
            self._writer = None
