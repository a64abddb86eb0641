"""TensorLayer 1.11.1 tests/test_layers_basic.py, ported: a two-dense net and a slice of it."""
import pytest
import tensorflow as tf

import tlcore as tl


@pytest.fixture(scope="module")
def nets():
    n = tl.layers.InputLayer(tf.TensorSpec([None, 100], tf.float32), name='in')  # was a placeholder
    n = tl.layers.DenseLayer(n, n_units=80, name='d1')
    n = tl.layers.DenseLayer(n, n_units=80, name='d2')
    n.print_layers()
    n.print_params(False)
    n2 = n[:, :30]
    n2.print_layers()
    return n, n2


def test_n_params(nets):
    assert nets[0].count_params() == 14560


def test_shape_n(nets):
    assert nets[0].outputs.get_shape().as_list()[-1] == 80


def test_all_layers(nets):
    assert len(nets[0].all_layers) == 3


def test_all_params(nets):
    assert len(nets[0].all_params) == 4


def test_shape_n2(nets):
    assert nets[1].outputs.get_shape().as_list()[-1] == 30
