"""The local step runner and evaluator, and the step pieces shared with the replicated ones.

Speed: each call of the compiled step function runs several optimizer steps in a
``tf.while_loop``, gathering each batch from the whole-dataset tensors by an index slice of the
epoch's permutation. The function has a fixed input signature with an unknown batch dimension,
so the ragged last batch, a new epoch, or a validation set of another size never retrace it.
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Mapping, Sequence

import tensorflow as tf

from tlcore.training.data import batch_spec

logger = logging.getLogger("tlcore")

#: loss_fn(x_batch, y_batch, training) -> (scalar loss, network output)
LossFn = Callable[[Any, Any, bool], "tuple[tf.Tensor, Any]"]
#: metric name -> metric(output, target) -> scalar
Metrics = Mapping[str, Callable[[Any, Any], tf.Tensor]]


class LocalRunner:
    """Runs optimizer steps ``first..last-1`` of an epoch in one compiled call, on this device.

    ``adaptive``: the caller may size its calls from their timing (the replicated runner's
    calls are fixed, as every worker must make the same ones).
    """

    adaptive = True


    def __init__(self, loss_fn: LossFn, optimizer: Any, variables: list[tf.Variable],
                 batch_size: int, X: Any, y: Any, nan_policy: str, what: str = "fit",
                 loss_scale: LossScale | None = None) -> None:
        self.loss_fn, self.optimizer, self.variables = loss_fn, optimizer, variables
        self.X, self.y, self.what, self.loss_scale = X, y, what, loss_scale
        self.batch_size, self.nan_policy = batch_size, nan_policy
        self.traces = 0
        self.apply = fused_apply(optimizer, variables) or optimizer.apply_gradients
        scalar = tf.TensorSpec([], tf.int32)
        signature = [tf.nest.map_structure(batch_spec, X), tf.nest.map_structure(batch_spec, y),
                     tf.TensorSpec([None], tf.int32), scalar, scalar]
        self._fn = tf.function(self._run, input_signature=signature, autograph=False)

    def __call__(self, order: tf.Tensor, first: int, last: int) -> Any:
        return self._fn(self.X, self.y, order, tf.constant(first, tf.int32),
                        tf.constant(last, tf.int32))

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
            finite, pairs = checked_gradients(tape, loss, variables, self.loss_scale, self.what)
            finite = guarded_apply(finite, loss, pairs, self.apply, policy, self.loss_scale)
            return (finite, tf.cast(tf.reduce_mean(loss), tf.float64),
                    tf.cast(tf.shape(idx)[0], tf.float64))

        return run_steps(one_step, first, last, policy)


class StreamRunner:
    """One optimizer step per call on a batch handed in from Python (a stream). The epoch's
    sums and the first non-finite step live in variables, read by the caller every few steps
    (reading them synchronises the device); with ``nan_policy="raise"`` a non-finite step
    halts every later update of the epoch until the caller raises."""

    adaptive = False

    def __init__(self, loss_fn: LossFn, optimizer: Any, variables: list[tf.Variable],
                 spec: tuple[Any, Any], nan_policy: str, what: str = "fit",
                 loss_scale: LossScale | None = None) -> None:
        self.loss_fn, self.optimizer, self.variables = loss_fn, optimizer, variables
        self.nan_policy, self.what, self.loss_scale = nan_policy, what, loss_scale
        self.traces = 0
        self.apply = fused_apply(optimizer, variables) or optimizer.apply_gradients
        with tf.init_scope():
            f64 = lambda: tf.Variable(0.0, dtype=tf.float64, trainable=False)  # noqa: E731
            self.loss_sum, self.count, self.bad_loss = f64(), f64(), f64()
            self.samples = tf.Variable(0, dtype=tf.int64, trainable=False)
            self.n_bad = tf.Variable(0, dtype=tf.int32, trainable=False)
            self.bad = tf.Variable(-1, dtype=tf.int32, trainable=False)
        self._many_fn: Any = None
        self._prepare: Callable[[Any], Any] = lambda x: x
        self._fn = tf.function(self._step, autograph=False,
                               input_signature=[spec[0], spec[1], tf.TensorSpec([], tf.int32)])

    def reset(self) -> None:
        for v in (self.loss_sum, self.count, self.bad_loss):
            v.assign(0.0)
        self.samples.assign(0)
        self.n_bad.assign(0)
        self.bad.assign(-1)

    def __call__(self, xb: Any, yb: Any, step: int) -> None:
        self._fn(xb, yb, tf.constant(step, tf.int32))

    def many(self, iterator: Any, first: int, k: int, prepare: Callable[[Any], Any]) -> int:
        """Up to ``k`` steps on batches drawn from a ``tf.data`` iterator inside one compiled
        call (no Python between steps); ``prepare(x)`` casts the inputs in the graph. Returns
        the number of steps made (fewer than ``k`` when the iterator ran out)."""
        if self._many_fn is None:
            self._prepare = prepare
            self._many_fn = tf.function(self._many, autograph=False)
        return int(self._many_fn(iterator, tf.constant(first, tf.int32),
                                 tf.constant(k, tf.int32)))

    def _many(self, iterator: Any, first: tf.Tensor, k: tf.Tensor) -> tf.Tensor:
        def body(i: tf.Tensor, more: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
            opt = iterator.get_next_as_optional()

            def run() -> tf.Tensor:
                xb, yb = opt.get_value()
                self._step(self._prepare(xb), yb, first + i)
                return tf.constant(1)

            has = opt.has_value()
            return i + tf.cond(has, run, lambda: tf.constant(0)), has

        done, _ = tf.while_loop(lambda i, more: tf.logical_and(more, i < k), body,
                                [tf.constant(0), tf.constant(True)])
        return done

    def _step(self, xb: Any, yb: Any, step: tf.Tensor) -> None:
        self.traces += 1
        with tf.GradientTape() as tape:
            loss, _ = self.loss_fn(xb, yb, True)
            loss = tf.convert_to_tensor(loss)
        finite, pairs = checked_gradients(tape, loss, self.variables, self.loss_scale,
                                          self.what)
        halted = self.bad >= 0 if self.nan_policy == "raise" else tf.constant(False)
        finite = guarded_apply(finite, loss, pairs, self.apply, self.nan_policy,
                               self.loss_scale, halted)
        m = tf.shape(tf.nest.flatten(xb)[0])[0]
        counted = tf.logical_and(tf.logical_or(finite, tf.constant(self.nan_policy == "ignore")),
                                 tf.logical_not(halted))
        loss64 = tf.cast(tf.reduce_mean(loss), tf.float64)
        m64 = tf.cast(m, tf.float64)
        self.loss_sum.assign_add(tf.where(counted, loss64 * m64, tf.constant(0.0, tf.float64)))
        self.count.assign_add(tf.where(counted, m64, tf.constant(0.0, tf.float64)))
        self.samples.assign_add(tf.cast(m, tf.int64))
        first_bad = tf.logical_and(tf.logical_not(finite), self.bad < 0)
        self.bad_loss.assign(tf.where(first_bad, loss64, self.bad_loss))
        self.bad.assign(tf.where(first_bad, step, self.bad))
        self.n_bad.assign_add(tf.where(finite, 0, 1))


class LossScale:
    """Dynamic loss scaling for float16 compute: the loss is multiplied by ``scale`` before
    differentiation (so that small float16 gradients do not flush to zero) and the gradients
    divided by it. A step whose loss is finite but whose gradients overflow is skipped and
    halves the scale (down to 1; past that a non-finite gradient is an error of the model, left
    to ``nan_policy``); ``period`` finite steps in a row double it. The scale is not
    checkpointed: a resumed run starts again from ``initial`` and settles in a few steps."""

    def __init__(self, initial: float = 2.0 ** 15, period: int = 2000) -> None:
        self.period = period
        with tf.init_scope():
            self.scale = tf.Variable(initial, dtype=tf.float32, trainable=False)
            self.good = tf.Variable(0, dtype=tf.int32, trainable=False)

    def update(self, finite: tf.Tensor, overflow: tf.Tensor) -> None:
        """After a step: count a finite one (doubling after ``period``), halve on overflow;
        any other non-finite step (a NaN loss) leaves the scale as it is."""
        grow = tf.logical_and(finite, self.good + 1 >= self.period)
        scale = tf.where(grow, self.scale * 2.0, self.scale)
        self.scale.assign(tf.where(overflow, tf.maximum(self.scale / 2.0, 1.0), scale))
        good = tf.where(tf.logical_and(finite, tf.logical_not(grow)), self.good + 1, 0)
        self.good.assign(tf.where(tf.logical_or(finite, overflow), good, self.good))


def checked_gradients(tape: tf.GradientTape, loss: tf.Tensor, variables: list[tf.Variable],
                      loss_scale: LossScale | None, what: str
                      ) -> tuple[tf.Tensor, list[tuple[Any, tf.Variable]]]:
    """The (unscaled) gradient pairs of ``loss`` and whether loss and gradients are finite."""
    if loss_scale is None:
        grads = tape.gradient(loss, variables)
    else:
        scale = tf.identity(loss_scale.scale)  # read before this step's update
        with tape:  # the tape records again, so that the gradient is of the scaled loss
            scaled = tf.cast(loss, tf.float32) * scale
        grads = tape.gradient(scaled, variables)
        grads = [None if g is None else _unscale(g, scale) for g in grads]
    pairs = [(g, v) for g, v in zip(grads, variables) if g is not None]
    if not pairs:
        raise ValueError(f"{what}: the loss does not depend on any variable of var_list")
    return tf.math.is_finite(finite_probe(loss, [g for g, _ in pairs])), pairs


def _unscale(g: Any, scale: tf.Tensor) -> Any:
    if isinstance(g, tf.IndexedSlices):
        return tf.IndexedSlices(g.values / tf.cast(scale, g.values.dtype), g.indices,
                                g.dense_shape)
    return g / tf.cast(scale, g.dtype)


def guarded_apply(finite: tf.Tensor, loss: tf.Tensor, pairs: list[tuple[Any, tf.Variable]],
                  apply: Callable[[Any], Any], policy: str, loss_scale: LossScale | None,
                  halted: tf.Tensor | None = None) -> tf.Tensor:
    """Apply the update unless it is non-finite (per ``policy``) or ``halted``; returns whether
    the step counts as finite. With a loss scale, a gradient overflow at a finite loss and a
    scale above 1 is the scale's business: the step is skipped (whatever the policy), the
    scale halved, and the step still counts as finite."""
    go = tf.constant(True) if halted is None else tf.logical_not(halted)
    if loss_scale is None:
        apply_if_finite(tf.logical_and(finite, go), lambda: apply(pairs), policy)
        return finite
    overflow = tf.logical_and(tf.logical_not(finite), tf.logical_and(
        tf.reduce_all(tf.math.is_finite(tf.cast(loss, tf.float32))), loss_scale.scale > 1.0))
    loss_scale.update(finite, overflow)
    ok = tf.logical_and(go, tf.logical_not(overflow))
    apply_if_finite(tf.logical_and(finite, ok) if policy != "ignore" else ok,
                    lambda: apply(pairs), "raise")
    return tf.logical_or(finite, overflow)


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


def fused_apply(optimizer: Any, variables: list[tf.Variable]
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


class LocalEvaluator:
    """Sample-weighted mean loss and metrics (dropout off) over a data set, in batches.

    Calling it with no argument evaluates the arrays ``X, y`` given at construction; with an
    iterable of ``(x, y)`` batches (a stream), those batches. ``spec``: the ``(x, y)`` batch
    specs when there are no arrays.
    """

    def __init__(self, loss_fn: LossFn, metrics: Metrics, batch_size: int, X: Any, y: Any,
                 spec: Any = None) -> None:
        self.batch_size, self.names, self.X, self.y = batch_size, list(metrics), X, y
        fns = list(metrics.values())

        def run(x: Any, t: Any) -> tf.Tensor:
            loss, out = loss_fn(x, t, False)
            values = [loss] + [fn(out, t) for fn in fns]
            return tf.stack([tf.cast(tf.reduce_mean(v), tf.float64) for v in values])

        if spec is None:
            spec = (tf.nest.map_structure(batch_spec, X), tf.nest.map_structure(batch_spec, y))
        self._fn = tf.function(run, input_signature=list(spec), autograph=False)

    def _array_batches(self) -> Any:
        n = int(tf.nest.flatten(self.X)[0].shape[0])
        bs = self.batch_size
        for start in range(0, n, bs):
            yield (tf.nest.map_structure(lambda t, s=start: t[s:s + bs], self.X),
                   tf.nest.map_structure(lambda t, s=start: t[s:s + bs], self.y))

    def __call__(self, batches: Any = None) -> dict[str, float]:
        sums = None
        count = 0
        for xb, yb in (self._array_batches() if batches is None else batches):
            m = int(tf.shape(tf.nest.flatten(xb)[0])[0])
            values = self._fn(xb, yb).numpy() * m
            sums = values if sums is None else sums + values
            count += m
        if sums is None:
            return {"loss": float("nan"), **{k: float("nan") for k in self.names}}
        sums = sums / count
        return {"loss": float(sums[0]), **{k: float(v) for k, v in zip(self.names, sums[1:])}}
