"""``tl.cost``: TensorLayer's losses, metrics and regularizer factories as TF ops.

Every cost takes ``(output, target)`` in that order (TensorLayer's order, and what
``tl.utils.fit(..., cost=tl.cost.cross_entropy, acc=tl.cost.accuracy)`` calls), returns a tensor
and traces under ``tf.function``. Shape mistakes raise ``ValueError`` naming the function and
both shapes. Regularizer factories return ``fn(weights) -> scalar``::

    loss = tl.cost.cross_entropy(logits, y) + tl.cost.maxnorm_regularizer(1.0)(net.all_params[0])
"""
from __future__ import annotations

from numbers import Real
from typing import Any, Callable, Sequence

import tensorflow as tf

__all__ = [
    "absolute_difference_error",
    "accuracy",
    "binary_cross_entropy",
    "cosine_similarity",
    "cross_entropy",
    "cross_entropy_seq",
    "cross_entropy_seq_with_mask",
    "dice_coe",
    "dice_hard_coe",
    "iou_coe",
    "li_regularizer",
    "lo_regularizer",
    "maxnorm_i_regularizer",
    "maxnorm_o_regularizer",
    "maxnorm_regularizer",
    "mean_squared_error",
    "normalized_mean_square_error",
    "sigmoid_cross_entropy",
]

Regularizer = Callable[[Any], tf.Tensor]


# ----------------------------------------------------------------------------------- checks
def _shape(t: tf.Tensor) -> str:
    return "<unknown rank>" if t.shape.rank is None else str(tuple(t.shape.as_list()))


def _float(x: Any) -> tf.Tensor:
    x = tf.convert_to_tensor(x)
    return x if x.dtype.is_floating else tf.cast(x, tf.float32)


def _pair(fn: str, output: Any, target: Any) -> tuple[tf.Tensor, tf.Tensor]:
    """Float output and target (target cast to output's dtype) with compatible static shapes."""
    output = _float(output)
    target = tf.cast(tf.convert_to_tensor(target), output.dtype)
    if not output.shape.is_compatible_with(target.shape):
        raise ValueError(f"{fn}: output and target must have the same shape, received output "
                         f"shape {_shape(output)} and target shape {_shape(target)}")
    return output, target


def _sparse_pair(fn: str, output: Any, target: Any) -> tuple[tf.Tensor, tf.Tensor]:
    """Logits ``[..., n_classes]`` and integer labels ``[...]`` (one rank fewer)."""
    output = _float(output)
    target = tf.convert_to_tensor(target)
    o, t = output.shape, target.shape
    if o.rank is not None and t.rank is not None and (
            o.rank != t.rank + 1 or not o[:-1].is_compatible_with(t)):
        raise ValueError(f"{fn}: expected logits of shape [..., n_classes] and integer labels "
                         f"of shape [...] (one rank fewer), received output shape {_shape(output)}"
                         f" and target shape {_shape(target)}")
    if target.dtype not in (tf.int32, tf.int64):
        # uint8 (MNIST files) or float labels are class ids all the same; the TF op wants int32/64
        target = tf.cast(target, tf.int64)
    return output, target


def _reduce_axes(fn: str, t: tf.Tensor, ranks: Sequence[int] = (2, 3, 4)) -> list[int]:
    """The non-batch axes of ``t``, whose rank must be one of ``ranks``."""
    if t.shape.rank not in ranks:
        want = ", ".join(str(r) for r in ranks)
        raise ValueError(f"{fn}: expected output of rank {want} ([batch, ...]), received shape "
                         f"{_shape(t)}")
    return list(range(1, t.shape.rank))


# ------------------------------------------------------------------------ classification
def cross_entropy(output: Any, target: Any, name: str | None = None) -> tf.Tensor:
    """Mean softmax cross-entropy of logits ``output`` ``[batch, n_classes]`` and integer labels.

    The softmax is applied inside (``tf.nn.sparse_softmax_cross_entropy_with_logits``), so the
    last layer should have no activation. Unlike TensorLayer 1.x, ``name`` is optional.

    >>> float(cross_entropy(tf.constant([[0.0, 0.0]]), tf.constant([1])))  # ln 2
    0.6931471824645996
    """
    output, target = _sparse_pair("cross_entropy", output, target)
    with tf.name_scope(name or "cross_entropy"):
        return tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=output))


def sigmoid_cross_entropy(output: Any, target: Any, name: str | None = None) -> tf.Tensor:
    """Mean sigmoid cross-entropy of logits ``output`` and targets in [0, 1] of the same shape."""
    output, target = _pair("sigmoid_cross_entropy", output, target)
    with tf.name_scope(name or "sigmoid_cross_entropy"):
        return tf.reduce_mean(
            tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output))


def binary_cross_entropy(output: Any, target: Any, epsilon: float = 1e-8,
                         name: str = "bce_loss") -> tf.Tensor:
    """Binary cross-entropy of probabilities ``output`` (not logits) against ``target``.

    ``-(t log(o + eps) + (1 - t) log(1 - o + eps))`` summed over axis 1, then averaged over the
    batch (the reduction TensorLayer used).
    """
    output, target = _pair("binary_cross_entropy", output, target)
    if output.shape.rank is not None and output.shape.rank < 2:
        raise ValueError(f"binary_cross_entropy: expected output of rank >= 2 ([batch, ...]), "
                         f"received shape {_shape(output)}")
    with tf.name_scope(name or "cost"):
        eps = tf.cast(epsilon, output.dtype)
        per = -(target * tf.math.log(output + eps)
                + (1.0 - target) * tf.math.log(1.0 - output + eps))
        return tf.reduce_mean(tf.reduce_sum(per, axis=1))


def accuracy(output: Any, target: Any) -> tf.Tensor:
    """Fraction (float32) of rows whose ``argmax(output, -1)`` equals the integer label.

    >>> float(accuracy(tf.constant([[0.1, 0.9], [0.8, 0.2]]), tf.constant([1, 1])))
    0.5
    """
    output, target = _sparse_pair("accuracy", output, target)
    pred = tf.argmax(output, axis=-1, output_type=tf.int64)
    return tf.reduce_mean(tf.cast(tf.equal(pred, tf.cast(target, tf.int64)), tf.float32))


# ---------------------------------------------------------------------------- regression
def mean_squared_error(output: Any, target: Any, is_mean: bool = False,
                       name: str = "mean_squared_error") -> tf.Tensor:
    """Squared error summed (or averaged, ``is_mean=True``) over the non-batch axes, then
    averaged over the batch. ``output`` and ``target`` have rank 2, 3 or 4."""
    output, target = _pair("mean_squared_error", output, target)
    axes = _reduce_axes("mean_squared_error", output)
    with tf.name_scope(name or "cost"):
        sq = tf.math.squared_difference(output, target)
        per = tf.reduce_mean(sq, axes) if is_mean else tf.reduce_sum(sq, axes)
        return tf.reduce_mean(per)


def normalized_mean_square_error(output: Any, target: Any,
                                 name: str = "normalized_mean_squared_error_loss") -> tf.Tensor:
    """Batch mean of ``||output - target|| / ||target||`` (norms over the non-batch axes)."""
    output, target = _pair("normalized_mean_square_error", output, target)
    axes = _reduce_axes("normalized_mean_square_error", output)
    with tf.name_scope(name or "cost"):
        num = tf.sqrt(tf.reduce_sum(tf.math.squared_difference(output, target), axes))
        den = tf.sqrt(tf.reduce_sum(tf.square(target), axes))
        return tf.reduce_mean(num / den)


def absolute_difference_error(output: Any, target: Any, is_mean: bool = False,
                              name: str = "absolute_difference_error_loss") -> tf.Tensor:
    """L1 error with the reduction of :func:`mean_squared_error`."""
    output, target = _pair("absolute_difference_error", output, target)
    axes = _reduce_axes("absolute_difference_error", output)
    with tf.name_scope(name or "cost"):
        ad = tf.abs(output - target)
        per = tf.reduce_mean(ad, axes) if is_mean else tf.reduce_sum(ad, axes)
        return tf.reduce_mean(per)


# -------------------------------------------------------------------------- segmentation
def _check_axis(fn: str, t: tf.Tensor, axis: Sequence[int] | int) -> list[int]:
    axes = [axis] if isinstance(axis, int) else list(axis)
    rank = t.shape.rank
    if rank is not None and any(not -rank <= a < rank for a in axes):
        raise ValueError(f"{fn}: axis {tuple(axes)} out of range for output shape {_shape(t)}")
    return axes


def dice_coe(output: Any, target: Any, loss_type: str = "jaccard",
             axis: Sequence[int] | int = (1, 2, 3), smooth: float = 1e-5) -> tf.Tensor:
    """Soft Sørensen–Dice coefficient (1 is a perfect match), averaged over the batch.

    ``(2 * sum(o * t) + smooth) / (l + r + smooth)`` with ``l, r = sum(o * o), sum(t * t)``
    for ``loss_type="jaccard"`` or ``sum(o), sum(t)`` for ``"sorensen"``, sums over ``axis``.
    Use ``1 - dice_coe(...)`` as a loss.
    """
    if loss_type not in ("jaccard", "sorensen"):
        raise ValueError(f"dice_coe: loss_type must be 'jaccard' or 'sorensen', received "
                         f"{loss_type!r}")
    output, target = _pair("dice_coe", output, target)
    axes = _check_axis("dice_coe", output, axis)
    inse = tf.reduce_sum(output * target, axes)
    if loss_type == "jaccard":
        l, r = tf.reduce_sum(output * output, axes), tf.reduce_sum(target * target, axes)
    else:
        l, r = tf.reduce_sum(output, axes), tf.reduce_sum(target, axes)
    smooth = tf.cast(smooth, output.dtype)
    return tf.reduce_mean((2.0 * inse + smooth) / (l + r + smooth))


def dice_hard_coe(output: Any, target: Any, threshold: float = 0.5,
                  axis: Sequence[int] | int = (1, 2, 3), smooth: float = 1e-5) -> tf.Tensor:
    """Dice coefficient of the binarized ``output > threshold`` and ``target > threshold``
    (a metric: it has no useful gradient)."""
    output, target = _pair("dice_hard_coe", output, target)
    axes = _check_axis("dice_hard_coe", output, axis)
    o = tf.cast(output > threshold, output.dtype)
    t = tf.cast(target > threshold, output.dtype)
    inse = tf.reduce_sum(o * t, axes)
    smooth = tf.cast(smooth, output.dtype)
    return tf.reduce_mean((2.0 * inse + smooth) / (tf.reduce_sum(o, axes) + tf.reduce_sum(t, axes)
                                                   + smooth))


def iou_coe(output: Any, target: Any, threshold: float = 0.5,
            axis: Sequence[int] | int = (1, 2, 3), smooth: float = 1e-5) -> tf.Tensor:
    """Intersection over union of the binarized ``output`` and ``target`` (a metric)."""
    output, target = _pair("iou_coe", output, target)
    axes = _check_axis("iou_coe", output, axis)
    o = tf.cast(output > threshold, output.dtype)
    t = tf.cast(target > threshold, output.dtype)
    inse = tf.reduce_sum(o * t, axes)
    union = tf.reduce_sum(tf.cast(o + t >= 1, output.dtype), axes)
    smooth = tf.cast(smooth, output.dtype)
    return tf.reduce_mean((inse + smooth) / (union + smooth))


# ----------------------------------------------------------------------------- sequences
def _seq_pair(fn: str, logits: Any, target_seqs: Any) -> tuple[tf.Tensor, tf.Tensor]:
    """Logits ``[batch * n_steps, n_classes]`` and targets flattened to ``[batch * n_steps]``."""
    logits, target = _float(logits), tf.convert_to_tensor(target_seqs)
    if logits.shape.rank is not None and logits.shape.rank != 2:
        raise ValueError(f"{fn}: expected logits of shape [batch * n_steps, n_classes], received "
                         f"shape {_shape(logits)}")
    target = tf.reshape(target, [-1])
    n_logits, n_target = logits.shape[0], target.shape[0]
    if n_logits is not None and n_target is not None and n_logits != n_target:
        raise ValueError(f"{fn}: logits have {n_logits} rows but target_seqs has {n_target} "
                         f"elements, received logits shape {_shape(logits)} and target_seqs "
                         f"shape {_shape(tf.convert_to_tensor(target_seqs))}")
    return logits, tf.cast(target, tf.int64)


def cross_entropy_seq(logits: Any, target_seqs: Any, batch_size: int | None = None) -> tf.Tensor:
    """Summed softmax cross-entropy of every step (the PTB language-model cost).

    Args:
        logits: ``[batch * n_steps, n_classes]``.
        target_seqs: ``[batch, n_steps]`` integer ids (flattened row-major to match ``logits``).
        batch_size: if given, the sum is divided by it (cost per sequence).
    """
    logits, target = _seq_pair("cross_entropy_seq", logits, target_seqs)
    cost = tf.reduce_sum(
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=logits))
    return cost if batch_size is None else cost / tf.cast(batch_size, cost.dtype)


def cross_entropy_seq_with_mask(logits: Any, target_seqs: Any, input_mask: Any,
                                return_details: bool = False, name: str | None = None) -> Any:
    """Cross-entropy averaged over the unmasked steps (``input_mask`` 1 = real, 0 = padding).

    Returns the scalar loss, or ``(loss, losses, weights, targets)`` (all flattened to
    ``[batch * n_steps]``) when ``return_details``.
    """
    logits, target = _seq_pair("cross_entropy_seq_with_mask", logits, target_seqs)
    mask = tf.convert_to_tensor(input_mask)
    weights = tf.cast(tf.reshape(mask, [-1]), logits.dtype)
    if weights.shape[0] is not None and target.shape[0] is not None and (
            weights.shape[0] != target.shape[0]):
        raise ValueError(f"cross_entropy_seq_with_mask: input_mask must have the shape of "
                         f"target_seqs, received input_mask shape {_shape(mask)} and target_seqs "
                         f"shape {_shape(tf.convert_to_tensor(target_seqs))}")
    with tf.name_scope(name or "seq_loss_with_mask"):
        losses = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=target,
                                                                logits=logits) * weights
        loss = tf.math.divide(tf.reduce_sum(losses), tf.reduce_sum(weights))
    if return_details:
        return loss, losses, weights, target
    return loss


def cosine_similarity(v1: Any, v2: Any) -> tf.Tensor:
    """Row-wise cosine similarity of ``[batch, dim]`` tensors, shape ``[batch]``."""
    v1, v2 = _pair("cosine_similarity", v1, v2)
    if v1.shape.rank is not None and v1.shape.rank != 2:
        raise ValueError(f"cosine_similarity: expected rank-2 inputs [batch, dim], received shape "
                         f"{_shape(v1)}")
    dot = tf.reduce_sum(v1 * v2, 1)
    return dot / (tf.sqrt(tf.reduce_sum(v1 * v1, 1)) * tf.sqrt(tf.reduce_sum(v2 * v2, 1)))


# -------------------------------------------------------------------------- regularizers
def _check_scale(fn: str, scale: Any) -> float:
    if isinstance(scale, bool) or not isinstance(scale, Real) or scale < 0:
        raise ValueError(f"{fn}: scale must be a number >= 0, received {scale!r}")
    return float(scale)


def _weights(fn: str, weights: Any, rank2: bool) -> tf.Tensor:
    w = _float(weights)
    if rank2 and w.shape.rank != 2:
        raise ValueError(f"{fn}: expected a rank-2 weight matrix, received shape {_shape(w)}")
    return w


def li_regularizer(scale: float, scope: str | None = None) -> Regularizer:
    """Group-lasso over rows (input neurons): ``scale * sum_i ||W[i, :]||_2``.

    Args:
        scale: weight of the term, >= 0 (0 returns a regularizer that is always 0).
        scope: name scope of the ops (kept for ported code).
    """
    scale = _check_scale("li_regularizer", scale)

    def li(weights: Any) -> tf.Tensor:
        w = _weights("li_regularizer", weights, rank2=True)
        with tf.name_scope(scope or "li_regularizer"):
            return tf.cast(scale, w.dtype) * tf.reduce_sum(tf.sqrt(tf.reduce_sum(tf.square(w), 1)))

    return li


def lo_regularizer(scale: float) -> Regularizer:
    """Group-lasso over columns (output neurons): ``scale * sum_j ||W[:, j]||_2``."""
    scale = _check_scale("lo_regularizer", scale)

    def lo(weights: Any) -> tf.Tensor:
        w = _weights("lo_regularizer", weights, rank2=True)
        return tf.cast(scale, w.dtype) * tf.reduce_sum(tf.sqrt(tf.reduce_sum(tf.square(w), 0)))

    return lo


def maxnorm_regularizer(scale: float = 1.0) -> Regularizer:
    """Max-norm: ``scale * max |W|`` (any rank)."""
    scale = _check_scale("maxnorm_regularizer", scale)

    def mn(weights: Any) -> tf.Tensor:
        w = _weights("maxnorm_regularizer", weights, rank2=False)
        return tf.cast(scale, w.dtype) * tf.reduce_max(tf.abs(w))

    return mn


def maxnorm_o_regularizer(scale: float) -> Regularizer:
    """Max-norm per output neuron: ``scale * sum_j max_i |W[i, j]|``."""
    scale = _check_scale("maxnorm_o_regularizer", scale)

    def mn_o(weights: Any) -> tf.Tensor:
        w = _weights("maxnorm_o_regularizer", weights, rank2=True)
        return tf.cast(scale, w.dtype) * tf.reduce_sum(tf.reduce_max(tf.abs(w), 0))

    return mn_o


def maxnorm_i_regularizer(scale: float) -> Regularizer:
    """Max-norm per input neuron: ``scale * sum_i max_j |W[i, j]|``."""
    scale = _check_scale("maxnorm_i_regularizer", scale)

    def mn_i(weights: Any) -> tf.Tensor:
        w = _weights("maxnorm_i_regularizer", weights, rank2=True)
        return tf.cast(scale, w.dtype) * tf.reduce_sum(tf.reduce_max(tf.abs(w), 1))

    return mn_i
