"""What a training run shows: the per-epoch log lines, TensorBoard summaries, the progress
bar and the message of a non-finite step."""
from __future__ import annotations

import logging
import math
import os
from typing import TYPE_CHECKING, Any, Mapping

import tensorflow as tf

if TYPE_CHECKING:
    from tlcore.owner import Network

logger = logging.getLogger("tlcore")


def log_epoch(epoch: int, n_epoch: int, record: Mapping[str, Any], names: list[str]) -> None:
    """The seed's lines: ``Epoch 1 of 500 took 0.34s``, ``  train loss: ...``, ``  val acc:``."""
    logger.info("Epoch %d of %d took %fs", epoch, n_epoch, record["time"])
    if record.get("train_eval_loss") is not None:
        logger.info("  train loss: %f", record["train_eval_loss"])
        for name in names:
            logger.info("  train %s: %f", name, record[f"train_{name}"])
    else:
        logger.info("  train loss: %f", record["train_loss"])
    if record.get("val_loss") is not None:
        logger.info("  val loss: %f", record["val_loss"])
        for name in names:
            logger.info("  val %s: %f", name, record[f"val_{name}"])


def write_summaries(writer: Any, epoch: int, record: Mapping[str, Any],
                    variables: list[tf.Variable], network: Network, histograms: bool) -> None:
    """Every measured value of ``record`` as a scalar (and optionally weight histograms)."""
    with writer.as_default(step=epoch):
        for key, value in record.items():
            if key not in ("epoch", "time") and isinstance(value, (int, float)):
                tf.summary.scalar(key, value)
        tf.summary.scalar("epoch_time", record["time"])
        if histograms:
            for v in variables:
                try:
                    name = network.param_name(v)
                except (KeyError, AttributeError):
                    name = v.name.split(":")[0]
                tf.summary.histogram(name, v)


def nan_message(what: str, loss: float, epoch: int, step: int, n_steps: int | None,
                batch_size: int | None = None, n: int | None = None) -> str:
    """Why training stopped at a non-finite step (0-based ``step``), naming epoch and step."""
    problem = (f"the loss is {loss}" if not math.isfinite(loss) else
               f"the loss is finite ({loss:g}) but a gradient holds NaN or Inf (a NaN or Inf in "
               f"the inputs?)")
    where = f"step {step + 1} of {n_steps}" if n_steps else f"step {step + 1}"
    if batch_size is not None and n is not None:
        first = step * batch_size
        where += f" (samples {first}-{min(n, first + batch_size) - 1} of the epoch's order)"
    return (f"{what}: {problem} at epoch {epoch}, {where}; this step's update was not "
            f"applied. Lower the learning rate or check the data; nan_policy='skip' skips such "
            f"batches")


def bar(enabled: bool, total: int | None, desc: str) -> Any:
    """A tqdm bar counting samples (rate in samples/s, live loss set by the caller); shown from
    the first update so that short epochs show one too; None when disabled. tqdm disables
    itself when stderr is not a terminal."""
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="sample", unit_scale=True, leave=False,
                disable=None, mininterval=0.1, dynamic_ncols=True)


def progress_enabled(progress: bool | None) -> bool:
    if progress is not None:
        return bool(progress)
    return os.environ.get("TLCORE_PROGRESS", "1").strip().lower() not in {"0", "false", "no",
                                                                          "off"}
