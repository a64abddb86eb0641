"""``tl.activation`` (alias ``tl.act``): TensorLayer's activation functions as plain TF ops.

Every function takes a tensor (or anything ``tf.convert_to_tensor`` accepts) and returns a tensor
of the same shape and dtype; all trace under ``tf.function``. Layers accept them as ``act=`` either
as the function or by name (``act="lrelu"``): ``tlcore.layers._utils.get_act`` looks names up in
``__all__``, which therefore lists the aliases too.
"""
from __future__ import annotations

from numbers import Real
from typing import Any

import tensorflow as tf

__all__ = [
    "hard_tanh",
    "htanh",
    "identity",
    "leaky_relu",
    "leaky_relu6",
    "leaky_twice_relu6",
    "linear",
    "lrelu",
    "lrelu6",
    "ltrelu6",
    "pixel_wise_softmax",
    "ramp",
    "sign",
    "swish",
]


def _check_alpha(fn: str, arg: str, alpha: Any) -> None:
    # A slope outside (0, 1] turns max(x, alpha*x) into something that is not a leaky ReLU.
    if isinstance(alpha, bool) or not isinstance(alpha, Real) or not 0 < float(alpha) <= 1:
        raise ValueError(f"{fn}: {arg} must be a number in (0, 1], received {alpha!r}")


def identity(x: Any, name: str | None = None) -> tf.Tensor:
    """Return ``x`` unchanged (TensorLayer 1.x ``tl.act.identity``, the act of logits layers)."""
    return tf.identity(x, name=name)


def linear(x: Any, name: str | None = None) -> tf.Tensor:
    """Same as :func:`identity`; kept because TensorLayer 1.x code passes ``act=tl.act.linear``."""
    return tf.identity(x, name=name)


def ramp(x: Any, v_min: float = 0, v_max: float = 1, name: str | None = None) -> tf.Tensor:
    """Clip ``x`` to ``[v_min, v_max]``.

    >>> ramp(tf.constant([-1.0, 0.5, 2.0])).numpy().tolist()
    [0.0, 0.5, 1.0]
    """
    if v_min > v_max:
        raise ValueError(f"ramp: v_min must not exceed v_max, received v_min={v_min!r}, "
                         f"v_max={v_max!r}")
    x = tf.convert_to_tensor(x)
    return tf.clip_by_value(x, tf.cast(v_min, x.dtype), tf.cast(v_max, x.dtype), name=name)


def leaky_relu(x: Any, alpha: float = 0.2, name: str = "leaky_relu") -> tf.Tensor:
    """``max(x, alpha * x)``: slope ``alpha`` for negative inputs (alias ``lrelu``).

    TensorLayer <= 1.7 used ``alpha=0.1``; 1.8+ (and tlcore) use 0.2.

    >>> leaky_relu(tf.constant([-1.0, 2.0])).numpy().tolist()
    [-0.20000000298023224, 2.0]
    """
    _check_alpha("leaky_relu", "alpha", alpha)
    x = tf.convert_to_tensor(x)
    with tf.name_scope(name or "act"):
        return tf.maximum(x, tf.cast(alpha, x.dtype) * x)


def leaky_relu6(x: Any, alpha: float = 0.2, name: str = "leaky_relu6") -> tf.Tensor:
    """``alpha * x`` for ``x < 0``, ``min(x, 6)`` otherwise (alias ``lrelu6``).

    >>> leaky_relu6(tf.constant([-1.0, 3.0, 8.0])).numpy().tolist()
    [-0.20000000298023224, 3.0, 6.0]
    """
    _check_alpha("leaky_relu6", "alpha", alpha)
    x = tf.convert_to_tensor(x)
    with tf.name_scope(name or "act"):
        return tf.minimum(tf.maximum(x, tf.cast(alpha, x.dtype) * x), tf.cast(6, x.dtype))


def leaky_twice_relu6(x: Any, alpha_low: float = 0.2, alpha_high: float = 0.2,
                      name: str = "leaky_twice_relu6") -> tf.Tensor:
    """Leaky at both ends of ReLU6 (alias ``ltrelu6``).

    ``alpha_low * x`` for ``x < 0``, ``x`` on ``[0, 6]``, ``6 + alpha_high * (x - 6)`` above 6.

    >>> leaky_twice_relu6(tf.constant([-1.0, 3.0, 11.0])).numpy().tolist()
    [-0.20000000298023224, 3.0, 7.0]
    """
    _check_alpha("leaky_twice_relu6", "alpha_low", alpha_low)
    _check_alpha("leaky_twice_relu6", "alpha_high", alpha_high)
    x = tf.convert_to_tensor(x)
    with tf.name_scope(name or "act"):
        low, high = tf.cast(alpha_low, x.dtype), tf.cast(alpha_high, x.dtype)
        six = tf.cast(6, x.dtype)
        above = tf.minimum(x, six + high * (x - six))   # x up to 6, the high slope beyond
        below = tf.minimum(low * x, tf.zeros_like(x))   # the low slope below 0, else 0
        return tf.maximum(above, below)


def swish(x: Any, name: str = "swish") -> tf.Tensor:
    """``x * sigmoid(x)`` (Ramachandran et al. 2017, https://arxiv.org/abs/1710.05941)."""
    x = tf.convert_to_tensor(x)
    with tf.name_scope(name or "act"):
        return x * tf.sigmoid(x)


@tf.custom_gradient
def _sign_ste(x: tf.Tensor) -> Any:
    def grad(dy: tf.Tensor) -> tf.Tensor:
        return tf.clip_by_value(dy, tf.cast(-1, dy.dtype), tf.cast(1, dy.dtype))

    return tf.sign(x), grad


def sign(x: Any, name: str = "sign") -> tf.Tensor:
    """``tf.sign`` with a straight-through gradient: the incoming gradient clipped to [-1, 1].

    ``tf.sign`` has zero gradient almost everywhere, which stops training of binarized networks;
    as in TensorLayer (and BinaryNet, https://arxiv.org/abs/1602.02830) the gradient is passed
    through, clipped so that it cannot blow up.

    >>> x = tf.constant([-2.0, 0.0, 3.0])
    >>> with tf.GradientTape() as tape:
    ...     tape.watch(x)
    ...     y = tf.reduce_sum(sign(x) * 5.0)
    >>> tape.gradient(y, x).numpy().tolist()
    [1.0, 1.0, 1.0]
    """
    with tf.name_scope(name or "act"):
        return _sign_ste(tf.convert_to_tensor(x))


def hard_tanh(x: Any, name: str = "htanh") -> tf.Tensor:
    """``clip(x, -1, 1)`` (alias ``htanh``)."""
    x = tf.convert_to_tensor(x)
    return tf.clip_by_value(x, tf.cast(-1, x.dtype), tf.cast(1, x.dtype), name=name)


def pixel_wise_softmax(x: Any, name: str = "pixel_wise_softmax") -> tf.Tensor:
    """Softmax over the last (channel) axis at every pixel of ``[batch, ..., channels]``.

    Kept for ported segmentation code; equal to ``tf.nn.softmax(x, axis=-1)``.
    """
    return tf.nn.softmax(x, axis=-1, name=name)


# TensorLayer's short names; the same function objects, so act_name() serializes them under
# their long name and get_act() finds either.
lrelu = leaky_relu
lrelu6 = leaky_relu6
ltrelu6 = leaky_twice_relu6
htanh = hard_tanh
