"""Tests for tlcore_vision/layers/deformable.py: with zero offsets it is a SAME convolution;
integer and half-pixel offsets are shifted (averaged) convolutions."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import check_layer
from tlcore.layers.core import InputLayer
from tlcore_vision.layers.conv import Conv2d
from tlcore_vision.layers.deformable import DeformableConv2d

RNG = np.random.default_rng(0)


def _x(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def _plain_conv(x, W, b):
    kh, kw, c, n = W.shape
    return tf.nn.conv2d(x, W, 1, "SAME").numpy() + b


def _net(h, w, c, n, k):
    x = InputLayer([None, h, w, c], name="x")
    off = InputLayer([None, h, w, 2 * k[0] * k[1]], name="off")
    return DeformableConv2d(x, off, n, k, act=tf.nn.relu, name="d")


@given(h=st.integers(1, 4), w=st.integers(1, 4), c=st.integers(1, 2), n=st.integers(1, 3),
       k=st.tuples(st.integers(1, 3), st.integers(1, 3)), batch=st.integers(1, 2))
def test_properties_with_random_fractional_offsets(h, w, c, n, k, batch):
    net = _net(h, w, c, n, k)
    assert net.output_shape == (None, h, w, n)
    check_layer(net, n_params=k[0] * k[1] * c * n + n, batch_sizes=(batch,), nonzero_grads=False)


@given(h=st.integers(1, 5), w=st.integers(1, 5), k=st.tuples(st.integers(1, 4), st.integers(1, 4)))
def test_zero_offsets_equal_a_same_convolution(h, w, k):
    net = _net(h, w, 2, 3, k)
    W, b = (v.numpy() for v in net.all_params)
    b = _x(3)
    net.all_params[1].assign(b)
    x = _x(2, h, w, 2)
    zeros = np.zeros((2, h, w, 2 * k[0] * k[1]), np.float32)
    want = _plain_conv(x, W.reshape(*k, 2, 3), b)
    np.testing.assert_allclose(net([x, zeros]), np.maximum(want, 0), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dy,dx", [(1.0, 0.0), (0.0, -2.0), (0.5, 0.0), (0.25, 0.5)])
def test_constant_offsets_shift_the_image(dy, dx):
    net = _net(6, 5, 2, 3, (3, 3))
    W = net.all_params[0].numpy().reshape(3, 3, 2, 3)
    x = _x(2, 6, 5, 2)
    off = np.tile(np.array([dy, dx], np.float32), 9)[None, None, None].repeat(2, 0)
    off = np.broadcast_to(off, (2, 6, 5, 18))

    def shifted(sy, sx):  # big[u, v] = x at (u - 1 + sy, v - 1 + sx), zeros outside
        p = np.pad(x, ((0, 0), (4, 4), (4, 4), (0, 0)))
        return p[:, 3 + sy:3 + sy + 8, 3 + sx:3 + sx + 7]

    y0, x0 = int(np.floor(dy)), int(np.floor(dx))
    fy, fx = dy - y0, dx - x0
    img = ((1 - fy) * (1 - fx) * shifted(y0, x0) + (1 - fy) * fx * shifted(y0, x0 + 1) +
           fy * (1 - fx) * shifted(y0 + 1, x0) + fy * fx * shifted(y0 + 1, x0 + 1))
    want = np.maximum(tf.nn.conv2d(img, W, 1, "VALID").numpy(), 0)  # taps u = i + ky
    np.testing.assert_allclose(net([x, off]), want, rtol=1e-5, atol=1e-5)


def test_offsets_from_a_conv_layer_and_tensorlayer_variables():
    x = InputLayer([None, 8, 8, 3])
    off = Conv2d(x, 18, (3, 3), W_init="zeros", name="offset")
    net = check_layer(DeformableConv2d(x, off, 4, (3, 3), name="d"),
                      n_params=3 * 3 * 3 * 18 + 18 + 9 * 3 * 4 + 4, nonzero_grads=False)
    assert [net.param_name(v) for v in net.all_params][2:] == ["d/W_deformableconv2d",
                                                               "d/b_deformableconv2d"]
    assert net.all_params[2].shape == (1, 1, 9, 3, 4)


def test_bad_offsets_name_the_layer():
    x = InputLayer([None, 8, 8, 3])
    with pytest.raises(ValueError, match=r"'d'.*2\*kh\*kw = 18.*\(None, 8, 8, 8\)"):
        DeformableConv2d(x, Conv2d(x, 8, 3), 4, (3, 3), name="d")
    with pytest.raises(ValueError, match=r"DeformableConv2d 'd'.*spatial size"):
        DeformableConv2d(x, Conv2d(x, 18, 3, 2), 4, (3, 3), name="d")
    with pytest.raises(TypeError, match=r"DeformableConv2d 'd'.*offset_layer"):
        DeformableConv2d(x, None, 4, name="d")


def test_tensorlayer_positional_order_with_name_before_the_initializers():
    x = InputLayer([None, 6, 6, 2])
    off = Conv2d(x, 18, (3, 3), W_init="zeros", name="off")
    net = DeformableConv2d(x, off, 4, (3, 3), tf.nn.relu, "deform", "zeros", None)
    assert net.name == "deform" and [net.param_name(v) for v in net.all_params][-1] == (
        "deform/W_deformableconv2d")
    with pytest.raises(ValueError, match=r"DeformableConv2d 'bad'.*n_filter"):
        DeformableConv2d(x, off, 0, (3, 3), None, "bad")
