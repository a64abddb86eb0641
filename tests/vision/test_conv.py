"""Tests for tlcore_vision/layers/conv.py: TF's shape formulas, Keras Conv1D/2D/3D as oracles."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import check_layer
from tests.vision._shapes import conv_geometry, conv_len
from tlcore.layers.core import InputLayer
from tlcore_vision.layers.conv import Conv1d, Conv1dLayer, Conv2d, Conv2dLayer, Conv3dLayer

RNG = np.random.default_rng(0)


def _x(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


@given(geo=conv_geometry(2), c_in=st.integers(1, 3), n_filter=st.integers(1, 4),
       batch=st.integers(1, 3), first=st.booleans(), bias=st.booleans())
def test_conv2d_properties_and_shape_formula(geo, c_in, n_filter, batch, first, bias):
    (h, w), k, s, d, pad = geo
    shape = [None, c_in, h, w] if first else [None, h, w, c_in]
    net = Conv2d(InputLayer(shape), n_filter, k, s, act=tf.nn.relu, padding=pad,
                 data_format="channels_first" if first else "channels_last", dilation_rate=d,
                 b_init="zeros" if bias else None, name="c")
    oh, ow = conv_len(h, k[0], s[0], d[0], pad), conv_len(w, k[1], s[1], d[1], pad)
    assert net.output_shape == ((None, n_filter, oh, ow) if first else (None, oh, ow, n_filter))
    check_layer(net, n_params=k[0] * k[1] * c_in * n_filter + bias * n_filter,
                batch_sizes=(batch,), nonzero_grads=False)


@given(geo=conv_geometry(1), c_in=st.integers(1, 3), n_filter=st.integers(1, 4),
       batch=st.integers(1, 3), first=st.booleans())
def test_conv1d_and_conv1dlayer_properties(geo, c_in, n_filter, batch, first):
    (n,), (k,), (s,), (d,), pad = geo
    shape = [None, c_in, n] if first else [None, n, c_in]
    inp = InputLayer(shape)
    simple = Conv1d(inp, n_filter, k, s, d, padding=pad,
                    data_format="channels_first" if first else "channels_last")
    expert = Conv1dLayer(inp, shape=(k, c_in, n_filter), stride=s, dilation_rate=d, padding=pad,
                         data_format="NCW" if first else "NWC")
    out = conv_len(n, k, s, d, pad)
    for net in (simple, expert):
        assert net.output_shape == ((None, n_filter, out) if first else (None, out, n_filter))
        check_layer(net, n_params=k * c_in * n_filter + n_filter, batch_sizes=(batch,))


@given(geo=conv_geometry(2, dilation=False), c_in=st.integers(1, 3), n_filter=st.integers(1, 3),
       first=st.booleans())
def test_conv2dlayer_properties(geo, c_in, n_filter, first):
    (h, w), k, s, _, pad = geo
    shape = [None, c_in, h, w] if first else [None, h, w, c_in]
    strides = (1, 1, *s) if first else (1, *s, 1)
    net = Conv2dLayer(InputLayer(shape), act=tf.nn.tanh, shape=(*k, c_in, n_filter),
                      strides=strides, padding=pad, data_format="NCHW" if first else "NHWC")
    oh, ow = conv_len(h, k[0], s[0], 1, pad), conv_len(w, k[1], s[1], 1, pad)
    assert net.output_shape == ((None, n_filter, oh, ow) if first else (None, oh, ow, n_filter))
    check_layer(net, n_params=k[0] * k[1] * c_in * n_filter + n_filter, batch_sizes=(2,))


@given(geo=conv_geometry(3, max_n=4, max_k=2, dilation=False), c_in=st.integers(1, 2))
def test_conv3dlayer_properties(geo, c_in):
    n, k, s, _, pad = geo
    net = Conv3dLayer(InputLayer([None, *n, c_in]), shape=(*k, c_in, 2), strides=(1, *s, 1),
                      padding=pad)
    assert net.output_shape == (None, *[conv_len(a, b, c, 1, pad) for a, b, c in zip(n, k, s)], 2)
    check_layer(net, n_params=int(np.prod(k)) * c_in * 2 + 2, batch_sizes=(2,))


@pytest.mark.parametrize("padding,strides,dilation", [("same", 1, 1), ("valid", 2, 1),
                                                      ("same", 1, 2), ("valid", (1, 2), 1)])
def test_conv2d_matches_keras_conv2d(padding, strides, dilation):
    net = Conv2d(InputLayer([None, 7, 6, 3]), 4, (3, 2), strides, act=tf.nn.relu,
                 padding=padding, dilation_rate=dilation)
    net.all_params[1].assign(_x(4))
    k = keras.layers.Conv2D(4, (3, 2), strides=strides, padding=padding, dilation_rate=dilation,
                            activation="relu")
    k.build((None, 7, 6, 3))
    k.set_weights([v.numpy() for v in net.all_params])
    x = _x(2, 7, 6, 3)
    np.testing.assert_allclose(net(x), k(x), rtol=1e-5, atol=1e-5)


def test_conv2d_channels_first_matches_keras_on_transposed_input():
    net = Conv2d(InputLayer([None, 3, 6, 5]), 4, 3, 2, data_format="channels_first")
    net.all_params[1].assign(_x(4))
    k = keras.layers.Conv2D(4, 3, strides=2, padding="same")
    k.build((None, 6, 5, 3))
    k.set_weights([v.numpy() for v in net.all_params])
    x = _x(2, 3, 6, 5)
    want = np.transpose(k(np.transpose(x, (0, 2, 3, 1))), (0, 3, 1, 2))
    np.testing.assert_allclose(net(x), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("padding,stride,dilation", [("same", 1, 1), ("valid", 2, 1),
                                                     ("valid", 1, 3)])
def test_conv1d_and_conv1dlayer_match_keras_conv1d(padding, stride, dilation):
    inp = InputLayer([None, 11, 2])
    k = keras.layers.Conv1D(3, 3, strides=stride, padding=padding, dilation_rate=dilation)
    k.build((None, 11, 2))
    x = _x(2, 11, 2)
    for net in (Conv1d(inp, 3, 3, stride, dilation, padding=padding),
                Conv1dLayer(inp, shape=(3, 2, 3), stride=stride, dilation_rate=dilation,
                            padding=padding)):
        net.all_params[1].assign(_x(3))
        k.set_weights([v.numpy() for v in net.all_params])
        np.testing.assert_allclose(net(x), k(x), rtol=1e-5, atol=1e-5)


def test_conv3dlayer_matches_keras_conv3d():
    net = Conv3dLayer(InputLayer([None, 4, 5, 6, 2]), shape=(2, 3, 2, 2, 3),
                      strides=(1, 2, 1, 2, 1), padding="VALID")
    net.all_params[1].assign(_x(3))
    k = keras.layers.Conv3D(3, (2, 3, 2), strides=(2, 1, 2), padding="valid")
    k.build((None, 4, 5, 6, 2))
    k.set_weights([v.numpy() for v in net.all_params])
    x = _x(2, 4, 5, 6, 2)
    np.testing.assert_allclose(net(x), k(x), rtol=1e-5, atol=1e-5)


def test_seed_expert_cnn_param_count_and_names():
    net = Conv2dLayer(InputLayer([None, 28, 28, 1]), act=tf.nn.relu, shape=(5, 5, 1, 32),
                      strides=(1, 1, 1, 1), padding="SAME", name="cnn_layer1")
    assert net.output_shape == (None, 28, 28, 32) and net.count_params() == 832
    assert [net.param_name(v) for v in net.all_params] == ["cnn_layer1/W_conv2d",
                                                           "cnn_layer1/b_conv2d"]
    net = Conv2dLayer(net, act=tf.nn.relu, shape=(5, 5, 32, 64), name="cnn_layer2")
    assert net.count_params() == 832 + 51264


def test_simplified_names_defaults_and_no_bias():
    net = Conv2d(InputLayer([None, 28, 28, 1]), 32, (5, 5), (1, 1), act=tf.nn.relu, name="c1")
    assert net.count_params() == 832
    assert [net.param_name(v) for v in net.all_params] == ["c1/kernel", "c1/bias"]
    w = net.all_params[0].numpy()
    assert abs(w.std() - 0.02) < 0.006 and np.abs(w).max() <= 0.04 + 1e-6  # truncated at 2 std
    assert not net.all_params[1].numpy().any()
    nb = Conv1d(InputLayer([None, 8, 2]), 4, 3, b_init=None)
    assert [nb.param_name(v) for v in nb.all_params] == ["conv1d_1/kernel"]


def test_two_layers_of_one_shape_start_with_different_weights():
    inp = InputLayer([None, 6, 6, 3])
    a, b = Conv2d(inp, 3, 3), Conv2d(inp, 3, 3)
    assert not np.allclose(a.all_params[0].numpy(), b.all_params[0].numpy())


def test_unknown_spatial_dims_and_batch_run():
    net = Conv2d(InputLayer([None, None, None, 2]), 3, 3, 2)
    assert net.output_shape == (None, None, None, 3)
    assert net(_x(1, 9, 4, 2)).shape == (1, 5, 2, 3)


BAD = [
    (lambda i: Conv2d(i, 3, 3, padding="full", name="c"), r"Conv2d 'c'.*padding.*'full'"),
    (lambda i: Conv2d(i, 0, 3, name="c"), r"Conv2d 'c'.*n_filter.*received 0"),
    (lambda i: Conv2d(i, 3, (3, 0), name="c"), r"Conv2d 'c'.*filter_size.*\(3, 0\)"),
    (lambda i: Conv2d(i, 3, 3, strides=(1, 1, 1), name="c"), r"Conv2d 'c'.*strides"),
    (lambda i: Conv2d(i, 3, 3, 2, dilation_rate=2, name="c"), r"Conv2d 'c'.*dilation"),
    (lambda i: Conv2d(i, 3, 3, data_format="NHCW", name="c"), r"Conv2d 'c'.*data_format"),
    (lambda i: Conv2d(i, 3, 9, padding="VALID", name="c"), r"Conv2d 'c'.*shape \(None, 6, 6, 2\)"),
    (lambda i: Conv2dLayer(i, shape=(3, 3, 1, 4), name="c"), r"Conv2dLayer 'c'.*has 2 channels"),
    (lambda i: Conv2dLayer(i, shape=(3, 3, 2, 4), strides=(2, 1, 1, 1), name="c"),
     r"Conv2dLayer 'c'.*batch and channel"),
    (lambda i: Conv1d(i, 3, 3, name="c"), r"Conv1d 'c'.*rank-3.*\(None, 6, 6, 2\)"),
    (lambda i: Conv3dLayer(i, name="c"), r"Conv3dLayer 'c'.*rank-5"),
]


@pytest.mark.parametrize("make,match", BAD, ids=["padding", "n_filter", "filter_size", "strides",
                                                 "stride_and_dilation", "data_format", "too_small",
                                                 "in_channels", "batch_stride", "rank1d", "rank3d"])
def test_bad_arguments_name_the_layer(make, match):
    with pytest.raises(ValueError, match=match):
        make(InputLayer([None, 6, 6, 2]))


def test_unknown_channels_rejected():
    with pytest.raises(ValueError, match=r"Conv2d 'c'.*known channel dim"):
        Conv2d(InputLayer([None, 6, 6, None]), 3, 3, name="c")
