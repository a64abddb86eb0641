"""Tests for tlcore_vision/layers/subpixel.py: the pixel shuffle written out with loops."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import check_layer
from tlcore.layers.core import InputLayer
from tlcore_vision.layers.subpixel import SubpixelConv1d, SubpixelConv2d


def shuffle1d(x, r):
    b, w, c = x.shape
    out = np.zeros((b, w * r, c // r), x.dtype)
    for i in range(w):
        for j in range(r):
            out[:, i * r + j, :] = x[:, i, j * (c // r):(j + 1) * (c // r)]
    return out


def shuffle2d(x, r):
    b, h, w, c = x.shape
    co = c // (r * r)
    out = np.zeros((b, h * r, w * r, co), x.dtype)
    for i in range(h):
        for j in range(w):
            for di in range(r):
                for dj in range(r):
                    ch = (di * r + dj) * co
                    out[:, i * r + di, j * r + dj, :] = x[:, i, j, ch:ch + co]
    return out


@given(r=st.integers(1, 3), w=st.integers(1, 4), co=st.integers(1, 3), batch=st.integers(1, 3))
def test_subpixel1d_is_the_pixel_shuffle(r, w, co, batch):
    net = check_layer(SubpixelConv1d(InputLayer([None, w, r * co]), scale=r),
                      batch_sizes=(batch,), n_params=0)
    assert net.output_shape == (None, w * r, co)
    x = np.random.default_rng(r).standard_normal((batch, w, r * co)).astype(np.float32)
    np.testing.assert_array_equal(net(x), shuffle1d(x, r))


@given(r=st.integers(1, 3), h=st.integers(1, 3), w=st.integers(1, 3), co=st.integers(1, 2),
       explicit=st.booleans())
def test_subpixel2d_is_the_pixel_shuffle(r, h, w, co, explicit):
    net = check_layer(SubpixelConv2d(InputLayer([None, h, w, r * r * co]), scale=r,
                                     n_out_channel=co if explicit else None),
                      batch_sizes=(2,), n_params=0)
    assert net.output_shape == (None, h * r, w * r, co)
    x = np.random.default_rng(r).standard_normal((2, h, w, r * r * co)).astype(np.float32)
    np.testing.assert_array_equal(net(x), shuffle2d(x, r))


def test_bad_channel_counts_name_the_layer():
    with pytest.raises(ValueError, match=r"SubpixelConv2d 's'.*scale\*\*2.*\(None, 4, 4, 6\)"):
        SubpixelConv2d(InputLayer([None, 4, 4, 6]), scale=2, name="s")
    with pytest.raises(ValueError, match=r"SubpixelConv2d 's'.*4 \* 2"):
        SubpixelConv2d(InputLayer([None, 4, 4, 12]), scale=2, n_out_channel=2, name="s")
    with pytest.raises(ValueError, match=r"SubpixelConv1d 's'.*divisible by scale=2"):
        SubpixelConv1d(InputLayer([None, 4, 3]), scale=2, name="s")
    with pytest.raises(ValueError, match=r"SubpixelConv1d 's'.*rank-3"):
        SubpixelConv1d(InputLayer([None, 4, 4, 4]), name="s")
