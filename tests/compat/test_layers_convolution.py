"""TensorLayer 1.11.1 ``tests/test_layers_convolution.py``, translated: placeholders become
InputLayer shapes, ``outputs.get_shape()`` becomes ``output_shape``; every network and every
count of the original is kept."""
from __future__ import annotations

import pytest
import tensorflow as tf

import tlcore as tl


def _check(net, n_layers, n_params_arrays, n_params, shape_tail):
    assert len(net.all_layers) == n_layers
    assert len(net.all_params) == n_params_arrays
    assert net.count_params() == n_params
    assert list(net.output_shape[1:]) == shape_tail


@pytest.fixture(scope="module")
def conv1d():
    net = tl.layers.InputLayer([None, 100, 1], name="input_layer")
    n1 = tl.layers.Conv1dLayer(net, shape=(5, 1, 32), stride=2)
    n2 = tl.layers.Conv1d(n1, n_filter=32, filter_size=5, stride=2)
    n3 = tl.layers.SeparableConv1d(n2, n_filter=32, filter_size=3, strides=1, padding="VALID",
                                   act=tf.nn.relu, name="separable_1d")
    return n1, n2, n3


def test_conv1d_n1(conv1d):
    _check(conv1d[0], 2, 2, 192, [50, 32])


def test_conv1d_n2(conv1d):
    _check(conv1d[1], 3, 4, 5344, [25, 32])


def test_conv1d_n3(conv1d):
    _check(conv1d[2], 4, 7, 6496, [23, 32])


@pytest.fixture(scope="module")
def conv2d():
    net = tl.layers.InputLayer([None, 100, 100, 3], name="input_layer")
    n = {}
    n[1] = tl.layers.Conv2dLayer(net, act=tf.nn.relu, shape=(5, 5, 3, 32), strides=(1, 2, 2, 1),
                                 padding="SAME",
                                 W_init=tf.keras.initializers.TruncatedNormal(stddev=5e-2),
                                 b_init=tf.keras.initializers.Constant(value=0.0),
                                 name="conv2dlayer")
    n[2] = tl.layers.Conv2d(n[1], n_filter=32, filter_size=(3, 3), strides=(2, 2), act=None,
                            name="conv2d")
    n[3] = tl.layers.Conv2d(n[2], n_filter=32, filter_size=(3, 3), strides=(2, 2),
                            act=tf.nn.relu, b_init=None, name="conv2d_no_bias")
    n[4] = tl.layers.DeConv2dLayer(n[3], shape=(5, 5, 32, 32), output_shape=(100, 200, 200, 32),
                                   strides=(1, 2, 2, 1), name="deconv2dlayer")
    n[5] = tl.layers.DeConv2d(n[4], n_filter=32, filter_size=(3, 3), strides=(2, 2),
                              name="DeConv2d")
    n[6] = tl.layers.DepthwiseConv2d(n[5], shape=(3, 3), strides=(2, 2), act=tf.nn.relu,
                                     depth_multiplier=2, name="depthwise")
    n[7] = tl.layers.Conv2d(n[6], n_filter=32, filter_size=(3, 3), strides=(2, 2),
                            act=tf.nn.relu, name="conv2d2")
    n[8] = tl.layers.GroupConv2d(n[7], n_filter=32, filter_size=(3, 3), strides=(2, 2),
                                 name="group")
    n[9] = tl.layers.SeparableConv2d(n[8], n_filter=32, filter_size=(3, 3), strides=(1, 1),
                                     act=tf.nn.relu, name="seperable2d1")
    n[10] = tl.layers.TernaryConv2d(n[9], 64, (5, 5), (1, 1), act=tf.nn.relu, padding="SAME",
                                    name="cnn2")
    n[11] = tl.layers.AtrousDeConv2dLayer(n[10], shape=(3, 3, 32, 64),
                                          output_shape=(100, 96, 96, 32), rate=2,
                                          act=tf.nn.relu, name="atroustrans1")
    n[12] = tl.layers.QuanConv2d(n[11], 64, (5, 5), (1, 1), act=tf.nn.relu, padding="SAME",
                                 name="quancnn")
    return n


@pytest.mark.parametrize("i, n_layers, n_arrays, n_params, tail", [
    (1, 2, 2, 2432, [50, 50, 32]),
    (2, 3, 4, 11680, [25, 25, 32]),
    (3, 4, 5, 20896, [13, 13, 32]),
    (4, 5, 7, 46528, [200, 200, 32]),
    (5, 6, 9, 55776, [400, 400, 32]),
    (6, 7, 11, 56416, [200, 200, 64]),
    (7, 8, 13, 74880, [100, 100, 32]),
    (8, 9, 15, 79520, [50, 50, 32]),
    (9, 10, 18, 80864, [48, 48, 32]),
    (10, 11, 20, 132128, [48, 48, 64]),
    (11, 12, 22, 150592, [96, 96, 32]),
    (12, 13, 24, 201856, [96, 96, 64]),
], ids=[f"n{i}" for i in range(1, 13)])
def test_conv2d(conv2d, i, n_layers, n_arrays, n_params, tail):
    _check(conv2d[i], n_layers, n_arrays, n_params, tail)


@pytest.fixture(scope="module")
def conv3d():
    net = tl.layers.InputLayer([None, 100, 100, 100, 3], name="input_layer")
    n1 = tl.layers.Conv3dLayer(net, shape=(2, 2, 2, 3, 32), strides=(1, 2, 2, 2, 1))
    n2 = tl.layers.DeConv3dLayer(n1, shape=(2, 2, 2, 128, 32),
                                 output_shape=(100, 12, 32, 32, 128), strides=(1, 2, 2, 2, 1))
    n3 = tl.layers.DeConv3d(n2, n_filter=32, filter_size=(3, 3, 3), strides=(2, 2, 2))
    return n1, n2, n3


def test_conv3d_n1(conv3d):
    _check(conv3d[0], 2, 2, 800, [50, 50, 50, 32])


def test_conv3d_n2(conv3d):
    _check(conv3d[1], 3, 4, 33696, [12, 32, 32, 128])


def test_conv3d_n3(conv3d):
    _check(conv3d[2], 4, 6, 144320, [24, 64, 64, 32])


@pytest.fixture(scope="module")
def deformable():
    net = tl.layers.InputLayer([None, 299, 299, 3], name="input_layer")
    offset1 = tl.layers.Conv2d(net, 18, (3, 3), (1, 1), act=tf.nn.relu, padding="SAME",
                               name="offset1")
    net1 = tl.layers.DeformableConv2d(net, offset1, 32, (3, 3), act=tf.nn.relu,
                                      name="deformable1")
    offset2 = tl.layers.Conv2d(net1, 18, (3, 3), (1, 1), act=tf.nn.relu, padding="SAME",
                               name="offset2")
    net2 = tl.layers.DeformableConv2d(net1, offset2, 64, (3, 3), act=tf.nn.relu,
                                      name="deformable2")
    return net1, net2


# Deliberate difference: 1.11 left the offset layer out of the DeformableConv2d's network
# (all_layers, all_params), so `network.all_params` never trained or saved the offset conv.
# In tlcore the offset layer is a parent like any other. The deformable layers' own variables
# are 1.11's (W_deformableconv2d (1, 1, kh*kw, c, n), b_deformableconv2d), and the network
# counts are 1.11's plus the offset convolutions (each 3*3*c*18 + 18).
def test_deformable_n1(deformable):
    net1 = deformable[0]
    offset1 = net1.prev_layers[1]  # its network: the input and offset1 itself
    assert net1.count_params() - offset1.count_params() == 896
    assert offset1.count_params() == 3 * 3 * 3 * 18 + 18
    _check(net1, 2 + 1, 2 + 2, 896 + offset1.count_params(), [299, 299, 32])


def test_deformable_n2(deformable):
    net1, net2 = deformable
    offset2 = net2.prev_layers[1]  # its network: everything of net2 but deformable2
    assert net2.count_params() - offset2.count_params() == 19392 - 896
    offsets = net1.prev_layers[1].count_params() + offset2.count_params() - net1.count_params()
    _check(net2, 3 + 2, 4 + 4, 19392 + offsets, [299, 299, 64])
