"""Tests for tlcore/layers/onehot.py: numpy indexing is the oracle."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import check_layer, random_inputs
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
