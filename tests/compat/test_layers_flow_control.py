"""TensorLayer 1.11.1 tests/test_layers_flow_control.py, ported: two MLP branches into a
MultiplexerLayer (names with '/', as TensorLayer's scoped names were)."""
import pytest
import tensorflow as tf

import tlcore as tl


@pytest.fixture(scope="module")
def network():
    net_in = tl.layers.InputLayer(tf.TensorSpec((None, 784), tf.float32, name='x'), name='in')
    net_in = tl.layers.DropoutLayer(net_in, keep=0.8, name='in/drop')
    net_0 = tl.layers.DenseLayer(net_in, n_units=800, act=tf.nn.relu, name='net0/relu1')
    net_0 = tl.layers.DropoutLayer(net_0, keep=0.5, name='net0/drop1')
    net_0 = tl.layers.DenseLayer(net_0, n_units=800, act=tf.nn.relu, name='net0/relu2')
    net_1 = tl.layers.DenseLayer(net_in, n_units=800, act=tf.nn.relu, name='net1/relu1')
    net_1 = tl.layers.DropoutLayer(net_1, keep=0.8, name='net1/drop1')
    net_1 = tl.layers.DenseLayer(net_1, n_units=800, act=tf.nn.relu, name='net1/relu2')
    net_1 = tl.layers.DropoutLayer(net_1, keep=0.8, name='net1/drop2')
    net_1 = tl.layers.DenseLayer(net_1, n_units=800, act=tf.nn.relu, name='net1/relu3')
    net_mux = tl.layers.MultiplexerLayer(layers=[net_0, net_1], name='mux')
    network = tl.layers.ReshapeLayer(net_mux, shape=(-1, 800), name='reshape')
    network = tl.layers.DropoutLayer(network, keep=0.5, name='drop3')
    network = tl.layers.DenseLayer(network, n_units=10, name='output')
    network.print_layers()
    network.print_params(False)
    return network


def test_net_shape(network):
    assert network.outputs.get_shape().as_list()[-1] == 10


def test_net_layers(network):
    assert len(network.all_layers) == 14


def test_net_params(network):
    assert len(network.all_params) == 12


def test_net_all_drop(network):
    assert len(network.all_drop) == 5


def test_net_n_params(network):
    assert network.count_params() == 3186410
