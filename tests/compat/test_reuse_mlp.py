"""TensorLayer 1.11.1 tests/test_reuse_mlp.py, ported: a training MLP and an inference MLP on
the same variables. 1.11 did it with ``tf.variable_scope("MLP", reuse=reuse)``; tlcore with
``tl.layers.reuse(network)``."""
import numpy as np
import pytest
import tensorflow as tf

import tlcore as tl


def mlp(x, is_train=True, reuse=None):
    with tl.layers.reuse(reuse):
        network = tl.layers.InputLayer(x, name='input')
        network = tl.layers.DropoutLayer(network, keep=0.8, is_fix=True, is_train=is_train,
                                         name='drop1')
        network = tl.layers.DenseLayer(network, n_units=800, act=tf.nn.relu, name='relu1')
        network = tl.layers.DropoutLayer(network, keep=0.5, is_fix=True, is_train=is_train,
                                         name='drop2')
        network = tl.layers.DenseLayer(network, n_units=800, act=tf.nn.relu, name='relu2')
        network = tl.layers.DropoutLayer(network, keep=0.5, is_fix=True, is_train=is_train,
                                         name='drop3')
        network = tl.layers.DenseLayer(network, n_units=10, name='output')
    return network


@pytest.fixture(scope="module")
def nets():
    net_train = mlp(tf.TensorSpec([None, 784], tf.float32, name='x'), is_train=True)
    # the inference net here has a fixed batch of 1, which the shared variables do not mind
    net_test = mlp(tf.TensorSpec([1, 784], tf.float32), is_train=False, reuse=net_train)
    return net_train, net_test


def test_reuse(nets):
    # Deliberate difference: 1.11 raised when mlp() was built again without reuse (global
    # variable names). tlcore builds an independent network; reuse shares by name and shape.
    net_train, net_test = nets
    again = mlp(tf.TensorSpec([None, 784], tf.float32), is_train=False)
    assert len(again.all_params) == 6
    assert not {id(v) for v in again.all_params} & {id(v) for v in net_train.all_params}
    assert [id(v) for v in net_test.all_params] == [id(v) for v in net_train.all_params]
    x = np.random.default_rng(0).random((1, 784), dtype=np.float32)
    np.testing.assert_allclose(net_test(x), net_train(x, is_train=False), rtol=1e-6)


def test_reuse_needs_the_network():
    with pytest.raises(TypeError, match="network"):
        mlp(tf.TensorSpec([None, 784], tf.float32), reuse=True)
