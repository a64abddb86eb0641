"""Tests for tlcore/initializers.py: sample statistics, a loop oracle for the bilinear kernel,
and the upsampling it is meant to perform."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

import tlcore as tl
from tlcore import initializers as I
from tlcore.layers._utils import get_init, init_config


def test_tl_initializers_is_the_module():
    assert tl.initializers is I
    assert "initializers" in tl.__all__


def test_constant_zeros_ones():
    np.testing.assert_array_equal(I.constant(2.5)((2, 3)), np.full((2, 3), 2.5))
    np.testing.assert_array_equal(I.constant()((3,)), np.zeros(3))
    np.testing.assert_array_equal(I.zeros()((2, 2)), np.zeros((2, 2)))
    np.testing.assert_array_equal(I.ones()((2, 2), dtype="float64"), np.ones((2, 2)))
    assert I.ones()((2,), dtype="float64").dtype == tf.float64


def test_truncated_normal_statistics_and_bound():
    x = np.asarray(I.truncated_normal(mean=1.0, stddev=0.1, seed=1)((200, 200)))
    assert np.all(np.abs(x - 1.0) <= 0.2 + 1e-6)      # redrawn beyond two stddev
    assert abs(x.mean() - 1.0) < 0.005
    # a normal truncated at +-2 sigma has stddev 0.88 sigma
    assert 0.08 < x.std() < 0.095


def test_random_normal_and_uniform_statistics():
    x = np.asarray(I.random_normal(mean=-2.0, stddev=0.5, seed=2)((200, 200)))
    assert abs(x.mean() + 2.0) < 0.01 and abs(x.std() - 0.5) < 0.01
    u = np.asarray(I.random_uniform(minval=-3.0, maxval=1.0, seed=3)((200, 200)))
    assert u.min() >= -3.0 and u.max() < 1.0
    assert abs(u.mean() + 1.0) < 0.03 and abs(u.std() - 4 / np.sqrt(12)) < 0.02


def test_tf1_defaults():
    assert I.truncated_normal().stddev == 1.0 and I.random_normal().stddev == 1.0
    u = I.random_uniform()
    assert (u.minval, u.maxval) == (0.0, 1.0)


def test_seeded_initializers_repeat():
    a = I.truncated_normal(stddev=0.1, seed=5)((4, 4))
    b = I.truncated_normal(stddev=0.1, seed=5)((4, 4))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("call,match", [
    (lambda: I.truncated_normal(stddev=0), r"truncated_normal: stddev must be a number > 0, "
                                           r"received 0"),
    (lambda: I.random_normal(stddev=-1.0), r"random_normal: stddev must be .*received -1.0"),
    (lambda: I.random_uniform(1.0, 1.0), r"random_uniform: minval must be less than maxval"),
    (lambda: I.constant([1, 2]), r"constant: value must be a scalar number, received \[1, 2\]"),
], ids=["tn-zero", "rn-neg", "ru-empty", "const-list"])
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------------------ bilinear upsampling
def bilinear_oracle(shape):
    """TensorLayer's definition, element by element."""
    size, _, n_out, _ = shape
    factor = (size + 1) // 2
    center = factor - 1 if size % 2 == 1 else factor - 0.5
    k = np.zeros((size, size))
    for x in range(size):
        for y in range(size):
            k[x, y] = (1 - abs(x - center) / factor) * (1 - abs(y - center) / factor)
    w = np.zeros(shape)
    for i in range(n_out):
        w[:, :, i, i] = k
    return w


@given(size=st.integers(1, 7), n_out=st.integers(1, 3), extra_in=st.integers(0, 2))
def test_bilinear_kernel_matches_loop_oracle(size, n_out, extra_in):
    shape = (size, size, n_out, n_out + extra_in)
    init = I.deconv2d_bilinear_upsampling_initializer(list(shape))
    out = init(shape)
    assert out.dtype == tf.float32
    np.testing.assert_allclose(out, bilinear_oracle(shape), rtol=1e-6)


def test_bilinear_kernel_upsamples_a_ramp_by_two():
    # kernel 4, stride 2: interior outputs interpolate linearly between input pixels
    init = I.deconv2d_bilinear_upsampling_initializer([4, 4, 1, 1])
    kernel = init((4, 4, 1, 1))
    img = np.tile(np.arange(6, dtype=np.float32), (6, 1))[None, :, :, None]   # ramp along width
    up = tf.nn.conv2d_transpose(img, kernel, output_shape=(1, 12, 12, 1), strides=2,
                                padding="SAME")[0, :, :, 0].numpy()
    row = up[6, 1:11]
    np.testing.assert_allclose(np.diff(row), 0.5, atol=1e-5)                  # slope halves
    np.testing.assert_allclose(up[2:10, 2:10], np.broadcast_to(up[6, 2:10], (8, 8)), atol=1e-5)


def test_bilinear_serializes_through_get_init():
    init = I.deconv2d_bilinear_upsampling_initializer([3, 3, 2, 2])
    back = get_init(init_config(init))
    assert isinstance(back, I.BilinearUpsampling) and back.shape == (3, 3, 2, 2)
    np.testing.assert_array_equal(back((3, 3, 2, 2)), init((3, 3, 2, 2)))
    assert isinstance(get_init(init_config(I.truncated_normal(stddev=0.02))),
                      keras.initializers.TruncatedNormal)


@pytest.mark.parametrize("shape,match", [
    ([3, 4, 1, 1], r"only square filters are supported, received shape \(3, 4, 1, 1\)"),
    ([3, 3, 2, 1], r"in_channels \(shape\[3\]\) must be >= out_channels"),
    ([3, 3, 1], r"shape must be 4 positive ints .*received \[3, 3, 1\]"),
    ([3, 3, 0, 1], r"shape must be 4 positive ints"),
], ids=["non-square", "fewer-in", "rank3", "zero"])
def test_bilinear_bad_shapes(shape, match):
    with pytest.raises(ValueError, match=r"deconv2d_bilinear_upsampling_initializer: " + match):
        I.deconv2d_bilinear_upsampling_initializer(shape)


def test_bilinear_called_with_other_shape_raises():
    init = I.deconv2d_bilinear_upsampling_initializer([4, 4, 1, 1])
    with pytest.raises(ValueError, match=r"made for kernel shape \(4, 4, 1, 1\), received shape "
                                         r"\(4, 4, 2, 2\)"):
        init((4, 4, 2, 2))


def test_docstring_examples_run():
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module("tlcore.initializers"))
    assert result.attempted > 0 and result.failed == 0
