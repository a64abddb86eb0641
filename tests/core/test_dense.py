"""Tests for tlcore/layers/dense.py: numpy and Keras Dense are the oracles."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import check_layer
from tlcore.layers.core import InputLayer
from tlcore.layers.dense import DenseLayer


def ref_dense(x, W, b):  # from the formula, not from the layer
    return np.maximum(x @ np.asarray(W) + np.asarray(b), 0.0)


@given(n_in=st.integers(1, 6), n_units=st.integers(1, 6), batch=st.integers(1, 4))
def test_properties(n_in, n_units, batch):
    net = DenseLayer(InputLayer([None, n_in]), n_units=n_units, act=tf.nn.relu, name="d")
    check_layer(net, n_params=n_in * n_units + n_units, batch_sizes=(batch,))


def test_matches_numpy_reference():
    net = check_layer(DenseLayer(InputLayer([None, 4]), n_units=3, act=tf.nn.relu), n_params=15)
    net.all_params[1].assign([0.1, -0.2, 0.3])
    x = np.random.default_rng(0).standard_normal((5, 4), dtype=np.float32)
    np.testing.assert_allclose(net(x, is_train=False), ref_dense(x, *net.all_params), atol=1e-6)


def test_matches_keras_dense_on_copied_weights():
    net = DenseLayer(InputLayer([None, 6]), n_units=4, act="tanh", name="d")
    k = keras.layers.Dense(4, activation="tanh")
    k.build((None, 6))
    k.set_weights([v.numpy() for v in net.all_params])
    x = np.random.default_rng(1).standard_normal((3, 6), dtype=np.float32)
    np.testing.assert_allclose(net(x), k(x), rtol=1e-6, atol=1e-6)


def test_no_bias_when_b_init_none():
    net = check_layer(DenseLayer(InputLayer([None, 4]), n_units=2, b_init=None), n_params=8)
    assert [net.param_name(v) for v in net.all_params] == ["denselayer_1/W"]


def test_variable_names_follow_tensorlayer():
    net = DenseLayer(InputLayer([None, 4]), n_units=2, name="relu1")
    assert [net.param_name(v) for v in net.all_params] == ["relu1/W", "relu1/b"]


@pytest.mark.parametrize("n_units", [0, -3, 2.5, "8", True],
                         ids=["zero", "negative", "float", "str", "bool"])
def test_bad_n_units_names_layer_and_value(n_units):
    with pytest.raises(ValueError, match=r"DenseLayer 'd'.*n_units.*received"):
        DenseLayer(InputLayer([None, 4]), n_units=n_units, name="d")


@pytest.mark.parametrize("shape", [[None, 4, 4], [None, None], [None]],
                         ids=["rank3", "unknown_last", "rank1"])
def test_bad_input_shape_names_layer_and_shape(shape):
    with pytest.raises(ValueError, match=r"DenseLayer 'd'.*received shape"):
        DenseLayer(InputLayer(shape), n_units=2, name="d")


def test_bad_parent_type():
    with pytest.raises(TypeError, match=r"DenseLayer 'd'.*InputLayer"):
        DenseLayer(tf.zeros((2, 3)), n_units=2, name="d")


@pytest.mark.parametrize("act", ["_sys", "__name__", "experimental", "nope"],
                         ids=["private-module", "dunder", "non-callable", "unknown"])
def test_act_names_resolve_only_to_public_functions(act):
    """A name from a file (network JSON) must not reach private or non-callable attributes."""
    with pytest.raises(ValueError, match=rf"unknown activation '{act}'"):
        DenseLayer(InputLayer([None, 4]), n_units=2, act=act, name="d")
