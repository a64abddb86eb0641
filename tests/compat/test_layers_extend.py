"""TensorLayer 1.11.1 tests/test_layers_extend.py, ported: ExpandDims then Tile with a -1."""
import pytest
import tensorflow as tf

import tlcore as tl


@pytest.fixture(scope="module")
def nets():
    n = tl.layers.InputLayer(tf.TensorSpec((None, 100), tf.float32), name='in')
    n = tl.layers.DenseLayer(n, n_units=100, name='d1')
    n = tl.layers.DenseLayer(n, n_units=100, name='d2')
    n1 = tl.layers.ExpandDimsLayer(n, axis=2)
    n2 = tl.layers.TileLayer(n1, multiples=[-1, 1, 3])  # 1.11 accepted -1 (read as 1 by TF1)
    n2.print_layers()
    n2.print_params(False)
    return n1, n2


def test_shape_1(nets):
    assert nets[0].outputs.get_shape().as_list()[-1] == 1


def test_shape_2(nets):
    assert nets[1].outputs.get_shape().as_list()[-1] == 3


def test_layers(nets):
    assert len(nets[1].all_layers) == 5


def test_params(nets):
    assert len(nets[1].all_params) == 4
