"""Shape layers: FlattenLayer, ReshapeLayer, TransposeLayer, ExpandDimsLayer, TileLayer.

They have no parameters; their output shapes are computed from the parent's static shape so
that errors name the layer at build time.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import tensorflow as tf

from tlcore.layers._utils import shape_str, who
from tlcore.layers.core import Layer


def _int_list(layer: Layer, arg: str, value: Any, *, allow_none: bool = False) -> list[Any]:
    """``value`` as a list of ints (``None`` entries allowed if ``allow_none``)."""
    ok = isinstance(value, (list, tuple)) and all(
        (v is None and allow_none) or (isinstance(v, (int, np.integer)) and not isinstance(v, bool))
        for v in value)
    if not ok:
        raise ValueError(f"{who(layer)}: {arg} must be a list of ints, received {value!r}")
    return [None if v is None else int(v) for v in value]


class FlattenLayer(Layer):
    """Flattens every dimension but the batch: ``(B, d1, d2, ...) -> (B, d1*d2*...)``.

    Args:
        prev_layer: parent layer of rank >= 2 with known non-batch dims.
        name: layer name.

    >>> FlattenLayer(InputLayer([None, 28, 28, 1])).output_shape
    (None, 784)
    """

    def __init__(self, prev_layer: Layer, name: str | None = None) -> None:
        super().__init__(prev_layer, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        dims = input_shape.as_list() if input_shape.rank is not None else None
        if dims is None or len(dims) < 2 or any(d is None for d in dims[1:]):
            raise ValueError(f"{who(self)}: expected input of rank >= 2 with known non-batch "
                             f"dims, received shape {shape_str(input_shape)}")
        self.n_units = int(np.prod(dims[1:]))

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        return tf.TensorSpec((input_spec.shape[0], self.n_units), input_spec.dtype)

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        return tf.reshape(inputs, (-1, self.n_units))


class ReshapeLayer(Layer):
    """Reshapes the output with ``tf.reshape(inputs, shape)``; ``-1`` (once) is inferred.

    As in TensorLayer, ``shape`` includes the batch dim, usually as ``-1``:
    ``ReshapeLayer(net, shape=(-1, 28, 28, 1))``; it may move dims into or out of the batch
    (``(-1, 5)`` on ``(None, 20, 5)`` gives ``(None, 5)`` with 20 rows per example).

    Args:
        prev_layer: parent layer.
        shape: the target shape (list of ints, at most one ``-1``).
        name: layer name.

    >>> ReshapeLayer(InputLayer([None, 784]), shape=(-1, 28, 28, 1)).output_shape
    (None, 28, 28, 1)
    """

    def __init__(self, prev_layer: Layer, shape: Sequence[int], name: str | None = None) -> None:
        self.shape = tuple(_int_list(self, "shape", shape))
        if (not self.shape or self.shape.count(-1) > 1
                or any(d < -1 or d == 0 for d in self.shape)):
            raise ValueError(f"{who(self)}: shape must be a non-empty list of positive ints "
                             f"with at most one -1, received {list(shape)!r}")
        super().__init__(prev_layer, name=name)

    # No per-example size check: ``(-1, 5)`` on ``(None, 20, 5)`` moves steps into the batch,
    # as 1.11 allowed. A fully known mismatch still fails when the output spec is traced.

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        return tf.reshape(inputs, self.shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("shape")}


class TransposeLayer(Layer):
    """Permutes dimensions with ``tf.transpose(inputs, perm)``.

    Args:
        prev_layer: parent layer.
        perm: a permutation of ``range(rank)`` (the batch dim included).
        name: layer name.

    >>> TransposeLayer(InputLayer([None, 3, 5]), perm=[0, 2, 1]).output_shape
    (None, 5, 3)
    """

    def __init__(self, prev_layer: Layer, perm: Sequence[int], name: str | None = None) -> None:
        self.perm = tuple(_int_list(self, "perm", perm))
        super().__init__(prev_layer, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        if input_shape.rank is None or sorted(self.perm) != list(range(input_shape.rank)):
            raise ValueError(f"{who(self)}: perm must be a permutation of range(rank), received "
                             f"perm {list(self.perm)} for input shape {shape_str(input_shape)}")

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        return tf.transpose(inputs, self.perm)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("perm")}


class ExpandDimsLayer(Layer):
    """Inserts a dimension of size 1 at ``axis`` (``tf.expand_dims``).

    Args:
        prev_layer: parent layer.
        axis: position of the new dim in the output, in ``[-rank-1, rank]``.
        name: layer name.

    >>> ExpandDimsLayer(InputLayer([None, 3]), axis=-1).output_shape
    (None, 3, 1)
    """

    def __init__(self, prev_layer: Layer, axis: int, name: str | None = None) -> None:
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise ValueError(f"{who(self)}: axis must be an int, received {axis!r}")
        self.axis = int(axis)
        super().__init__(prev_layer, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        rank = input_shape.rank
        if rank is not None and not -rank - 1 <= self.axis <= rank:
            raise ValueError(f"{who(self)}: axis must be in [{-rank - 1}, {rank}] for input shape "
                             f"{shape_str(input_shape)}, received {self.axis}")

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        return tf.expand_dims(inputs, self.axis)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("axis")}


class TileLayer(Layer):
    """Repeats the output ``multiples[i]`` times along dim ``i`` (``tf.tile``).

    Args:
        prev_layer: parent layer.
        multiples: one positive int per dim (the batch dim included). ``-1``, which
            TensorLayer 1.11 accepted when building (TensorFlow refuses it when run), is read
            as 1: that dim is kept.
        name: layer name.

    >>> TileLayer(InputLayer([None, 3, 1]), multiples=[1, 1, 4]).output_shape
    (None, 3, 4)
    """

    def __init__(self, prev_layer: Layer, multiples: Sequence[int] | None = None,
                 name: str | None = None) -> None:
        self.multiples = tuple(_int_list(self, "multiples", multiples))
        if any(m <= 0 and m != -1 for m in self.multiples):
            raise ValueError(f"{who(self)}: multiples must be positive ints (or -1, read as 1), "
                             f"received {list(self.multiples)!r}")
        super().__init__(prev_layer, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        if input_shape.rank is None or input_shape.rank != len(self.multiples):
            raise ValueError(f"{who(self)}: multiples needs one entry per dim of the input shape "
                             f"{shape_str(input_shape)}, received {list(self.multiples)}")

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        return tf.tile(inputs, [1 if m == -1 else m for m in self.multiples])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("multiples")}
