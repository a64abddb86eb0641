"""TensorLayer 1.11.1 tests/test_layers_activation.py, ported: PRelu, PRelu6 and PTRelu6 layers,
per channel and channel-shared."""
import pytest
import tensorflow as tf

import tlcore as tl

# layer class -> (net1 facts, net2 facts); facts = (n layers, n arrays, n scalars, last array shape)
CASES = {
    "PReluLayer": ((3, 3, 320, [10]), (5, 6, 651, [1])),
    "PRelu6Layer": ((3, 3, 320, [10]), (5, 6, 651, [1])),
    "PTRelu6Layer": ((3, 4, 330, [10]), (5, 8, 662, [1])),
}


def build(cls_name):
    act_layer = getattr(tl.layers, cls_name)
    in_layer = tl.layers.InputLayer(tf.TensorSpec([None, 30], tf.float32), name='input')
    net = tl.layers.DenseLayer(in_layer, n_units=10, name='dense_1')
    net1 = act_layer(net, name=f'{cls_name.lower()}_1')
    net2 = tl.layers.DenseLayer(net1, n_units=30, name='dense_2')
    net2 = act_layer(net2, channel_shared=True, name=f'{cls_name.lower()}_2')
    return net1, net2


def facts(net):
    return (len(net.all_layers), len(net.all_params), net.count_params(),
            net.all_params[-1].get_shape().as_list())


@pytest.mark.parametrize("cls_name", list(CASES))
def test_net1(cls_name):
    net1, _ = build(cls_name)
    assert net1.outputs.get_shape().as_list()[1:] == [10]
    assert facts(net1) == CASES[cls_name][0]


@pytest.mark.parametrize("cls_name", list(CASES))
def test_net2(cls_name):
    _, net2 = build(cls_name)
    assert net2.outputs.get_shape().as_list()[1:] == [30]
    assert facts(net2) == CASES[cls_name][1]
