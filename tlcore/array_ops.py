"""``tl.array_ops`` (also ``tl.alphas``, ``tl.alphas_like``): tensors filled with one value."""
from __future__ import annotations

from typing import Any

import tensorflow as tf

__all__ = ["alphas", "alphas_like"]


def alphas(shape: Any, alpha_value: Any, name: str | None = None,
           dtype: tf.DType | str | None = None) -> tf.Tensor:
    """A tensor of ``shape`` with every element equal to ``alpha_value``.

    ``tf.ones(shape) * alpha_value`` without the multiply. The dtype is ``dtype`` if given, else
    the dtype of ``alpha_value`` (a Python float gives float32, an int int32), as in TensorLayer.

    >>> alphas([2, 3], 0.5).numpy().tolist()
    [[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]
    """
    value = tf.convert_to_tensor(alpha_value, dtype=dtype)
    if value.shape.rank not in (None, 0):
        raise ValueError(f"alphas: alpha_value must be a scalar, received shape "
                         f"{tuple(value.shape.as_list())}")
    if isinstance(shape, (list, tuple)) and any(
            d is None or (isinstance(d, int) and not isinstance(d, bool) and d < 0) for d in shape):
        raise ValueError(f"alphas: shape must be fully defined with dims >= 0, received "
                         f"{tuple(shape)}")
    return tf.fill(shape, value, name=name)


def alphas_like(tensor: Any, alpha_value: Any, name: str | None = None, optimize: bool = True,
                dtype: tf.DType | str | None = None) -> tf.Tensor:
    """A tensor with the shape of ``tensor`` filled with ``alpha_value``.

    The dtype is ``dtype`` if given, else the dtype of ``tensor`` (like ``tf.ones_like``; so
    ``alphas_like(float_x, 1)`` is float, where TensorLayer 1.x returned int32). ``optimize``
    is accepted for ported code: the static shape is used whenever it is fully known.

    >>> alphas_like(tf.zeros((2, 2)), 7).numpy().tolist()
    [[7.0, 7.0], [7.0, 7.0]]
    """
    tensor = tf.convert_to_tensor(tensor)
    target = tf.as_dtype(dtype or tensor.dtype)
    try:
        value = tf.convert_to_tensor(alpha_value, dtype=target)
    except (TypeError, ValueError):
        raise TypeError(f"alphas_like: alpha_value {alpha_value!r} cannot be represented as "
                        f"{target.name}, the dtype of tensor; pass dtype=") from None
    if value.shape.rank not in (None, 0):
        raise ValueError(f"alphas_like: alpha_value must be a scalar, received shape "
                         f"{tuple(value.shape.as_list())}")
    shape = tensor.shape
    dims = shape.as_list() if optimize and shape.is_fully_defined() else tf.shape(tensor)
    return tf.fill(dims, value, name=name)
