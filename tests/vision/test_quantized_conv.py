"""Tests for tlcore_vision/layers/quantized_conv.py: the shared harness, ``tf.nn.conv2d`` on
numpy-quantized kernels and inputs as the oracle, and TensorLayer 1.11's variables and order."""
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
from tlcore_vision.layers.quantized_conv import (BinaryConv2d, DorefaConv2d, QuanConv2d,
                                                 QuanConv2dWithBN, TernaryConv2d)

RNG = np.random.default_rng(0)
KINDS = [BinaryConv2d, TernaryConv2d, DorefaConv2d, QuanConv2d]


def _x(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def _make(kind, prev, n_filter, k, s, **kw):
    if kind is DorefaConv2d:
        return kind(prev, 2, 3, n_filter, k, s, **kw)
    return kind(prev, n_filter, k, s, **kw)


@given(kind=st.sampled_from(KINDS), c=st.integers(1, 3), n=st.integers(1, 3),
       k=st.integers(1, 3), s=st.integers(1, 2), pad=st.sampled_from(["SAME", "VALID"]),
       first=st.booleans())
def test_properties(kind, c, n, k, s, pad, first):
    shape = [None, c, 5, 5] if first else [None, 5, 5, c]
    net = _make(kind, InputLayer(shape), n, (k, k), (s, s), padding=pad, act=tf.nn.tanh,
                data_format="NCHW" if first else None, name="q")
    out = -(-5 // s) if pad == "SAME" else (5 - k) // s + 1
    assert net.output_shape == ((None, n, out, out) if first else (None, out, out, n))
    check_layer(net, n_params=k * k * c * n + n, batch_sizes=(2,))


@given(c=st.integers(1, 3), n=st.integers(1, 3), is_train=st.sampled_from([None, True, False]))
def test_with_bn_properties(c, n, is_train):
    net = QuanConv2dWithBN(InputLayer([None, 4, 4, c]), n, (3, 3), is_train=is_train, name="q")
    check_layer(net, n_params=9 * c * n + 4 * n, batch_sizes=(2,))


def _conv(x, w, s=1):
    return tf.nn.conv2d(x, w.astype(np.float32), s, "SAME").numpy()


@pytest.mark.parametrize("kind, quantize_w, quantize_x", [
    (BinaryConv2d, np.sign, lambda x: x),
    (TernaryConv2d, lambda w: ref_ternary(w)[0] * np.abs(w)[np.abs(w) > ref_ternary(w)[1]]
     .mean(), lambda x: x),
    (DorefaConv2d, lambda w: ref_weight(w, 2), lambda x: ref_dorefa(np.minimum(1, abs(x)), 3)),
    (QuanConv2d, lambda w: ref_overflow(w, 8), lambda x: ref_overflow(x, 8)),
], ids=["binary", "ternary", "dorefa", "quan"])
def test_matches_conv_on_numpy_quantized_values(kind, quantize_w, quantize_x):
    net = _make(kind, InputLayer([None, 6, 6, 2]), 3, (3, 3), (2, 2))
    net.all_params[1].assign(_x(3))
    w, b = [np.asarray(v) for v in net.all_params]
    x = _x(2, 6, 6, 2)
    expected = _conv(quantize_x(x), quantize_w(w), 2) + b
    np.testing.assert_allclose(net(x), expected, rtol=1e-5, atol=1e-5)


def test_with_bn_matches_batch_norm_folded_into_the_kernel():
    net = QuanConv2dWithBN(InputLayer([None, 5, 5, 2]), 3, (3, 3), bitW=32, bitA=32,
                           epsilon=1e-3)
    w = np.asarray(net.all_params[0])
    gamma, beta, mean, var = _x(3) + 1, _x(3), _x(3), np.abs(_x(3)) + 0.5
    for v, value in zip(net.all_params[1:], (gamma, beta, mean, var)):
        v.assign(value)
    x = _x(2, 5, 5, 2)
    bn = (_conv(x, w) - mean) * gamma / np.sqrt(var + 1e-3) + beta
    np.testing.assert_allclose(net(x), bn, rtol=1e-4, atol=1e-4)
    q8 = QuanConv2dWithBN(InputLayer([None, 5, 5, 2]), 3, (3, 3), epsilon=1e-3)
    for src, dst in zip(net.all_params, q8.all_params):
        dst.assign(src)
    s = gamma / np.sqrt(var + 1e-3)
    expected = _conv(ref_overflow(x, 8), ref_overflow(w * s, 8)) + beta - s * mean
    np.testing.assert_allclose(q8(x), expected, rtol=1e-4, atol=1e-4)


def test_tensorlayer_names_counts_and_positional_order():
    x = InputLayer([None, 28, 28, 3])
    # 1.11's orders: QuanConv2d(prev, n_filter, filter_size, strides, padding, act, bitW, bitA)
    net = QuanConv2d(x, 16, (5, 5), (2, 2), "VALID", tf.nn.relu, 4, 6, name="q")
    assert (net.padding, net.bitW, net.bitA) == ("VALID", 4, 6)
    assert [net.param_name(v) for v in net.all_params] == ["q/W_conv2d", "q/b_conv2d"]
    assert net.output_shape == (None, 12, 12, 16) and net.count_params() == 5 * 5 * 3 * 16 + 16
    # DorefaConv2d(prev, bitW, bitA, n_filter, filter_size, strides, act, padding)
    net = DorefaConv2d(x, 1, 3, 8, (3, 3), (1, 1), tf.nn.relu, "VALID")
    assert (net.bitW, net.bitA, net.n_filter, net.padding) == (1, 3, 8, "VALID")
    # BinaryConv2d/TernaryConv2d(prev, n_filter, filter_size, strides, act, padding)
    assert BinaryConv2d(x, 8, (3, 3), (1, 1), None, "VALID").output_shape == (None, 26, 26, 8)
    net = QuanConv2dWithBN(x, 4, (3, 3), name="bn")
    assert [net.param_name(v) for v in net.all_params] == [
        "bn/W_conv2d", "bn/scale_para", "bn/offset_para", "bn/moving_mean",
        "bn/moving_variance"]
    for name in ("BinaryConv2d", "TernaryConv2d", "DorefaConv2d", "QuanConv2d",
                 "QuanConv2dWithBN"):
        assert getattr(tl.layers, name).__module__ == "tlcore_vision.layers.quantized_conv"


BAD = [
    (lambda i: BinaryConv2d(i, 0, name="q"), r"BinaryConv2d 'q'.*n_filter.*received 0"),
    (lambda i: TernaryConv2d(i, 4, use_gemm=True, name="q"), r"'q'.*use_gemm=True"),
    (lambda i: DorefaConv2d(i, 1, 0, name="q"), r"DorefaConv2d 'q'.*bitA.*received 0"),
    (lambda i: QuanConv2d(i, 4, (3, 3), (1, 1), "FULL", name="q"), r"'q'.*padding.*'FULL'"),
    (lambda i: QuanConv2dWithBN(i, 4, epsilon=0, name="q"), r"'q'.*epsilon.*received 0"),
    (lambda i: QuanConv2d(InputLayer([None, 4, 4]), 4, name="q"), r"QuanConv2d 'q'.*rank-4"),
]


@pytest.mark.parametrize("make, match", BAD, ids=["n_filter", "gemm", "bitA", "padding",
                                                  "epsilon", "rank"])
def test_bad_arguments_name_the_layer(make, match):
    with pytest.raises(ValueError, match=match):
        make(InputLayer([None, 4, 4, 3]))


def test_known_to_the_core_for_install_hints():
    from tlcore.plugins._known import KNOWN
    from tlcore_vision.plugin import LAYERS

    for name in ("BinaryConv2d", "TernaryConv2d", "DorefaConv2d", "QuanConv2d",
                 "QuanConv2dWithBN"):
        assert name in LAYERS and KNOWN["layers"][name] == "tlcore-vision"
