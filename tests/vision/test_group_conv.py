"""Tests for tlcore_vision/layers/group_conv.py: per-group Keras Conv2D is the oracle."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import check_layer
from tests.vision._shapes import conv_geometry, conv_len
from tlcore.layers.core import InputLayer
from tlcore_vision.layers.group_conv import GroupConv2d


@given(geo=conv_geometry(2, max_n=6, dilation=False), g=st.integers(1, 3),
       cpg=st.integers(1, 2), npg=st.integers(1, 2))
def test_properties_and_shape_formula(geo, g, cpg, npg):
    (h, w), k, s, _, pad = geo
    net = GroupConv2d(InputLayer([None, h, w, g * cpg]), g * npg, k, s, g, tf.nn.relu, pad)
    assert net.output_shape == (None, conv_len(h, k[0], s[0], 1, pad),
                                conv_len(w, k[1], s[1], 1, pad), g * npg)
    check_layer(net, n_params=k[0] * k[1] * cpg * g * npg + g * npg, batch_sizes=(2,),
                nonzero_grads=False)


@pytest.mark.parametrize("n_group", [1, 2, 3])
def test_matches_keras_conv2d_per_group(n_group):
    net = GroupConv2d(InputLayer([None, 7, 7, 6]), 6, (3, 3), (2, 2), n_group, name="g")
    assert [net.param_name(v) for v in net.all_params] == ["g/W", "g/b"]
    W, _ = (v.numpy() for v in net.all_params)
    b = np.random.default_rng(1).standard_normal(6).astype(np.float32)
    net.all_params[1].assign(b)
    x = np.random.default_rng(0).standard_normal((2, 7, 7, 6)).astype(np.float32)
    ci, co = 6 // n_group, 6 // n_group
    parts = []
    for g in range(n_group):
        k = keras.layers.Conv2D(co, 3, strides=2, padding="same")
        k.build((None, 7, 7, ci))
        k.set_weights([W[..., g * co:(g + 1) * co], b[g * co:(g + 1) * co]])
        parts.append(k(x[..., g * ci:(g + 1) * ci]))
    np.testing.assert_allclose(net(x), np.concatenate(parts, -1), rtol=1e-5, atol=1e-5)


def test_indivisible_groups_rejected():
    with pytest.raises(ValueError, match=r"GroupConv2d 'g'.*input channels.*divisible.*5"):
        GroupConv2d(InputLayer([None, 4, 4, 5]), 4, n_group=2, name="g")
    with pytest.raises(ValueError, match=r"GroupConv2d 'g'.*n_filter.*divisible.*n_filter=5"):
        GroupConv2d(InputLayer([None, 4, 4, 4]), 5, n_group=2, name="g")
