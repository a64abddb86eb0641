"""Tests for tlcore/layers/keras_layer.py: the wrapped Keras layer is its own oracle."""
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
from tlcore.layers.keras_layer import KerasLayer


@given(n_in=st.integers(1, 4), units=st.integers(1, 4), batch=st.integers(1, 4),
       how=st.sampled_from(["instance", "class", "name"]))
def test_dense_properties(n_in, units, batch, how):
    if how == "instance":
        kw = {"keras_layer": keras.layers.Dense(units, activation="tanh")}
    else:
        kw = {"keras_layer": keras.layers.Dense if how == "class" else "Dense",
              "keras_args": {"units": units, "activation": "tanh"}}
    net = check_layer(KerasLayer(InputLayer([None, n_in]), **kw), batch_sizes=(batch,),
                      n_params=n_in * units + units)
    assert net.output_shape == (None, units)


def test_weights_join_all_params_and_are_keras_variables():
    k = keras.layers.Dense(3)
    net = KerasLayer(DenseLayer(InputLayer([None, 4]), n_units=5, name="d"), keras_layer=k,
                     name="kd")
    assert [net.param_name(v) for v in net.all_params] == ["d/W", "d/b", "kd/kernel", "kd/bias"]
    assert net.all_params[2] is k.kernel.value
    x = random_inputs(net, 2)
    np.testing.assert_allclose(net(x), k(net.prev_layers[0](x)), rtol=1e-6)
    net.all_params[3].assign([1.0, 2.0, 3.0])  # assigning through all_params changes Keras
    np.testing.assert_array_equal(k.bias.numpy(), [1.0, 2.0, 3.0])


def test_training_flag_reaches_keras():
    bn = keras.layers.BatchNormalization(momentum=0.5)
    net = KerasLayer(InputLayer([None, 3]), keras_layer=bn, name="kbn")
    assert [net.param_name(v) for v in net.all_params] == [
        "kbn/gamma", "kbn/beta", "kbn/moving_mean", "kbn/moving_variance"]
    assert [v.trainable for v in net.all_params] == [True, True, False, False]
    x = random_inputs(net, 4) + 3.0
    net(x, is_train=False)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), 0.0)
    net(x, is_train=True)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.5 * x.mean(0), rtol=1e-5)
    check_layer(net)


def test_keras_dropout_active_only_in_training():
    net = KerasLayer(InputLayer([None, 200]), keras_layer=keras.layers.Dropout(0.5))
    x = np.ones((10, 200), np.float32)
    np.testing.assert_array_equal(net(x), x)
    assert (net(x, is_train=True).numpy() == 0).mean() > 0.3


def test_sequential_block_and_nested_names():
    block = keras.Sequential([keras.layers.Dense(4, activation="relu"), keras.layers.Dense(2)])
    net = KerasLayer(InputLayer([None, 3]), keras_layer=block, name="blk")
    names = [net.param_name(v) for v in net.all_params]
    assert len(names) == 4 and len(set(names)) == 4 and names[0].endswith("kernel")
    check_layer(net, config=False, nonzero_grads=False)
    with pytest.raises(ValueError, match=r"KerasLayer 'blk'.*Sequential.*rebuild it in code"):
        net.get_config()


def test_conv_and_integer_embedding_inputs():
    conv = KerasLayer(InputLayer([None, 6, 6, 2]), keras_layer="Conv2D",
                      keras_args={"filters": 3, "kernel_size": 3})
    check_layer(conv, n_params=3 * 3 * 2 * 3 + 3)
    assert conv.output_shape == (None, 4, 4, 3)
    emb = KerasLayer(InputLayer([None, 5], tf.int32), keras_layer="Embedding",
                     keras_args={"input_dim": 10, "output_dim": 4})
    check_layer(emb, n_params=40, nonzero_grads=True)
    assert emb.output_shape == (None, 5, 4)


@pytest.mark.parametrize("kwargs, match", [
    ({"keras_layer": "NoSuchLayer"}, r"'NoSuchLayer' is not a class in keras.layers"),
    ({"keras_layer": 3}, r"keras_layer must be a Keras layer.*received 3"),
    ({"keras_layer": keras.layers.Dense(2), "keras_args": {"units": 2}},
     r"keras_args is only for a class"),
    ({"keras_layer": "Dense", "keras_args": {"unitz": 2}}, r"cannot build Dense from keras_args"),
    ({"keras_layer": "Dense", "keras_args": [2]}, r"keras_args must be a dict"),
    ({"keras_layer": "Conv2D", "keras_args": {"filters": 2, "kernel_size": 3}},
     r"Conv2D cannot be applied to input of shape \(None, 4\)"),
], ids=["unknown_name", "not_a_layer", "instance_with_args", "bad_args", "args_not_dict",
        "wrong_rank"])
def test_bad_arguments_name_the_layer(kwargs, match):
    with pytest.raises(ValueError, match=r"KerasLayer 'k'.*" + match):
        KerasLayer(InputLayer([None, 4]), name="k", **kwargs)


def test_a_function_returning_a_keras_model_is_called_with_keras_args():
    def small_model(units):
        return keras.Sequential([keras.layers.Dense(units, activation="relu"),
                                 keras.layers.Dense(2)])

    net = KerasLayer(InputLayer([None, 4]), small_model, {"units": 3}, name="m")
    assert net.output_shape == (None, 2) and net.count_params() == 4 * 3 + 3 + 3 * 2 + 2
    with pytest.raises(ValueError, match=r"KerasLayer 'bad': keras_layer <lambda>\(\*\*keras_args"
                                         r"\) must return a Keras layer or model, received int"):
        KerasLayer(InputLayer([None, 4]), lambda: 3, name="bad")
