"""Tests for tlcore/cost.py; numpy formulas (written from the definitions) are the oracle."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from tlcore import cost as C

RTOL = 1e-5  # float32 sums of a few dozen terms
ATOL = 1e-6  # float32 log-softmax of a confident row: a loss near 0 has few exact digits


# ------------------------------------------------------------------------- numpy oracles
def np_log_softmax(z):
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def np_sparse_ce(logits, labels):
    lsm = np_log_softmax(logits.astype(np.float64))
    return -np.take_along_axis(lsm, labels[..., None].astype(np.int64), -1)[..., 0]


def np_sigmoid_ce(z, t):
    z = z.astype(np.float64)
    return np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))


def np_axes(x):
    return tuple(range(1, x.ndim))


@st.composite
def classification(draw):
    seed = draw(st.integers(0, 2**31 - 1))
    batch, n = draw(st.integers(1, 4)), draw(st.integers(2, 5))
    rng = np.random.default_rng(seed)
    return (rng.normal(0, 3, (batch, n)).astype(np.float32),
            rng.integers(0, n, batch).astype(np.int32))


@st.composite
def pairs(draw, min_rank=2, max_rank=4):
    seed = draw(st.integers(0, 2**31 - 1))
    rank = draw(st.integers(min_rank, max_rank))
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=rank, max_size=rank)))
    rng = np.random.default_rng(seed)
    return rng.normal(size=shape).astype(np.float32), rng.normal(size=shape).astype(np.float32)


def probs(shape, seed):
    rng = np.random.default_rng(seed)
    return (rng.uniform(0.02, 0.98, shape).astype(np.float32),
            rng.uniform(0, 1, shape).astype(np.float32))


# ---------------------------------------------------------------------- classification
@given(classification())
def test_cross_entropy_matches_numpy(data):
    logits, labels = data
    np.testing.assert_allclose(C.cross_entropy(logits, labels), np_sparse_ce(logits, labels).mean(),
                               rtol=RTOL, atol=ATOL)


def test_cross_entropy_name_is_optional_and_hand_value():
    # two equal logits: -ln(1/2) per row
    assert float(C.cross_entropy(tf.zeros((3, 2)), tf.constant([0, 1, 1]))) == pytest.approx(
        np.log(2), rel=1e-6)
    assert float(C.cross_entropy(tf.zeros((1, 4)), [2], name="ce")) == pytest.approx(np.log(4))


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int64, np.float64])
def test_label_dtypes_are_accepted(dtype):
    logits = np.array([[0.0, 2.0, 1.0], [3.0, 0.0, 0.0]], np.float32)
    labels = np.array([1, 2]).astype(dtype)
    np.testing.assert_allclose(C.cross_entropy(logits, labels),
                               np_sparse_ce(logits, np.array([1, 2])).mean(), rtol=RTOL)
    assert float(C.accuracy(logits, labels)) == 0.5


def test_cross_entropy_accepts_float_labels_and_sequence_logits():
    logits = np.random.default_rng(0).normal(size=(2, 3, 5)).astype(np.float32)
    labels = np.array([[0, 4, 2], [1, 1, 3]])
    np.testing.assert_allclose(C.cross_entropy(logits, labels.astype(np.float32)),
                               np_sparse_ce(logits, labels).mean(), rtol=RTOL, atol=ATOL)


@given(classification())
def test_accuracy_matches_numpy(data):
    logits, labels = data
    acc = C.accuracy(logits, labels)
    assert acc.dtype == tf.float32
    assert float(acc) == pytest.approx((logits.argmax(-1) == labels).mean())


def test_accuracy_hand_value():
    out = tf.constant([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
    assert float(C.accuracy(out, tf.constant([1, 1, 1, 0], tf.int64))) == 0.75


@given(pairs())
def test_sigmoid_cross_entropy_matches_numpy(data):
    z, t = data
    t = 1 / (1 + np.exp(-t))  # targets in (0, 1)
    np.testing.assert_allclose(C.sigmoid_cross_entropy(z, t), np_sigmoid_ce(z, t).mean(),
                               rtol=RTOL, atol=1e-6)


@given(st.integers(0, 10_000), st.sampled_from([(3, 4), (2, 3, 5), (1, 2, 2, 2)]))
def test_binary_cross_entropy_sums_axis1_means_batch(seed, shape):
    o, t = probs(shape, seed)
    eps = 1e-8
    per = -(t * np.log(o + eps) + (1 - t) * np.log(1 - o + eps))
    np.testing.assert_allclose(C.binary_cross_entropy(o, t), per.sum(1).mean(), rtol=RTOL)


# -------------------------------------------------------------------------- regression
@pytest.mark.parametrize("is_mean", [False, True])
@given(data=pairs())
def test_mean_squared_error_matches_numpy(is_mean, data):
    o, t = data
    sq = (o.astype(np.float64) - t) ** 2
    ref = (sq.mean(np_axes(o)) if is_mean else sq.sum(np_axes(o))).mean()
    np.testing.assert_allclose(C.mean_squared_error(o, t, is_mean=is_mean), ref, rtol=RTOL)


@pytest.mark.parametrize("is_mean", [False, True])
@given(data=pairs())
def test_absolute_difference_error_matches_numpy(is_mean, data):
    o, t = data
    ad = np.abs(o.astype(np.float64) - t)
    ref = (ad.mean(np_axes(o)) if is_mean else ad.sum(np_axes(o))).mean()
    np.testing.assert_allclose(C.absolute_difference_error(o, t, is_mean=is_mean), ref, rtol=RTOL)


@given(pairs())
def test_normalized_mean_square_error_matches_numpy(data):
    o, t = data
    ax = np_axes(o)
    ref = (np.sqrt(((o.astype(np.float64) - t) ** 2).sum(ax)) / np.sqrt((t.astype(np.float64) ** 2)
                                                                        .sum(ax))).mean()
    np.testing.assert_allclose(C.normalized_mean_square_error(o, t), ref, rtol=1e-4)


def test_regression_hand_values():
    o = tf.constant([[1.0, 2.0], [3.0, 5.0]])
    t = tf.constant([[0.0, 0.0], [3.0, 3.0]])
    assert float(C.mean_squared_error(o, t)) == pytest.approx((5 + 4) / 2)
    assert float(C.mean_squared_error(o, t, is_mean=True)) == pytest.approx((2.5 + 2) / 2)
    assert float(C.absolute_difference_error(o, t)) == pytest.approx((3 + 2) / 2)


@pytest.mark.parametrize("fn", [C.mean_squared_error, C.absolute_difference_error,
                                C.normalized_mean_square_error])
def test_regression_rank_errors_name_function_and_shapes(fn):
    with pytest.raises(ValueError, match=rf"{fn.__name__}: .*received shape \(6,\)"):
        fn(tf.zeros(6), tf.zeros(6))
    with pytest.raises(ValueError, match=rf"{fn.__name__}: .*rank 2, 3, 4.*\(1, 1, 1, 1, 2\)"):
        fn(tf.zeros((1, 1, 1, 1, 2)), tf.zeros((1, 1, 1, 1, 2)))
    with pytest.raises(ValueError, match=rf"{fn.__name__}: output and target must have the same "
                                         r"shape, received output shape \(4, 1\) and target shape "
                                         r"\(4,\)"):
        fn(tf.zeros((4, 1)), tf.zeros(4))


def test_cross_entropy_rank_mismatch_names_shapes():
    with pytest.raises(ValueError, match=r"cross_entropy: .*output shape \(4, 3\) and target "
                                         r"shape \(4, 3\)"):
        C.cross_entropy(tf.zeros((4, 3)), tf.zeros((4, 3), tf.int32))
    with pytest.raises(ValueError, match=r"accuracy: .*output shape \(4, 3\) and target shape "
                                         r"\(5,\)"):
        C.accuracy(tf.zeros((4, 3)), tf.zeros(5, tf.int32))


# ------------------------------------------------------------------------ segmentation
@pytest.mark.parametrize("loss_type", ["jaccard", "sorensen"])
@given(seed=st.integers(0, 10_000))
def test_dice_coe_matches_numpy(loss_type, seed):
    o, t = probs((2, 3, 3, 1), seed)
    ax = (1, 2, 3)
    inse = (o * t).sum(ax)
    if loss_type == "jaccard":
        lr = (o * o).sum(ax) + (t * t).sum(ax)
    else:
        lr = o.sum(ax) + t.sum(ax)
    ref = ((2 * inse + 1e-5) / (lr + 1e-5)).mean()
    np.testing.assert_allclose(C.dice_coe(o, t, loss_type=loss_type), ref, rtol=RTOL)


@given(seed=st.integers(0, 10_000))
def test_hard_dice_and_iou_match_numpy(seed):
    o, t = probs((3, 4, 4, 2), seed)
    ob, tb = (o > 0.5).astype(np.float64), (t > 0.5).astype(np.float64)
    ax = (1, 2, 3)
    dice = ((2 * (ob * tb).sum(ax) + 1e-5) / (ob.sum(ax) + tb.sum(ax) + 1e-5)).mean()
    iou = (((ob * tb).sum(ax) + 1e-5) / (((ob + tb) >= 1).sum(ax) + 1e-5)).mean()
    np.testing.assert_allclose(C.dice_hard_coe(o, t), dice, rtol=RTOL)
    np.testing.assert_allclose(C.iou_coe(o, t), iou, rtol=RTOL)


def test_segmentation_hand_values_and_custom_axis():
    o = tf.constant([[1.0, 1.0, 0.0, 0.0]])
    t = tf.constant([[1.0, 0.0, 0.0, 0.0]])
    assert float(C.dice_hard_coe(o, t, axis=[1], smooth=0)) == pytest.approx(2 / 3)
    assert float(C.iou_coe(o, t, axis=1, smooth=0)) == pytest.approx(1 / 2)
    assert float(C.dice_coe(t, t, axis=(1,))) == pytest.approx(1.0)


def test_dice_errors():
    with pytest.raises(ValueError, match=r"dice_coe: loss_type must be .*received 'dice'"):
        C.dice_coe(tf.zeros((1, 2, 2, 1)), tf.zeros((1, 2, 2, 1)), loss_type="dice")
    with pytest.raises(ValueError, match=r"iou_coe: axis \(1, 2, 3\) out of range for output "
                                         r"shape \(2, 5\)"):
        C.iou_coe(tf.zeros((2, 5)), tf.zeros((2, 5)))


# --------------------------------------------------------------------------- sequences
@given(classification(), st.sampled_from([None, 2, 4]))
def test_cross_entropy_seq_matches_numpy(data, batch_size):
    logits, labels = data
    ref = np_sparse_ce(logits, labels).sum() / (batch_size or 1)
    np.testing.assert_allclose(C.cross_entropy_seq(logits, labels[None, :], batch_size=batch_size),
                               ref, rtol=RTOL, atol=ATOL)


@given(seed=st.integers(0, 10_000))
def test_cross_entropy_seq_with_mask_matches_numpy(seed):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(6, 5)).astype(np.float32)  # batch 2 x 3 steps
    target = rng.integers(0, 5, (2, 3))
    mask = np.array([[1, 1, 0], [1, 0, 0]])
    per = np_sparse_ce(logits, target.reshape(-1)) * mask.reshape(-1)
    loss, losses, weights, targets = C.cross_entropy_seq_with_mask(
        logits, target, mask, return_details=True)
    np.testing.assert_allclose(loss, per.sum() / 3, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(losses, per, rtol=RTOL, atol=ATOL)
    np.testing.assert_array_equal(weights, mask.reshape(-1))
    np.testing.assert_array_equal(targets, target.reshape(-1))
    np.testing.assert_allclose(C.cross_entropy_seq_with_mask(logits, target, mask), loss)


def test_sequence_shape_errors():
    with pytest.raises(ValueError, match=r"cross_entropy_seq: logits have 6 rows but target_seqs "
                                         r"has 4 elements"):
        C.cross_entropy_seq(tf.zeros((6, 3)), tf.zeros((2, 2), tf.int32))
    with pytest.raises(ValueError, match=r"cross_entropy_seq: expected logits of shape "
                                         r"\[batch \* n_steps, n_classes\], received shape"):
        C.cross_entropy_seq(tf.zeros((2, 3, 3)), tf.zeros((2, 3), tf.int32))
    with pytest.raises(ValueError, match=r"cross_entropy_seq_with_mask: input_mask must have"):
        C.cross_entropy_seq_with_mask(tf.zeros((4, 3)), tf.zeros((2, 2), tf.int32), tf.ones(3))


@given(pairs(min_rank=2, max_rank=2))
def test_cosine_similarity_matches_numpy(data):
    a, b = data
    a, b = a + 0.1, b - 0.1  # keep rows away from the zero vector
    ref = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    out = C.cosine_similarity(a, b)
    assert out.shape == (a.shape[0],)
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-6)


# ------------------------------------------------------------------------ regularizers
REGS = {
    "li_regularizer": lambda w: np.sqrt((w ** 2).sum(1)).sum(),
    "lo_regularizer": lambda w: np.sqrt((w ** 2).sum(0)).sum(),
    "maxnorm_regularizer": lambda w: np.abs(w).max(),
    "maxnorm_o_regularizer": lambda w: np.abs(w).max(0).sum(),
    "maxnorm_i_regularizer": lambda w: np.abs(w).max(1).sum(),
}


@pytest.mark.parametrize("name", sorted(REGS))
@given(w=pairs(min_rank=2, max_rank=2), scale=st.sampled_from([0.0, 0.1, 0.5, 2.0]))
def test_regularizers_match_numpy(name, w, scale):
    w = w[0].astype(np.float64)
    reg = getattr(C, name)(scale)
    var = tf.Variable(w.astype(np.float32))
    out = reg(var)
    assert out.shape == ()
    np.testing.assert_allclose(out, scale * REGS[name](w), rtol=RTOL, atol=1e-7)


@pytest.mark.parametrize("name", sorted(REGS))
def test_regularizer_gradient_reaches_weights_and_bad_scale(name):
    var = tf.Variable([[1.0, -2.0], [0.5, 3.0]])
    with tf.GradientTape() as tape:
        loss = getattr(C, name)(0.1)(var)
    assert tape.gradient(loss, var) is not None
    with pytest.raises(ValueError, match=rf"{name}: scale must be a number >= 0, received -1"):
        getattr(C, name)(-1)


def test_rank2_regularizers_reject_vectors():
    with pytest.raises(ValueError, match=r"li_regularizer: expected a rank-2 weight matrix, "
                                         r"received shape \(3,\)"):
        C.li_regularizer(0.1)(tf.ones(3))


# ------------------------------------------------------------------------------- graph
@pytest.mark.parametrize("fn,args", [
    (C.cross_entropy, ((4, 3), "labels")), (C.accuracy, ((4, 3), "labels")),
    (C.sigmoid_cross_entropy, ((4, 3), (4, 3))), (C.binary_cross_entropy, ((4, 3), (4, 3))),
    (C.mean_squared_error, ((4, 3), (4, 3))), (C.normalized_mean_square_error, ((4, 3), (4, 3))),
    (C.absolute_difference_error, ((4, 3), (4, 3))), (C.dice_coe, ((2, 2, 2, 1), (2, 2, 2, 1))),
    (C.dice_hard_coe, ((2, 2, 2, 1), (2, 2, 2, 1))), (C.iou_coe, ((2, 2, 2, 1), (2, 2, 2, 1))),
    (C.cross_entropy_seq, ((4, 3), "labels")), (C.cosine_similarity, ((4, 3), (4, 3))),
], ids=lambda v: getattr(v, "__name__", ""))
def test_eager_equals_tf_function_with_unknown_batch(fn, args):
    rng = np.random.default_rng(3)
    o = rng.uniform(0.05, 0.95, args[0]).astype(np.float32)
    t = (rng.integers(0, args[0][-1], args[0][:-1]) if args[1] == "labels"
         else rng.uniform(0, 1, args[1]).astype(np.float32))
    spec = [tf.TensorSpec((None,) + o.shape[1:], tf.float32),
            tf.TensorSpec((None,) + t.shape[1:], tf.as_dtype(t.dtype))]
    graph = tf.function(fn, input_signature=spec)
    np.testing.assert_allclose(graph(o, t), fn(o, t), rtol=1e-6)


def test_docstring_examples_run():
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module("tlcore.cost"))
    assert result.attempted > 0 and result.failed == 0


def test_name_none_is_accepted():
    o, t = tf.ones((2, 3)), tf.zeros((2, 3))
    for fn in (C.binary_cross_entropy, C.mean_squared_error, C.normalized_mean_square_error,
               C.absolute_difference_error):
        assert np.isfinite(fn(o * 0.5, t + 0.5, name=None).numpy())
