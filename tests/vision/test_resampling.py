"""Tests for tlcore_vision/layers/resampling.py: Keras UpSampling2D and tf.image.resize oracles."""
from __future__ import annotations

import keras
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import check_layer
from tlcore.layers.core import InputLayer
from tlcore_vision.layers.resampling import DownSampling2dLayer, UpSampling2dLayer

RNG = np.random.default_rng(0)


def _x(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


@given(h=st.integers(1, 4), w=st.integers(1, 4), sh=st.integers(1, 3), sw=st.integers(1, 3),
       method=st.sampled_from([0, 1, 2, 3, "bilinear", "nearest", "area"]), first=st.booleans(),
       align=st.booleans())
def test_upsampling_properties_and_shape_formula(h, w, sh, sw, method, first, align):
    if align and method in (3, "area"):
        align = False
    shape = [None, 2, h, w] if first else [None, h, w, 2]
    net = UpSampling2dLayer(InputLayer(shape), (sh, sw), method=method, align_corners=align,
                            data_format="channels_first" if first else "channels_last")
    assert net.output_shape == ((None, 2, h * sh, w * sw) if first else (None, h * sh, w * sw, 2))
    check_layer(net, batch_sizes=(2,), n_params=0)


@pytest.mark.parametrize("method,interpolation", [(1, "nearest"), ("nearest", "nearest"),
                                                  (0, "bilinear")])
def test_upsampling_matches_keras_upsampling2d(method, interpolation):
    net = UpSampling2dLayer(InputLayer([None, 3, 4, 2]), (2, 3), method=method)
    x = _x(2, 3, 4, 2)
    want = keras.layers.UpSampling2D((2, 3), interpolation=interpolation)(x)
    np.testing.assert_allclose(net(x), want, rtol=1e-5, atol=1e-5)


def test_align_corners_keeps_the_corner_pixels():
    net = UpSampling2dLayer(InputLayer([None, 3, 3, 1]), (7, 7), is_scale=False,
                            align_corners=True)
    x = _x(1, 3, 3, 1)
    y = net(x).numpy()
    np.testing.assert_allclose(y[0, ::3, ::3], x[0], rtol=1e-5, atol=1e-6)  # 7 = 2*3 + 1


@given(h=st.integers(2, 6), w=st.integers(2, 6), is_scale=st.booleans())
def test_downsampling_shapes_and_area_mean(h, w, is_scale):
    size = (0.5, 0.5) if is_scale else (max(1, h // 2), max(1, w // 2))
    net = check_layer(DownSampling2dLayer(InputLayer([None, h, w, 1]), size, is_scale,
                                          method=3), batch_sizes=(2,))
    assert net.output_shape == (None, int(h * 0.5) if is_scale else size[0],
                                int(w * 0.5) if is_scale else size[1], 1)
    x = _x(2, h, w, 1)
    np.testing.assert_allclose(np.mean(net(x)), np.mean(x), atol=0.6)


def test_unknown_spatial_dims_resize_at_call_time():
    net = UpSampling2dLayer(InputLayer([None, None, None, 1]), (1.5, 2.0))
    assert net.output_shape == (None, None, None, 1)
    assert net(_x(1, 4, 3, 1)).shape == (1, 6, 6, 1)


BAD = [
    (lambda i: UpSampling2dLayer(i, (2,), name="u"), r"UpSampling2dLayer 'u'.*size"),
    (lambda i: UpSampling2dLayer(i, (2.5, 2), is_scale=False, name="u"), r"'u'.*ints \(pixels\)"),
    (lambda i: UpSampling2dLayer(i, (2, 2), method=4, name="u"), r"'u'.*method.*4"),
    (lambda i: UpSampling2dLayer(i, (2, 2), method=3, align_corners=True, name="u"),
     r"'u'.*align_corners"),
    (lambda i: DownSampling2dLayer(i, (0.1, 0.1), name="d"), r"DownSampling2dLayer 'd'.*no pixel"),
    (lambda i: UpSampling2dLayer(InputLayer([None, 4, 4]), (2, 2), name="u"), r"'u'.*rank-4"),
]


@pytest.mark.parametrize("make,match", BAD, ids=["size_len", "pixel_float", "method",
                                                 "align_area", "empty", "rank"])
def test_bad_arguments_name_the_layer(make, match):
    with pytest.raises(ValueError, match=match):
        make(InputLayer([None, 4, 4, 2]))
