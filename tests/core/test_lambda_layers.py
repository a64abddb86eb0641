"""Tests for tlcore/layers/lambda_layers.py."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import check_layer, random_inputs
from tlcore.layers.core import InputLayer
from tlcore.layers.dense import DenseLayer
from tlcore.layers.lambda_layers import LambdaLayer


@given(n=st.integers(1, 5), batch=st.integers(1, 4))
def test_function_properties(n, batch):
    net = LambdaLayer(DenseLayer(InputLayer([None, 3]), n_units=n),
                      fn=lambda x, k: tf.concat([x, k * tf.tanh(x)], -1), fn_args={"k": 2.0})
    check_layer(net, config=False, batch_sizes=(batch,))
    assert net.output_shape == (None, 2 * n)


def test_function_matches_numpy():
    net = LambdaLayer(InputLayer([None, 3]), fn=lambda x: 2 * x - 1)
    x = random_inputs(net, 4)
    np.testing.assert_allclose(net(x), 2 * x - 1, rtol=1e-6)
    assert net.all_params == []


def test_wrapping_a_keras_layer_lists_its_variables():
    k = keras.layers.Dense(3)
    net = check_layer(LambdaLayer(InputLayer([None, 4]), fn=k, name="lam"), config=False,
                      n_params=15)
    assert [net.param_name(v) for v in net.all_params] == ["lam/kernel", "lam/bias"]
    x = random_inputs(net, 2)
    np.testing.assert_allclose(net(x), k(x), rtol=1e-6)


def test_fn_weights_are_listed_and_trained():
    w = tf.Variable(np.ones((3,), np.float32), name="w")
    net = check_layer(LambdaLayer(InputLayer([None, 3]), fn=lambda x: x * w, fn_weights=[w]),
                      config=False)
    assert net.all_params == [w] and net.trainable_params == [w]


def test_serialization_is_refused_clearly():
    net = LambdaLayer(InputLayer([None, 3]), fn=tf.nn.relu, name="lam")
    with pytest.raises(ValueError, match=r"LambdaLayer 'lam'.*cannot be serialized"):
        net.get_config()


@pytest.mark.parametrize("kwargs, match", [
    ({"fn": 3}, r"fn must be a callable, received 3"),
    ({"fn": tf.nn.relu, "fn_args": [1]}, r"fn_args must be a dict or None"),
    ({"fn": tf.nn.relu, "fn_weights": [np.ones(3)]}, r"fn_weights must be tf.Variables"),
    ({"fn": lambda x: tf.matmul(x, tf.ones((4, 2)))},
     r"cannot be applied to input of shape \(None, 3\)"),
], ids=["not_callable", "fn_args_list", "fn_weights_array", "fn_fails"])
def test_bad_arguments_name_the_layer(kwargs, match):
    with pytest.raises(ValueError, match=r"LambdaLayer 'lam'.*" + match):
        LambdaLayer(InputLayer([None, 3]), name="lam", **kwargs)


def test_a_function_that_creates_keras_layers_is_refused_with_the_fix():
    import keras

    def block(x):  # TensorLayer 1.x's importer idiom: new Keras layers on every call
        return keras.layers.Dense(3)(x)

    with pytest.raises(ValueError, match=r"LambdaLayer 'blk': fn 'block' creates variables each "
                                         r"time it runs.*keras\.Sequential"):
        LambdaLayer(InputLayer([None, 4]), fn=block, name="blk")
    net = LambdaLayer(InputLayer([None, 4]), keras.Sequential([keras.layers.Dense(3)]), name="s")
    assert net.count_params() == 15
