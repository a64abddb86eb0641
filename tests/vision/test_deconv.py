"""Tests for tlcore_vision/layers/deconv.py: Keras Conv2DTranspose/Conv3DTranspose as oracles."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import check_layer
from tests.vision._shapes import deconv_len, paddings
from tlcore.layers.core import InputLayer
from tlcore_vision.layers.deconv import DeConv2d, DeConv2dLayer, DeConv3d, DeConv3dLayer

RNG = np.random.default_rng(0)


def _x(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


@given(h=st.integers(1, 4), w=st.integers(1, 4), k=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       s=st.tuples(st.integers(1, 3), st.integers(1, 3)), pad=paddings, c_in=st.integers(1, 3),
       n_filter=st.integers(1, 3), first=st.booleans(), batch=st.integers(1, 3))
def test_deconv2d_properties_and_shape_formula(h, w, k, s, pad, c_in, n_filter, first, batch):
    shape = [None, c_in, h, w] if first else [None, h, w, c_in]
    net = DeConv2d(InputLayer(shape), n_filter, k, s, pad, act=tf.nn.relu,
                   data_format="channels_first" if first else "channels_last")
    oh, ow = deconv_len(h, k[0], s[0], pad), deconv_len(w, k[1], s[1], pad)
    assert net.output_shape == ((None, n_filter, oh, ow) if first else (None, oh, ow, n_filter))
    check_layer(net, n_params=k[0] * k[1] * c_in * n_filter + n_filter, batch_sizes=(batch,),
                nonzero_grads=False)


@given(h=st.integers(1, 4), w=st.integers(1, 4), k=st.integers(1, 3), s=st.integers(1, 2),
       pad=paddings, c_in=st.integers(1, 3), c_out=st.integers(1, 3), extra=st.booleans())
def test_deconv2dlayer_properties_with_none_batch(h, w, k, s, pad, c_in, c_out, extra):
    # any output size whose forward convolution gives back (h, w) is accepted
    slack = (s - 1) * extra
    oh = h * s - slack if pad.upper() == "SAME" else (h - 1) * s + k + slack
    ow = w * s if pad.upper() == "SAME" else (w - 1) * s + k
    net = DeConv2dLayer(InputLayer([None, h, w, c_in]), shape=(k, k, c_out, c_in),
                        output_shape=(None, oh, ow, c_out), strides=(1, s, s, 1), padding=pad)
    assert net.output_shape == (None, oh, ow, c_out)
    check_layer(net, n_params=k * k * c_in * c_out + c_out, batch_sizes=(1, 3))


@given(n=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)), k=st.integers(1, 2),
       s=st.integers(1, 2), pad=paddings, expert=st.booleans())
def test_deconv3d_properties(n, k, s, pad, expert):
    inp = InputLayer([None, *n, 2])
    out = tuple(deconv_len(a, k, s, pad) for a in n)
    if expert:
        net = DeConv3dLayer(inp, shape=(k, k, k, 3, 2), output_shape=(None, *out, 3),
                            strides=(1, s, s, s, 1), padding=pad)
    else:
        net = DeConv3d(inp, 3, k, s, pad)
    assert net.output_shape == (None, *out, 3)
    check_layer(net, n_params=k ** 3 * 6 + 3, batch_sizes=(2,))


@pytest.mark.parametrize("padding,strides,k", [("same", 2, 3), ("valid", (2, 1), (3, 2)),
                                               ("valid", 3, 2)])
def test_deconv2d_matches_keras_conv2dtranspose(padding, strides, k):
    net = DeConv2d(InputLayer([None, 4, 5, 3]), 2, k, strides, padding)
    net.all_params[1].assign(_x(2))
    kl = keras.layers.Conv2DTranspose(2, k, strides=strides, padding=padding)
    kl.build((None, 4, 5, 3))
    kl.set_weights([v.numpy() for v in net.all_params])
    x = _x(2, 4, 5, 3)
    want = kl(x)
    assert net.output_shape[1:] == tuple(want.shape[1:])
    np.testing.assert_allclose(net(x), want, rtol=1e-5, atol=1e-5)


def test_deconv2dlayer_matches_keras_and_the_seed_shapes():
    net = DeConv2dLayer(InputLayer([None, 4, 4, 6]), shape=(3, 3, 2, 6),
                        output_shape=(1, 8, 8, 2), strides=(1, 2, 2, 1), name="d")
    assert [net.param_name(v) for v in net.all_params] == ["d/W_deconv2d", "d/b_deconv2d"]
    kl = keras.layers.Conv2DTranspose(2, 3, strides=2, padding="same")
    kl.build((None, 4, 4, 6))
    kl.set_weights([v.numpy() for v in net.all_params])
    x = _x(5, 4, 4, 6)  # the batch entry of output_shape (1) is not binding
    np.testing.assert_allclose(net(x), kl(x), rtol=1e-5, atol=1e-5)


def test_deconv3d_matches_keras_conv3dtranspose():
    net = DeConv3d(InputLayer([None, 2, 3, 2, 2]), 3, (2, 3, 2), (2, 1, 2), "valid")
    net.all_params[1].assign(_x(3))
    kl = keras.layers.Conv3DTranspose(3, (2, 3, 2), strides=(2, 1, 2), padding="valid")
    kl.build((None, 2, 3, 2, 2))
    kl.set_weights([v.numpy() for v in net.all_params])
    x = _x(2, 2, 3, 2, 2)
    np.testing.assert_allclose(net(x), kl(x), rtol=1e-5, atol=1e-5)


def test_unknown_spatial_dims():
    net = DeConv2d(InputLayer([None, None, None, 2]), 3, 3, 2, "valid")
    assert net.output_shape == (None, None, None, 3)
    assert net(_x(1, 3, 4, 2)).shape == (1, 7, 9, 3)


BAD = [
    (lambda i: DeConv2dLayer(i, shape=(3, 3, 2, 6), output_shape=(None, 8, 8, 3), name="d"),
     r"DeConv2dLayer 'd'.*output_shape\[-1\] must equal shape\[-2\]"),
    (lambda i: DeConv2dLayer(i, shape=(3, 3, 2, 6), output_shape=(8, 8, 2), name="d"),
     r"DeConv2dLayer 'd'.*output_shape must be"),
    (lambda i: DeConv2dLayer(i, shape=(3, 3, 2, 5), output_shape=(None, 8, 8, 2), name="d"),
     r"DeConv2dLayer 'd'.*shape\[-1\].*is 5 but the input has 6"),
    (lambda i: DeConv2d(i, 2, 3, 0, name="d"), r"DeConv2d 'd'.*strides"),
    (lambda i: DeConv3d(i, 2, name="d"), r"DeConv3d 'd'.*rank-5"),
]


@pytest.mark.parametrize("make,match", BAD, ids=["channels", "rank_of_output_shape",
                                                 "in_channels", "strides", "rank"])
def test_bad_arguments_name_the_layer(make, match):
    with pytest.raises(ValueError, match=match):
        make(InputLayer([None, 4, 4, 6]))


def test_misfit_output_shape_builds_as_in_tensorlayer_but_cannot_run(caplog):
    # TensorLayer 1.11's tests build such layers (TF 1 checked only when running the graph)
    net = DeConv2dLayer(InputLayer([None, 4, 4, 6]), shape=(3, 3, 2, 6),
                        output_shape=(100, 9, 9, 2), name="d")
    assert net.output_shape == (None, 9, 9, 2)
    assert "cannot be run" in caplog.text
    with pytest.raises(ValueError, match=r"DeConv2dLayer 'd'.*output_shape.*does not fit.*size 5"):
        net(_x(1, 4, 4, 6))


def test_batch_entry_of_output_shape_is_taken_from_the_input():
    net = DeConv2dLayer(InputLayer([None, 4, 4, 6]), shape=(3, 3, 2, 6),
                        output_shape=(100, 8, 8, 2), name="d")
    assert net(_x(3, 4, 4, 6)).shape == (3, 8, 8, 2)


def test_tensorlayer_spellings_out_size_batch_size_and_n_out_channel(caplog):
    # a TL 1.x DCGAN generator line: DeConv2d(net, 256, (5, 5), out_size=(8, 8), strides=(2, 2),
    # padding='SAME', batch_size=64, ...)
    x = InputLayer([None, 4, 4, 16])
    net = DeConv2d(x, 8, (5, 5), out_size=(8, 8), strides=(2, 2), batch_size=64, name="d")
    assert net.output_shape == (None, 8, 8, 8) and "ignored" not in caplog.text
    assert "out_size" not in net.get_config()
    DeConv2d(x, 8, (5, 5), out_size=(9, 9), strides=(2, 2), name="e")
    assert "DeConv2d 'e': out_size=(9, 9) is ignored" in caplog.text
    assert DeConv2d(x, n_out_channel=5).output_shape == (None, 8, 8, 5)
