"""Tests for tlcore_vision/layers/normalization.py: numpy formulas and Keras GroupNormalization."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import check_layer
from tlcore.layers.core import InputLayer
from tlcore_vision.layers.normalization import (GroupNormLayer, InstanceNormLayer,
                                                LocalResponseNormLayer, SwitchNormLayer)

RNG = np.random.default_rng(0)


def _x(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def ref_lrn(x, r, bias, alpha, beta):
    c = x.shape[-1]
    sq = np.zeros_like(x)
    for i in range(c):
        sq[..., i] = np.sum(x[..., max(0, i - r):min(c, i + r + 1)] ** 2, axis=-1)
    return x / (bias + alpha * sq) ** beta


@given(c=st.integers(1, 6), r=st.integers(0, 3), h=st.integers(1, 3),
       params=st.sampled_from([(1.0, 1e-3 / 9.0, 0.75), (2.0, 0.5, 0.5), None]))
def test_lrn_matches_numpy_formula(c, r, h, params):
    bias, alpha, beta = params or (1.0, 1.0, 0.5)
    net = LocalResponseNormLayer(InputLayer([None, h, h, c]), r,
                                 *(params if params else (None, None, None)))
    check_layer(net, batch_sizes=(2,), n_params=0)
    x = _x(2, h, h, c)
    np.testing.assert_allclose(net(x), ref_lrn(x, r, bias, alpha, beta), rtol=1e-4, atol=1e-5)


@given(rank=st.integers(3, 5), c=st.integers(1, 3), n=st.integers(2, 3))
def test_instance_norm_properties_and_formula(rank, c, n):
    net = check_layer(InstanceNormLayer(InputLayer([None, *(n,) * (rank - 2), c]), tf.nn.relu,
                                        name="i"), batch_sizes=(2,), n_params=2 * c)
    assert [net.param_name(v) for v in net.all_params] == ["i/scale", "i/offset"]
    x = _x(2, *(n,) * (rank - 2), c)
    scale, offset = (v.numpy() for v in net.all_params)
    axes = tuple(range(1, rank - 1))
    want = scale * (x - x.mean(axes, keepdims=True)) / np.sqrt(
        x.var(axes, keepdims=True) + 1e-5) + offset
    np.testing.assert_allclose(net(x), np.maximum(want, 0), rtol=1e-4, atol=1e-4)


@given(rank=st.integers(3, 5), groups=st.integers(1, 3), cpg=st.integers(1, 2),
       n=st.integers(2, 3), first=st.booleans())
def test_group_norm_properties_and_keras(rank, groups, cpg, n, first):
    c = groups * cpg
    spatial = (n,) * (rank - 2)
    shape = [None, c, *spatial] if first else [None, *spatial, c]
    net = check_layer(GroupNormLayer(InputLayer(shape), groups, 1e-3,
                                     data_format="channels_first" if first else "channels_last"),
                      batch_sizes=(2,), n_params=2 * c)
    net.all_params[0].assign(_x(c))
    net.all_params[1].assign(_x(c))
    k = keras.layers.GroupNormalization(groups, axis=1 if first else -1, epsilon=1e-3)
    k.build((None, *shape[1:]))
    k.set_weights([v.numpy() for v in net.all_params])  # gamma, beta in both
    x = _x(2, *shape[1:])
    np.testing.assert_allclose(net(x), k(x), rtol=1e-4, atol=1e-4)


def ref_switch(x, beta, gamma, mw, vw, bn_mean, bn_var, eps=1e-5):
    sm = lambda w: np.exp(w) / np.exp(w).sum()  # noqa: E731
    mw, vw = sm(mw), sm(vw)
    mean = mw[0] * bn_mean + mw[1] * x.mean((1, 2), keepdims=True) + \
        mw[2] * x.mean((1, 2, 3), keepdims=True)
    var = vw[0] * bn_var + vw[1] * x.var((1, 2), keepdims=True) + \
        vw[2] * x.var((1, 2, 3), keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


@given(c=st.integers(1, 3), n=st.integers(2, 3), decay=st.sampled_from([0.9, 0.5, None]))
def test_switch_norm_properties(c, n, decay):
    net = SwitchNormLayer(InputLayer([None, n, n, c]), decay=decay)
    check_layer(net, batch_sizes=(2,), n_params=(4 * c if decay is not None else 2 * c) + 6)


def test_switch_norm_matches_numpy_and_updates_moving_stats_only_in_training():
    net = SwitchNormLayer(InputLayer([None, 3, 3, 2]), decay=0.5, name="s")
    assert [net.param_name(v) for v in net.all_params] == [
        "s/beta", "s/gamma", "s/mean_weight", "s/var_weight", "s/moving_mean",
        "s/moving_variance"]
    assert [v.trainable for v in net.all_params] == [True] * 4 + [False] * 2
    for v in net.all_params[:4]:
        v.assign(_x(*v.shape))
    beta, gamma, mw, vw, mm, mv = (v.numpy() for v in net.all_params)
    x = _x(4, 3, 3, 2)
    np.testing.assert_allclose(net(x, is_train=False), ref_switch(x, beta, gamma, mw, vw, mm, mv),
                               rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(net.all_params[4].numpy(), mm)  # not updated by inference
    bn_mean, bn_var = x.mean((0, 1, 2), keepdims=True), x.var((0, 1, 2), keepdims=True)
    np.testing.assert_allclose(net(x, is_train=True),
                               ref_switch(x, beta, gamma, mw, vw, bn_mean, bn_var),
                               rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(net.all_params[4].numpy(), 0.5 * mm + 0.5 * bn_mean.ravel(),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(net.all_params[5].numpy(), 0.5 * mv + 0.5 * bn_var.ravel(),
                               rtol=1e-5, atol=1e-6)


def test_switch_norm_decay_none_is_tensorlayer_layout():
    net = SwitchNormLayer(InputLayer([None, 3, 3, 4]), decay=None, name="s")
    assert [net.param_name(v) for v in net.all_params] == [
        "s/beta", "s/gamma", "s/mean_weight", "s/var_weight"]
    assert net.count_params() == 2 * 4 + 6
    x = _x(2, 3, 3, 4)
    np.testing.assert_allclose(net(x), net(x, is_train=True), rtol=1e-6)


BAD = [
    (lambda i: GroupNormLayer(i, groups=4, name="g"), r"GroupNormLayer 'g'.*6 channels.*groups=4"),
    (lambda i: GroupNormLayer(i, groups=0, name="g"), r"GroupNormLayer 'g'.*groups.*0"),
    (lambda i: InstanceNormLayer(i, epsilon=0, name="n"), r"InstanceNormLayer 'n'.*epsilon"),
    (lambda i: SwitchNormLayer(i, decay=1.0, name="n"), r"SwitchNormLayer 'n'.*decay"),
    (lambda i: SwitchNormLayer(i, gamma_init=None, name="n"), r"SwitchNormLayer 'n'.*gamma_init"),
    (lambda i: LocalResponseNormLayer(i, depth_radius=-1, name="n"),
     r"LocalResponseNormLayer 'n'.*depth_radius"),
    (lambda i: LocalResponseNormLayer(InputLayer([None, 4, 6]), name="n"),
     r"LocalResponseNormLayer 'n'.*rank-4"),
]


@pytest.mark.parametrize("make,match", BAD, ids=["indivisible", "groups", "epsilon", "decay",
                                                 "gamma_init", "radius", "rank"])
def test_bad_arguments_name_the_layer(make, match):
    with pytest.raises(ValueError, match=match):
        make(InputLayer([None, 4, 4, 6]))
