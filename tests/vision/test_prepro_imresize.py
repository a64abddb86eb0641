"""Tests for tl.prepro.imresize (Pillow resampling, TensorLayer 1.x's filters and dtypes).

Oracles: the previous scipy.ndimage.zoom implementation on smooth images (where antialiasing
and the cubic kernel barely matter), literal answers for constant and checkerboard images.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import ndimage

from tlcore_vision import prepro


def zoom_resize(x, size, order):
    """The scipy resize tlcore used before Pillow (pixel-centre grid, edges replicated)."""
    factors = (size[0] / x.shape[0], size[1] / x.shape[1], 1.0)
    return ndimage.zoom(x.astype(np.float64), factors, order=order, mode="nearest",
                        grid_mode=True)


def smooth_image():
    """48x64x3, values about -10..230, varying slowly (periods >= 50 pixels)."""
    yy, xx = np.mgrid[0:48, 0:64].astype(np.float64)
    return np.stack([100 + 60 * np.sin(yy / 9) + 50 * np.cos(xx / 11), 2 * xx + yy,
                     np.full_like(xx, 128)], axis=-1)


# Tolerances on a -10..230 image. Upscaling: nearest and bilinear are the same maps (float32
# rounding only); Pillow's bicubic is Keys' kernel (a = -0.5), scipy's order 3 a cubic B-spline,
# 0.07% of the range apart. Shrinking: Pillow widens the filter (antialiasing, as TensorLayer's
# scipy.misc.imresize did), which moves smooth images by < 0.5% of the range.
@pytest.mark.parametrize("interp, order, size, atol", [
    ("nearest", 0, (96, 128), 1e-4),
    ("bilinear", 1, (96, 128), 1e-4),
    ("bilinear", 1, (48, 100), 1e-4),
    ("bicubic", 3, (96, 128), 0.2),
    ("cubic", 3, (72, 96), 0.2),
    ("bilinear", 1, (30, 40), 1.0),
    ("bicubic", 3, (30, 40), 1.0),
], ids=["nearest-up", "bilinear-up", "bilinear-wide", "bicubic-up", "cubic-up",
        "bilinear-down", "bicubic-down"])
def test_matches_the_previous_zoom_resize_on_smooth_images(interp, order, size, atol):
    x = smooth_image()
    out = prepro.imresize(x, size, interp)
    assert out.shape == size + (3,) and out.dtype == np.float64
    np.testing.assert_allclose(out, zoom_resize(x, size, order), atol=atol)


def test_shrinking_is_antialiased_as_tensorlayer():
    # a one-pixel checkerboard shrunk 16 -> 7: an unfiltered resize samples the pattern (the
    # zoom resize lands 94..121 grey levels from mid-grey), TensorLayer's Pillow resize
    # averages it to mid-grey (measured: within 3)
    board = (np.indices((16, 16)).sum(axis=0) % 2 * 255).astype(np.uint8)[..., None]
    for interp in ("bilinear", "bicubic", "lanczos"):
        out = prepro.imresize(board, (7, 7), interp)
        assert out.shape == (7, 7, 1) and np.all(np.abs(out.astype(int) - 128) <= 10), interp


def test_lanczos_is_its_own_filter():
    x = (smooth_image() + np.random.default_rng(0).random((48, 64, 3)) * 40).astype(np.uint8)
    lanczos = prepro.imresize(x, (20, 27), "lanczos")
    assert not np.array_equal(lanczos, prepro.imresize(x, (20, 27), "bicubic"))
    # still a resize of the same picture: within a few grey levels on average
    assert np.abs(lanczos.astype(int) - prepro.imresize(x, (20, 27), "bicubic")).mean() < 3


@given(st.sampled_from(["nearest", "bilinear", "bicubic", "lanczos"]),
       st.sampled_from([np.uint8, np.uint16, np.int16, np.float32, np.float64]),
       st.sampled_from([(5, 7), (5, 7, 1), (5, 7, 3), (5, 7, 4)]),
       st.tuples(st.integers(1, 12), st.integers(1, 12)))
def test_constant_images_stay_constant_in_their_dtype(interp, dtype, shape, size):
    value = np.array(-7 if dtype is np.int16 else 200.25).astype(dtype)
    out = prepro.imresize(np.full(shape, value, dtype), size, interp)
    assert out.shape == size + shape[2:] and out.dtype == dtype
    np.testing.assert_allclose(out, value, rtol=1e-6)


def test_integer_images_round_and_clip_floats_keep_their_range():
    step = np.zeros((4, 8, 1), np.uint16)
    step[:, 4:] = 65535
    up = prepro.imresize(step, (4, 16), "bicubic")  # the cubic kernel overshoots at the edge
    assert up.dtype == np.uint16 and up.min() == 0 and up.max() == 65535
    unit = smooth_image()
    unit = (unit - unit.min()) / np.ptp(unit)
    out = prepro.imresize(unit, (24, 32), "bilinear")  # TensorLayer rescaled to uint8 0..255
    assert out.dtype == np.float64 and 0 <= out.min() and out.max() <= 1


def test_uint8_rgb_and_per_channel_paths_agree():
    x = np.random.default_rng(1).integers(0, 256, (9, 11, 3), dtype=np.uint8)
    rgb = prepro.imresize(x, (5, 17), "bicubic")
    grey = [prepro.imresize(x[..., c:c + 1], (5, 17), "bicubic")[..., 0] for c in range(3)]
    np.testing.assert_array_equal(rgb, np.stack(grey, axis=-1))
    np.testing.assert_array_equal(prepro.imresize(x[..., 0], (5, 17), "bicubic"), grey[0])


@pytest.mark.parametrize("kwargs, match", [
    (dict(x=np.zeros((4, 4, 3)), size=(2, 2), interp="area"), r"interp must be one of.*'area'"),
    (dict(x=np.zeros((4, 4, 3)), size=(0, 2)), r"size \(h, w\) >= 1.*size \(0, 2\)"),
    (dict(x=np.zeros((4, 4, 3)), size=(2, 2, 2)), r"received shape \(4, 4, 3\) and size"),
    (dict(x=np.zeros((2, 4, 4, 3)), size=(2, 2)), r"received shape \(2, 4, 4, 3\)"),
    (dict(x=np.zeros((0, 4, 3)), size=(2, 2)), r"non-empty image.*shape \(0, 4, 3\)"),
], ids=["interp", "zero-size", "size-rank", "batch", "empty"])
def test_bad_arguments_name_the_function_and_value(kwargs, match):
    with pytest.raises(ValueError, match=r"tl\.prepro\.imresize: .*" + match):
        prepro.imresize(**kwargs)
