"""Training data: arrays and tensors converted once (the fast path), their checks, and the
shuffling order of an epoch."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

import numpy as np
import tensorflow as tf

if TYPE_CHECKING:
    from tlcore.owner import Network


def epoch_order(n: int, epoch: int, seed: int | None, shuffle: bool) -> tf.Tensor:
    if not shuffle:
        return tf.range(n, dtype=tf.int32)
    # From (seed, epoch) alone: a resumed run shuffles each epoch as an uninterrupted one.
    rng = np.random.default_rng(None if seed is None else [int(seed), int(epoch)])
    return tf.constant(rng.permutation(n).astype(np.int32))


def batch_spec(t: tf.Tensor) -> tf.TensorSpec:
    return tf.TensorSpec([None, *t.shape[1:]], t.dtype)


def to_tensors(network: Network, X: Any, y: Any, xname: str, yname: str | None
                ) -> tuple[Any, Any, int]:
    """Convert data once: X to the dtypes of the network's InputLayers, y as is."""
    inputs = list(getattr(network, "input_layers", []))
    if isinstance(X, Mapping):
        dtypes = {layer.name: layer.dtype for layer in inputs}
        Xt: Any = {k: tensor(v, dtypes.get(k), xname) for k, v in X.items()}
    elif isinstance(X, (list, tuple)) and len(inputs) > 1:
        Xt = [tensor(v, layer.dtype, xname) for v, layer in zip(X, inputs)]
    else:
        Xt = tensor(X, inputs[0].dtype if len(inputs) == 1 else None, xname)
    sizes = {int(t.shape[0]) for t in tf.nest.flatten(Xt)}
    if len(sizes) != 1:
        raise ValueError(f"{xname}: all inputs need the same number of samples, received "
                         f"{sorted(sizes)}")
    n = sizes.pop()
    yt = None
    if y is not None:
        yt = tf.nest.map_structure(lambda v: tensor(v, None, yname), y)
        ny = {int(t.shape[0]) for t in tf.nest.flatten(yt)}
        if ny != {n}:
            raise ValueError(f"{xname} has {n} samples but {yname} has {sorted(ny)}")
    return Xt, yt, n


def tensor(v: Any, dtype: tf.DType | None, what: str | None) -> tf.Tensor:
    t = v if isinstance(v, tf.Tensor) else tf.convert_to_tensor(np.asarray(v))
    if t.shape.rank is None or t.shape.rank == 0:
        raise ValueError(f"{what}: expected an array with a sample dimension, received shape "
                         f"{t.shape}")
    if dtype is not None and t.dtype != dtype and (t.dtype.is_floating or t.dtype.is_integer):
        t = tf.cast(t, dtype)
    return t


def check_labels(network: Network, y: Any, yname: str, what: str) -> None:
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


def positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int, received {value!r}")
    return int(value)


def check_callable(obj: Any, name: str) -> None:
    if not callable(obj):
        raise TypeError(f"{name} must be callable, received {type(obj).__name__}")


# ---------------------------------------------------------------------------------- streams
def is_stream(X: Any, y: Any) -> bool:
    """``X`` yields ``(x, y)`` batches: a ``tf.data.Dataset``, a Keras ``PyDataset``, a
    generator, an iterator, a function returning one, or (with ``y=None``) a list of batches."""
    if isinstance(X, tf.data.Dataset) or _is_pydataset(X):
        return True
    if y is not None:
        return False
    if isinstance(X, (np.ndarray, tf.Tensor, Mapping)):
        return False
    return callable(X) or hasattr(X, "__next__") or isinstance(X, (list, tuple))


def _is_pydataset(X: Any) -> bool:
    try:
        import keras
    except ImportError:  # pragma: no cover
        return False
    return isinstance(X, keras.utils.PyDataset)


class Stream:
    """``(x, y)`` batches of a data source that is not held in memory; one pass per epoch.

    Sources: a ``tf.data.Dataset`` (iterated anew each epoch), a Keras ``PyDataset`` (by index;
    its ``on_epoch_end`` runs after each epoch), a list/tuple of batches, a function returning
    a fresh iterable each epoch, or a one-shot generator/iterator (then either one epoch, or
    ``steps_per_epoch`` batches per epoch from the same iterator). ``length`` is the number of
    batches per epoch when known, else None.
    """

    def __init__(self, source: Any, network: Network, name: str, what: str,
                 steps_per_epoch: int | None = None) -> None:
        self.source, self.name, self.what = source, name, what
        self.steps_per_epoch = steps_per_epoch
        self.dtypes = _input_dtypes(network)
        self._iterator: Any = None
        self._used = False
        self._first: Any = None
        self.length: int | None = steps_per_epoch
        if self.length is None:
            if _is_pydataset(source) or isinstance(source, (list, tuple)):
                self.length = len(source)
            elif isinstance(source, tf.data.Dataset):
                card = int(source.cardinality())
                self.length = card if card >= 0 else None
        if hasattr(source, "__next__") and not isinstance(source, tf.data.Dataset):
            self._iterator = source

    @property
    def dataset(self) -> tf.data.Dataset | None:
        """The source when it is a ``tf.data.Dataset`` of ``(x, y)`` pairs (iterated inside
        the compiled step), else None."""
        src = self.source
        if isinstance(src, tf.data.Dataset) and isinstance(src.element_spec, tuple) and \
                len(src.element_spec) == 2:
            return src if self.steps_per_epoch is None else src.repeat()
        return None

    def prepare(self, x: Any) -> Any:
        """In the graph: cast a batch's inputs to the network's input dtypes."""
        dtypes = list(self.dtypes.values())
        if isinstance(x, Mapping):
            return {k: _cast(v, self.dtypes.get(k)) for k, v in x.items()}
        if isinstance(x, (list, tuple)) and len(dtypes) > 1:
            return [_cast(v, d) for v, d in zip(x, dtypes)]
        return _cast(x, dtypes[0] if len(dtypes) == 1 else None)

    @property
    def one_shot(self) -> bool:
        """A generator or iterator: each batch can be read once."""
        return self._iterator is not None

    def _raw_epoch(self, pending: int) -> Any:
        s = self.source
        if _is_pydataset(s):
            return (s[i] for i in range(len(s)))
        if self._iterator is not None:
            if self.steps_per_epoch is None:
                if self._used:
                    raise ValueError(
                        f"{self.what}: {self.name} is a one-shot generator, used up after one "
                        f"epoch; pass a function that returns a new generator, a list of "
                        f"batches, a tf.data.Dataset, or steps_per_epoch with an endless "
                        f"generator")
                self._used = True
                return self._iterator
            return _take(self._iterator, self.steps_per_epoch - pending)
        it = s() if callable(s) else s
        return it if self.steps_per_epoch is None else _take(iter(it), self.steps_per_epoch)

    def batches(self) -> Any:
        """One epoch of ``(x, y)`` batches as tensors (x in the network's input dtypes)."""
        pending = 0
        if self._first is not None:  # the batch peeked at by spec() belongs to epoch 1
            first, self._first = self._first, None
            pending = 1
            yield first
        for i, item in enumerate(self._raw_epoch(pending)):
            yield self.convert(item, i + pending)
        if _is_pydataset(self.source):
            self.source.on_epoch_end()

    def convert(self, item: Any, i: int) -> tuple[Any, Any]:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise ValueError(f"{self.what}: batch {i} of {self.name} must be a pair (x, y), "
                             f"received {type(item).__name__}"
                             f"{' of length %d' % len(item) if hasattr(item, '__len__') else ''}")
        x, t = item
        if isinstance(x, Mapping):
            xt: Any = {k: tensor(v, self.dtypes.get(k), self.name) for k, v in x.items()}
        elif isinstance(x, (list, tuple)) and len(self.dtypes) > 1:
            xt = [tensor(v, d, self.name) for v, d in zip(x, self.dtypes.values())]
        else:
            xt = tensor(x, next(iter(self.dtypes.values())) if len(self.dtypes) == 1 else None,
                        self.name)
        yt = tf.nest.map_structure(lambda v: tensor(v, None, self.name), t)
        sizes = {int(a.shape[0]) for a in tf.nest.flatten((xt, yt))}
        if len(sizes) != 1:
            raise ValueError(f"{self.what}: batch {i} of {self.name}: x and y need the same "
                             f"number of samples, received {sorted(sizes)}")
        return xt, yt

    def spec(self) -> tuple[Any, Any]:
        """``(x spec, y spec)`` with an unknown batch dimension, from the source or a peek at
        its first batch (kept for epoch 1 when the source is a one-shot iterator)."""
        src = self.source
        if isinstance(src, tf.data.Dataset) and isinstance(src.element_spec, tuple) \
                and len(src.element_spec) == 2:
            x_el, y_el = src.element_spec
            dtypes = list(self.dtypes.values())
            if len(dtypes) == 1 and isinstance(x_el, tf.TensorSpec):
                x_el = tf.TensorSpec(x_el.shape, dtypes[0])
            unbatched = lambda e: tf.TensorSpec([None, *e.shape[1:]], e.dtype)  # noqa: E731
            return tf.nest.map_structure(unbatched, x_el), tf.nest.map_structure(unbatched, y_el)
        try:
            if self._iterator is not None:
                if self._first is None:
                    self._first = self.convert(next(self._iterator), 0)
                x, t = self._first
            elif _is_pydataset(src):
                if len(src) == 0:
                    raise StopIteration
                x, t = self.convert(src[0], 0)
            else:
                x, t = self.convert(next(iter(src() if callable(src) else src)), 0)
        except StopIteration:
            raise ValueError(f"{self.what}: {self.name} yields no batches") from None
        return tf.nest.map_structure(batch_spec, x), tf.nest.map_structure(batch_spec, t)


def _cast(t: Any, dtype: Any) -> Any:
    if dtype is not None and t.dtype != dtype and (t.dtype.is_floating or t.dtype.is_integer):
        return tf.cast(t, dtype)
    return t


def _take(it: Any, n: int) -> Any:
    for _ in range(n):
        try:
            yield next(it)
        except StopIteration:
            return


def _input_dtypes(network: Network) -> dict[str, Any]:
    return {layer.name: layer.dtype for layer in getattr(network, "input_layers", [])}
