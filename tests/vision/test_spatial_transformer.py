"""Tests for tlcore_vision/layers/spatial_transformer.py: the identity warp returns the image
(or its corner-aligned bilinear resize), a translation shifts it by whole pixels."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import check_layer
from tlcore.layers.core import InputLayer
from tlcore.layers.dense import DenseLayer
from tlcore.layers.shape import FlattenLayer
from tlcore_vision.layers.spatial_transformer import (SpatialTransformer2dAffineLayer,
                                                      batch_transformer, transformer)

RNG = np.random.default_rng(0)
IDENTITY = np.array([[1, 0, 0, 0, 1, 0]], np.float32)


def _x(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


@given(h=st.integers(2, 5), w=st.integers(2, 5), oh=st.integers(2, 7), ow=st.integers(2, 7))
def test_identity_theta_returns_the_image_resampled_to_out_size(h, w, oh, ow):
    x = _x(2, h, w, 3)
    out = transformer(x, np.repeat(IDENTITY, 2, 0), (oh, ow)).numpy()
    np.testing.assert_allclose(transformer(x, np.repeat(IDENTITY, 2, 0), (h, w)), x, atol=1e-5)
    want = tf.raw_ops.ResizeBilinear(images=x, size=[oh, ow], align_corners=True)
    np.testing.assert_allclose(out, want, atol=1e-5)


def test_translation_by_one_pixel_shifts_and_zero_fills():
    x = _x(1, 4, 5, 2)
    theta = np.array([[1, 0, 2 / (5 - 1), 0, 1, 0]], np.float32)  # +1 pixel along the width
    out = transformer(x, theta, (4, 5)).numpy()
    np.testing.assert_allclose(out[:, :, :4], x[:, :, 1:], atol=1e-5)
    np.testing.assert_allclose(out[:, :, 4], 0, atol=1e-5)


def test_batch_transformer_warps_each_image_n_times():
    x = _x(2, 4, 4, 1)
    thetas = np.stack([np.repeat(IDENTITY, 3, 0), np.repeat(IDENTITY * 0.5, 3, 0)])
    out = batch_transformer(x, thetas, (4, 4)).numpy()
    assert out.shape == (6, 4, 4, 1)
    np.testing.assert_allclose(out[1], x[0], atol=1e-5)
    np.testing.assert_allclose(out[4], transformer(x[1:], IDENTITY * 0.5, (4, 4))[0], atol=1e-5)


@given(h=st.integers(2, 5), oh=st.integers(1, 5), n_loc=st.integers(1, 4), batch=st.integers(1, 3))
def test_layer_properties(h, oh, n_loc, batch):
    img = InputLayer([None, h, h, 2])
    loc = DenseLayer(FlattenLayer(img), n_units=n_loc, act=tf.nn.tanh)
    net = SpatialTransformer2dAffineLayer(img, loc, out_size=(oh, oh + 1), name="stn")
    assert net.output_shape == (None, oh, oh + 1, 2)
    check_layer(net, n_params=(h * h * 2 + 1) * n_loc + n_loc * 6 + 6, batch_sizes=(batch,),
                nonzero_grads=False)


def test_layer_is_tanh_affine_of_the_localisation_output():
    img = InputLayer([None, 6, 6, 1], name="img")
    theta_in = InputLayer([None, 2, 2], name="theta_in")  # flattened to 4 inside
    net = SpatialTransformer2dAffineLayer(img, theta_in, name="stn")
    assert net.output_shape == (None, 40, 40, 1)  # TensorLayer's default out_size
    assert [net.param_name(v) for v in net.all_params] == ["stn/W", "stn/b"]
    np.testing.assert_array_equal(net.all_params[1].numpy(), IDENTITY[0])
    W = 0.1 * _x(4, 6)
    net.all_params[0].assign(W)
    x, t = _x(2, 6, 6, 1), _x(2, 2, 2)
    theta = np.tanh(t.reshape(2, 4) @ W + IDENTITY)
    np.testing.assert_allclose(net([x, t]), transformer(x, theta, (40, 40)), atol=1e-5)


def test_bad_arguments_name_the_layer():
    img = InputLayer([None, 6, 6, 1])
    with pytest.raises(TypeError, match=r"SpatialTransformer2dAffineLayer 's'.*theta_layer"):
        SpatialTransformer2dAffineLayer(img, None, name="s")
    with pytest.raises(ValueError, match=r"SpatialTransformer2dAffineLayer 's'.*out_size"):
        SpatialTransformer2dAffineLayer(img, InputLayer([None, 4]), out_size=(0, 3), name="s")
    with pytest.raises(ValueError, match=r"SpatialTransformer2dAffineLayer 's'.*rank-4"):
        SpatialTransformer2dAffineLayer(InputLayer([None, 6, 6]), InputLayer([None, 4]), name="s")
    with pytest.raises(ValueError, match=r"'s'.*known non-batch dims.*\(None, None\)"):
        SpatialTransformer2dAffineLayer(img, InputLayer([None, None]), name="s")
