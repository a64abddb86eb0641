"""Tests for tlcore/layers/activation_layers.py: Keras PReLU (on sigmoid(alpha)) and numpy
piecewise formulas are the oracles."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import check_layer, random_inputs
from tlcore.layers.activation_layers import (PRelu6Layer, PReluLayer, PTRelu6Layer, ScaleLayer,
                                             SignLayer)
from tlcore.layers.core import InputLayer
from tlcore.layers.dense import DenseLayer
from tlcore.layers.shape import ReshapeLayer


def sigmoid(a):
    return 1 / (1 + np.exp(-np.asarray(a, np.float64)))


def _after_dense(shape, scale=1.0):
    n = int(np.prod(shape))
    dense = DenseLayer(InputLayer([None, 3]), n_units=n,
                       W_init=keras.initializers.RandomNormal(stddev=scale))
    return ReshapeLayer(dense, shape=(-1, *shape))


@given(cls=st.sampled_from([PReluLayer, PRelu6Layer, PTRelu6Layer]),
       shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), shared=st.booleans(),
       batch=st.integers(1, 4))
def test_prelu_family_properties(cls, shape, shared, batch):
    # weights with stddev 4 put inputs on every piece (< 0, [0, 6], > 6)
    net = cls(_after_dense(shape, scale=4.0), channel_shared=shared)
    n_alpha = (1 if shared else shape[-1]) * len(cls.alpha_names)
    check_layer(net, n_params=4 * int(np.prod(shape)) + n_alpha, batch_sizes=(batch,),
                nonzero_grads=cls is not PTRelu6Layer)


@pytest.mark.parametrize("shared", [False, True], ids=["per_channel", "shared"])
def test_prelu_matches_keras_prelu(shared):
    net = PReluLayer(InputLayer([None, 3, 4]), channel_shared=shared, name="prelu")
    assert [net.param_name(v) for v in net.all_params] == ["prelu/alpha"]
    net.alpha.assign(np.linspace(-2, 2, net.alpha.shape[0]).astype(np.float32))
    k = keras.layers.PReLU(shared_axes=[1, 2] if shared else [1])
    k.build((None, 3, 4))
    k.set_weights([np.broadcast_to(sigmoid(net.alpha.numpy()), k.weights[0].shape)])
    x = random_inputs(net, 5)
    np.testing.assert_allclose(net(x), k(x), rtol=1e-6, atol=1e-6)


def test_prelu6_and_ptrelu6_match_numpy():
    x = np.array([[-3.0, -0.5, 0.0, 2.0, 6.0, 9.0]], np.float32)
    p6 = PRelu6Layer(InputLayer([None, 6]), channel_shared=True)
    p6.alpha.assign([0.3])
    a = sigmoid(0.3)
    np.testing.assert_allclose(p6(x), [[-3 * a, -0.5 * a, 0, 2, 6, 6]], rtol=1e-6)
    pt = PTRelu6Layer(InputLayer([None, 6]), channel_shared=True, name="pt")
    assert [pt.param_name(v) for v in pt.all_params] == ["pt/alpha_low", "pt/alpha_high"]
    pt.alphas[0].assign([0.3])
    pt.alphas[1].assign([-1.0])
    lo, hi = sigmoid(0.3), sigmoid(-1.0)
    np.testing.assert_allclose(pt(x), [[-3 * lo, -0.5 * lo, 0, 2, 6, 6 + 3 * hi]], rtol=1e-6)


@given(init=st.floats(-2, 2), shape=st.lists(st.integers(1, 4), min_size=1, max_size=3),
       batch=st.integers(1, 4))
def test_scale_properties(init, shape, batch):
    net = check_layer(ScaleLayer(_after_dense(shape), init_scale=init), batch_sizes=(batch,),
                      nonzero_grads=False)
    x = random_inputs(net, 2)
    np.testing.assert_allclose(net(x), net.prev_layers[0](x) * np.float32(init), rtol=1e-6)


def test_scale_default_and_name():
    net = ScaleLayer(InputLayer([None, 2]), name="s")
    assert [net.param_name(v) for v in net.all_params] == ["s/scale"]
    assert net.scale.numpy().tolist() == [pytest.approx(0.05)]


@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), batch=st.integers(1, 4))
def test_sign_properties(shape, batch):
    check_layer(SignLayer(_after_dense(shape)), batch_sizes=(batch,))


def test_sign_forward_and_clipped_straight_through_gradient():
    net = SignLayer(InputLayer([None, 4]))
    x = tf.constant([[-2.0, -0.1, 0.0, 3.0]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = net(x)
        loss = tf.reduce_sum(y * tf.constant([[1.0, 2.0, 3.0, 4.0]]))
    np.testing.assert_array_equal(y, [[-1, -1, 0, 1]])
    # 1.11 clipped the passed-through gradient to [-1, 1]
    np.testing.assert_array_equal(tape.gradient(loss, x), [[1.0, 1.0, 1.0, 1.0]])


@pytest.mark.parametrize("make, match", [
    (lambda: PReluLayer(InputLayer([None, None]), name="p"),
     r"PReluLayer 'p'.*known last dim.*\(None, None\)"),
    (lambda: PReluLayer(InputLayer([None, 3]), channel_shared="no", name="p"),
     r"PReluLayer 'p'.*channel_shared must be a bool"),
    (lambda: PTRelu6Layer(InputLayer([None, 3]), a_init=None, name="p"),
     r"PTRelu6Layer 'p'.*a_init cannot be None"),
    (lambda: ScaleLayer(InputLayer([None, 3]), init_scale="1", name="p"),
     r"ScaleLayer 'p'.*init_scale must be a number, received '1'"),
], ids=["prelu_unknown_channels", "prelu_shared_str", "ptrelu_no_init", "scale_str"])
def test_bad_arguments_name_the_layer(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_prelu_shared_accepts_unknown_channels():
    x = np.array([[-1.0, 2.0, -3.0], [0.5, -0.5, 1.0]], np.float32)
    net = check_layer(PReluLayer(InputLayer([None, None]), channel_shared=True), x=x)
    assert net.count_params() == 1
