"""Tests for tlcore/layers/quantized.py: the shared harness, numpy oracles with the
quantizers written from their formulas, and TensorLayer 1.11's variables, counts and order."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

import tlcore as tl
from tests.core.test_quantized_ops import ref_dorefa, ref_overflow, ref_ternary, ref_weight
from tests.helpers import check_layer
from tlcore.layers.core import InputLayer
from tlcore.layers.quantized import (BinaryDenseLayer, DorefaDenseLayer, QuanDenseLayer,
                                     QuanDenseLayerWithBN, TernaryDenseLayer)

RNG = np.random.default_rng(0)


def _x(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def _make(kind, prev, n_units, **kw):
    if kind is DorefaDenseLayer:
        return kind(prev, kw.pop("bitW", 2), kw.pop("bitA", 3), n_units, **kw)
    return kind(prev, n_units, **kw)


KINDS = [BinaryDenseLayer, TernaryDenseLayer, DorefaDenseLayer, QuanDenseLayer]


@given(kind=st.sampled_from(KINDS), n_in=st.integers(1, 5), n_units=st.integers(1, 4),
       batch=st.integers(1, 3), bias=st.booleans())
def test_properties(kind, n_in, n_units, batch, bias):
    net = _make(kind, InputLayer([None, n_in]), n_units, act=tf.nn.tanh,
                b_init="zeros" if bias else None, name="q")
    check_layer(net, n_params=n_in * n_units + bias * n_units, batch_sizes=(batch,))


@given(n_in=st.integers(1, 5), n_units=st.integers(1, 4), batch=st.integers(1, 3),
       is_train=st.sampled_from([None, True, False]))
def test_with_bn_properties(n_in, n_units, batch, is_train):
    net = QuanDenseLayerWithBN(InputLayer([None, n_in]), n_units, is_train=is_train, name="q")
    check_layer(net, n_params=n_in * n_units + 4 * n_units, batch_sizes=(batch,))
    assert len(net.trainable_params) == (1 if is_train is False else 3)


def _weights(net):
    return [np.asarray(v) for v in net.all_params]


@pytest.mark.parametrize("kind, quantize_w, quantize_x", [
    (BinaryDenseLayer, np.sign, lambda x: x),
    (TernaryDenseLayer, lambda w: ref_ternary(w)[0] * np.abs(w)[np.abs(w) > ref_ternary(w)[1]]
     .mean(), lambda x: x),
    (DorefaDenseLayer, lambda w: ref_weight(w, 2), lambda x: ref_dorefa(np.minimum(1, abs(x)), 3)),
    (QuanDenseLayer, lambda w: ref_overflow(w, 8), lambda x: ref_overflow(x, 8)),
], ids=["binary", "ternary", "dorefa", "quan"])
def test_matches_numpy_reference(kind, quantize_w, quantize_x):
    net = _make(kind, InputLayer([None, 6]), 4, act=tf.nn.relu)
    net.all_params[1].assign(_x(4))
    w, b = _weights(net)
    x = _x(5, 6)
    expected = np.maximum(quantize_x(x) @ quantize_w(w) + b, 0)
    np.testing.assert_allclose(net(x), expected, rtol=1e-5, atol=1e-5)


def test_with_bn_matches_batch_norm_folded_into_the_weights():
    net = QuanDenseLayerWithBN(InputLayer([None, 6]), 3, bitW=8, bitA=8, epsilon=1e-3)
    w, gamma, beta, mean, var = _weights(net)
    gamma, beta = gamma + _x(3) * 0.1, _x(3)
    mean, var = _x(3), np.abs(_x(3)) + 0.5
    for v, value in zip(net.all_params[1:], (gamma, beta, mean, var)):
        v.assign(value)
    x = _x(4, 6)
    s = gamma / np.sqrt(var + 1e-3)
    expected = ref_overflow(x, 8) @ ref_overflow(w * s, 8) + beta - s * mean
    np.testing.assert_allclose(net(x, is_train=False), expected, rtol=1e-5, atol=1e-5)
    # 32 bits: exactly batch norm after the product
    net32 = QuanDenseLayerWithBN(InputLayer([None, 6]), 3, bitW=32, bitA=32, epsilon=1e-3)
    for src, dst in zip(net.all_params, net32.all_params):
        dst.assign(src)
    np.testing.assert_allclose(net32(x), (x @ w - mean) * s + beta, rtol=1e-5, atol=1e-5)


def test_with_bn_training_call_updates_the_moving_statistics():
    net = QuanDenseLayerWithBN(InputLayer([None, 4]), 2, decay=0.5, name="q")
    w = np.asarray(net.all_params[0])
    x = _x(8, 4)
    net(x, is_train=True)
    z = x @ w
    np.testing.assert_allclose(net.all_params[3], 0.5 * 1.0 + 0.5 * z.mean(0), rtol=1e-5)
    np.testing.assert_allclose(net.all_params[4], 0.5 * 1.0 + 0.5 * z.var(0), rtol=1e-4)
    frozen = QuanDenseLayerWithBN(InputLayer([None, 4]), 2, is_train=False)
    frozen(x, is_train=True)
    np.testing.assert_allclose(frozen.all_params[3], np.ones(2))


def test_tensorlayer_variables_counts_and_positional_order():
    x = InputLayer([None, 784])
    # 1.11's order: DorefaDenseLayer(prev_layer, bitW, bitA, n_units, act, ...)
    net = DorefaDenseLayer(x, 1, 3, 800, tf.nn.relu, name="d")
    assert (net.bitW, net.bitA, net.n_units) == (1, 3, 800)
    assert [net.param_name(v) for v in net.all_params] == ["d/W", "d/b"]
    assert net.count_params() == 784 * 800 + 800
    # QuanDenseLayer(prev_layer, n_units, act, bitW, bitA, ...)
    net = QuanDenseLayer(x, 10, None, 4, 6)
    assert (net.n_units, net.bitW, net.bitA) == (10, 4, 6)
    net = QuanDenseLayerWithBN(x, 10, name="bn")
    assert [net.param_name(v) for v in net.all_params] == [
        "bn/W", "bn/scale_para", "bn/offset_para", "bn/moving_mean", "bn/moving_variance"]
    assert net.count_params() == 784 * 10 + 4 * 10
    for name in ("BinaryDenseLayer", "TernaryDenseLayer", "DorefaDenseLayer",
                 "QuanDenseLayer", "QuanDenseLayerWithBN"):
        assert getattr(tl.layers, name).__module__ == "tlcore.layers.quantized"


def test_weights_are_quantized_but_stay_float_variables():
    net = BinaryDenseLayer(InputLayer([None, 3]), 2, b_init=None)
    w = np.asarray(net.all_params[0])
    assert len(np.unique(w)) > 2  # the variable keeps float values for training
    np.testing.assert_allclose(net(np.eye(3, dtype=np.float32)), np.sign(w))


BAD = [
    (lambda i: BinaryDenseLayer(i, 0, name="q"), r"BinaryDenseLayer 'q'.*n_units.*received 0"),
    (lambda i: TernaryDenseLayer(i, 4, use_gemm=True, name="q"),
     r"TernaryDenseLayer 'q'.*use_gemm=True.*not implemented"),
    (lambda i: DorefaDenseLayer(i, 0, 3, 4, name="q"), r"DorefaDenseLayer 'q'.*bitW.*received 0"),
    (lambda i: QuanDenseLayer(i, 4, bitA=40, name="q"), r"QuanDenseLayer 'q'.*bitA.*received 40"),
    (lambda i: QuanDenseLayerWithBN(i, 4, decay=1.0, name="q"), r"'q'.*decay.*received 1.0"),
    (lambda i: QuanDenseLayerWithBN(i, 4, is_train="yes", name="q"), r"'q'.*is_train"),
    (lambda i: QuanDenseLayer(InputLayer([None, 2, 3]), 4, name="q"),
     r"QuanDenseLayer 'q'.*rank.*2.*\(None, 2, 3\)"),
]


@pytest.mark.parametrize("make, match", BAD, ids=["n_units", "gemm", "bitW", "bitA", "decay",
                                                  "is_train", "rank"])
def test_bad_arguments_name_the_layer(make, match):
    with pytest.raises(ValueError, match=match):
        make(InputLayer([None, 4]))


def test_docstring_examples():
    import doctest

    from tlcore.layers import quantized

    result = doctest.testmod(quantized, extraglobs={"tf": tf, "InputLayer": InputLayer})
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("kind", [BinaryDenseLayer, QuanDenseLayerWithBN],
                         ids=lambda k: k.__name__)
def test_straight_through_gradients_train_the_float_weights(kind):
    # A few optimizer steps on a separable toy problem lower the loss through the quantizers
    # (the other quantizers' straight-through gradients are checked in test_quantized_ops).
    # Seeded: with 40 steps a binarized layer's progress depends on its start (over seeds 0-5
    # BinaryDenseLayer reached 0.33-0.81 of the first loss; seed 1 reaches 0.39).
    tf.keras.utils.set_random_seed(1)
    rng = np.random.default_rng(1)
    x = rng.random((64, 4)).astype(np.float32)
    y = (x[:, :1] + x[:, 1:2] > 1).astype(np.float32)
    net = kind(InputLayer([None, 4]), 8, act=tf.nn.relu)
    net = tl.layers.DenseLayer(net, n_units=1)
    opt = tf.keras.optimizers.Adam(0.05)

    def loss():
        return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(y, net(x, is_train=True)))

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            value = loss()
        opt.apply_gradients(zip(tape.gradient(value, net.trainable_params), net.trainable_params))

    first = float(loss())
    for _ in range(40):
        step()
    assert float(loss()) < 0.8 * first
