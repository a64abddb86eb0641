"""TensorLayer 1.11.1 tests/test_layers_stack.py, ported: three dense branches stacked, then
unstacked; ``UnStackLayer.outputs`` is a list of layers, as in 1.11."""
import pytest
import tensorflow as tf

import tlcore as tl


@pytest.fixture(scope="module")
def nets():
    net_in = tl.layers.InputLayer(tf.TensorSpec([None, 30], tf.float32), name='input')
    branches = [tl.layers.DenseLayer(net_in, n_units=10, name=f'dense{i}') for i in (1, 2, 3)]
    net_stack = tl.layers.StackLayer(branches, axis=1, name='stack')
    net_unstack = tl.layers.UnStackLayer(net_stack, axis=1, name='unstack')
    net_stack.print_layers()
    net_unstack.print_layers()
    return net_stack, net_unstack


def test_StackLayer(nets):
    net_stack = nets[0]
    assert net_stack.outputs.get_shape().as_list()[-1] == 10
    assert len(net_stack.all_layers) == 5
    assert len(net_stack.all_params) == 6
    assert net_stack.count_params() == 930


def test_UnStackLayer(nets):
    pieces = nets[1].outputs
    assert len(pieces) == 3
    for n in pieces:
        assert n.outputs.get_shape().as_list()[-1] == 10
        # Deliberate difference: 1.11 counted 5 (its pieces were not listed in all_layers); a
        # tlcore piece is a layer of the network it ends, after the UnStackLayer: 5 + 2 = 7.
        assert len(n.all_layers) == 7
        assert len(n.all_params) == 6
        assert n.count_params() == 930
