"""TensorLayer 1.11.1 tests/test_layers_time_distributed.py, ported: a DenseLayer applied at
every step, given with TensorLayer's ``args=`` spelling."""
import numpy as np
import pytest
import tensorflow as tf

import tlcore as tl


def model(x, reuse=None):
    # 1.11 wrapped this in tf.variable_scope(name_scope, reuse=reuse); tlcore shares variables
    # with ``tl.layers.reuse(network)`` and needs no scope.
    with tl.layers.reuse(reuse):
        net = tl.layers.InputLayer(x, name='input')
        net = tl.layers.TimeDistributedLayer(
            net, layer_class=tl.layers.DenseLayer, args={'n_units': 50, 'name': 'dense'},
            name='time_dense')
    return net


@pytest.fixture(scope="module")
def x():
    return tf.TensorSpec([32, 20, 100], tf.float32, name="encode_seqs")


def test_net_shape(x):
    assert model(x).outputs.get_shape().as_list() == [32, 20, 50]


def test_net_n_params(x):
    assert model(x).count_params() == 5050


def test_reuse(x):
    # Deliberate difference: 1.11 raised when the model was built a second time without reuse
    # (global variable names). tlcore builds it again as a new network with its own variables,
    # and ``reuse=`` shares the first one's variables instead.
    net1 = model(x)
    net2 = model(x)
    shared = model(tf.TensorSpec([1, 7, 100], tf.float32), reuse=net1)  # another batch and length
    assert all(a is not b for a, b in zip(net1.all_params, net2.all_params))
    assert [id(v) for v in shared.all_params] == [id(v) for v in net1.all_params]
    seq = np.random.default_rng(0).standard_normal((1, 7, 100)).astype(np.float32)
    W, b = (v.numpy() for v in net1.all_params)
    np.testing.assert_allclose(shared(seq), seq @ W + b, rtol=1e-5, atol=1e-5)
