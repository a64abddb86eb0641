"""Tests for tlcore_vision/layers/atrous.py: Keras dilated convs as oracles; the transpose is
checked as the adjoint of tf.nn.atrous_conv2d."""
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
from tlcore_vision.layers.atrous import AtrousConv1dLayer, AtrousConv2dLayer, AtrousDeConv2dLayer

RNG = np.random.default_rng(0)


def _x(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


@given(k=st.integers(1, 3), rate=st.integers(1, 3), pad=paddings, extra=st.integers(0, 3),
       c=st.integers(1, 3), n=st.integers(1, 3), which=st.sampled_from(["1d", "2d", "de2d"]))
def test_atrous_properties_and_shape_formula(k, rate, pad, extra, c, n, which):
    size = (k - 1) * rate + 1 + extra
    if which == "1d":
        net = AtrousConv1dLayer(InputLayer([None, size, c]), n, k, 1, rate, padding=pad)
        assert net.output_shape == (None, conv_len(size, k, 1, rate, pad), n)
        n_params = k * c * n + n
    elif which == "2d":
        net = AtrousConv2dLayer(InputLayer([None, size, size + 1, c]), n, (k, k), rate,
                                padding=pad)
        assert net.output_shape == (None, conv_len(size, k, 1, rate, pad),
                                    conv_len(size + 1, k, 1, rate, pad), n)
        n_params = k * k * c * n + n
    else:
        out = size if pad.upper() == "SAME" else size + (k - 1) * rate
        net = AtrousDeConv2dLayer(InputLayer([None, size, size, c]), shape=(k, k, n, c),
                                  output_shape=(None, out, out, n), rate=rate, padding=pad)
        assert net.output_shape == (None, out, out, n)
        n_params = k * k * c * n + n
    check_layer(net, n_params=n_params, batch_sizes=(2,))


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_atrous_convs_match_keras_dilated_convs(padding):
    a1 = AtrousConv1dLayer(InputLayer([None, 12, 2]), 3, 3, dilation=2, padding=padding, name="a")
    assert [a1.param_name(v) for v in a1.all_params] == ["a/W_conv1d", "a/b_conv1d"]
    k1 = keras.layers.Conv1D(3, 3, dilation_rate=2, padding=padding.lower())
    k1.build((None, 12, 2))
    a1.all_params[1].assign(_x(3))
    k1.set_weights([v.numpy() for v in a1.all_params])
    x1 = _x(2, 12, 2)
    np.testing.assert_allclose(a1(x1), k1(x1), rtol=1e-5, atol=1e-5)

    a2 = AtrousConv2dLayer(InputLayer([None, 9, 8, 2]), 3, (3, 2), 3, padding=padding)
    k2 = keras.layers.Conv2D(3, (3, 2), dilation_rate=3, padding=padding.lower())
    k2.build((None, 9, 8, 2))
    a2.all_params[1].assign(_x(3))
    k2.set_weights([v.numpy() for v in a2.all_params])
    x2 = _x(2, 9, 8, 2)
    np.testing.assert_allclose(a2(x2), k2(x2), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("padding,out", [("SAME", 6), ("VALID", 10)])
def test_atrous_deconv_is_the_adjoint_of_atrous_conv(padding, out):
    net = AtrousDeConv2dLayer(InputLayer([None, 6, 6, 3]), shape=(3, 3, 2, 3),
                              output_shape=(None, out, out, 2), rate=2, padding=padding,
                              b_init=None, name="t")
    assert [net.param_name(v) for v in net.all_params] == ["t/W_atrous_conv2d_transpose"]
    x, y = _x(2, 6, 6, 3), _x(2, out, out, 2)
    lhs = np.sum(net(x).numpy() * y)
    rhs = np.sum(x * tf.nn.atrous_conv2d(y, net.all_params[0], 2, padding).numpy())
    np.testing.assert_allclose(lhs, rhs, rtol=1e-4)


BAD = [
    (lambda i: AtrousConv2dLayer(i, 3, 3, 0, name="a"), r"AtrousConv2dLayer 'a'.*rate.*0"),
    (lambda i: AtrousConv2dLayer(i, 3, 5, 2, padding="VALID", name="a"),
     r"AtrousConv2dLayer 'a'.*smaller than the dilated kernel"),
    (lambda i: AtrousConv1dLayer(i, 3, 2, 2, 2, name="a"), r"AtrousConv1dLayer 'a'.*dilation"),
    (lambda i: AtrousDeConv2dLayer(i, shape=(3, 3, 2, 3), output_shape=(None, 6, 6, 5), name="a"),
     r"AtrousDeConv2dLayer 'a'.*output_shape"),
]


@pytest.mark.parametrize("make,match", BAD, ids=["rate", "too_small", "stride_and_dilation",
                                                 "out_channels"])
def test_bad_arguments_name_the_layer(make, match):
    shape = [None, 6, 3] if "1d" in match.lower() else [None, 6, 6, 3]
    with pytest.raises(ValueError, match=match):
        make(InputLayer(shape))


def test_misfit_output_shape_raises_when_called():
    net = AtrousDeConv2dLayer(InputLayer([None, 6, 6, 3]), shape=(3, 3, 2, 3),
                              output_shape=(None, 7, 7, 2), name="a")
    with pytest.raises(ValueError, match=r"AtrousDeConv2dLayer 'a'.*does not fit"):
        net(np.zeros((1, 6, 6, 3), np.float32))
