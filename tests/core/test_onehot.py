"""Tests for tlcore/layers/onehot.py: numpy indexing is the oracle."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import check_layer, random_inputs
from tlcore.layers.core import InputLayer
from tlcore.layers.dense import DenseLayer
from tlcore.layers.onehot import OneHotInputLayer


@given(depth=st.integers(5, 8), batch=st.integers(1, 4))
def test_properties(depth, batch):
    net = OneHotInputLayer([None], depth=depth, name="labels")
    check_layer(net, batch_sizes=(batch,))
    assert net.output_shape == (None, depth)
    check_layer(DenseLayer(net, n_units=2), batch_sizes=(batch,))


def test_matches_numpy():
    net = OneHotInputLayer([None, 3], depth=5, on_value=2.0, off_value=-1.0)
    x = random_inputs(net, 4)
    assert x.dtype == np.int32
    expected = np.where(np.eye(5)[x] > 0, 2.0, -1.0)
    np.testing.assert_array_equal(net(x), expected)
    assert net.output_shape == (None, 3, 5) and net.output_dtype == tf.float32


def test_axis_and_dtype_and_config():
    net = check_layer(OneHotInputLayer([None, 3], depth=6, axis=1, dtype="float64", name="oh"))
    assert net.output_shape == (None, 6, 3) and net.output_dtype == tf.float64
    assert net.get_config() == {"inputs": [None, 3], "depth": 6, "on_value": None,
                                "off_value": None, "axis": 1, "dtype": "float64", "name": "oh"}


def test_fed_values_are_checked():
    net = OneHotInputLayer([None], depth=4, name="labels")
    with pytest.raises(TypeError, match=r"OneHotInputLayer 'labels'.*integer.*float32"):
        net(np.zeros((2,), np.float32))
    with pytest.raises(ValueError, match=r"OneHotInputLayer 'labels'.*\(None,\).*\(2, 2\)"):
        net(np.zeros((2, 2), np.int32))


@pytest.mark.parametrize("kwargs, match", [
    ({"depth": None}, r"depth must be a positive int, received None"),
    ({"depth": 0}, r"depth must be a positive int, received 0"),
    ({"depth": 3, "axis": 4}, r"axis must be in \[-2, 1\].*received 4"),
    ({"depth": 3, "on_value": "1"}, r"on_value must be a number"),
], ids=["no_depth", "zero_depth", "axis", "on_value"])
def test_bad_arguments_name_the_layer(kwargs, match):
    with pytest.raises(ValueError, match=r"OneHotInputLayer 'oh'.*" + match):
        OneHotInputLayer([None], name="oh", **kwargs)


def test_float_spec_rejected():
    with pytest.raises(ValueError, match=r"OneHotInputLayer 'oh'.*integer.*float32"):
        OneHotInputLayer(tf.TensorSpec([None], tf.float32), depth=3, name="oh")


def test_dtype_is_the_fed_indices_output_dtype_is_out_dtype():
    net = OneHotInputLayer(tf.TensorSpec([None], tf.int64), depth=3, dtype="float64", name="oh")
    assert net.dtype == tf.int64 and net.feed_spec == tf.TensorSpec([None], tf.int64)
    assert net.out_dtype == net.output_dtype == tf.float64


def test_fit_feeds_integer_ids():
    # tl.utils.fit casts X to the input layer's dtype: the ids must stay ids (int), not floats
    import keras

    import tlcore as tl

    keras.utils.set_random_seed(0)
    ids = np.arange(200) % 4  # int64, as numpy makes them
    net = DenseLayer(OneHotInputLayer([None], depth=4, name="ids"), n_units=4, name="out")
    history = tl.utils.fit(net, keras.optimizers.Adam(0.1), tl.cost.cross_entropy, ids, ids,
                           batch_size=50, n_epoch=15, print_freq=100, progress=False)
    assert history.train_loss[-1] < 0.5 * history.train_loss[0]
    np.testing.assert_array_equal(np.argmax(net(np.arange(4)), axis=-1), np.arange(4))


def test_an_input_layer_gives_the_fed_spec_and_stays_out_of_the_network():
    x = InputLayer([None, 3], dtype=tf.int32, name="x")
    net = OneHotInputLayer(x, depth=4, name="oh")
    assert net.feed_spec == tf.TensorSpec([None, 3], tf.int32)
    assert net.output_shape == (None, 3, 4) and [layer.name for layer in net.all_layers] == ["oh"]
    np.testing.assert_array_equal(net(np.array([[0, 3, 1]])), np.eye(4)[[[0, 3, 1]]])
    # the layer count of TensorLayer 1.11 (OneHotInputLayer on a placeholder: one layer)
    ids = InputLayer([None], dtype=tf.int32, name="ids")
    assert len(DenseLayer(OneHotInputLayer(ids, depth=4), n_units=2).all_layers) == 2


@pytest.mark.parametrize("make_inputs, error, match", [
    (lambda: InputLayer([None, 2]), ValueError,
     r"expected integer indices, e\.g\. InputLayer\(\[None\], dtype=tf\.int32\), "
     r"received dtype float32"),
    (lambda: DenseLayer(OneHotInputLayer([None], depth=2), n_units=3), TypeError,
     r"starts a network.*received DenseLayer 'dense"),
], ids=["float_input_layer", "not_an_input_layer"])
def test_inputs_that_are_not_integer_input_layers_are_refused(make_inputs, error, match):
    with pytest.raises(error, match=r"OneHotInputLayer 'oh'.*" + match):
        OneHotInputLayer(make_inputs(), depth=4, name="oh")
