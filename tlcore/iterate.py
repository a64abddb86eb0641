"""``tl.iterate``: minibatch iterators over numpy arrays (no TensorFlow here).

The semantics are TensorLayer's: :func:`minibatches` drops the last partial batch unless
``allow_dynamic_batch_size=True``; :func:`ptb_iterator` cuts a token stream into ``batch_size``
parallel rows and yields windows of ``num_steps`` with targets shifted by one.
"""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np

__all__ = ["minibatches", "ptb_iterator", "seq_minibatches", "seq_minibatches2"]

Seed = int | np.random.Generator | None


def _positive_int(fn: str, arg: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{fn}: {arg} must be a positive int, received {value!r}")
    return int(value)


def _same_length(fn: str, inputs: Any, targets: Any) -> None:
    if len(inputs) != len(targets):
        raise ValueError(f"{fn}: inputs and targets must have the same length, received "
                         f"{len(inputs)} inputs and {len(targets)} targets")


def minibatches(inputs: Any = None, targets: Any = None, batch_size: int | None = None,
                allow_dynamic_batch_size: bool = False, shuffle: bool = False, *,
                seed: Seed = None) -> Iterator[tuple[Any, Any]]:
    """Yield ``(inputs[idx], targets[idx])`` batches of ``batch_size`` samples.

    Args:
        inputs: an array (or list) of samples.
        targets: an array (or list) with one target per sample.
        batch_size: samples per batch.
        allow_dynamic_batch_size: yield the last, smaller batch too (TensorLayer drops it).
        shuffle: visit the samples in a random order (each at most once per pass).
        seed: an int or a ``numpy.random.Generator`` for the shuffle; ``None`` uses the global
            ``np.random`` state, so ``np.random.seed(...)`` in ported code still reproduces.

    Lists are indexed element by element when shuffling and returned as lists.

    Examples:
        >>> X, y = np.arange(10).reshape(5, 2), np.arange(5)
        >>> [b[1].tolist() for b in minibatches(X, y, batch_size=2)]
        [[0, 1], [2, 3]]
    """
    _same_length("minibatches", inputs, targets)
    batch_size = _positive_int("minibatches", "batch_size", batch_size)
    n = len(inputs)
    indices = None
    if shuffle:
        indices = np.arange(n)
        if seed is None:
            np.random.shuffle(indices)
        else:
            (seed if isinstance(seed, np.random.Generator)
             else np.random.default_rng(seed)).shuffle(indices)
    as_lists = shuffle and (isinstance(inputs, list) or isinstance(targets, list))
    for start in range(0, n, batch_size):
        end = start + batch_size
        if end > n:
            if not allow_dynamic_batch_size:
                break
            end = n
        excerpt: Any = slice(start, end) if indices is None else indices[start:end]
        if as_lists:
            yield [inputs[i] for i in excerpt], [targets[i] for i in excerpt]
        else:
            yield inputs[excerpt], targets[excerpt]


def seq_minibatches(inputs: Any, targets: Any, batch_size: int, seq_length: int,
                    stride: int = 1) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Batches of ``batch_size`` windows of ``seq_length`` consecutive samples, flattened.

    Window ``b`` of a batch starts ``b * stride`` after the first one, and consecutive batches
    start ``batch_size * stride`` apart. Each yield has shapes
    ``(batch_size * seq_length, *inputs.shape[1:])`` and the same for targets (the layout of
    a TimeDistributed / RNN input that is reshaped to ``[batch, seq_length, ...]``).

    >>> X, y = np.arange(8), np.arange(8) * 10
    >>> x0, y0 = next(seq_minibatches(X, y, batch_size=2, seq_length=3))
    >>> x0.tolist()
    [0, 1, 2, 1, 2, 3]
    """
    _same_length("seq_minibatches", inputs, targets)
    batch_size = _positive_int("seq_minibatches", "batch_size", batch_size)
    seq_length = _positive_int("seq_minibatches", "seq_length", seq_length)
    stride = _positive_int("seq_minibatches", "stride", stride)
    inputs, targets = np.asarray(inputs), np.asarray(targets)
    n_loads = batch_size * stride + (seq_length - stride)
    for start in range(0, len(inputs) - n_loads + 1, batch_size * stride):
        rows = start + np.arange(batch_size)[:, None] * stride + np.arange(seq_length)[None, :]
        flat = rows.reshape(-1)
        yield inputs[flat], targets[flat]


def seq_minibatches2(inputs: Any, targets: Any, batch_size: int,
                     num_steps: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """:func:`ptb_iterator` for paired inputs and targets (no shift between them).

    Both are cut into ``batch_size`` rows of ``len // batch_size`` samples; each yield is
    ``(x, y)`` of shape ``(batch_size, num_steps, *shape[1:])``, windows taken left to right for
    ``(len // batch_size - 1) // num_steps`` steps (TensorLayer's count).

    >>> x, y = next(seq_minibatches2(np.arange(20), np.arange(20, 40), 2, 3))
    >>> x.tolist(), y.tolist()
    ([[0, 1, 2], [10, 11, 12]], [[20, 21, 22], [30, 31, 32]])

    Raises:
        ValueError: if that step count is 0 (decrease ``batch_size`` or ``num_steps``).
    """
    _same_length("seq_minibatches2", inputs, targets)
    batch_size = _positive_int("seq_minibatches2", "batch_size", batch_size)
    num_steps = _positive_int("seq_minibatches2", "num_steps", num_steps)
    inputs, targets = np.asarray(inputs), np.asarray(targets)
    batch_len = len(inputs) // batch_size
    x_rows = inputs[:batch_size * batch_len].reshape((batch_size, batch_len) + inputs.shape[1:])
    y_rows = targets[:batch_size * batch_len].reshape((batch_size, batch_len) + targets.shape[1:])
    epoch_size = _epoch_size("seq_minibatches2", len(inputs), batch_size, num_steps)
    for i in range(epoch_size):
        window = slice(i * num_steps, (i + 1) * num_steps)
        yield x_rows[:, window], y_rows[:, window]


def _epoch_size(fn: str, data_len: int, batch_size: int, num_steps: int) -> int:
    epoch_size = (data_len // batch_size - 1) // num_steps
    if epoch_size <= 0:
        raise ValueError(f"{fn}: epoch_size == 0, decrease batch_size or num_steps (received "
                         f"{data_len} samples, batch_size={batch_size}, num_steps={num_steps}: "
                         f"needs at least batch_size * (num_steps + 1) = "
                         f"{batch_size * (num_steps + 1)} samples)")
    return epoch_size


def ptb_iterator(raw_data: Any, batch_size: int,
                 num_steps: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Iterate a token-id stream as ``batch_size`` parallel rows, ``num_steps`` at a time.

    The stream is cut into ``batch_size`` contiguous rows of ``len // batch_size`` ids (the
    remainder is dropped). Step ``i`` yields ``x = rows[:, i*num_steps:(i+1)*num_steps]`` and
    ``y``, the same window shifted right by one (the next-word targets), both int32 of shape
    ``(batch_size, num_steps)``, for ``(len // batch_size - 1) // num_steps`` steps.

    Examples:
        >>> for x, y in ptb_iterator(list(range(20)), batch_size=2, num_steps=3):
        ...     print(x.tolist(), y.tolist())
        [[0, 1, 2], [10, 11, 12]] [[1, 2, 3], [11, 12, 13]]
        [[3, 4, 5], [13, 14, 15]] [[4, 5, 6], [14, 15, 16]]
        [[6, 7, 8], [16, 17, 18]] [[7, 8, 9], [17, 18, 19]]

    Raises:
        ValueError: if there is not a single step (decrease ``batch_size`` or ``num_steps``).
    """
    batch_size = _positive_int("ptb_iterator", "batch_size", batch_size)
    num_steps = _positive_int("ptb_iterator", "num_steps", num_steps)
    raw = np.asarray(raw_data, dtype=np.int32).reshape(-1)
    batch_len = len(raw) // batch_size
    rows = raw[:batch_size * batch_len].reshape(batch_size, batch_len)
    epoch_size = _epoch_size("ptb_iterator", len(raw), batch_size, num_steps)
    for i in range(epoch_size):
        yield (rows[:, i * num_steps:(i + 1) * num_steps],
               rows[:, i * num_steps + 1:(i + 1) * num_steps + 1])
