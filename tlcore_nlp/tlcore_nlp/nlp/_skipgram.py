"""Skip-gram training batches for word2vec."""
from __future__ import annotations

import collections
import random
from typing import Sequence

import numpy as np


def generate_skip_gram_batch(data: Sequence[int], batch_size: int, num_skips: int,
                             skip_window: int, data_index: int = 0,
                             rng: random.Random | None = None
                             ) -> tuple[np.ndarray, np.ndarray, int]:
    """One skip-gram batch: each centre word paired with ``num_skips`` random context words.

    A window of ``2 * skip_window + 1`` words slides over ``data`` (wrapping around); every
    position yields ``num_skips`` pairs (centre, a distinct context word of the window).

    Args:
        data: word ids.
        batch_size: pairs per batch, a multiple of ``num_skips``.
        num_skips: context words per centre word, at most ``2 * skip_window``.
        skip_window: words on each side of the centre.
        data_index: where the window starts; pass the returned value to continue.
        rng: a ``random.Random`` for reproducible batches (default: the ``random`` module).

    Returns:
        ``batch`` int32 ``[batch_size]``, ``labels`` int32 ``[batch_size, 1]``, next ``data_index``.

    >>> batch, labels, idx = generate_skip_gram_batch(list(range(20)), 8, 2, 1)
    >>> batch.tolist(), sorted(labels[:2, 0].tolist()), idx
    ([1, 1, 2, 2, 3, 3, 4, 4], [0, 2], 7)
    """
    if batch_size % num_skips != 0:
        raise ValueError(f"generate_skip_gram_batch: batch_size must be a multiple of num_skips "
                         f"({num_skips}), received {batch_size}")
    if num_skips > 2 * skip_window:
        raise ValueError(f"generate_skip_gram_batch: num_skips must be <= 2 * skip_window "
                         f"({2 * skip_window}), received {num_skips}")
    span = 2 * skip_window + 1
    if len(data) < span:
        raise ValueError(f"generate_skip_gram_batch: data needs at least {span} words, "
                         f"received {len(data)}")
    draw = rng.randint if rng is not None else random.randint
    batch = np.empty((batch_size,), dtype=np.int32)
    labels = np.empty((batch_size, 1), dtype=np.int32)
    window: collections.deque[int] = collections.deque(maxlen=span)
    for _ in range(span):
        window.append(data[data_index])
        data_index = (data_index + 1) % len(data)
    for i in range(batch_size // num_skips):
        target = skip_window
        avoid = [skip_window]
        for j in range(num_skips):
            while target in avoid:
                target = draw(0, span - 1)
            avoid.append(target)
            batch[i * num_skips + j] = window[skip_window]
            labels[i * num_skips + j, 0] = window[target]
        window.append(data[data_index])
        data_index = (data_index + 1) % len(data)
    return batch, labels, data_index
