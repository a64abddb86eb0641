"""The training engine: one epoch loop for ``fit``, ``ReconLayer.pretrain`` and the distributed
path, over a step runner (:class:`~tlcore.training.steps.LocalRunner` on one device,
:class:`~tlcore.training.replicated.ReplicatedRunner` under a ``tf.distribute`` strategy, or
the stream runner for data that is not in memory).

In a multi-worker run only the chief writes checkpoints, backups and TensorBoard files; before
training the workers compare their settings with one collective, so a mismatch is an error,
not a hang.
"""
from __future__ import annotations

import logging
import os
import time
from typing import TYPE_CHECKING, Any, Sequence

import attrs
import tensorflow as tf

from tlcore.training import report
from tlcore.training.callbacks import Callback, TensorBoard, as_callbacks
from tlcore.training.checkpoint import Checkpointer, EpochBackup
from tlcore.training.cluster import is_chief, maybe_scope, worker_name
from tlcore.training.data import Stream, check_labels, epoch_order, is_stream, to_tensors
from tlcore.training.options import TrainOptions, steps_in
from tlcore.training.replicated import (ReplicatedEvaluator, ReplicatedRunner, check_in_scope,
                                        gather_ints)
from tlcore.training.steps import (LocalEvaluator, LocalRunner, LossFn, LossScale, Metrics,
                                   StreamRunner)
from tlcore.utils import TrainingHistory

if TYPE_CHECKING:
    from tlcore.owner import Network

logger = logging.getLogger("tlcore")

_CALL_SECONDS = 0.5  # automatic steps_per_call aims at this much work per call


@attrs.define(eq=False)
class Run:
    """What callbacks see of a run: set ``stop_training`` to end it after the current epoch."""

    network: Network
    optimizer: Any
    variables: list[Any]
    options: TrainOptions
    history: TrainingHistory
    chief: bool = True
    log_keys: list[str] = attrs.field(factory=list)
    stop_training: bool = False


def resolve_strategy(strategy: Any, variables: Sequence[Any]) -> Any:
    """The given strategy, else that of an enclosing scope, else the one the variables were
    created under (as in Keras), else None (one device)."""
    if strategy is None and tf.distribute.has_strategy():
        strategy = tf.distribute.get_strategy()
    if strategy is None and variables:
        strategy = getattr(variables[0], "_distribute_strategy", None)
    return strategy


def train(loss_fn: LossFn, optimizer: Any, variables: list[Any], network: Network, X_train: Any,
          y_train: Any, X_val: Any = None, y_val: Any = None, *, metrics: Metrics,
          options: TrainOptions, callbacks: Sequence[Any] = (), strategy: Any = None
          ) -> TrainingHistory:
    """Train ``variables`` to lower ``loss_fn`` on the data; see :func:`tlcore.utils.fit`."""
    o, what = options, options.what
    strategy = resolve_strategy(strategy, variables)
    streamed = is_stream(X_train, y_train)
    val_streamed = X_val is not None and is_stream(X_val, y_val)
    if X_val is not None and y_val is None and not val_streamed:
        raise ValueError(f"{what}: give both X_val and y_val, or neither")
    if X_val is None and y_val is not None:
        raise ValueError(f"{what}: give both X_val and y_val, or neither")
    if strategy is not None and (streamed or val_streamed):
        raise ValueError(f"{what}: under a tf.distribute strategy fit trains from in-memory "
                         f"arrays; a {type(X_train).__name__} stream trains on one device")
    if strategy is not None:
        check_in_scope(strategy, network, optimizer, variables, what)
        if o.precision == "mixed_float16":
            raise ValueError(f"{what}: precision='mixed_float16' (loss scaling) trains on one "
                             f"device; under a tf.distribute strategy use 'mixed_bfloat16'")
    cbs = as_callbacks(callbacks, what)

    # Data: arrays are converted once (the fast path); streams are read batch by batch.
    stream = val_stream = None
    X = y = None
    n = 0
    if streamed:
        stream = Stream(X_train, network, "X_train", what, o.steps_per_epoch)
        spec = stream.spec()
    else:
        if o.steps_per_epoch is not None:
            raise ValueError(f"{what}: steps_per_epoch applies to a batch source (y_train=None); "
                             f"with arrays an epoch is one pass over X_train")
        X, y, n = to_tensors(network, X_train, y_train, "X_train", "y_train")
        if n == 0:
            raise ValueError(f"{what}: X_train holds no samples")
        check_labels(network, y, "y_train", what)
    val = None
    if val_streamed:
        val_stream = Stream(X_val, network, "X_val", what)
    elif X_val is not None:
        val = to_tensors(network, X_val, y_val, "X_val", "y_val")
        check_labels(network, val[1], "y_val", what)
    n_steps = steps_in(n, o.batch_size)  # arrays; a stream's count is stream.length
    chief = is_chief(strategy)
    names = list(metrics)

    with maybe_scope(strategy):
        if not getattr(optimizer, "built", True):
            optimizer.build(variables)  # slot variables exist before tracing and restore
    history, start_epoch, restored_seed = _restore(o, network, optimizer, strategy, chief)

    run_seed = o.seed
    if strategy is not None:
        chunk = o.steps_per_call or min(n_steps, 64)
        run_seed = _agree(strategy, o, n, start_epoch, chunk, val, restored_seed)
    else:
        chunk = o.steps_per_call or 8
    if o.seed is not None:
        tf.random.set_seed(o.seed)  # before tracing: fixes the op seeds of dropout masks

    loss_scale = LossScale() if o.precision == "mixed_float16" else None
    ebs = o.evaluation_batch_size
    train_eval: Any
    val_eval: Any
    if strategy is not None:
        runner: Any = ReplicatedRunner(strategy, loss_fn, optimizer, variables, o.batch_size,
                                       X, y, o.nan_policy, what)
        train_eval = ReplicatedEvaluator(strategy, loss_fn, metrics, ebs, X, y) \
            if o.eval_train else None
        val_eval = ReplicatedEvaluator(strategy, loss_fn, metrics, ebs, *val[:2]) \
            if val is not None else None
        logger.info("%s: %s with %d replica(s), global batch %d (%s)", what,
                    type(strategy).__name__, strategy.num_replicas_in_sync, o.batch_size,
                    worker_name(strategy))
    elif stream is not None:
        runner = StreamRunner(loss_fn, optimizer, variables, spec, o.nan_policy, what,
                              loss_scale)
        # A one-shot generator cannot be read a second time for the train evaluation.
        train_eval = LocalEvaluator(loss_fn, metrics, ebs, None, None, spec=spec) \
            if o.eval_train and not stream.one_shot else None
        val_eval = LocalEvaluator(loss_fn, metrics, ebs, *val[:2]) if val is not None else None
    else:
        runner = LocalRunner(loss_fn, optimizer, variables, o.batch_size, X, y, o.nan_policy,
                             what, loss_scale)
        train_eval = LocalEvaluator(loss_fn, metrics, ebs, X, y) if o.eval_train else None
        val_eval = LocalEvaluator(loss_fn, metrics, ebs, *val[:2]) if val is not None else None
    if val_stream is not None:
        val_eval = LocalEvaluator(loss_fn, metrics, ebs, None, None, spec=val_stream.spec())

    ckpt = Checkpointer(o.checkpoint_dir, network, optimizer, o.max_checkpoints) \
        if o.checkpoint_dir and chief else None
    backup = EpochBackup(o.backup_dir, network, optimizer, chief=chief) if o.backup_dir else None
    if o.tensorboard_dir:
        cbs.append(TensorBoard(o.tensorboard_dir, o.tensorboard_epoch_freq,
                               o.tensorboard_weight_histograms))
    keys = ["epoch", "time", "train_loss"]
    if train_eval is not None:
        keys += ["train_eval_loss", *(f"train_{k}" for k in names)]
    if val_eval is not None:
        keys += ["val_loss", *(f"val_{k}" for k in names)]
    run = Run(network, optimizer, variables, o, history, chief, keys)
    for cb in cbs:
        cb.set_run(run)
    show_bar = report.progress_enabled(o.progress) and chief

    epoch = start_epoch
    error: BaseException | None = None
    for cb in cbs:
        cb.on_train_begin({})
    try:
        for epoch in range(start_epoch + 1, o.n_epoch + 1):
            for cb in cbs:
                cb.on_epoch_begin(epoch, {})
            t0 = time.perf_counter()
            if stream is not None:
                train_loss = _stream_epoch(runner, stream, epoch, o, cbs, show_bar, run)
            else:
                train_loss, chunk = _array_epoch(runner, n, n_steps, epoch, o, run_seed, chunk,
                                                 cbs, show_bar)
            record: dict[str, Any] = {"epoch": epoch, "time": time.perf_counter() - t0,
                                      "train_loss": train_loss}
            if o.evaluates(epoch):
                if train_eval is not None:
                    values = train_eval(stream.batches() if stream is not None else None)
                    record["train_eval_loss"] = values.pop("loss")
                    record.update({f"train_{k}": v for k, v in values.items()})
                if val_eval is not None:
                    values = val_eval(val_stream.batches() if val_stream is not None else None)
                    record["val_loss"] = values.pop("loss")
                    record.update({f"val_{k}": v for k, v in values.items()})
            if o.logs(epoch):
                report.log_epoch(epoch, o.n_epoch, record, names)
            history.append(**record)
            if ckpt is not None and (epoch % o.checkpoint_freq == 0 or epoch == o.n_epoch):
                ckpt.save(epoch, history)
            if backup is not None:
                backup.save(epoch, history, run_seed)
                if strategy is not None:
                    # A barrier: when any worker goes on, the chief's backup is whole.
                    gather_ints(strategy, [epoch])
            logs = {k: record.get(k) for k in keys}
            for cb in cbs:
                cb.on_epoch_end(epoch, logs)
            if run.stop_training:
                logger.info("%s: stopped after epoch %d", what, epoch)
                break
    except BaseException as e:
        error = e
        if isinstance(e, KeyboardInterrupt):
            if backup is not None:
                logger.warning("%s: interrupted in epoch %d; the backup in %s is intact: run "
                               "again with the same backup_dir to resume", what, epoch,
                               backup.directory)
            elif ckpt is not None:
                logger.warning("%s: interrupted in epoch %d; the last checkpoint (%s) is intact: "
                               "call again with the same checkpoint_dir to resume", what, epoch,
                               ckpt.latest)
        raise
    finally:
        for cb in cbs:
            try:
                cb.on_train_end({"error": error} if error is not None else {})
            except Exception:  # noqa: BLE001 - never hide the original error
                if error is None:
                    raise
                logger.exception("%s: a callback failed while training ended", what)
    if backup is not None:
        backup.delete()
    return history


def _array_epoch(runner: Any, n: int, n_steps: int, epoch: int, o: TrainOptions,
                 seed: int | None, chunk: int, cbs: list[Callback], show_bar: bool
                 ) -> tuple[float, int]:
    """One epoch over in-memory arrays, ``chunk`` steps per compiled call."""
    order = epoch_order(n, epoch, seed, o.shuffle)
    bar = report.bar(show_bar, n, f"Epoch {epoch}/{o.n_epoch}")
    loss_sum = count = 0.0
    skipped = step = 0
    try:
        while step < n_steps:
            last = min(n_steps, step + chunk)
            traces = runner.traces
            t_call = time.perf_counter()
            ls, c, n_bad, bad, bad_loss, done = runner(order, step, last)
            loss_sum += float(ls)
            count += float(c)
            done = int(done)
            if int(bad) >= 0 and o.nan_policy == "raise":
                raise FloatingPointError(report.nan_message(o.what, float(bad_loss), epoch,
                                                            int(bad), n_steps, o.batch_size, n))
            skipped += int(n_bad) if o.nan_policy == "skip" else 0
            if runner.adaptive and o.steps_per_call is None and runner.traces == traces \
                    and done > step:
                # Tracing calls do not count; later calls set the chunk size.
                per_step = (time.perf_counter() - t_call) / (done - step)
                chunk = max(1, min(n_steps, int(_CALL_SECONDS / max(per_step, 1e-6))))
            if bar is not None:  # calls are ~0.5 s apart: draw each one
                bar.set_postfix(loss=f"{loss_sum / max(count, 1):.4f}", refresh=False)
                bar.update(min(n, done * o.batch_size) - min(n, step * o.batch_size))
                bar.refresh()
            step = done
            logs = {"step": step, "loss": loss_sum / count if count else float("nan")}
            for cb in cbs:
                cb.on_batch_end(step, logs)
    finally:
        if bar is not None:
            bar.close()
    _warn_skipped(o.what, skipped, epoch)
    return (loss_sum / count if count else float("nan")), chunk


def _stream_epoch(runner: Any, stream: Stream, epoch: int, o: TrainOptions,
                  cbs: list[Callback], show_bar: bool, run: Run) -> float:
    """One pass over a stream, one compiled step per batch; results are read every
    ``steps_per_call`` batches (default 8), so the device is not synchronised every step."""
    bar = report.bar(show_bar, stream.length, f"Epoch {epoch}/{o.n_epoch}")
    every = o.steps_per_call or 8
    runner.reset()
    step = 0
    try:
        if stream.dataset is not None:
            # tf.data: the batches are drawn inside the compiled call, `every` steps a call.
            iterator = iter(stream.dataset)
            limit = o.steps_per_epoch
            while limit is None or step < limit:
                k = every if limit is None else min(every, limit - step)
                done = runner.many(iterator, step, k, stream.prepare)
                step += done
                if done:
                    loss = _check_stream(runner, o, epoch, stream.length)
                    if bar is not None:
                        bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
                        bar.update(int(runner.samples.numpy()) - bar.n)
                    for cb in cbs:
                        cb.on_batch_end(step, {"step": step, "loss": loss})
                if done < k:
                    break
        for xb, yb in (() if stream.dataset is not None else stream.batches()):
            runner(xb, yb, step)
            step += 1
            if step % every == 0:
                loss = _check_stream(runner, o, epoch, stream.length)
                if bar is not None:  # tqdm redraws at most every 0.1 s
                    bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
                    bar.update(int(runner.samples.numpy()) - bar.n)
                for cb in cbs:
                    cb.on_batch_end(step, {"step": step, "loss": loss})
        if step == 0:
            raise ValueError(f"{o.what}: X_train yielded no batches in epoch {epoch}")
        loss = _check_stream(runner, o, epoch, stream.length)
    finally:
        if bar is not None:
            bar.close()
    _warn_skipped(o.what, int(runner.n_bad.numpy()) if o.nan_policy == "skip" else 0, epoch)
    return loss


def _check_stream(runner: Any, o: TrainOptions, epoch: int, n_steps: int | None) -> float:
    if o.nan_policy == "raise" and int(runner.bad.numpy()) >= 0:
        raise FloatingPointError(report.nan_message(o.what, float(runner.bad_loss.numpy()),
                                                    epoch, int(runner.bad.numpy()), n_steps))
    count = float(runner.count.numpy())
    return float(runner.loss_sum.numpy()) / count if count else float("nan")


def _warn_skipped(what: str, skipped: int, epoch: int) -> None:
    if skipped:
        logger.warning("%s: skipped %d batch(es) with a non-finite loss or gradient in "
                       "epoch %d", what, skipped, epoch)


def _restore(o: TrainOptions, network: Network, optimizer: Any, strategy: Any, chief: bool
             ) -> tuple[TrainingHistory, int, int | None]:
    """The state to resume from: the backup first, else the latest checkpoint."""
    history, start_epoch, seed, source = TrainingHistory(), 0, None, None
    if o.backup_dir:
        restored = EpochBackup(o.backup_dir, network, optimizer, chief=chief).restore()
        if restored is not None:
            start_epoch, history, seed = restored
            source = o.backup_dir
    if source is None and o.checkpoint_dir:
        reader = Checkpointer(o.checkpoint_dir, network, optimizer, o.max_checkpoints,
                              create=chief)
        restored_ckpt = reader.restore(o.what)
        if restored_ckpt is not None:
            start_epoch, history = restored_ckpt
            source = reader.latest
    if source is not None:
        logger.info("%s: resumed from %s after epoch %d (%s)", o.what, source, start_epoch,
                    worker_name(strategy))
    return history, start_epoch, seed


def _agree(strategy: Any, o: TrainOptions, n: int, start_epoch: int, chunk: int, val: Any,
           restored_seed: int | None) -> int:
    """One collective: the workers agree on the shuffling seed and check that they will make
    the same number of steps and evaluations (otherwise they would wait on each other)."""
    proposal = int.from_bytes(os.urandom(4), "little") >> 1
    own_seed = o.seed if o.seed is not None else restored_seed
    keys = ("samples", "batch_size", "n_epoch", "restored_epoch", "steps_per_call",
            "print_freq", "validation samples", "eval_train")
    mine = [n, o.batch_size, o.n_epoch, start_epoch, chunk, o.eval_freq or o.print_freq,
            -1 if val is None else val[2], int(o.eval_train)]
    table = gather_ints(strategy, mine + [own_seed if own_seed is not None else proposal])
    for j, key in enumerate(keys):
        column = table[:, j]
        if (column != column[0]).any():
            hint = (" (are backup_dir and checkpoint_dir on storage every worker reads?)"
                    if key == "restored_epoch" else "")
            raise ValueError(f"{o.what}: the replicas disagree on {key}: {column.tolist()} "
                             f"(replica order); every worker must run fit with the same data "
                             f"and arguments{hint}")
    return int(table[0, -1])
