"""Tests for tlcore/activation.py; numpy formulas are the oracle."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tlcore as tl
from tlcore import activation as A
from tlcore.layers._utils import act_name, get_act


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# name -> (function, numpy oracle)
ORACLES = {
    "identity": (A.identity, lambda x: x),
    "linear": (A.linear, lambda x: x),
    "ramp": (A.ramp, lambda x: np.clip(x, 0, 1)),
    "leaky_relu": (A.leaky_relu, lambda x: np.where(x < 0, 0.2 * x, x)),
    "leaky_relu6": (A.leaky_relu6, lambda x: np.where(x < 0, 0.2 * x, np.minimum(x, 6))),
    "leaky_twice_relu6": (A.leaky_twice_relu6,
                          lambda x: np.where(x < 0, 0.2 * x,
                                             np.where(x > 6, 6 + 0.2 * (x - 6), x))),
    "swish": (A.swish, lambda x: x * _sigmoid(x)),
    "sign": (A.sign, np.sign),
    "hard_tanh": (A.hard_tanh, lambda x: np.clip(x, -1, 1)),
    "pixel_wise_softmax": (A.pixel_wise_softmax,
                           lambda x: np.exp(x - x.max(-1, keepdims=True))
                           / np.exp(x - x.max(-1, keepdims=True)).sum(-1, keepdims=True)),
}

# TF flushes subnormal floats to 0, numpy does not: keep them out of the comparison.
arrays = hnp.arrays(np.float32, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
                    elements=st.floats(-12, 12, width=32, allow_subnormal=False))


def test_all_lists_every_public_function_and_alias():
    assert set(A.__all__) == set(ORACLES) | {"lrelu", "lrelu6", "ltrelu6", "htanh"}
    for name in A.__all__:
        assert callable(getattr(A, name))
    assert A.lrelu is A.leaky_relu and A.lrelu6 is A.leaky_relu6
    assert A.ltrelu6 is A.leaky_twice_relu6 and A.htanh is A.hard_tanh


def test_tl_act_alias_is_the_module():
    assert tl.act is tl.activation is A


@pytest.mark.parametrize("name", sorted(ORACLES))
@given(x=arrays)
def test_matches_numpy_formula(name, x):
    fn, ref = ORACLES[name]
    out = fn(tf.constant(x))
    assert out.shape == x.shape and out.dtype == tf.float32
    np.testing.assert_allclose(out.numpy(), ref(x.astype(np.float64)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(ORACLES))
def test_eager_equals_tf_function(name):
    fn, _ = ORACLES[name]
    x = tf.constant(np.linspace(-9, 9, 24, dtype=np.float32).reshape(2, 3, 4))
    np.testing.assert_allclose(tf.function(fn)(x).numpy(), fn(x).numpy(), rtol=1e-6)


def test_hand_computed_values():
    x = tf.constant([-10.0, -1.0, 0.0, 0.5, 3.0, 7.0, 16.0])
    np.testing.assert_allclose(A.ramp(x, v_min=-1, v_max=4).numpy(),
                               [-1, -1, 0, 0.5, 3, 4, 4])
    np.testing.assert_allclose(A.leaky_relu(x, alpha=0.5).numpy(),
                               [-5, -0.5, 0, 0.5, 3, 7, 16])
    np.testing.assert_allclose(A.leaky_relu6(x, alpha=0.1).numpy(),
                               [-1, -0.1, 0, 0.5, 3, 6, 6], rtol=1e-6)
    np.testing.assert_allclose(A.leaky_twice_relu6(x, alpha_low=0.1, alpha_high=0.5).numpy(),
                               [-1, -0.1, 0, 0.5, 3, 6.5, 11], rtol=1e-6)
    np.testing.assert_allclose(A.hard_tanh(x).numpy(), [-1, -1, 0, 0.5, 1, 1, 1])
    np.testing.assert_allclose(A.sign(x).numpy(), [-1, -1, 0, 1, 1, 1, 1])
    np.testing.assert_allclose(A.swish(tf.constant([0.0])).numpy(), [0.0])


def test_float64_and_int_dtypes_are_kept():
    x64 = tf.constant([-2.0, 8.0], tf.float64)
    for fn in (A.ramp, A.leaky_relu, A.leaky_relu6, A.leaky_twice_relu6, A.hard_tanh, A.sign):
        assert fn(x64).dtype == tf.float64
    assert A.ramp(tf.constant([-3, 2, 5]), v_min=0, v_max=3).numpy().tolist() == [0, 2, 3]


# No subnormal upstream, as a float32 (width=32): TF's CPU kernels flush it to zero (seen:
# 1.4e-45 and 9.7e-40 -> 0.0).
@given(x=arrays, upstream=st.floats(-50, 50, allow_subnormal=False, width=32))
def test_sign_gradient_is_straight_through_and_clipped(x, upstream):
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = tf.reduce_sum(A.sign(xt) * upstream)
    grad = tape.gradient(y, xt).numpy()
    np.testing.assert_allclose(grad, np.full(x.shape, np.clip(upstream, -1, 1), np.float32))


def test_sign_gradient_under_tf_function_and_per_element():
    x = tf.Variable([-3.0, 0.2, 4.0])

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(A.sign(x) * tf.constant([0.3, -7.0, 2.0]))
        return tape.gradient(y, x)

    np.testing.assert_allclose(step().numpy(), [0.3, -1.0, 1.0], rtol=1e-6)


@pytest.mark.parametrize("fn,kwargs", [
    (A.leaky_relu, {"alpha": 0.0}), (A.leaky_relu, {"alpha": 1.5}), (A.leaky_relu6, {"alpha": -1}),
    (A.leaky_twice_relu6, {"alpha_high": 2}), (A.leaky_twice_relu6, {"alpha_low": "0.2"}),
], ids=["lrelu-zero", "lrelu-big", "lrelu6-neg", "ltrelu6-high", "ltrelu6-str"])
def test_bad_alpha_names_function_and_value(fn, kwargs):
    arg, value = next(iter(kwargs.items()))
    with pytest.raises(ValueError, match=rf"{fn.__name__}: {arg} must be .*received {value!r}"):
        fn(tf.constant([1.0]), **kwargs)


def test_ramp_rejects_inverted_range():
    with pytest.raises(ValueError, match=r"ramp: v_min must not exceed v_max"):
        A.ramp(tf.constant([1.0]), v_min=2, v_max=1)


@pytest.mark.parametrize("name", sorted(set(A.__all__) - {"identity"}))
def test_get_act_resolves_every_name_and_config_round_trips(name):
    fn = get_act(name)
    assert fn is getattr(A, name)
    assert get_act(act_name(fn)) is fn


def test_pixel_wise_softmax_sums_to_one_per_pixel():
    x = tf.random.stateless_normal((2, 3, 3, 5), seed=(1, 2))
    np.testing.assert_allclose(tf.reduce_sum(A.pixel_wise_softmax(x), -1).numpy(), 1.0, rtol=1e-6)


def test_docstring_examples_run():
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module("tlcore.activation"))
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("name", sorted(ORACLES))
def test_name_argument_is_accepted_including_none(name):
    fn, _ = ORACLES[name]
    x = tf.constant([-1.0, 2.0])
    np.testing.assert_array_equal(fn(x, name=None), fn(x, name="my_act"))
