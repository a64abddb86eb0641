"""Sequence helpers: padding, removing padding, start/end ids, masks (TensorLayer 1.x).

Inputs are lists of lists (or arrays); inputs are never modified.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np


def pad_sequences(sequences: Sequence[Sequence[Any]], maxlen: int | None = None,
                  dtype: Any = "int32", padding: str = "post", truncating: str = "pre",
                  value: float = 0.0) -> list:
    """Pad (or truncate) every sequence to ``maxlen`` (default: the longest).

    Args:
        padding: ``'post'`` pads at the end, ``'pre'`` at the start.
        truncating: ``'pre'`` drops the start of long sequences, ``'post'`` the end.
        value: the padding value.

    Returns:
        A list of lists (as TensorLayer), ``np.asarray`` of it has shape ``(n, maxlen, ...)``.

    >>> pad_sequences([[1, 1, 1, 1, 1], [2, 2, 2], [3, 3]], dtype='int32', padding='post')
    [[1, 1, 1, 1, 1], [2, 2, 2, 0, 0], [3, 3, 0, 0, 0]]
    """
    if padding not in ("pre", "post"):
        raise ValueError(f"tl.prepro.pad_sequences: padding must be 'pre' or 'post', received "
                         f"{padding!r}")
    if truncating not in ("pre", "post"):
        raise ValueError(f"tl.prepro.pad_sequences: truncating must be 'pre' or 'post', "
                         f"received {truncating!r}")
    lengths = [len(s) for s in sequences]
    if maxlen is None:
        maxlen = max(lengths) if lengths else 0
    sample_shape: tuple[int, ...] = ()
    for s in sequences:
        if len(s) > 0:
            sample_shape = np.asarray(s).shape[1:]
            break
    x = np.full((len(sequences), maxlen) + sample_shape, value).astype(dtype)
    for i, s in enumerate(sequences):
        if len(s) == 0 or maxlen == 0:
            continue
        trunc = np.asarray(s[-maxlen:] if truncating == "pre" else s[:maxlen], dtype=dtype)
        if trunc.shape[1:] != sample_shape:
            raise ValueError(f"tl.prepro.pad_sequences: sequence {i} has element shape "
                             f"{trunc.shape[1:]}, expected {sample_shape} like the first")
        if padding == "post":
            x[i, :len(trunc)] = trunc
        else:
            x[i, -len(trunc):] = trunc
    return x.tolist()


def remove_pad_sequences(sequences: Sequence[Sequence[Any]], pad_id: Any = 0) -> list:
    """Drop the trailing ``pad_id`` of every sequence.

    >>> remove_pad_sequences([[2, 3, 4, 0, 0], [5, 1, 2, 3, 4, 0], [4, 5, 0, 2, 4, 0]])
    [[2, 3, 4], [5, 1, 2, 3, 4], [4, 5, 0, 2, 4]]
    """
    out = []
    for s in sequences:
        s = list(s)
        end = len(s)
        while end > 0 and s[end - 1] == pad_id:
            end -= 1
        out.append(s[:end])
    return out


def process_sequences(sequences: Sequence[Sequence[Any]], end_id: Any = 0, pad_val: Any = 0,
                      is_shorten: bool = True, remain_end_id: bool = False) -> list:
    """Replace everything after the first ``end_id`` (and the id itself unless
    ``remain_end_id``) by ``pad_val``; ``is_shorten`` cuts all sequences to the longest kept
    part (a sequence without ``end_id`` counts in full).

    >>> process_sequences([[4, 3, 5, 3, 2, 2, 2, 2], [5, 3, 9, 4, 9, 2, 2, 3]], end_id=2)
    [[4, 3, 5, 3, 0], [5, 3, 9, 4, 9]]
    """
    out, max_length = [], 0
    for seq in sequences:
        seq = list(seq)
        try:
            first = seq.index(end_id)
        except ValueError:
            first = None
        if first is None:
            max_length = max(max_length, len(seq))
        else:
            keep = first + 1 if remain_end_id else first
            max_length = max(max_length, keep)
            seq[keep:] = [pad_val] * (len(seq) - keep)
        out.append(seq)
    if is_shorten:
        out = [s[:max_length] for s in out]
    return out


def sequences_add_start_id(sequences: Sequence[Sequence[Any]], start_id: Any = 0,
                           remove_last: bool = False) -> list:
    """Prepend ``start_id`` (``remove_last`` keeps the length by dropping the last id).

    >>> sequences_add_start_id([[4, 3, 5, 3, 2, 2, 2, 2]], start_id=2, remove_last=True)
    [[2, 4, 3, 5, 3, 2, 2, 2]]
    """
    return [[start_id] + list(s)[:-1] if remove_last else [start_id] + list(s)
            for s in sequences]


def sequences_add_end_id(sequences: Sequence[Sequence[Any]], end_id: Any = 888) -> list:
    """Append ``end_id`` to every sequence.

    >>> sequences_add_end_id([[1, 2, 3], [4, 5, 6, 7]], end_id=999)
    [[1, 2, 3, 999], [4, 5, 6, 7, 999]]
    """
    return [list(s) + [end_id] for s in sequences]


def sequences_add_end_id_after_pad(sequences: Sequence[Sequence[Any]], end_id: Any = 888,
                                   pad_id: Any = 0) -> list:
    """Write ``end_id`` over the first ``pad_id`` of every sequence (unchanged if none).

    >>> sequences_add_end_id_after_pad([[1, 2, 0, 0], [1, 2, 3, 0], [1, 2, 3, 4]], end_id=99)
    [[1, 2, 99, 0], [1, 2, 3, 99], [1, 2, 3, 4]]
    """
    out = []
    for s in sequences:
        s = list(s)
        if pad_id in s:
            s[s.index(pad_id)] = end_id
        out.append(s)
    return out


def sequences_get_mask(sequences: Any, pad_val: Any = 0) -> np.ndarray:
    """1 for every position except the trailing ``pad_val`` run, as an array.

    >>> sequences_get_mask([[2, 3, 4, 0, 0], [5, 1, 2, 3, 4], [4, 5, 0, 2, 0]]).tolist()
    [[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 1, 1, 1, 0]]
    """
    seqs = np.asarray(sequences)
    mask = np.ones_like(seqs)
    for i, seq in enumerate(seqs):
        for j in reversed(range(len(seq))):
            if seq[j] != pad_val:
                break
            mask[i, j] = 0
    return mask
