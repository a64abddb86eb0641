"""Tests for tlcore_vision/layers/separable.py: Keras DepthwiseConv2D/SeparableConv1D/2D oracles."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import check_layer
from tests.vision._shapes import conv_len, paddings
from tlcore.layers.core import InputLayer
from tlcore_vision.layers.separable import DepthwiseConv2d, SeparableConv1d, SeparableConv2d

RNG = np.random.default_rng(0)


def _x(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


@st.composite
def _geometry(draw):
    k = draw(st.integers(1, 3))
    s, d = (draw(st.integers(1, 2)), 1) if draw(st.booleans()) else (1, draw(st.integers(1, 2)))
    pad = draw(paddings)
    lo = 1 if pad.upper() == "SAME" else (k - 1) * d + 1
    return draw(st.integers(lo, lo + 3)), k, s, d, pad


@given(geo=_geometry(), c=st.integers(1, 3), m=st.integers(1, 2), n=st.integers(1, 3),
       which=st.sampled_from(["depthwise", "sep1d", "sep2d"]))
def test_properties_and_shape_formula(geo, c, m, n, which):
    size, k, s, d, pad = geo
    out = conv_len(size, k, s, d, pad)
    if which == "depthwise":
        net = DepthwiseConv2d(InputLayer([None, size, size, c]), (k, k), (s, s), tf.nn.relu, pad,
                              (d, d), m)
        assert net.output_shape == (None, out, out, c * m)
        n_params = k * k * c * m + c * m
    elif which == "sep1d":
        net = SeparableConv1d(InputLayer([None, size, c]), n, k, s, padding=pad, dilation_rate=d,
                              depth_multiplier=m)
        assert net.output_shape == (None, out, n)
        n_params = k * c * m + c * m * n + n
    else:
        net = SeparableConv2d(InputLayer([None, size, size, c]), n, k, s, padding=pad,
                              dilation_rate=d, depth_multiplier=m)
        assert net.output_shape == (None, out, out, n)
        n_params = k * k * c * m + c * m * n + n
    check_layer(net, n_params=n_params, batch_sizes=(2,), nonzero_grads=which != "depthwise")


@pytest.mark.parametrize("padding,strides,dilation", [("same", 1, 1), ("valid", 2, 1),
                                                      ("same", 1, 2)])
def test_depthwise_matches_keras(padding, strides, dilation):
    net = DepthwiseConv2d(InputLayer([None, 7, 6, 3]), (3, 2), (strides, strides),
                          padding=padding, dilation_rate=dilation, depth_multiplier=2, name="d")
    assert [net.param_name(v) for v in net.all_params] == ["d/W_depthwise2d", "d/b_depthwise2d"]
    net.all_params[1].assign(_x(6))
    k = keras.layers.DepthwiseConv2D((3, 2), strides, padding, depth_multiplier=2,
                                     dilation_rate=dilation)
    k.build((None, 7, 6, 3))
    k.set_weights([v.numpy() for v in net.all_params])
    x = _x(2, 7, 6, 3)
    np.testing.assert_allclose(net(x), k(x), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("padding,strides,dilation", [("valid", 1, 1), ("same", 2, 1),
                                                      ("valid", 1, 2)])
def test_separable_1d_and_2d_match_keras(padding, strides, dilation):
    s1 = SeparableConv1d(InputLayer([None, 11, 3]), 4, 3, strides, padding=padding,
                         dilation_rate=dilation, depth_multiplier=2, name="s")
    assert [s1.param_name(v) for v in s1.all_params] == [
        "s/depthwise_kernel", "s/pointwise_kernel", "s/bias"]
    k1 = keras.layers.SeparableConv1D(4, 3, strides, padding, dilation_rate=dilation,
                                      depth_multiplier=2)
    k1.build((None, 11, 3))
    s1.all_params[2].assign(_x(4))
    k1.set_weights([v.numpy() for v in s1.all_params])
    x1 = _x(2, 11, 3)
    np.testing.assert_allclose(s1(x1), k1(x1), rtol=1e-5, atol=1e-5)

    s2 = SeparableConv2d(InputLayer([None, 8, 7, 3]), 4, (3, 2), strides, padding=padding,
                         dilation_rate=dilation, depth_multiplier=2)
    k2 = keras.layers.SeparableConv2D(4, (3, 2), strides, padding, dilation_rate=dilation,
                                      depth_multiplier=2)
    k2.build((None, 8, 7, 3))
    k2.set_weights([v.numpy() for v in s2.all_params])
    x2 = _x(2, 8, 7, 3)
    np.testing.assert_allclose(s2(x2), k2(x2), rtol=1e-5, atol=1e-5)


def test_separable_channels_first_matches_channels_last():
    last = SeparableConv2d(InputLayer([None, 6, 6, 3]), 4, 3, padding="same")
    first = SeparableConv2d(InputLayer([None, 3, 6, 6]), 4, 3, padding="same",
                            data_format="channels_first")
    for a, b in zip(last.all_params, first.all_params):
        b.assign(a)
    x = _x(2, 6, 6, 3)
    np.testing.assert_allclose(first(np.transpose(x, (0, 3, 1, 2))),
                               np.transpose(last(x), (0, 3, 1, 2)), rtol=1e-5, atol=1e-5)


BAD = [
    (lambda i: DepthwiseConv2d(i, (3, 3), (1, 2), name="d"), r"DepthwiseConv2d 'd'.*equal"),
    (lambda i: DepthwiseConv2d(i, (3, 3), depth_multiplier=0, name="d"),
     r"DepthwiseConv2d 'd'.*depth_multiplier.*0"),
    (lambda i: SeparableConv2d(i, 4, 3, 2, dilation_rate=2, name="d"),
     r"SeparableConv2d 'd'.*dilation"),
    (lambda i: SeparableConv1d(i, 4, name="d"), r"SeparableConv1d 'd'.*rank-3"),
    (lambda i: SeparableConv2d(i, 4, 3, padding="causal", name="d"),
     r"SeparableConv2d 'd'.*padding"),
]


@pytest.mark.parametrize("make,match", BAD, ids=["unequal_strides", "depth_multiplier",
                                                 "stride_and_dilation", "rank", "padding"])
def test_bad_arguments_name_the_layer(make, match):
    with pytest.raises(ValueError, match=match):
        make(InputLayer([None, 6, 6, 3]))
