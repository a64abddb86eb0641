"""Quantization ops of TensorLayer 1.11's binary, ternary, DoReFa and linear-quantized layers.

Public so that plugins (tlcore-vision's quantized convolutions) share them with the core's
quantized dense layers. Every op is plain TF and traces under ``tf.function``; rounding and
sign use straight-through gradients (Bengio et al. 2013), as TensorLayer's gradient overrides
did:

- :func:`sign` (``quantize`` in 1.11): ``sign(x)``, gradient ``clip(dy, -1, 1)``.
- :func:`ternary`: ``{-1, 0, 1}`` by the threshold ``0.7 * mean|x|`` (Li et al. 2016), and
  :func:`compute_alpha`, the mean ``|x|`` of the entries beyond it.
- :func:`quantize_dorefa`, :func:`quantize_active`, :func:`quantize_weight`: DoReFa-Net's
  k-bit quantizers (Zhou et al. 2016).
- :func:`quantize_overflow`, :func:`quantize_active_overflow`,
  :func:`quantize_weight_overflow`: linear k-bit quantization between the tensor's min and max.
- :func:`w_fold`, :func:`bias_fold`: batch normalization folded into the weights and bias
  (Jacob et al. 2018), for the ``...WithBN`` layers.
"""
from __future__ import annotations

import tensorflow as tf

__all__ = [
    "bias_fold", "cabs", "check_bits", "compute_alpha", "compute_threshold", "quantize_active",
    "quantize_active_overflow", "quantize_dorefa", "quantize_overflow", "quantize_weight",
    "quantize_weight_overflow", "round_ste", "sign", "ternary", "w_fold",
]


def _check_bits(arg: str, k: object) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 32:
        raise ValueError(f"{arg} must be an int in [1, 32], received {k!r}")
    return k


def check_bits(layer: object, arg: str, k: object) -> int:
    """A bit width in [1, 32]; the error names the layer (for layer constructors)."""
    try:
        return _check_bits(arg, k)
    except ValueError as e:
        from tlcore.layers.utils import who

        raise ValueError(f"{who(layer)}: {e}") from None


@tf.custom_gradient
def sign(x: tf.Tensor):
    """``tf.sign(x)``; the gradient passes straight through, clipped to [-1, 1]."""
    def grad(dy: tf.Tensor) -> tf.Tensor:
        return tf.clip_by_value(dy, -1.0, 1.0)

    return tf.sign(x), grad


def _straight(x: tf.Tensor, q: tf.Tensor) -> tf.Tensor:
    """``q`` forward, identity gradient to ``x``."""
    return x + tf.stop_gradient(q - x)


def round_ste(x: tf.Tensor) -> tf.Tensor:
    """``tf.round(x)`` with an identity gradient."""
    return _straight(x, tf.round(x))


def cabs(x: tf.Tensor) -> tf.Tensor:
    """``min(1, |x|)``: DoReFa's activation before quantization."""
    return tf.minimum(tf.constant(1.0, x.dtype), tf.abs(x))


def quantize_dorefa(x: tf.Tensor, k: int) -> tf.Tensor:
    """``round(x * (2^k - 1)) / (2^k - 1)``: ``x`` in [0, 1] to ``2^k`` levels."""
    n = float(2 ** _check_bits("k", k) - 1)
    return round_ste(x * n) / n


def quantize_active(x: tf.Tensor, bitA: int) -> tf.Tensor:
    """DoReFa activation quantization; ``bitA=32`` is the identity."""
    if _check_bits("bitA", bitA) == 32:
        return x
    return quantize_dorefa(x, bitA)


def quantize_weight(x: tf.Tensor, bitW: int, force_quantization: bool = False) -> tf.Tensor:
    """DoReFa weight quantization.

    ``bitW=1``: ``sign(x / E) * E`` with ``E = mean|x|`` (a constant for the gradient);
    otherwise ``2 * quantize_dorefa(clip(x / 2 + 1/2, 0, 1), bitW) - 1``; ``bitW=32`` is the
    identity unless ``force_quantization``.
    """
    if _check_bits("bitW", bitW) == 32 and not force_quantization:
        return x
    if bitW == 1:
        e = tf.stop_gradient(tf.reduce_mean(tf.abs(x)))
        return _straight(x, tf.sign(x / e) * e)
    x = tf.clip_by_value(x * 0.5 + 0.5, 0.0, 1.0)
    return 2.0 * quantize_dorefa(x, bitW) - 1.0


def quantize_overflow(x: tf.Tensor, k: int) -> tf.Tensor:
    """Linear quantization to ``2^k`` levels from ``min(x)`` to ``max(x)``.

    ``round((x - min) / step) * step + min`` with ``step = (max - min) / (2^k - 1)`` (a
    constant for the gradient). A constant tensor (``step == 0``) is returned unchanged, where
    TensorLayer 1.11 divided by zero.
    """
    n = float(2 ** _check_bits("k", k) - 1)
    hi, lo = tf.reduce_max(x), tf.reduce_min(x)
    # Multiplications by reciprocals, written out: graph mode rewrites a division by a scalar
    # into one, and eager mode would then round ties to another level than tf.function.
    step = tf.stop_gradient((hi - lo) * (1.0 / n))
    safe = tf.where(step > 0, step, tf.ones_like(step))
    return round_ste((tf.clip_by_value(x, lo, hi) - lo) * (1.0 / safe)) * safe + lo


def quantize_active_overflow(x: tf.Tensor, bitA: int) -> tf.Tensor:
    """:func:`quantize_overflow` for activations; ``bitA=32`` is the identity."""
    return x if _check_bits("bitA", bitA) == 32 else quantize_overflow(x, bitA)


def quantize_weight_overflow(x: tf.Tensor, bitW: int) -> tf.Tensor:
    """:func:`quantize_overflow` for weights; ``bitW=32`` is the identity."""
    return x if _check_bits("bitW", bitW) == 32 else quantize_overflow(x, bitW)


def compute_threshold(x: tf.Tensor) -> tf.Tensor:
    """Ternary weight networks' threshold ``0.7 * mean|x|``."""
    return 0.7 * tf.reduce_mean(tf.abs(x))


def ternary(x: tf.Tensor) -> tf.Tensor:
    """``1`` where ``x > t``, ``-1`` where ``x < -t``, else ``0`` (``t``:
    :func:`compute_threshold`); identity gradient (1.11's two overridden signs gave twice
    that, a constant factor of the learning rate)."""
    t = tf.stop_gradient(compute_threshold(x))
    q = tf.where(x > t, tf.ones_like(x), tf.where(x < -t, -tf.ones_like(x), tf.zeros_like(x)))
    return _straight(x, q)


def compute_alpha(x: tf.Tensor) -> tf.Tensor:
    """The ternary scale: mean ``|x|`` over the entries beyond the threshold (differentiable
    in those entries). If there are none (``x`` all zero) it is 0."""
    t = tf.stop_gradient(compute_threshold(x))
    mask = tf.cast(tf.abs(x) > t, x.dtype)
    return tf.reduce_sum(tf.abs(x) * mask) / tf.maximum(tf.reduce_sum(mask), 1.0)


def w_fold(w: tf.Tensor, gamma: tf.Tensor, var: tf.Tensor, epsilon: float) -> tf.Tensor:
    """Batch norm folded into the weights: ``gamma * w / sqrt(var + epsilon)`` (per output
    channel, the last axis of ``w``)."""
    return gamma * w / tf.sqrt(var + epsilon)


def bias_fold(beta: tf.Tensor, gamma: tf.Tensor, mean: tf.Tensor, var: tf.Tensor,
              epsilon: float) -> tf.Tensor:
    """Batch norm folded into the bias: ``beta - gamma * mean / sqrt(var + epsilon)``."""
    return beta - gamma * mean / tf.sqrt(var + epsilon)
