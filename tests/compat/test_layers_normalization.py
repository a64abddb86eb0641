"""TensorLayer 1.11.1 ``tests/test_layers_normalization.py``, translated.

Deliberate difference: 1.11 reshaped a network by assigning ``n.outputs = tf.reshape(...)``;
tlcore layers are immutable, so the two reshapes are ``ReshapeLayer``s and the network has
12 + 2 layers. Parameters are unchanged (28 arrays, 363,098 scalars).
``with tf.variable_scope("model", reuse=reuse)`` becomes ``with tl.layers.reuse(reuse)`` and
``reuse=True`` becomes ``reuse=<the training network>``.
"""
from __future__ import annotations

import pytest

import tlcore as tl

#: the two ReshapeLayers that replace 1.11's ``n.outputs = tf.reshape(...)`` assignments
RESHAPES = 2


def model(is_train=True, reuse=None):
    with tl.layers.reuse(reuse):
        return _model(is_train)


def _model(is_train):
    L = tl.layers
    n = L.InputLayer([None, 100, 100, 3], name="in")
    n = L.Conv2d(n, n_filter=80, name="conv2d_1")
    n = L.BatchNormLayer(n, is_train=is_train, name="norm_batch")
    n = L.Conv2d(n, n_filter=80, name="conv2d_2")
    n = L.LocalResponseNormLayer(n, name="norm_local")
    n = L.LayerNormLayer(n, name="norm_layer")
    n = L.InstanceNormLayer(n, name="norm_instance")
    n = L.ReshapeLayer(n, shape=[-1, 80, 100, 100], name="reshape_nchw")
    n = L.GroupNormLayer(n, groups=40, data_format="channels_first", name="groupnorm")
    n = L.ReshapeLayer(n, shape=[-1, 100, 100, 80], name="reshape_nhwc")
    n = L.SwitchNormLayer(n, name="switchnorm")
    n = L.QuanConv2dWithBN(n, n_filter=3, is_train=is_train, name="quan_cnn_with_bn")
    n = L.FlattenLayer(n, name="flatten")
    n = L.QuanDenseLayerWithBN(n, n_units=10, name="quan_dense_with_bn")
    return n


@pytest.fixture(scope="module")
def nets():
    net_train = model(is_train=True)
    net_eval = model(is_train=False, reuse=net_train)
    assert all(a is b for a, b in zip(net_eval.all_params, net_train.all_params))
    net_train.print_layers()
    net_train.print_params(False)
    return net_train, net_eval


def test_all_layers(nets):
    net_train, net_eval = nets
    assert len(net_train.all_layers) == 12 + RESHAPES
    assert len(net_eval.all_layers) == 12 + RESHAPES


def test_all_params(nets):
    assert len(nets[0].all_params) == 28


def test_n_params(nets):
    assert nets[0].count_params() == 363098
