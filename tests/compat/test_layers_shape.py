"""TensorLayer 1.11.1 tests/test_layers_shape.py, ported: Flatten -> Reshape -> Transpose."""
import pytest
import tensorflow as tf

import tlcore as tl


@pytest.fixture(scope="module")
def nets():
    net = tl.layers.InputLayer(tf.TensorSpec([None, 28, 28, 1], tf.float32), name='input')
    net1 = tl.layers.FlattenLayer(net, name='flatten')
    net2 = tl.layers.ReshapeLayer(net1, shape=(-1, 28, 28, 1), name='reshape')
    net3 = tl.layers.TransposeLayer(net2, perm=[0, 1, 3, 2], name='trans')
    for n in (net1, net2, net3):
        n.print_layers()
        n.print_params(False)
    return net1, net2, net3


def facts(net):
    return (net.outputs.get_shape().as_list()[1:], len(net.all_layers), len(net.all_params),
            net.count_params())


def test_net1(nets):
    assert facts(nets[0]) == ([784], 2, 0, 0)


def test_net2(nets):
    assert facts(nets[1]) == ([28, 28, 1], 3, 0, 0)


def test_net3(nets):
    assert facts(nets[2]) == ([28, 1, 28], 4, 0, 0)
