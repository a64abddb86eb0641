"""Sequence helpers of TensorLayer's recurrent layers: lengths, masks, indexing, state reset.

``retrieve_seq_length_op*`` compute each sequence's length from padded data (given a network
input's ``tf.TensorSpec`` or InputLayer, as TensorLayer 1.x code passes its placeholder, they
return a :class:`~tlcore.layers.core.FedValue` that the recurrent layers' ``sequence_length=``
computes from every fed batch), ``target_mask_op``
the 0/1 mask of real steps, ``advanced_indexing_op`` picks one step per sequence (e.g. the last
real one), and ``initialize_rnn_state`` resets the state a recurrent layer keeps across calls.
"""
from __future__ import annotations

import functools
from typing import Any

import numpy as np
import tensorflow as tf

from tlcore.layers.core import FedValue, InputLayer
from tlcore.layers.utils import shape_str

__all__ = ["advanced_indexing_op", "initialize_rnn_state", "retrieve_seq_length_op",
           "retrieve_seq_length_op2", "retrieve_seq_length_op3", "target_mask_op"]


def _stand_in(data: Any) -> bool:
    """True for a placeholder's stand-in: a ``tf.TensorSpec`` or an InputLayer."""
    return isinstance(data, tf.TensorSpec) or isinstance(data, InputLayer)


def _deferred(data: Any, fn: Any, name: str, ranks: tuple[int, ...], **kw: Any) -> FedValue:
    """TensorLayer 1.x's op on the input placeholder: computed from each fed batch instead."""
    spec = getattr(data, "feed_spec", None) or getattr(data, "output_spec", data)
    _rank(spec, ranks, name)
    return FedValue(data, functools.partial(fn, **kw), f"{name}(<input {shape_str(spec.shape)}>)",
                    op=name, op_kwargs=kw)


def _data(data: Any, fn: str) -> tf.Tensor:
    """``data`` as a tensor; a placeholder stand-in that cannot be used says where to go."""
    if isinstance(data, tf.TensorSpec) or hasattr(data, "all_layers"):
        raise TypeError(
            f"{fn}: computes from data, received a {type(data).__name__} (TensorLayer 1.x "
            f"passed the ids placeholder at construction); compute it from each batch, "
            f"{fn}(ids), where it is used")
    return tf.convert_to_tensor(data)


def _rank(data: tf.Tensor, allowed: tuple[int, ...], fn: str) -> int:
    rank = data.shape.rank
    if rank not in allowed:
        want = " or ".join(str(r) for r in allowed)
        raise ValueError(f"{fn}: expected rank-{want} data, received shape "
                         f"{tuple(data.shape.as_list()) if rank is not None else '<unknown rank>'}")
    return rank


def retrieve_seq_length_op(data: Any) -> tf.Tensor:
    """Lengths of zero-padded sequences ``[batch, n_step, n_features]``: the number of steps
    whose feature vector is not all zero (int32, shape ``[batch]``).

    >>> retrieve_seq_length_op([[[1.], [2.], [0.]], [[1.], [0.], [0.]]]).numpy()
    array([2, 1], dtype=int32)
    """
    if _stand_in(data):
        return _deferred(data, retrieve_seq_length_op, "retrieve_seq_length_op", (3,))
    data = _data(data, "retrieve_seq_length_op")
    _rank(data, (3,), "retrieve_seq_length_op")
    used = tf.sign(tf.reduce_max(tf.abs(data), axis=2))
    return tf.cast(tf.reduce_sum(used, axis=1), tf.int32)


def retrieve_seq_length_op2(data: Any) -> tf.Tensor:
    """Lengths of id sequences ``[batch, n_step]`` padded with zeros: the count of ids > 0.

    >>> retrieve_seq_length_op2([[1, 2, 0, 0], [1, 2, 3, 0]]).numpy()
    array([2, 3], dtype=int32)
    """
    if _stand_in(data):
        return _deferred(data, retrieve_seq_length_op2, "retrieve_seq_length_op2", (2,))
    data = _data(data, "retrieve_seq_length_op2")
    _rank(data, (2,), "retrieve_seq_length_op2")
    return tf.reduce_sum(tf.cast(tf.greater(data, tf.zeros_like(data)), tf.int32), axis=1)


def _real_steps(data: tf.Tensor, pad_val: Any, fn: str) -> tf.Tensor:
    rank = _rank(data, (2, 3), fn)
    real = tf.not_equal(data, tf.cast(pad_val, data.dtype))
    return real if rank == 2 else tf.reduce_any(real, axis=2)


def retrieve_seq_length_op3(data: Any, pad_val: Any = 0) -> tf.Tensor:
    """Lengths of ``[batch, n_step]`` or ``[batch, n_step, n_features]`` data: the number of
    steps that differ from ``pad_val`` (for 3-D data, in any feature).

    >>> retrieve_seq_length_op3([[1, 2, 0, 0], [1, 2, 3, 0]]).numpy()
    array([2, 3], dtype=int32)
    """
    if _stand_in(data):
        return _deferred(data, retrieve_seq_length_op3, "retrieve_seq_length_op3", (2, 3),
                         pad_val=pad_val)
    data = _data(data, "retrieve_seq_length_op3")
    return tf.reduce_sum(tf.cast(_real_steps(data, pad_val, "retrieve_seq_length_op3"), tf.int32),
                         axis=1)


def target_mask_op(data: Any, pad_val: Any = 0) -> tf.Tensor:
    """The int32 mask ``[batch, n_step]``: 1 where a step differs from ``pad_val``, else 0.

    >>> target_mask_op([[1, 2, 0], [3, 0, 0]]).numpy().tolist()
    [[1, 1, 0], [1, 0, 0]]
    """
    data = _data(data, "target_mask_op")
    return tf.cast(_real_steps(data, pad_val, "target_mask_op"), tf.int32)


# Given a network input, these return a FedValue; a saved network may name them to bind one
# again (tlcore.layers.core.FedValue.from_config runs only functions marked so).
for _op in (retrieve_seq_length_op, retrieve_seq_length_op2, retrieve_seq_length_op3):
    _op.makes_fed_value = True  # type: ignore[attr-defined]


def advanced_indexing_op(inputs: Any, index: Any) -> tf.Tensor:
    """``inputs[b, index[b]]`` for each batch entry: picks one step per sequence, e.g. the
    last real output with ``index = sequence_length - 1``.

    Args:
        inputs: ``[batch, n_step, ...]``.
        index: int ``[batch]``.

    Returns:
        ``[batch, ...]``.
    """
    inputs = tf.convert_to_tensor(inputs)
    index = tf.cast(tf.convert_to_tensor(index), tf.int32)
    batch = tf.range(tf.shape(inputs)[0], dtype=tf.int32)
    return tf.gather_nd(inputs, tf.stack([batch, index], axis=1))


def initialize_rnn_state(state: Any, batch_size: int | None = None) -> Any:
    """Reset the state that recurrent layers keep across calls, or zero a given state.

    Args:
        state: a recurrent layer or any network (every recurrent layer in ``all_layers`` is
            reset), or, as in TensorLayer 1.x where this evaluated ``layer.initial_state``, a
            state value (tensor or tuple of tensors).
        batch_size: with a layer or network, store zeros of this batch size; by default the
            stored state is emptied, which means zeros for any batch size on the next call.

    Returns:
        ``None`` for a layer or network; for a state value, numpy zeros of its structure.
    """
    layers = getattr(state, "all_layers", None)
    if layers is None:
        return tf.nest.map_structure(lambda t: np.zeros(np.shape(t), np.float32), state)
    for layer in layers:
        reset = getattr(layer, "reset_state", None)
        if callable(reset):
            reset(batch_size)
    return None
