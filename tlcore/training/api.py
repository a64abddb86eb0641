"""``fit``, ``test`` and ``predict``: the public entry points of the training engine (exported
as ``tl.utils.fit``, ``tl.utils.test`` and ``tl.utils.predict``)."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

import numpy as np
import tensorflow as tf

from tlcore.layers.core import compute_dtype
from tlcore.training.data import Stream, check_callable, is_stream, positive_int, to_tensors
from tlcore.training.engine import train
from tlcore.training.options import TrainOptions
from tlcore.training.steps import LocalEvaluator
from tlcore.utils import TrainingHistory

if TYPE_CHECKING:
    from tlcore.owner import Network

logger = logging.getLogger("tlcore")

Metric = Callable[[Any, Any], tf.Tensor]


def fit(network: Network, train_op: Any, cost: Callable[[Any, Any], tf.Tensor], X_train: Any,
        y_train: Any, acc: Metric | Mapping[str, Metric] | None = None, batch_size: int = 100,
        n_epoch: int = 100, print_freq: int = 5, X_val: Any = None, y_val: Any = None,
        eval_train: bool = True, tensorboard_dir: str | None = None,
        tensorboard_epoch_freq: int = 5, tensorboard_weight_histograms: bool = True, *,
        var_list: Sequence[tf.Variable] | None = None, shuffle: bool = True,
        seed: int | None = None, progress: bool | None = None,
        steps_per_call: int | None = None, nan_policy: str = "raise",
        checkpoint_dir: str | None = None, checkpoint_freq: int = 1, max_checkpoints: int = 3,
        eval_batch_size: int | None = None, callbacks: Sequence[Any] = (),
        strategy: Any = None, backup_dir: str | None = None, eval_freq: int | None = None,
        steps_per_epoch: int | None = None, precision: str = "float32") -> TrainingHistory:
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
        X_train: inputs, an array or tensor (a list or name-keyed dict for several InputLayers);
            or, with ``y_train=None``, a source of ``(x, y)`` batches for data that does not
            fit in memory: a ``tf.data.Dataset``, a Keras ``PyDataset``, a list of batches, a
            function returning a fresh iterable each epoch, or a generator (one epoch, or
            ``steps_per_epoch`` batches per epoch); ``batch_size`` and ``shuffle`` are then the
            source's business. Its length may be unknown (the bar then shows no total).
        y_train: targets with the same number of samples (None for a batch source).
        acc: ``acc(output, target) -> scalar``, or a dict of such named metrics (e.g.
            ``{"acc": tl.cost.accuracy, "top5": ...}``), logged and recorded for validation
            (and training data with ``eval_train``) as ``val_<name>`` / ``train_<name>``.
        batch_size: samples per step; the last batch of an epoch holds the remainder.
        n_epoch: number of epochs (in total, counting epochs restored from a checkpoint).
        print_freq: log every this many epochs (and on the first and last).
        X_val, y_val: validation data, evaluated with dropout off (or a batch source as
            ``X_val`` with ``y_val=None``).
        eval_train: also evaluate loss and accuracy on the training data with dropout off
            (costs about a third of an epoch each time).
        tensorboard_dir: write TensorBoard scalars (and weight histograms) here.
        tensorboard_epoch_freq: write TensorBoard summaries every this many epochs.
        tensorboard_weight_histograms: include a histogram of every parameter.
        var_list: the variables to train; default ``network.trainable_params``.
        shuffle: reshuffle the training data every epoch.
        seed: makes a run reproducible: the shuffling order of epoch ``e`` derives from
            ``(seed, e)`` and ``tf.random.set_seed(seed)`` fixes the dropout masks.
        progress: show a progress bar per epoch with the running loss and samples/s;
            ``None`` means yes unless ``$TLCORE_PROGRESS=0``; bars go to stderr and only on a
            terminal.
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
        callbacks: :class:`tlcore.training.Callback` objects (``EarlyStopping``,
            ``ModelCheckpoint``, ``ReduceLROnPlateau``, ``CSVLogger``, ``TensorBoard``, or your
            own) and/or plain functions ``fn(epoch, history)`` called after each epoch. A
            callback may stop training; ``fit`` then returns the history so far.
        strategy: a ``tf.distribute`` strategy (e.g. ``tf.distribute.MirroredStrategy()`` or
            ``tl.utils.make_strategy("multiworker")``); build the network and the optimizer
            inside ``strategy.scope()``. ``None`` uses the strategy of an enclosing scope or
            the one the network was built under, else one device. See docs/distributed.md.
        backup_dir: back up weights, optimizer state and history here after every epoch (the
            chief writes, every worker restores): a run killed and restarted with the same
            ``backup_dir`` resumes after the last completed epoch; deleted when it completes.
        eval_freq: evaluate (validation, and training data with ``eval_train``) every this
            many epochs and on the first and last; default ``print_freq``.
        steps_per_epoch: with a batch source, batches per epoch (needed for an endless
            generator).
        precision: ``"float32"`` (default), or ``"mixed_bfloat16"``: layers that support it
            (``DenseLayer``, ``DropoutLayer``; see :attr:`tlcore.layers.Layer.autocast`)
            compute in bfloat16 on inputs and weights cast in the compiled step, while the
            variables, their gradients and updates, the loss and the metrics stay float32
            (the network's output is cast to float32 before ``cost``). Evaluation during
            ``fit`` runs in the same precision; ``network(x)`` outside ``fit`` is unchanged.
            ``"mixed_float16"`` likewise in float16, with dynamic loss scaling (a step whose
            gradients overflow is skipped and the scale halved; ``nan_policy`` still applies
            to a non-finite loss); on one device only, and on CPUs without float16 arithmetic
            (AVX512-FP16) it is slower than float32.

    Returns:
        The :class:`~tlcore.utils.TrainingHistory` of all epochs (restored ones included).

    Raises:
        FloatingPointError: a non-finite loss or gradient with ``nan_policy="raise"``.
        ValueError: inconsistent data or arguments.

    >>> history = tl.utils.fit(network, tf.keras.optimizers.Adam(1e-4), tl.cost.cross_entropy,
    ...                        X_train, y_train, acc=tl.cost.accuracy, batch_size=500,
    ...                        n_epoch=20, X_val=X_val, y_val=y_val, eval_train=False)
    """
    options = TrainOptions(
        batch_size=batch_size, n_epoch=n_epoch, print_freq=print_freq, eval_freq=eval_freq,
        eval_train=eval_train, eval_batch_size=eval_batch_size, shuffle=shuffle, seed=seed,
        progress=progress, steps_per_call=steps_per_call, nan_policy=nan_policy,
        checkpoint_dir=checkpoint_dir, checkpoint_freq=checkpoint_freq,
        max_checkpoints=max_checkpoints, backup_dir=backup_dir, tensorboard_dir=tensorboard_dir,
        tensorboard_epoch_freq=tensorboard_epoch_freq,
        tensorboard_weight_histograms=tensorboard_weight_histograms,
        steps_per_epoch=steps_per_epoch, precision=precision)
    check_callable(network, "network")
    if not hasattr(train_op, "apply_gradients"):
        raise TypeError(f"fit: train_op must be an optimizer with apply_gradients (e.g. "
                        f"tf.keras.optimizers.Adam(1e-4)), received {type(train_op).__name__}")
    check_callable(cost, "cost")
    variables = list(network.trainable_params if var_list is None else var_list)
    if not variables:
        raise ValueError("fit: nothing to train: var_list is empty")

    compute = options.compute_dtype
    if compute is not None:
        _log_precision(network, options)

    def loss_fn(x: Any, y: Any, training: bool) -> tuple[tf.Tensor, Any]:
        if compute is None:
            out = network(x, is_train=training)
        else:
            with compute_dtype(compute):
                out = network(x, is_train=training)
            out = tf.nest.map_structure(_to_float32, out)  # loss and metrics in float32
        return cost(out, y), out

    return train(loss_fn, train_op, variables, network, X_train, y_train, X_val, y_val,
                 metrics=metric_dict(acc, "fit"), options=options, callbacks=callbacks,
                 strategy=strategy)


def _log_precision(network: Network, options: TrainOptions) -> None:
    """Say which layers compute in the lower dtype: the others silently stay float32."""
    layers = [la for la in getattr(network, "all_layers", [])
              if la.prev_layers and getattr(la, "dtype", None) is not None
              and la.dtype.is_floating]
    lowered = [la.name for la in layers if la.autocast]
    if layers and not lowered:
        logger.warning("%s: precision=%r, but no layer of this network supports it "
                       "(Layer.autocast); it trains in float32", options.what, options.precision)
    elif layers:
        logger.info("%s: precision=%r: %d of %d layers compute in %s; the others in float32",
                    options.what, options.precision, len(lowered), len(layers),
                    options.compute_dtype)


def _to_float32(t: Any) -> Any:
    if isinstance(t, tf.Tensor) and t.dtype.is_floating and t.dtype != tf.float32 \
            and t.dtype.size < 4:
        return tf.cast(t, tf.float32)
    return t


def metric_dict(acc: Any, what: str) -> dict[str, Metric]:
    """``acc`` as named metrics: one function is ``{"acc": fn}``; None is none."""
    if acc is None:
        return {}
    if callable(acc):
        return {"acc": acc}
    if isinstance(acc, Mapping):
        for name, fn in acc.items():
            if not isinstance(name, str) or not name.isidentifier() or \
                    name in ("loss", "eval_loss"):
                raise ValueError(f"{what}: metric names must be identifiers other than "
                                 f"'loss' and 'eval_loss', received {name!r}")
            if not callable(fn):
                raise TypeError(f"{what}: metric {name!r} must be callable, received "
                                f"{type(fn).__name__}")
        return dict(acc)
    raise TypeError(f"{what}: acc must be a function, a dict of named functions or None, "
                    f"received {type(acc).__name__}")


def test(network: Network, acc: Metric | Mapping[str, Metric] | None, X_test: Any, y_test: Any,
         batch_size: int | None = None, cost: Callable[[Any, Any], tf.Tensor] | None = None
         ) -> Any:
    """Evaluate ``network`` (dropout off) on test data; logs ``   test loss`` and ``   test acc``.

    Args:
        network: the network to evaluate.
        acc: ``acc(output, target) -> scalar`` or a dict of named metrics; ``None`` to log the
            loss only.
        X_test, y_test: the test data, or a source of ``(x, y)`` batches with ``y_test=None``
            (as for :func:`fit`).
        batch_size: evaluate in batches of this size (the remainder included); ``None`` means
            all samples at once.
        cost: optional ``cost(output, target)`` to log the test loss too.

    Returns:
        The test accuracy (sample-weighted mean of ``acc`` over batches); a dict of the named
        metrics when ``acc`` is a dict; ``None`` without ``acc``.
    """
    check_callable(network, "network")
    if acc is None and cost is None:
        raise ValueError("test: give acc, cost or both")
    metrics = metric_dict(acc, "test")

    def loss_fn(x: Any, t: Any, training: bool) -> tuple[tf.Tensor, Any]:
        out = network(x, is_train=training)
        return (cost(out, t) if cost is not None else tf.constant(0.0)), out

    if is_stream(X_test, y_test):
        stream = Stream(X_test, network, "X_test", "test")
        values = LocalEvaluator(loss_fn, metrics, 1, None, None, spec=stream.spec())(
            stream.batches())
    else:
        X, y, n = to_tensors(network, X_test, y_test, "X_test", "y_test")
        bs = n if batch_size is None else positive_int("batch_size", batch_size)
        values = LocalEvaluator(loss_fn, metrics, max(1, bs), X, y)()
    if cost is not None:
        logger.info("   test loss: %f", values["loss"])
    for name in metrics:
        logger.info("   test %s: %f", name, values[name])
    if acc is None:
        return None
    if callable(acc):
        return values["acc"]
    return {name: values[name] for name in metrics}


def predict(network: Network, X: Any, batch_size: int | None = None,
            y_op: Callable[[tf.Tensor], tf.Tensor] | None = None) -> Any:
    """Run ``network`` (dropout off) on ``X`` in batches and return the outputs as numpy.

    A network whose InputLayer has a fixed batch dimension ``B`` (``InputLayer([8, 784])``) is
    fed batches of exactly ``B`` samples, so ``len(X)`` must be a multiple of ``B`` (as in
    TensorLayer, where such a placeholder refused any other batch).

    Args:
        network: the network.
        X: inputs (array or tensor; a list or dict for several InputLayers), or a source of
            batches ``x`` or ``(x, y)`` (a ``tf.data.Dataset``, ``PyDataset``, generator).
        batch_size: samples per call; the last batch holds the remainder. ``None``: all at once
            (or the fixed batch dimension).
        y_op: optional function applied to the outputs in the graph, e.g.
            ``lambda y: tf.argmax(y, 1)`` for class ids (TensorLayer's ``y_op``).

    Returns:
        A numpy array (or the network's output structure of arrays) with ``len(X)`` rows.

    Raises:
        ValueError: ``batch_size`` differs from the network's fixed batch dimension, or
            ``len(X)`` is not a multiple of it.
    """
    check_callable(network, "network")

    def run(x: Any) -> Any:
        out = network(x, is_train=False)
        return out if y_op is None else y_op(out)

    if _is_batch_source(X):
        return _predict_stream(network, X, run)
    Xt, _, n = to_tensors(network, X, None, "X", None)
    fixed = _fixed_batch(network)
    if fixed is not None:
        if batch_size is not None and batch_size != fixed:
            raise ValueError(f"predict: the network's input has a fixed batch size of {fixed}, "
                             f"received batch_size={batch_size!r}; pass batch_size={fixed} or "
                             f"None")
        if n % fixed:
            raise ValueError(f"predict: the network's input has a fixed batch size of {fixed}, "
                             f"but X holds {n} samples, not a multiple of {fixed}; pad X, or "
                             f"build the InputLayer with None as its first dimension")
        bs = fixed
    else:
        bs = n if batch_size is None else positive_int("batch_size", batch_size)
    spec = tf.nest.map_structure(
        lambda t: tf.TensorSpec([fixed, *t.shape[1:]], t.dtype), Xt)
    fn = tf.function(run, input_signature=[spec], autograph=False)
    if n == 0:
        return tf.nest.map_structure(lambda t: t.numpy(), run(Xt))
    parts = []
    for start in range(0, n, max(1, bs)):
        xb = tf.nest.map_structure(lambda t, s=start: t[s:s + bs], Xt)
        parts.append(tf.nest.map_structure(lambda t: t.numpy(), fn(xb)))
    return tf.nest.map_structure(lambda *a: np.concatenate(a, axis=0), *parts)


def _fixed_batch(network: Network) -> int | None:
    dims = {layer.output_spec.shape[0] for layer in getattr(network, "input_layers", [])}
    dims.discard(None)
    return dims.pop() if len(dims) == 1 else None


def _is_batch_source(X: Any) -> bool:
    return isinstance(X, tf.data.Dataset) or (is_stream(X, None) and not isinstance(X, list)
                                              and not isinstance(X, tuple))


def _predict_stream(network: Network, source: Any, run: Callable[[Any], Any]) -> Any:
    fn = tf.function(run, autograph=False, reduce_retracing=True)
    parts = []
    items = source() if callable(source) and not isinstance(source, tf.data.Dataset) else source
    if hasattr(items, "__getitem__") and hasattr(items, "__len__") and \
            not isinstance(items, (list, tuple)):
        items = (items[i] for i in range(len(items)))  # a PyDataset
    for item in items:
        x = item[0] if isinstance(item, (tuple, list)) and len(item) == 2 else item
        xt, _, _ = to_tensors(network, x, None, "X", None)
        parts.append(tf.nest.map_structure(lambda t: t.numpy(), fn(xt)))
    if not parts:
        raise ValueError("predict: the batch source yielded no batches")
    return tf.nest.map_structure(lambda *a: np.concatenate(a, axis=0), *parts)

