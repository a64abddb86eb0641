"""The training loop of ``tl.utils``: :func:`fit`, :func:`test` and :func:`predict`.

Speed: the data is converted to tensors once; each call of the compiled step function runs
several optimizer steps in a ``tf.while_loop``, gathering each batch from the whole-dataset
tensors by an index slice of the epoch's permutation. The function has a fixed input signature
with an unknown batch dimension, so the ragged last batch, a new epoch, or a validation set of
another size never retrace it.
"""
from __future__ import annotations

import logging
import math
import os
import time
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import tensorflow as tf

from tlcore.utils._history import TrainingHistory

logger = logging.getLogger("tlcore")

#: loss_fn(x_batch, y_batch, training) -> (scalar loss, network output)
LossFn = Callable[[Any, Any, bool], "tuple[tf.Tensor, Any]"]

_NAN_POLICIES = ("raise", "skip", "ignore")
_CALL_SECONDS = 0.5  # automatic steps_per_call aims at this much work per call


def fit(network: Any, train_op: Any, cost: Callable[[Any, Any], tf.Tensor], X_train: Any,
        y_train: Any, acc: Callable[[Any, Any], tf.Tensor] | None = None, batch_size: int = 100,
        n_epoch: int = 100, print_freq: int = 5, X_val: Any = None, y_val: Any = None,
        eval_train: bool = True, tensorboard_dir: str | None = None,
        tensorboard_epoch_freq: int = 5, tensorboard_weight_histograms: bool = True, *,
        var_list: Sequence[tf.Variable] | None = None, shuffle: bool = True,
        seed: int | None = None, progress: bool | None = None,
        steps_per_call: int | None = None, nan_policy: str = "raise",
        checkpoint_dir: str | None = None, checkpoint_freq: int = 1, max_checkpoints: int = 3,
        eval_batch_size: int | None = None,
        callbacks: Sequence[Callable[[int, TrainingHistory], None]] = (),
        strategy: Any = None, backup_dir: str | None = None) -> TrainingHistory:
    """Train ``network`` with the optimizer ``train_op`` on minibatches of ``(X_train, y_train)``.

    On epoch 1, every ``print_freq`` epochs and the last epoch it logs (logger ``tlcore``)::

        Epoch 1 of 500 took 0.342539s
          train loss: 0.330111
          val loss: 0.298098
          val acc: 0.910700

    Args:
        network: the network (its last layer); called as ``network(x, is_train=True)``.
        train_op: a Keras 3 optimizer, e.g. ``tf.keras.optimizers.Adam(1e-4)``.
        cost: ``cost(output, target) -> scalar`` loss, e.g. ``tl.cost.cross_entropy``.
        X_train: inputs, an array or tensor (a list or name-keyed dict for several InputLayers).
        y_train: targets with the same number of samples.
        acc: ``acc(output, target) -> scalar``, logged for validation (and training data with
            ``eval_train``).
        batch_size: samples per step; the last batch of an epoch holds the remainder.
        n_epoch: number of epochs (in total, counting epochs restored from a checkpoint).
        print_freq: log and evaluate every this many epochs (and on the first and last).
        X_val, y_val: validation data, evaluated with dropout off.
        eval_train: also evaluate loss and accuracy on the training data with dropout off
            (costs about a third of an epoch each time).
        tensorboard_dir: write TensorBoard scalars (and weight histograms) here.
        tensorboard_epoch_freq: write TensorBoard summaries every this many epochs.
        tensorboard_weight_histograms: include a histogram of every parameter.
        var_list: the variables to train; default ``network.trainable_params``.
        shuffle: reshuffle the training data every epoch.
        seed: makes a run reproducible: the shuffling order of epoch ``e`` derives from
            ``(seed, e)`` and ``tf.random.set_seed(seed)`` fixes the dropout masks.
        progress: show a progress bar (only on epochs that last more than 2 s); ``None`` means
            yes unless ``$TLCORE_PROGRESS=0``; bars go to stderr and only on a terminal.
        steps_per_call: optimizer steps per call of the compiled function; ``None`` adapts it
            so that a call takes about half a second (keeps Ctrl-C and the bar responsive).
        nan_policy: on a NaN/Inf loss or gradient, ``"raise"`` stops with
            ``FloatingPointError`` naming the epoch and step (that step's update is not
            applied), ``"skip"`` skips such batches with a warning, ``"ignore"`` applies them
            anyway. Gradients are checked too: with oneDNN a NaN input can give a finite loss
            and a NaN gradient.
        checkpoint_dir: save weights, optimizer state and history here every
            ``checkpoint_freq`` epochs; a later call with the same directory resumes after the
            last saved epoch (the shuffling order of each epoch does not depend on resuming,
            so without dropout a resumed run equals an uninterrupted one; dropout masks come
            from TensorFlow's stateful random ops, whose state is not checkpointed, so resumed
            epochs draw other masks).
        checkpoint_freq: epochs between checkpoints.
        max_checkpoints: checkpoints kept in ``checkpoint_dir``.
        eval_batch_size: batch size of evaluations; default ``max(batch_size, 1000)``.
        callbacks: ``callback(epoch, history)`` called after each epoch.
        strategy: a ``tf.distribute`` strategy (e.g. ``tf.distribute.MirroredStrategy()`` or
            ``tl.utils.make_strategy("multiworker")``); build the network and the optimizer
            inside ``strategy.scope()``. ``None`` uses the strategy of an enclosing scope or
            the one the network was built under, else one device. See docs/distributed.md
            and ``tlcore.utils._distributed``.
        backup_dir: back up weights, optimizer state and history here after every epoch (the
            chief writes, every worker restores): a run killed and restarted with the same
            ``backup_dir`` resumes after the last completed epoch; deleted when it completes.

    Returns:
        The :class:`~tlcore.utils.TrainingHistory` of all epochs (restored ones included).

    Raises:
        FloatingPointError: a non-finite loss or gradient with ``nan_policy="raise"``.
        ValueError: inconsistent data or arguments.

    >>> history = tl.utils.fit(network, tf.keras.optimizers.Adam(1e-4), tl.cost.cross_entropy,
    ...                        X_train, y_train, acc=tl.cost.accuracy, batch_size=500,
    ...                        n_epoch=20, X_val=X_val, y_val=y_val, eval_train=False)
    """
    _check_callable(network, "network")
    if not hasattr(train_op, "apply_gradients"):
        raise TypeError(f"fit: train_op must be an optimizer with apply_gradients (e.g. "
                        f"tf.keras.optimizers.Adam(1e-4)), received {type(train_op).__name__}")
    _check_callable(cost, "cost")
    variables = list(network.trainable_params if var_list is None else var_list)
    if not variables:
        raise ValueError("fit: nothing to train: var_list is empty")

    def loss_fn(x: Any, y: Any, training: bool) -> tuple[tf.Tensor, Any]:
        out = network(x, is_train=training)
        return cost(out, y), out

    return _train(
        loss_fn, train_op, variables, network, X_train, y_train,
        acc=acc, batch_size=batch_size, n_epoch=n_epoch, print_freq=print_freq, X_val=X_val,
        y_val=y_val, eval_train=eval_train, tensorboard_dir=tensorboard_dir,
        tensorboard_epoch_freq=tensorboard_epoch_freq,
        tensorboard_weight_histograms=tensorboard_weight_histograms, shuffle=shuffle, seed=seed,
        progress=progress, steps_per_call=steps_per_call, nan_policy=nan_policy,
        checkpoint_dir=checkpoint_dir, checkpoint_freq=checkpoint_freq,
        max_checkpoints=max_checkpoints, eval_batch_size=eval_batch_size, callbacks=callbacks,
        strategy=strategy, backup_dir=backup_dir)


def test(network: Any, acc: Callable[[Any, Any], tf.Tensor] | None, X_test: Any, y_test: Any,
         batch_size: int | None = None, cost: Callable[[Any, Any], tf.Tensor] | None = None
         ) -> float | None:
    """Evaluate ``network`` (dropout off) on test data; logs ``   test loss`` and ``   test acc``.

    Args:
        network: the network to evaluate.
        acc: ``acc(output, target) -> scalar``; ``None`` to log the loss only.
        X_test, y_test: the test data.
        batch_size: evaluate in batches of this size (the remainder included); ``None`` means
            all samples at once.
        cost: optional ``cost(output, target)`` to log the test loss too.

    Returns:
        The test accuracy (sample-weighted mean of ``acc`` over batches), or ``None`` without
        ``acc``.
    """
    _check_callable(network, "network")
    if acc is None and cost is None:
        raise ValueError("test: give acc, cost or both")
    X, y, n = _to_tensors(network, X_test, y_test, "X_test", "y_test")
    loss_fn = None
    if cost is not None:
        def loss_fn(x: Any, t: Any, training: bool) -> tuple[tf.Tensor, Any]:
            out = network(x, is_train=training)
            return cost(out, t), out
    else:
        def loss_fn(x: Any, t: Any, training: bool) -> tuple[tf.Tensor, Any]:
            return tf.constant(0.0), network(x, is_train=training)
    bs = n if batch_size is None else _positive_int("batch_size", batch_size)
    evaluator = _Evaluator(loss_fn, acc, max(1, bs), X, y)
    loss, accuracy = evaluator(X, y, n)
    if cost is not None:
        logger.info("   test loss: %f", loss)
    if acc is not None:
        logger.info("   test acc: %f", accuracy)
    return accuracy


def predict(network: Any, X: Any, batch_size: int | None = None,
            y_op: Callable[[tf.Tensor], tf.Tensor] | None = None) -> Any:
    """Run ``network`` (dropout off) on ``X`` in batches and return the outputs as numpy.

    Args:
        network: the network.
        X: inputs (array or tensor; a list or dict for several InputLayers).
        batch_size: samples per call; the last batch holds the remainder. ``None``: all at once.
        y_op: optional function applied to the outputs in the graph, e.g.
            ``lambda y: tf.argmax(y, 1)`` for class ids (TensorLayer's ``y_op``).

    Returns:
        A numpy array (or the network's output structure of arrays) with ``len(X)`` rows.
    """
    _check_callable(network, "network")
    Xt, _, n = _to_tensors(network, X, None, "X", None)
    bs = n if batch_size is None else _positive_int("batch_size", batch_size)
    spec = tf.nest.map_structure(_batch_spec, Xt)

    def run(x: Any) -> Any:
        out = network(x, is_train=False)
        return out if y_op is None else y_op(out)

    fn = tf.function(run, input_signature=[spec], autograph=False)
    if n == 0:
        return tf.nest.map_structure(lambda t: t.numpy(), run(Xt))
    parts = []
    for start in range(0, n, max(1, bs)):
        xb = tf.nest.map_structure(lambda t: t[start:start + bs], Xt)
        parts.append(tf.nest.map_structure(lambda t: t.numpy(), fn(xb)))
    return tf.nest.map_structure(lambda *a: np.concatenate(a, axis=0), *parts)


# ----------------------------------------------------------------------------------- internals
def _train(loss_fn: LossFn, optimizer: Any, variables: list[tf.Variable], network: Any, X_train: Any, y_train: Any, *,
           acc: Any, batch_size: int, n_epoch: int, print_freq: int, X_val: Any, y_val: Any,
           eval_train: bool, tensorboard_dir: str | None, tensorboard_epoch_freq: int,
           tensorboard_weight_histograms: bool, shuffle: bool, seed: int | None,
           progress: bool | None, steps_per_call: int | None, nan_policy: str,
           checkpoint_dir: str | None, checkpoint_freq: int, max_checkpoints: int,
           eval_batch_size: int | None,
           callbacks: Sequence[Callable[[int, TrainingHistory], None]],
           what: str = "fit", strategy: Any = None, backup_dir: str | None = None
           ) -> TrainingHistory:
    """The loop shared by :func:`fit` and ``ReconLayer.pretrain``."""
    if strategy is None and variables and not tf.distribute.has_strategy():
        # A network built inside strategy.scope() trains with that strategy (as in Keras).
        strategy = getattr(variables[0], "_distribute_strategy", None)
    if strategy is not None or backup_dir is not None or tf.distribute.has_strategy():
        from tlcore.utils._distributed import train as train_distributed

        return train_distributed(
            loss_fn, optimizer, variables, network, X_train, y_train, strategy=strategy,
            backup_dir=backup_dir, acc=acc, batch_size=batch_size, n_epoch=n_epoch,
            print_freq=print_freq, X_val=X_val, y_val=y_val, eval_train=eval_train,
            tensorboard_dir=tensorboard_dir, tensorboard_epoch_freq=tensorboard_epoch_freq,
            tensorboard_weight_histograms=tensorboard_weight_histograms, shuffle=shuffle,
            seed=seed, progress=progress, steps_per_call=steps_per_call, nan_policy=nan_policy,
            checkpoint_dir=checkpoint_dir, checkpoint_freq=checkpoint_freq,
            max_checkpoints=max_checkpoints, eval_batch_size=eval_batch_size,
            callbacks=callbacks, what=what)
    batch_size = _positive_int("batch_size", batch_size)
    print_freq = _positive_int("print_freq", print_freq)
    checkpoint_freq = _positive_int("checkpoint_freq", checkpoint_freq)
    tensorboard_epoch_freq = _positive_int("tensorboard_epoch_freq", tensorboard_epoch_freq)
    if not isinstance(n_epoch, (int, np.integer)) or isinstance(n_epoch, bool) or n_epoch < 0:
        raise ValueError(f"{what}: n_epoch must be an int >= 0, received {n_epoch!r}")
    if nan_policy not in _NAN_POLICIES:
        raise ValueError(f"{what}: nan_policy must be one of {_NAN_POLICIES}, received "
                         f"{nan_policy!r}")
    if steps_per_call is not None:
        steps_per_call = _positive_int("steps_per_call", steps_per_call)
    if (X_val is None) != (y_val is None):
        raise ValueError(f"{what}: give both X_val and y_val, or neither")
    X, y, n = _to_tensors(network, X_train, y_train, "X_train", "y_train")
    if n == 0:
        raise ValueError(f"{what}: X_train holds no samples")
    check_labels(network, y, "y_train", what)
    val = _to_tensors(network, X_val, y_val, "X_val", "y_val") if X_val is not None else None
    if val is not None:
        check_labels(network, val[1], "y_val", what)
    ebs = eval_batch_size or max(batch_size, 1000)
    n_steps = math.ceil(n / batch_size)
    show_bar = _progress_enabled(progress)

    if seed is not None:
        tf.random.set_seed(seed)  # before tracing: fixes the op seeds of dropout masks
    if not getattr(optimizer, "built", True):
        optimizer.build(variables)  # slot variables exist before tracing and before restore
    step_fn = _StepFunction(loss_fn, optimizer, variables, batch_size, X, y, nan_policy)
    train_eval = _Evaluator(loss_fn, acc, ebs, X, y) if eval_train else None
    val_eval = _Evaluator(loss_fn, acc, ebs, *val[:2]) if val is not None else None

    history = TrainingHistory()
    start_epoch = 0
    ckpt = _Checkpointer(checkpoint_dir, network, optimizer, max_checkpoints) if checkpoint_dir \
        else None
    if ckpt is not None:
        restored = ckpt.restore(what)
        if restored is not None:
            start_epoch, history = restored
            logger.info("Resumed from %s after epoch %d", ckpt.latest, start_epoch)
    writer = None
    if tensorboard_dir:
        try:
            import tensorboard  # noqa: F401  (tf.summary needs it since TF 2.16)
        except ImportError as e:
            raise ImportError(f"{what}: tensorboard_dir needs the tensorboard package: "
                              f"pip install tensorboard (or tlcore[tensorboard])") from e
        writer = tf.summary.create_file_writer(tensorboard_dir)
    chunk = steps_per_call or 8

    epoch = start_epoch
    try:
        for epoch in range(start_epoch + 1, n_epoch + 1):
            order = _epoch_order(n, epoch, seed, shuffle)
            bar = _bar(show_bar, n_steps, f"Epoch {epoch}/{n_epoch}")
            t0 = time.perf_counter()
            loss_sum = count = 0.0
            skipped = 0
            step = 0
            try:
                while step < n_steps:
                    last = min(n_steps, step + chunk)
                    traces = step_fn.traces
                    t_call = time.perf_counter()
                    ls, c, n_bad, bad, bad_loss, done = step_fn(X, y, order, step, last)
                    loss_sum += float(ls)
                    count += float(c)
                    done = int(done)
                    if int(bad) >= 0 and nan_policy == "raise":
                        raise FloatingPointError(_nan_message(what, float(bad_loss), epoch,
                                                              int(bad), n_steps, batch_size, n))
                    skipped += int(n_bad) if nan_policy == "skip" else 0
                    if steps_per_call is None and step_fn.traces == traces and done > step:
                        # Tracing calls do not count; later calls set the chunk size.
                        per_step = (time.perf_counter() - t_call) / (done - step)
                        chunk = max(1, min(n_steps, int(_CALL_SECONDS / max(per_step, 1e-6))))
                    if bar is not None:
                        bar.update(done - step)
                    step = done
            finally:
                if bar is not None:
                    bar.close()
            took = time.perf_counter() - t0
            if skipped:
                logger.warning("%s: skipped %d batch(es) with a non-finite loss or gradient in "
                               "epoch %d",
                               what, skipped, epoch)
            train_loss = loss_sum / count if count else float("nan")
            evaluate = epoch == 1 or epoch % print_freq == 0 or epoch == n_epoch
            record: dict[str, Any] = {"epoch": epoch, "time": took, "train_loss": train_loss}
            if evaluate:
                if train_eval is not None:
                    record["train_eval_loss"], record["train_acc"] = train_eval(X, y, n)
                if val_eval is not None:
                    record["val_loss"], record["val_acc"] = val_eval(val[0], val[1], val[2])
                _log_epoch(epoch, n_epoch, record, acc is not None)
            history.append(**record)
            if writer is not None and (epoch == 1 or epoch % tensorboard_epoch_freq == 0
                                       or epoch == n_epoch):
                _write_summaries(writer, epoch, record, variables, network,
                                 tensorboard_weight_histograms)
            if ckpt is not None and (epoch % checkpoint_freq == 0 or epoch == n_epoch):
                ckpt.save(epoch, history)
            for callback in callbacks:
                callback(epoch, history)
    except KeyboardInterrupt:
        if ckpt is not None:
            logger.warning("%s: interrupted in epoch %d; the last checkpoint (%s) is intact: "
                           "call again with the same checkpoint_dir to resume", what, epoch,
                           ckpt.latest)
        raise
    finally:
        if writer is not None:
            writer.flush()
            writer.close()
    return history


class _StepFunction:
    """Runs optimizer steps ``first..last-1`` of an epoch in one compiled call."""

    def __init__(self, loss_fn: LossFn, optimizer: Any, variables: list[tf.Variable],
                 batch_size: int, X: Any, y: Any, nan_policy: str) -> None:
        self.loss_fn, self.optimizer, self.variables = loss_fn, optimizer, variables
        self.batch_size, self.nan_policy = batch_size, nan_policy
        self.traces = 0
        self.apply = _fused_apply(optimizer, variables) or optimizer.apply_gradients
        scalar = tf.TensorSpec([], tf.int32)
        signature = [tf.nest.map_structure(_batch_spec, X), tf.nest.map_structure(_batch_spec, y),
                     tf.TensorSpec([None], tf.int32), scalar, scalar]
        self._fn = tf.function(self._run, input_signature=signature, autograph=False)

    def __call__(self, X: Any, y: Any, order: tf.Tensor, first: int, last: int) -> Any:
        return self._fn(X, y, order, tf.constant(first, tf.int32), tf.constant(last, tf.int32))

    def _run(self, X: Any, y: Any, order: tf.Tensor, first: tf.Tensor, last: tf.Tensor) -> Any:
        self.traces += 1
        logger.debug("tracing the training step (trace %d)", self.traces)
        n = tf.shape(order)[0]
        bs = self.batch_size
        policy = self.nan_policy
        variables = self.variables

        def one_step(step: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
            start = step * bs
            idx = order[start:tf.minimum(start + bs, n)]
            xb = tf.nest.map_structure(lambda t: tf.gather(t, idx), X)
            yb = tf.nest.map_structure(lambda t: tf.gather(t, idx), y)
            with tf.GradientTape() as tape:
                loss, _ = self.loss_fn(xb, yb, True)
                loss = tf.convert_to_tensor(loss)
            grads = tape.gradient(loss, variables)
            pairs = [(g, v) for g, v in zip(grads, variables) if g is not None]
            if not pairs:
                raise ValueError("fit: the loss does not depend on any variable of var_list")
            finite = tf.math.is_finite(finite_probe(loss, [g for g, _ in pairs]))
            apply_if_finite(finite, lambda: self.apply(pairs), policy)
            return (finite, tf.cast(tf.reduce_mean(loss), tf.float64),
                    tf.cast(tf.shape(idx)[0], tf.float64))

        return run_steps(one_step, first, last, policy)


def finite_probe(loss: Any, grads: Sequence[Any]) -> tf.Tensor:
    """A float32 scalar that is finite only if ``loss`` and every gradient are finite.

    The loss alone is not enough: with oneDNN's fused MatMul+BiasAdd+ReLU a NaN input becomes
    0 after the first layer, so the loss is finite while that layer's weight gradient is NaN.
    One ``reduce_sum`` per gradient (a single pass, no boolean temporaries) catches it, since a
    sum with a NaN or Inf term is NaN or Inf; multiplying by 0 keeps the probe's value equal to
    the loss. (A gradient whose elements sum beyond float32's range also counts as non-finite:
    such an update would wreck the weights anyway.)
    """
    total = tf.cast(tf.reduce_sum(tf.convert_to_tensor(loss)), tf.float32)
    sums = []
    for g in grads:
        values = g.values if isinstance(g, tf.IndexedSlices) else g
        if values.dtype == tf.float16:  # its sum would overflow at 65504
            values = tf.cast(values, tf.float32)
        sums.append(tf.cast(tf.reduce_sum(values), tf.float32))
    if not sums:
        return total
    return total + 0.0 * tf.add_n(sums)


def apply_if_finite(finite: tf.Tensor, apply: Callable[[], Any], policy: str) -> None:
    """Run the update ``apply`` unless the step's loss or gradients are non-finite (always with
    "ignore")."""
    if policy == "ignore":
        apply()
        return

    def branch() -> tf.Tensor:
        apply()
        return tf.constant(True)

    tf.cond(finite, branch, lambda: tf.constant(False))


def run_steps(one_step: Callable[[tf.Tensor], tuple[tf.Tensor, tf.Tensor, tf.Tensor]],
              first: tf.Tensor, last: tf.Tensor, policy: str) -> tuple[tf.Tensor, ...]:
    """The compiled loop over steps ``first .. last-1`` shared by the single-device and the
    distributed step. ``one_step(step)`` trains on one batch and returns ``(finite, mean loss
    as float64, batch size as float64)``. Returns the sample-weighted loss sum and count of the
    counted steps, the number of non-finite steps, the first such step (-1 if none) and its
    loss, and the step reached (the loop stops at the first bad step with "raise")."""

    def body(step, loss_sum, count, n_bad, bad, bad_loss):
        finite, loss64, m = one_step(step)
        ok = tf.logical_or(finite, tf.constant(policy == "ignore"))
        loss_sum += tf.where(ok, loss64 * m, tf.constant(0.0, tf.float64))
        count += tf.where(ok, m, tf.constant(0.0, tf.float64))
        first_bad = tf.logical_and(tf.logical_not(finite), bad < 0)
        bad = tf.where(first_bad, step, bad)
        bad_loss = tf.where(first_bad, loss64, bad_loss)
        n_bad += tf.where(finite, 0, 1)
        return step + 1, loss_sum, count, n_bad, bad, bad_loss

    def cond(step, loss_sum, count, n_bad, bad, bad_loss):
        go = step < last
        if policy == "raise":
            go = tf.logical_and(go, bad < 0)
        return go

    zero = tf.constant(0.0, tf.float64)
    step, loss_sum, count, n_bad, bad, bad_loss = tf.while_loop(
        cond, body, [first, zero, zero, tf.constant(0, tf.int32), tf.constant(-1, tf.int32), zero])
    return loss_sum, count, n_bad, bad, bad_loss, step


def _fused_apply(optimizer: Any, variables: list[tf.Variable]
                 ) -> Callable[[list[tuple[tf.Tensor, tf.Variable]]], None] | None:
    """A fused-kernel update equal to ``optimizer.apply_gradients`` for a plain Keras Adam.

    Keras 3's Adam updates each variable with about ten element-wise ops (a pass over the
    weights each); ``ResourceApplyAdam`` does the same arithmetic in one kernel on the
    optimizer's own slot variables and step counter, so its state stays the Keras state (same
    checkpoint, and Keras can go on from it). Anything this path does not reproduce exactly
    (AMSGrad, weight decay, clipping, EMA, loss scaling, gradient accumulation, non-float32
    variables, subclasses) falls back to ``apply_gradients``.
    """
    try:
        import keras
    except ImportError:  # pragma: no cover - keras comes with TensorFlow >= 2.16
        return None
    if type(optimizer) is not keras.optimizers.Adam:
        return None
    plain = (not optimizer.amsgrad and optimizer.weight_decay is None
             and optimizer.clipnorm is None and optimizer.clipvalue is None
             and optimizer.global_clipnorm is None and not optimizer.use_ema
             and getattr(optimizer, "gradient_accumulation_steps", None) is None
             and getattr(optimizer, "loss_scale_factor", None) is None)
    if not plain or any(v.dtype != tf.float32 for v in variables):
        return None
    try:
        slots = {id(v): (optimizer._momentums[optimizer._get_variable_index(v)],
                         optimizer._velocities[optimizer._get_variable_index(v)])
                 for v in variables}
        handles = {k: (_handle(m), _handle(u)) for k, (m, u) in slots.items()}
        var_handles = {id(v): _handle(v) for v in variables}
    except (AttributeError, KeyError, IndexError, TypeError):  # Keras internals changed
        return None
    beta_1, beta_2 = float(optimizer.beta_1), float(optimizer.beta_2)
    epsilon = float(optimizer.epsilon)

    def apply(pairs: list[tuple[tf.Tensor, tf.Variable]]) -> None:
        lr = tf.cast(optimizer.learning_rate, tf.float32)
        t = tf.cast(optimizer.iterations + 1, tf.float32)
        b1_power = tf.pow(tf.constant(beta_1, tf.float32), t)
        b2_power = tf.pow(tf.constant(beta_2, tf.float32), t)
        for g, v in pairs:
            m, u = handles[id(v)]
            if isinstance(g, tf.IndexedSlices):
                g = tf.convert_to_tensor(g)
            tf.raw_ops.ResourceApplyAdam(
                var=var_handles[id(v)], m=m, v=u, beta1_power=b1_power, beta2_power=b2_power,
                lr=lr, beta1=tf.constant(beta_1), beta2=tf.constant(beta_2),
                epsilon=tf.constant(epsilon), grad=g, use_locking=False)
        optimizer.iterations.assign_add(1)

    return apply


def _handle(v: Any) -> tf.Tensor:
    if isinstance(v, tf.Variable):
        return v.handle
    inner = getattr(v, "value", None)  # a Keras variable wraps a tf.Variable
    if isinstance(inner, tf.Variable):
        return inner.handle
    return v.handle


class _Evaluator:
    """Sample-weighted mean loss and accuracy (dropout off) over a data set, in batches."""

    def __init__(self, loss_fn: LossFn, acc: Any, batch_size: int, X: Any, y: Any) -> None:
        self.batch_size = batch_size
        self.has_acc = acc is not None

        def run(x: Any, t: Any) -> tuple[tf.Tensor, tf.Tensor]:
            loss, out = loss_fn(x, t, False)
            a = acc(out, t) if acc is not None else tf.constant(0.0)
            return (tf.cast(tf.reduce_mean(loss), tf.float64),
                    tf.cast(tf.reduce_mean(a), tf.float64))

        signature = [tf.nest.map_structure(_batch_spec, X), tf.nest.map_structure(_batch_spec, y)]
        self._fn = tf.function(run, input_signature=signature, autograph=False)

    def __call__(self, X: Any, y: Any, n: int) -> tuple[float, float | None]:
        loss_sum = acc_sum = 0.0
        bs = self.batch_size
        for start in range(0, n, bs):
            xb = tf.nest.map_structure(lambda t: t[start:start + bs], X)
            yb = tf.nest.map_structure(lambda t: t[start:start + bs], y)
            m = min(bs, n - start)
            loss, a = self._fn(xb, yb)
            loss_sum += float(loss) * m
            acc_sum += float(a) * m
        n = max(n, 1)
        return loss_sum / n, (acc_sum / n if self.has_acc else None)


class _Checkpointer:
    """Weights, optimizer state and epoch through ``tl.files.save_ckpt``; history as JSON."""

    def __init__(self, directory: str, network: Any, optimizer: Any, max_to_keep: int) -> None:
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
        from tlcore.utils._restore import (all_or_nothing, check_checkpoint,
                                           checkpoint_state_error, state_variables)

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


def _epoch_order(n: int, epoch: int, seed: int | None, shuffle: bool) -> tf.Tensor:
    if not shuffle:
        return tf.range(n, dtype=tf.int32)
    rng = np.random.default_rng(None if seed is None else [int(seed), int(epoch)])
    return tf.constant(rng.permutation(n).astype(np.int32))


def _log_epoch(epoch: int, n_epoch: int, record: Mapping[str, Any], has_acc: bool) -> None:
    logger.info("Epoch %d of %d took %fs", epoch, n_epoch, record["time"])
    if record.get("train_eval_loss") is not None:
        logger.info("  train loss: %f", record["train_eval_loss"])
        if has_acc:
            logger.info("  train acc: %f", record["train_acc"])
    else:
        logger.info("  train loss: %f", record["train_loss"])
    if record.get("val_loss") is not None:
        logger.info("  val loss: %f", record["val_loss"])
        if has_acc:
            logger.info("  val acc: %f", record["val_acc"])


def _write_summaries(writer: Any, epoch: int, record: Mapping[str, Any],
                     variables: list[tf.Variable], network: Any, histograms: bool) -> None:
    with writer.as_default(step=epoch):
        for key in ("train_loss", "train_eval_loss", "train_acc", "val_loss", "val_acc"):
            if record.get(key) is not None:
                tf.summary.scalar(key, record[key])
        tf.summary.scalar("epoch_time", record["time"])
        if histograms:
            for v in variables:
                try:
                    name = network.param_name(v)
                except (KeyError, AttributeError):
                    name = v.name.split(":")[0]
                tf.summary.histogram(name, v)


def _nan_message(what: str, loss: float, epoch: int, step: int, n_steps: int, batch_size: int,
                 n: int) -> str:
    first = step * batch_size
    last = min(n, first + batch_size) - 1
    problem = (f"the loss is {loss}" if not math.isfinite(loss) else
               f"the loss is finite ({loss:g}) but a gradient holds NaN or Inf (a NaN or Inf in "
               f"the inputs?)")
    return (f"{what}: {problem} at epoch {epoch}, step {step + 1} of {n_steps} "
            f"(samples {first}-{last} of the epoch's order); this step's update was not "
            f"applied. Lower the learning rate or check the data; nan_policy='skip' skips such "
            f"batches")


def _bar(enabled: bool, total: int, desc: str) -> Any:
    if not enabled or total < 2:
        return None
    from tqdm.auto import tqdm

    try:
        return tqdm(total=total, desc=desc, unit="step", leave=False, delay=2.0, disable=None)
    except TypeError:  # tqdm without ``delay``
        return tqdm(total=total, desc=desc, unit="step", leave=False, disable=None)


def _progress_enabled(progress: bool | None) -> bool:
    if progress is not None:
        return bool(progress)
    return os.environ.get("TLCORE_PROGRESS", "1").strip().lower() not in {"0", "false", "no",
                                                                          "off"}


def _batch_spec(t: tf.Tensor) -> tf.TensorSpec:
    return tf.TensorSpec([None, *t.shape[1:]], t.dtype)


def _to_tensors(network: Any, X: Any, y: Any, xname: str, yname: str | None
                ) -> tuple[Any, Any, int]:
    """Convert data once: X to the dtypes of the network's InputLayers, y as is."""
    inputs = list(getattr(network, "input_layers", []))
    if isinstance(X, Mapping):
        dtypes = {layer.name: layer.dtype for layer in inputs}
        Xt: Any = {k: _tensor(v, dtypes.get(k), xname) for k, v in X.items()}
    elif isinstance(X, (list, tuple)) and len(inputs) > 1:
        Xt = [_tensor(v, layer.dtype, xname) for v, layer in zip(X, inputs)]
    else:
        Xt = _tensor(X, inputs[0].dtype if len(inputs) == 1 else None, xname)
    sizes = {int(t.shape[0]) for t in tf.nest.flatten(Xt)}
    if len(sizes) != 1:
        raise ValueError(f"{xname}: all inputs need the same number of samples, received "
                         f"{sorted(sizes)}")
    n = sizes.pop()
    yt = None
    if y is not None:
        yt = tf.nest.map_structure(lambda v: _tensor(v, None, yname), y)
        ny = {int(t.shape[0]) for t in tf.nest.flatten(yt)}
        if ny != {n}:
            raise ValueError(f"{xname} has {n} samples but {yname} has {sorted(ny)}")
    return Xt, yt, n


def _tensor(v: Any, dtype: tf.DType | None, what: str | None) -> tf.Tensor:
    t = v if isinstance(v, tf.Tensor) else tf.convert_to_tensor(np.asarray(v))
    if t.shape.rank is None or t.shape.rank == 0:
        raise ValueError(f"{what}: expected an array with a sample dimension, received shape "
                         f"{t.shape}")
    if dtype is not None and t.dtype != dtype and (t.dtype.is_floating or t.dtype.is_integer):
        t = tf.cast(t, dtype)
    return t


def check_labels(network: Any, y: Any, yname: str, what: str) -> None:
    """Reject class-id labels that the loss would truncate or fail on inside the graph.

    Applies when ``y`` is one rank-1 tensor and the network has one rank-2 output of ``k > 1``
    units: ``y`` then holds class ids, which must be whole numbers in ``[0, k)``.
    """
    if not isinstance(y, tf.Tensor) or y.shape.rank != 1:
        return
    shape = getattr(network, "output_shape", None)
    if not isinstance(shape, tuple) or len(shape) != 2 or not isinstance(shape[1], int) \
            or shape[1] < 2 or not (y.dtype.is_floating or y.dtype.is_integer):
        return
    k = shape[1]
    if int(tf.size(y)) == 0:
        return
    if y.dtype.is_floating:
        whole = tf.logical_and(tf.math.is_finite(y), tf.equal(y, tf.round(y)))
        if not bool(tf.reduce_all(whole)):
            i = int(tf.argmin(tf.cast(whole, tf.int32)))
            raise ValueError(f"{what}: {yname} holds class ids for the network's {k} outputs, "
                             f"but {yname}[{i}] = {float(y[i])!r} is not a whole number; "
                             f"give integer class ids in [0, {k})")
    low, high = float(tf.reduce_min(y)), float(tf.reduce_max(y))
    if low < 0 or high >= k:
        i = int(tf.argmin(y) if low < 0 else tf.argmax(y))
        raise ValueError(f"{what}: {yname} holds class ids for the network's {k} outputs, so "
                         f"each must be in [0, {k}); received {yname}[{i}] = "
                         f"{y[i].numpy().item()!r}")


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int, received {value!r}")
    return int(value)


def _check_callable(obj: Any, name: str) -> None:
    if not callable(obj):
        raise TypeError(f"{name} must be callable, received {type(obj).__name__}")
