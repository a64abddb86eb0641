"""Mixed precision inside ``fit``: the compute dtype of a network call and the casts."""
from __future__ import annotations

import contextlib
import contextvars
import copy
from typing import TYPE_CHECKING, Any, Iterator

import tensorflow as tf

if TYPE_CHECKING:
    from tlcore.layers.core import Layer

__all__ = ["cast_float", "casting_view", "compute_dtype", "current_compute_dtype"]

_COMPUTE: contextvars.ContextVar[tf.DType | None] = contextvars.ContextVar(
    "tlcore_compute_dtype", default=None)


@contextlib.contextmanager
def compute_dtype(dtype: tf.DType | str | None) -> Iterator[None]:
    """Run networks called in this block in the float compute dtype ``dtype`` (mixed precision).

    Layers whose :attr:`Layer.autocast` is True compute in ``dtype`` (e.g. ``bfloat16``) on
    their inputs and trainable variables cast to it; the variables themselves stay float32 (the
    master weights), and their gradients come back as float32 through the casts. Other layers
    compute in their own dtype. ``None`` (or a layer's own dtype) changes nothing. Outside such
    a block a network computes as built, so ``network(x)`` keeps its output dtype.
    """
    as_dtype = None if dtype is None else tf.as_dtype(dtype)
    if as_dtype is not None and not as_dtype.is_floating:
        raise ValueError(f"compute_dtype: expected a float dtype, received {as_dtype.name}")
    token = _COMPUTE.set(as_dtype)
    try:
        yield
    finally:
        _COMPUTE.reset(token)


def cast_float(t: Any, dtype: tf.DType, only: tf.DType | None = None) -> Any:
    """``t`` cast to ``dtype`` if it is a float tensor (of dtype ``only`` when given)."""
    if isinstance(t, (tf.Tensor, tf.Variable)) and t.dtype.is_floating and t.dtype != dtype \
            and (only is None or t.dtype == only):
        return tf.cast(t, dtype)
    return t


def casting_view(layer: Layer, dtype: tf.DType) -> Layer:
    """A shallow copy of ``layer`` whose trainable float variables (attributes, or in list
    attributes) read as ``dtype`` casts; non-trainable state (moving statistics, keep
    probabilities) stays the variable, so that ``forward`` can still assign to it."""
    def cast(v: Any) -> Any:
        if isinstance(v, tf.Variable) and v.trainable and v.dtype.is_floating:
            return tf.cast(v, dtype)
        return v

    view = copy.copy(layer)
    for name, value in vars(layer).items():
        if isinstance(value, tf.Variable):
            setattr(view, name, cast(value))
        elif isinstance(value, (list, tuple)) and any(isinstance(v, tf.Variable) for v in value):
            setattr(view, name, type(value)(cast(v) for v in value))
    return view


def current_compute_dtype() -> tf.DType | None:
    """The compute dtype of the enclosing :func:`compute_dtype` block, or ``None``."""
    return _COMPUTE.get()
