"""TensorLayer 1.11.1 ``tests/test_layers_spatial_transformer.py``, translated.

``with tf.variable_scope("STN", reuse=reuse)`` becomes ``with tl.layers.reuse(reuse)`` and
``reuse=True`` becomes ``reuse=<the first network>``.
"""
from __future__ import annotations

import pytest
import tensorflow as tf

import tlcore as tl


def model(is_train, reuse=None):
    with tl.layers.reuse(reuse):
        return _model(is_train)


def _model(is_train):
    L = tl.layers
    nin = L.InputLayer([None, 28, 28, 1], name="in")
    nt = L.FlattenLayer(nin, name="flatten")
    nt = L.DenseLayer(nt, n_units=20, act=tf.nn.tanh, name="dense1")
    nt = L.DropoutLayer(nt, keep=0.8, is_fix=True, is_train=is_train, name="drop1")
    n = L.SpatialTransformer2dAffineLayer(nin, theta_layer=nt, out_size=(40, 40), name="spatial")
    s = n
    n = L.Conv2d(n, n_filter=16, filter_size=(3, 3), strides=(2, 2), act=tf.nn.relu,
                 padding="SAME", name="conv1")
    n = L.Conv2d(n, n_filter=16, filter_size=(3, 3), strides=(2, 2), act=tf.nn.relu,
                 padding="SAME", name="conv2")
    n = L.FlattenLayer(n, name="flatten2")
    n = L.DenseLayer(n, n_units=1024, act=tf.nn.relu, name="out1")
    n = L.DenseLayer(n, n_units=10, name="out2")
    return n, s


@pytest.fixture(scope="module")
def built():
    net, s = model(is_train=True)
    net.print_layers()
    net.print_params(False)
    return net, s


def test_reuse(built):
    net, _ = model(is_train=True, reuse=built[0])
    assert all(a is b for a, b in zip(net.all_params, built[0].all_params))


def test_net_shape(built):
    assert list(built[1].output_shape[1:]) == [40, 40, 1]


def test_net_layers(built):
    assert len(built[0].all_layers) == 10


def test_net_params(built):
    assert len(built[0].all_params) == 12


def test_net_n_params(built):
    assert built[0].count_params() == 1667980
