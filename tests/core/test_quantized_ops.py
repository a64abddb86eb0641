"""Tests for tlcore/quantize.py: numpy oracles written from the formulas, straight-through
gradients, and the guards 1.11 lacked (constant tensors, all-zero ternary weights)."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tlcore import quantize as q

# Tiny magnitudes become 0: TF's CPU kernels flush subnormal intermediates to zero (seen: the
# smallest normal float32 scaled by the range -> 0 where float64 numpy keeps it), not a bug of
# the quantizers.
ARRAYS = hnp.arrays(np.float32, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
                    elements=st.floats(-3, 3, width=32).map(lambda v: 0.0 if abs(v) < 1e-6
                                                            else v))


# ---------------------------------------------------------------- oracles, from the formulas
def ref_dorefa(x, k):
    n = 2.0 ** k - 1
    return np.round(x * n) / n  # numpy and TF both round half to even


def ref_weight(x, k):
    if k == 32:
        return x
    if k == 1:
        e = np.mean(np.abs(x))
        return np.sign(x / e) * e
    return 2 * ref_dorefa(np.clip(x * 0.5 + 0.5, 0, 1), k) - 1


def ref_overflow(x, k):
    # float32, by reciprocals as the op computes it, so that ties round to the same level
    x = np.asarray(x, np.float32)
    lo, hi = x.min(), x.max()
    step = (hi - lo) * np.float32(1 / (2.0 ** k - 1))
    if step == 0:
        return x
    return np.round((x - lo) * (np.float32(1) / step)) * step + lo


def ref_ternary(x):
    t = 0.7 * np.mean(np.abs(x))
    return np.where(x > t, 1.0, np.where(x < -t, -1.0, 0.0)), t


def ref_alpha(x):
    _, t = ref_ternary(x)
    big = np.abs(x)[np.abs(x) > t]
    return big.mean() if big.size else 0.0


@given(x=ARRAYS, k=st.integers(1, 8))
def test_quantizers_match_numpy(x, k):
    t = tf.constant(x)
    np.testing.assert_allclose(q.sign(t), np.sign(x))
    np.testing.assert_allclose(q.cabs(t), np.minimum(1, np.abs(x)))
    np.testing.assert_allclose(q.quantize_active(q.cabs(t), k),
                               ref_dorefa(np.minimum(1, np.abs(x)), k), atol=1e-6)
    np.testing.assert_allclose(q.quantize_overflow(t, k), ref_overflow(x, k), rtol=1e-5,
                               atol=1e-5)
    np.testing.assert_allclose(q.ternary(t), ref_ternary(x)[0])
    np.testing.assert_allclose(q.compute_alpha(t), ref_alpha(x), rtol=1e-5)
    if np.abs(x).mean() > 1e-3:  # bitW=1 divides by the mean magnitude
        np.testing.assert_allclose(q.quantize_weight(t, k), ref_weight(x, k), rtol=1e-5,
                                   atol=1e-5)


def test_levels_literal():
    x = tf.constant([0.0, 0.2, 0.5, 0.9, 1.0])
    # 2 bits: levels 0, 1/3, 2/3, 1
    np.testing.assert_allclose(q.quantize_dorefa(x, 2), [0, 1 / 3, 2 / 3, 1, 1], atol=1e-6)
    # linear 1 bit between min 0 and max 1: two levels
    np.testing.assert_allclose(q.quantize_overflow(x, 1), [0, 0, 0, 1, 1])
    np.testing.assert_allclose(q.ternary(tf.constant([-1.0, -0.1, 0.0, 0.3, 2.0])),
                               [-1, 0, 0, 0, 1])  # threshold 0.7 * 0.68 = 0.476


def test_bit_width_32_is_the_identity():
    x = tf.constant([0.123, -4.5])
    for f in (q.quantize_active, q.quantize_weight, q.quantize_active_overflow,
              q.quantize_weight_overflow):
        assert f(x, 32) is x
    assert not np.allclose(q.quantize_weight(x, 32, force_quantization=True), x)


def _grad(f, x, dy):
    t = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(t)
        y = f(t)
    return tape.gradient(y, t, output_gradients=tf.constant(dy)).numpy()


def test_sign_gradient_is_the_clipped_upstream_gradient():
    dy = np.array([-3.0, -0.5, 0.5, 3.0], np.float32)
    np.testing.assert_allclose(_grad(q.sign, np.array([1.0, -2, 0.1, 5], np.float32), dy),
                               [-1, -0.5, 0.5, 1])


@pytest.mark.parametrize("f", [
    q.round_ste, q.ternary, lambda t: q.quantize_dorefa(t, 3),
    lambda t: q.quantize_overflow(t, 4), lambda t: q.quantize_weight(t, 1),
], ids=["round", "ternary", "dorefa", "overflow", "weight_1bit"])
def test_straight_through_gradients_are_the_identity(f):
    x = np.array([0.3, -0.7, 0.05, 0.9], np.float32)
    dy = np.array([1.0, -2.0, 3.0, -4.0], np.float32)
    np.testing.assert_allclose(_grad(f, x, dy), dy, rtol=1e-6)


def test_constant_and_zero_tensors_stay_finite():
    # 1.11 divided by zero here: a constant input to the linear quantizer, all-zero ternary
    c = tf.fill([4], 0.25)
    np.testing.assert_allclose(q.quantize_overflow(c, 8), c)
    assert float(q.compute_alpha(tf.zeros([3, 3]))) == 0.0


def test_batch_norm_folding_equals_batch_norm_after_the_product():
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((5, 4)), rng.standard_normal((4, 3))
    gamma, beta = rng.random(3) + 0.5, rng.standard_normal(3)
    mean, var, eps = rng.standard_normal(3), rng.random(3) + 0.1, 1e-3
    bn = gamma * (x @ w - mean) / np.sqrt(var + eps) + beta
    folded = x @ q.w_fold(w, gamma, var, eps).numpy() + q.bias_fold(beta, gamma, mean, var,
                                                                     eps).numpy()
    np.testing.assert_allclose(folded, bn, rtol=1e-10)


@pytest.mark.parametrize("k", [0, 33, 2.0, True], ids=["zero", "33", "float", "bool"])
def test_bad_bit_widths(k):
    with pytest.raises(ValueError, match=r"k must be an int in \[1, 32\], received"):
        q.quantize_overflow(tf.zeros([2]), k)


def test_ops_trace_under_tf_function():
    f = tf.function(lambda t: q.compute_alpha(t) * q.ternary(t) + q.sign(t)
                    + q.quantize_weight_overflow(t, 4))
    # 0.5 and 0.1 fall on rounding ties of the 4-bit linear quantizer (steps of 0.2 from -1)
    x = tf.constant([[0.5, -1.0], [0.1, 2.0]])
    eager = q.compute_alpha(x) * q.ternary(x) + q.sign(x) + q.quantize_weight_overflow(x, 4)
    np.testing.assert_allclose(f(x), eager, atol=1e-6)  # same levels; float32 ulps apart


def test_reachable_under_tensorlayer_names():
    import tlcore as tl

    assert tl.layers.quantize is q.sign and tl.layers.ternary_operation is q.ternary
    for name in ("quantize_active", "quantize_weight", "quantize_active_overflow",
                 "quantize_weight_overflow", "compute_alpha", "cabs"):
        assert getattr(tl.layers, name) is getattr(q, name)
