"""Tests for tlcore/layers/normalization.py: Keras BatchNormalization / LayerNormalization are
the oracles on copied weights, numpy the oracle for the other axes."""
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
from tlcore.layers.normalization import BatchNormLayer, LayerNormLayer
from tlcore.layers.shape import ReshapeLayer

shapes = st.lists(st.integers(2, 4), min_size=1, max_size=3)


def _after_dense(shape):
    n = int(np.prod(shape))
    return ReshapeLayer(DenseLayer(InputLayer([None, 3]), n_units=n), shape=(-1, *shape))


def _keras_bn(net, shape):
    k = keras.layers.BatchNormalization(momentum=net.decay, epsilon=net.epsilon)
    k.build((None, *shape))
    k.set_weights([net.gamma.numpy(), net.beta.numpy(), net.moving_mean.numpy(),
                   net.moving_variance.numpy()])
    return k


# ------------------------------------------------------------------------------ BatchNormLayer
@given(shape=shapes, batch=st.integers(2, 4))
def test_batchnorm_properties(shape, batch):
    net = check_layer(BatchNormLayer(_after_dense(shape), act="relu"), batch_sizes=(batch,))
    c = shape[-1]
    assert net.count_params() == 3 * int(np.prod(shape)) + int(np.prod(shape)) + 4 * c


def test_batchnorm_variables_follow_tensorlayer():
    net = BatchNormLayer(InputLayer([None, 4, 4, 3]), name="bn")
    assert [net.param_name(v) for v in net.all_params] == [
        "bn/beta", "bn/gamma", "bn/moving_mean", "bn/moving_variance"]
    assert [v.trainable for v in net.all_params] == [True, True, False, False]
    assert net.trainable_params == [net.beta, net.gamma]
    assert net.decay == 0.9 and net.epsilon == 1e-5  # TensorLayer's defaults
    np.testing.assert_allclose(net.gamma.numpy(), 1.0, atol=0.02)
    np.testing.assert_array_equal(net.moving_variance.numpy(), 1.0)


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4)], ids=["2d", "3d", "4d"])
def test_batchnorm_matches_keras_in_training_and_inference(shape):
    net = BatchNormLayer(InputLayer([None, *shape]), decay=0.8, epsilon=1e-3)
    c = shape[-1]
    rng = np.random.default_rng(0)
    for v, val in ((net.beta, rng.normal(size=c)), (net.gamma, 1 + rng.normal(size=c)),
                   (net.moving_mean, rng.normal(size=c)),
                   (net.moving_variance, 1 + rng.random(c))):
        v.assign(val.astype(np.float32))
    k = _keras_bn(net, shape)
    x = (3 + 2 * rng.standard_normal((6, *shape))).astype(np.float32)
    # inference: moving statistics, nothing updated
    np.testing.assert_allclose(net(x, is_train=False), k(x, training=False), rtol=1e-5, atol=1e-5)
    # training: batch statistics, moving ones updated like Keras with momentum=decay
    for step in range(3):
        xs = x + step
        np.testing.assert_allclose(net(xs, is_train=True), k(xs, training=True),
                                   rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(net.moving_mean.numpy(), k.moving_mean.numpy(), rtol=1e-5,
                                   atol=1e-5)
        np.testing.assert_allclose(net.moving_variance.numpy(), k.moving_variance.numpy(),
                                   rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(net(x, is_train=False), k(x, training=False), rtol=1e-5, atol=1e-5)


def test_batchnorm_moving_update_formula_and_only_when_training():
    net = BatchNormLayer(InputLayer([None, 2]), decay=0.9)
    x = np.array([[1.0, 2.0], [3.0, 6.0]], np.float32)
    net(x, is_train=False)
    np.testing.assert_array_equal(net.moving_mean.numpy(), 0.0)
    f = tf.function(lambda t: net(t, is_train=True))
    f(x)
    np.testing.assert_allclose(net.moving_mean.numpy(), 0.1 * x.mean(0), rtol=1e-6)
    np.testing.assert_allclose(net.moving_variance.numpy(), 0.9 + 0.1 * x.var(0), rtol=1e-6)
    f(x)  # the update runs inside tf.function on every call
    np.testing.assert_allclose(net.moving_mean.numpy(), 0.19 * x.mean(0), rtol=1e-6)


def test_batchnorm_frozen_by_is_train_false():
    net = check_layer(BatchNormLayer(_after_dense([3]), is_train=False, name="bn"))
    bn = net
    assert bn.trainable_params == bn.prev_layers[0].trainable_params  # beta/gamma frozen
    x = random_inputs(net, 4)
    np.testing.assert_allclose(net(x, is_train=True), net(x, is_train=False))
    np.testing.assert_array_equal(bn.moving_mean.numpy(), 0.0)


@pytest.mark.parametrize("kwargs, match", [
    ({"decay": 1.0}, r"decay must be a number in \[0, 1\), received 1.0"),
    ({"decay": -0.1}, r"decay.*received -0.1"),
    ({"epsilon": 0}, r"epsilon must be a positive number, received 0"),
    ({"is_train": "yes"}, r"is_train must be None or a bool, received 'yes'"),
], ids=["decay_one", "decay_negative", "epsilon_zero", "is_train_str"])
def test_batchnorm_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=r"BatchNormLayer 'bn'.*" + match):
        BatchNormLayer(InputLayer([None, 3]), name="bn", **kwargs)


def test_batchnorm_bad_input_shape():
    with pytest.raises(ValueError, match=r"BatchNormLayer 'bn'.*known last dim.*\(None, None\)"):
        BatchNormLayer(InputLayer([None, None]), name="bn")


# ------------------------------------------------------------------------------ LayerNormLayer
@given(shape=shapes, batch=st.integers(1, 4), data=st.data())
def test_layernorm_properties(shape, batch, data):
    rank = len(shape) + 1
    norm = data.draw(st.integers(1, rank - 1))
    params = data.draw(st.integers(1, rank - 1))
    net = LayerNormLayer(_after_dense(shape), begin_norm_axis=norm, begin_params_axis=params)
    check_layer(net, batch_sizes=(batch,))
    assert net.all_params[-1].shape == tuple(shape[params - 1:])


@pytest.mark.parametrize("shape", [(6,), (3, 5)], ids=["2d", "3d"])
def test_layernorm_matches_keras(shape):
    net = LayerNormLayer(InputLayer([None, *shape]), begin_norm_axis=-1, epsilon=1e-6)
    rng = np.random.default_rng(1)
    net.beta.assign(rng.normal(size=shape[-1:]).astype(np.float32))
    net.gamma.assign((1 + rng.normal(size=shape[-1:])).astype(np.float32))
    k = keras.layers.LayerNormalization(axis=-1, epsilon=1e-6)
    k.build((None, *shape))
    k.set_weights([net.gamma.numpy(), net.beta.numpy()])
    x = (2 + 3 * rng.standard_normal((4, *shape))).astype(np.float32)
    np.testing.assert_allclose(net(x), k(x), rtol=1e-4, atol=1e-4)


def test_layernorm_default_axes_match_numpy():
    net = LayerNormLayer(InputLayer([None, 3, 4]), act=tf.nn.relu, name="ln")
    assert [net.param_name(v) for v in net.all_params] == ["ln/beta", "ln/gamma"]
    net.gamma.assign([1.0, 2.0, 0.5, -1.0])
    net.beta.assign([0.1, 0.0, -0.2, 0.3])
    x = random_inputs(net, 2)
    mean = x.mean(axis=(1, 2), keepdims=True)
    var = x.var(axis=(1, 2), keepdims=True)
    ref = np.maximum((x - mean) / np.sqrt(var + 1e-12) * net.gamma.numpy() + net.beta.numpy(), 0)
    np.testing.assert_allclose(net(x), ref, rtol=1e-4, atol=1e-5)


def test_layernorm_without_center_scale_or_trainable():
    net = LayerNormLayer(InputLayer([None, 4]), center=False, scale=False)
    assert net.all_params == []
    frozen = LayerNormLayer(InputLayer([None, 4]), trainable=False)
    assert len(frozen.all_params) == 2 and frozen.trainable_params == []


@pytest.mark.parametrize("kwargs, shape, match", [
    ({"begin_norm_axis": 0}, [None, 3], r"begin_norm_axis must be in \[1, 1\].*received 0"),
    ({"begin_params_axis": 5}, [None, 3], r"begin_params_axis.*received 5"),
    ({"begin_params_axis": 1}, [None, None, 3], r"must be known.*\(None, None, 3\)"),
    ({}, [None], r"rank >= 2.*\(None,\)"),
    ({"epsilon": -1.0}, [None, 3], r"epsilon must be a positive number"),
    ({"begin_norm_axis": 1.5}, [None, 3], r"begin_norm_axis must be an int"),
], ids=["norm_axis_batch", "params_axis_range", "params_unknown", "rank1", "epsilon", "float_axis"])
def test_layernorm_bad_arguments(kwargs, shape, match):
    with pytest.raises(ValueError, match=r"LayerNormLayer 'ln'.*" + match):
        LayerNormLayer(InputLayer(shape), name="ln", **kwargs)
