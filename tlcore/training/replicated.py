"""The replicated step runner and evaluator (``tf.distribute``), and their collectives.

How a step runs: every worker holds the whole training arrays in memory and the same epoch
order. The step's global batch of ``batch_size`` samples is split across the ``R`` replicas:
replica ``r`` takes rows ``[r*m//R, (r+1)*m//R)`` of the ``m`` samples, computes ``cost`` on
them and scales it by ``rows / m``, so that the sum over replicas is the mean over the global
batch; the optimizer sums the replicas' gradients (an all-reduce), so every replica applies the
same update and a run equals a single-device run with the same global batch, step for step.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

import tensorflow as tf

from tlcore.training.steps import apply_if_finite, finite_probe, run_steps

if TYPE_CHECKING:
    from tlcore.owner import Network

_SCOPE_PATTERN = """
    strategy = tf.distribute.MirroredStrategy()   # or tl.utils.make_strategy("multiworker")
    with strategy.scope():
        network = ...                              # build every layer here
        optimizer = tf.keras.optimizers.Adam(1e-4)
    tl.utils.fit(network, optimizer, ..., strategy=strategy)"""


# ----------------------------------------------------------------------------- validation
def check_in_scope(strategy: Any, network: Network, optimizer: Any = None,
                   variables: Sequence[Any] = (), what: str = "fit") -> None:
    """Raise ``ValueError`` unless the network's variables (and the optimizer) were created
    under ``strategy.scope()``; the message names the first offending variable and its layer
    and shows the pattern.
    """
    name = type(strategy).__name__
    params = list(getattr(network, "all_params", [])) + \
        list(getattr(network, "all_drop", {}).values()) + list(variables)
    for v in params:
        if not strategy.extended.variable_created_in_scope(v):
            try:
                label = f"{network.param_name(v)!r}"
            except (KeyError, AttributeError):
                label = f"{v.name!r}"
            layer = label.strip("'").rsplit("/", 1)[0]
            raise ValueError(
                f"{what}: the variable {label} of layer {layer!r} was created outside "
                f"{name}.scope(); build the network (and the optimizer) inside the scope:\n"
                f"{_SCOPE_PATTERN}")
    if optimizer is None:
        return
    owner = getattr(optimizer, "_distribution_strategy", strategy)
    if owner is not strategy:
        raise ValueError(f"{what}: the optimizer {type(optimizer).__name__} was created outside "
                         f"{name}.scope(); create it inside the scope:\n{_SCOPE_PATTERN}")
    for v in getattr(optimizer, "variables", []):
        inner = getattr(v, "value", v)
        if not strategy.extended.variable_created_in_scope(inner):
            raise ValueError(f"{what}: the optimizer variable {getattr(v, 'path', v.name)!r} was "
                             f"created outside {name}.scope(); create and build the optimizer "
                             f"inside the scope:\n{_SCOPE_PATTERN}")


# ---------------------------------------------------------------------- losses and metrics
def global_batch_loss(mean_loss: Any, local_size: Any, global_size: Any) -> Any:
    """Scale a replica's mean loss over its ``local_size`` samples so that the sum over
    replicas is the mean over the ``global_size`` samples of the global batch."""
    dtype = mean_loss.dtype if hasattr(mean_loss, "dtype") else tf.float32
    return mean_loss * tf.cast(local_size, dtype) / tf.cast(global_size, dtype)


def reduce_sum(strategy: Any, per_replica: Any) -> Any:
    """Sum a (nest of) per-replica value(s) over all replicas of all workers."""
    return tf.nest.map_structure(
        lambda v: strategy.reduce(tf.distribute.ReduceOp.SUM, v, axis=None), per_replica)


def replica_slice(m: Any) -> tuple[Any, Any]:
    """Inside ``strategy.run``: ``(lo, hi)`` of this replica's rows in a global batch of ``m``."""
    ctx = tf.distribute.get_replica_context()
    n_rep = ctx.num_replicas_in_sync
    r = tf.cast(ctx.replica_id_in_sync_group, tf.int32)
    return (r * m) // n_rep, ((r + 1) * m) // n_rep


def gather_ints(strategy: Any, values: Sequence[int]) -> Any:
    """Every replica's copy of ``values`` as a (replicas, len(values)) int64 numpy array: one
    collective that lets workers compare settings before they could deadlock on them."""
    const = tf.constant([int(v) for v in values], tf.int64)

    @tf.function(autograph=False)
    def run() -> tf.Tensor:
        per = strategy.run(lambda: tf.identity(const)[None, :])
        return strategy.gather(per, axis=0)

    return run().numpy()


class ReplicatedRunner:
    """Optimizer steps ``first..last-1`` of an epoch, each split across the replicas."""

    adaptive = False  # every worker must make the same calls (collectives)

    def __init__(self, strategy: Any, loss_fn: Callable[..., Any], optimizer: Any,
                 variables: list[Any], batch_size: int, X: Any, y: Any, nan_policy: str,
                 what: str) -> None:
        self.strategy, self.loss_fn, self.optimizer = strategy, loss_fn, optimizer
        self.variables, self.batch_size, self.nan_policy = variables, batch_size, nan_policy
        self.what, self.X, self.y = what, X, y
        self.traces = 0
        scalar = tf.TensorSpec([], tf.int32)
        self._fn = tf.function(self._run, autograph=False,
                               input_signature=[tf.TensorSpec([None], tf.int32), scalar, scalar])

    def __call__(self, order: Any, first: int, last: int) -> Any:
        return self._fn(order, tf.constant(first, tf.int32), tf.constant(last, tf.int32))

    def _run(self, order: Any, first: Any, last: Any) -> Any:
        self.traces += 1
        strategy, bs, policy = self.strategy, self.batch_size, self.nan_policy
        X, y, variables = self.X, self.y, self.variables
        n = tf.shape(order)[0]
        used: list[int] = []  # indices of the variables the loss depends on (set when traced)

        def grads_on_replica(idx: tf.Tensor) -> Any:
            m = tf.shape(idx)[0]
            lo, hi = replica_slice(m)
            rows = idx[lo:hi]

            def compute() -> tf.Tensor:
                xb = tf.nest.map_structure(lambda t: tf.gather(t, rows), X)
                yb = tf.nest.map_structure(lambda t: tf.gather(t, rows), y)
                loss, _ = self.loss_fn(xb, yb, True)
                loss = tf.cast(tf.reduce_mean(tf.convert_to_tensor(loss)), tf.float32)
                return global_batch_loss(loss, hi - lo, m)

            with tf.GradientTape() as tape:
                # A replica may get no rows (a last batch smaller than the replica count).
                loss = tf.cond(hi > lo, compute, lambda: tf.constant(0.0))
            grads = tape.gradient(loss, variables)
            if not used:
                used.extend(i for i, g in enumerate(grads) if g is not None)
                if not used:
                    raise ValueError(f"{self.what}: the loss does not depend on any variable "
                                     f"of var_list")
            kept = [grads[i] for i in used]
            # One all-reduce carries the loss and the finiteness probe of the gradients.
            probe = finite_probe(loss, [g for g in kept if g is not None])
            return tf.stack([loss, probe]), kept

        def apply_on_replica(grads: list[tf.Tensor]) -> None:
            self.optimizer.apply_gradients(zip(grads, [variables[i] for i in used]))

        def one_step(step: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
            start = step * bs
            idx = order[start:tf.minimum(start + bs, n)]
            pair, grads = strategy.run(grads_on_replica, args=(idx,))
            sums = reduce_sum(strategy, pair)
            total = tf.cast(sums[0], tf.float64)  # the global-batch mean
            finite = tf.math.is_finite(sums[1])
            apply_if_finite(finite, lambda: strategy.run(apply_on_replica, args=(grads,)), policy)
            return finite, total, tf.cast(tf.shape(idx)[0], tf.float64)

        return run_steps(one_step, first, last, policy)


class ReplicatedEvaluator:
    """Sample-weighted mean loss and metrics (dropout off), each batch split across replicas
    and the sums reduced across them, in one compiled call over the whole data set."""

    def __init__(self, strategy: Any, loss_fn: Callable[..., Any], metrics: Any,
                 batch_size: int, X: Any, y: Any) -> None:
        self.names = list(metrics)
        fns = list(metrics.values())
        width = 1 + len(fns)
        self.n = int(tf.nest.flatten(X)[0].shape[0])
        bs = batch_size

        def on_replica(idx: tf.Tensor) -> tf.Tensor:
            lo, hi = replica_slice(tf.shape(idx)[0])
            rows = idx[lo:hi]

            def compute() -> tf.Tensor:
                xb = tf.nest.map_structure(lambda t: tf.gather(t, rows), X)
                yb = tf.nest.map_structure(lambda t: tf.gather(t, rows), y)
                loss, out = loss_fn(xb, yb, False)
                k = tf.cast(hi - lo, tf.float64)
                values = [loss] + [fn(out, yb) for fn in fns]
                return tf.stack([tf.cast(tf.reduce_mean(v), tf.float64) * k for v in values])

            return tf.cond(hi > lo, compute, lambda: tf.zeros([width], tf.float64))

        def run() -> tf.Tensor:
            n = tf.constant(self.n, tf.int32)

            def body(i, sums):
                start = i * bs
                idx = tf.range(start, tf.minimum(start + bs, n))
                return i + 1, sums + reduce_sum(strategy, strategy.run(on_replica, args=(idx,)))

            _, sums = tf.while_loop(lambda i, s: i * bs < n, body,
                                    [tf.constant(0), tf.zeros([width], tf.float64)])
            return sums

        self._fn = tf.function(run, autograph=False)

    def __call__(self, batches: Any = None) -> dict[str, float]:
        if batches is not None:
            raise ValueError("a replicated evaluation takes in-memory arrays, not a stream")
        sums = self._fn().numpy() / max(self.n, 1)
        return {"loss": float(sums[0]), **{k: float(v) for k, v in zip(self.names, sums[1:])}}
