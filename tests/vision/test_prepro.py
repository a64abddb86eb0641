"""Tests for tlcore_vision/prepro image functions (numpy/scipy); numpy slicing is the oracle."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tlcore_vision import prepro

shapes = st.tuples(st.integers(3, 9), st.integers(3, 9), st.sampled_from([1, 3]))


def image(shape, seed=0):
    return np.random.default_rng(seed).random(shape)


def test_reachable_as_tl_prepro():
    import tlcore as tl

    assert tl.prepro is prepro
    assert {"rotation", "pad_sequences", "obj_box_crop", "cifar10_augment"} <= set(prepro.__all__)
    for name in prepro.__all__:
        assert callable(getattr(prepro, name)), name


@given(shapes, st.sampled_from([0, 1]))
def test_flip_twice_is_identity(shape, axis):
    x = image(shape)
    np.testing.assert_array_equal(prepro.flip_axis(prepro.flip_axis(x, axis), axis), x)
    np.testing.assert_array_equal(prepro.flip_axis(x, axis), np.flip(x, axis))


@given(shapes)
def test_zero_rotation_shift_shear_zoom_are_identity(shape):
    x = image(shape)
    for out in (prepro.rotation(x, 0), prepro.shift(x, 0, 0), prepro.shear(x, 0),
                prepro.shear2(x, (0, 0)), prepro.zoom(x, 1.0), prepro.respective_zoom(x, 1, 1),
                prepro.obj_box_zoom(x, zoom_range=(1, 1))[0]):
        np.testing.assert_allclose(out, x, atol=1e-12)


@given(shapes)
def test_exact_centre_makes_half_turns_and_matrix_flips_exact(shape):
    x = image(shape)
    np.testing.assert_allclose(prepro.rotation(x, 180), x[::-1, ::-1], atol=1e-12)
    h, w = shape[:2]
    flip = prepro.transform_matrix_offset_center(prepro.affine_horizontal_flip_matrix(1.0), x=w,
                                                 y=h)
    np.testing.assert_allclose(prepro.affine_transform_cv2(x, flip), x[:, ::-1], atol=1e-12)
    vflip = prepro.transform_matrix_offset_center(prepro.affine_vertical_flip_matrix(1.0), x=w,
                                                  y=h)
    np.testing.assert_allclose(prepro.affine_transform_cv2(x, vflip), x[::-1], atol=1e-12)


def test_rotation_directions_match_tensorlayer():
    # rotation() (Keras/TL 1.9 matrix) turns clockwise for positive degrees; the affine-matrix
    # API (OpenCV convention, TL 1.10+) turns counter-clockwise.
    x = image((7, 7, 1))
    np.testing.assert_allclose(prepro.rotation(x, 90), np.rot90(x, -1, axes=(0, 1)), atol=1e-12)
    m = prepro.transform_matrix_offset_center(prepro.affine_rotation_matrix(90), x=7, y=7)
    # 'replicate': cos(90 deg) is 6e-17, not 0, so edge pixels sample a hair outside the image
    np.testing.assert_allclose(prepro.affine_transform_cv2(x, m, border_mode="replicate"),
                               np.rot90(x, 1, axes=(0, 1)), atol=1e-12)


def test_integer_shift_moves_content_up_left():
    x = image((6, 8, 2))
    out = prepro.shift(x, wrg=2 / 8, hrg=1 / 6, fill_mode="constant", order=0)
    np.testing.assert_allclose(out[:5, :6], x[1:, 2:])
    assert np.all(out[5:] == 0) and np.all(out[:, 6:] == 0)
    moved = prepro.affine_shift_matrix(wrg=2 / 8, hrg=1 / 6, w=8, h=6)
    np.testing.assert_allclose(prepro.affine_transform_cv2(x, moved)[1:, 2:], x[:5, :6])


def test_zoom_in_magnifies_the_centre():
    x = np.zeros((9, 9, 1))
    x[4, 4] = 1.0
    out = prepro.zoom(x, 3.0, flags=0)
    assert out[3:6, 3:6].min() == 1.0 and out.sum() == 9


@given(shapes, st.integers(1, 3), st.integers(1, 3))
def test_crop_size_and_central_offset(shape, dh, dw):
    x = image(shape)
    hrg, wrg = max(shape[0] - dh, 1), max(shape[1] - dw, 1)
    out = prepro.crop(x, wrg=wrg, hrg=hrg)
    top, left = (shape[0] - hrg) // 2, (shape[1] - wrg) // 2
    np.testing.assert_array_equal(out, x[top:top + hrg, left:left + wrg])
    rand = prepro.crop(x, wrg=wrg, hrg=hrg, is_random=True, rng=np.random.default_rng(1))
    assert rand.shape == (hrg, wrg, shape[2])


def test_crop_larger_than_image_is_an_error():
    with pytest.raises(ValueError, match=r"crop \(10, 4\) must not exceed the image \(5, 5\)"):
        prepro.crop(image((5, 5, 1)), wrg=4, hrg=10)


MULTI = [
    ("rotation", dict(rg=40, is_random=True)),
    ("crop", dict(wrg=5, hrg=4, is_random=True)),
    ("flip_axis", dict(axis=1, is_random=True)),
    ("shift", dict(wrg=0.3, hrg=0.3, is_random=True)),
    ("shear", dict(intensity=0.5, is_random=True)),
    ("shear2", dict(shear=(0.5, 0.5), is_random=True)),
    ("zoom", dict(zoom_range=(0.5, 2.0))),
    ("elastic_transform", dict(alpha=20.0, sigma=2.0)),
    ("brightness", dict(gamma=0.5, is_random=True)),
    ("channel_shift", dict(intensity=0.3, is_random=True)),
]


@pytest.mark.parametrize("name,kwargs", MULTI, ids=[m[0] for m in MULTI])
def test_multi_applies_the_same_random_parameters_to_every_image(name, kwargs):
    x = image((8, 9, 1), seed=3)
    multi = "shear_multi2" if name == "shear2" else f"{name}_multi"
    for seed in range(4):  # several draws, so a flip both happens and does not
        outs = getattr(prepro, multi)([x, x * 0.5, x], rng=np.random.default_rng(seed), **kwargs)
        single = getattr(prepro, name)(x, rng=np.random.default_rng(seed), **kwargs)
        assert outs.shape == (3,) + single.shape
        np.testing.assert_allclose(outs[0], single, atol=1e-12)
        np.testing.assert_allclose(outs[2], outs[0], atol=1e-12)
        if name not in ("brightness", "channel_shift"):  # affine in the pixel values
            np.testing.assert_allclose(outs[1], outs[0] * 0.5, atol=1e-12)


@pytest.mark.parametrize("name,kwargs", MULTI, ids=[m[0] for m in MULTI])
def test_seeds_reproduce_and_differ(name, kwargs):
    x = image((8, 9, 1), seed=4)
    f = getattr(prepro, name)
    prepro.set_seed(7)
    a = [f(x, **kwargs) for _ in range(6)]
    prepro.set_seed(7)
    b = [f(x, **kwargs) for _ in range(6)]
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    c = [f(x, rng=np.random.default_rng(7), **kwargs) for _ in range(2)]
    np.testing.assert_array_equal(c[0], c[1])
    assert any(not np.array_equal(a[0], u) for u in a[1:]), "the draws never differ"


def test_rng_type_is_checked():
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        prepro.rotation(image((4, 4, 1)), 10, is_random=True, rng="seed")


def test_threading_data_per_sample_and_chunks():
    X = np.stack([image((6, 6, 1), seed=i) for i in range(5)])
    per_sample = prepro.threading_data(X, prepro.flip_axis, axis=0)
    np.testing.assert_array_equal(per_sample, X[:, ::-1])
    chunked = prepro.threading_data(X, lambda b, k: b * k, thread_count=2, k=2.0)
    np.testing.assert_array_equal(chunked, X * 2.0)


def test_brightness_is_skimage_gamma():
    x = np.array([[[0, 64, 255]]], dtype=np.uint8)
    out = prepro.brightness(x, gamma=0.5)
    np.testing.assert_array_equal(out, ((x / 255.0) ** 0.5 * 255).astype(np.uint8))
    np.testing.assert_allclose(prepro.brightness(x / 255.0, gamma=2, gain=0.5),
                               0.5 * (x / 255.0) ** 2)


def test_illumination_identity_and_grey_at_zero_saturation():
    x = (image((5, 6, 3)) * 255).astype(np.uint8)
    np.testing.assert_array_equal(prepro.illumination(x), x)
    grey = prepro.illumination(x, saturation=0.0)
    assert np.all(grey[..., 0] == grey[..., 1]) and np.all(grey[..., 1] == grey[..., 2])
    flat = prepro.illumination(x, contrast=0.0)
    assert len(np.unique(flat)) == 1


def test_channel_shift_clips_to_image_range():
    x = image((4, 4, 3))
    out = prepro.channel_shift(x, 0.25)
    np.testing.assert_allclose(out, np.clip(x + 0.25, x.min(), x.max()))


def test_samplewise_and_featurewise_norm():
    x = image((4, 5, 3)) * 10
    out = prepro.samplewise_norm(x, samplewise_center=True, samplewise_std_normalization=True)
    np.testing.assert_allclose(out.mean(axis=2), 0, atol=1e-9)
    g = prepro.samplewise_norm(x[..., :1], rescale=0.5, samplewise_center=True,
                               samplewise_std_normalization=True)
    assert abs(g.mean()) < 1e-9 and abs(g.std() - 1) < 1e-5
    np.testing.assert_allclose(prepro.featurewise_norm(x, mean=2.0, std=4.0), (x - 2) / 4,
                               rtol=1e-6)
    with pytest.raises(ValueError, match="1 or 3 channels, received 2"):
        prepro.samplewise_norm(x[..., :2])


def test_zca_whitening_decorrelates():
    X = np.random.default_rng(0).standard_normal((400, 2, 2, 1)) @ np.ones((1, 1))
    X[..., 0, 0, 0] += X[..., 0, 1, 0]  # correlated pixels
    pc = prepro.get_zca_whitening_principal_components_img(X)
    white = np.stack([prepro.zca_whitening(x, pc) for x in X]).reshape(400, -1)
    np.testing.assert_allclose(white.T @ white / 400, np.eye(4), atol=1e-3)


def test_elastic_transform_zero_alpha_is_identity_and_rgb_is_rejected():
    x = image((7, 7, 1))
    np.testing.assert_allclose(prepro.elastic_transform(x, alpha=0.0, sigma=1.0), x)
    with pytest.raises(ValueError, match="greyscale"):
        prepro.elastic_transform(image((7, 7, 3)), alpha=1.0, sigma=1.0)


def test_drop_keeps_whole_pixels():
    x = np.ones((20, 20, 3))
    out = prepro.drop(x, keep=0.5, rng=np.random.default_rng(0))
    assert np.all(out.min(axis=2) == out.max(axis=2))
    assert 0.3 < out.mean() < 0.7


def test_imresize_shapes_dtypes_and_constant_images():
    x = np.full((6, 8, 3), 7, dtype=np.uint8)
    out = prepro.imresize(x, size=(12, 5))
    assert out.shape == (12, 5, 3) and out.dtype == np.uint8 and np.all(out == 7)
    g = prepro.imresize(image((6, 8, 1)).astype(np.float32), size=[3, 4], interp="bilinear")
    assert g.shape == (3, 4, 1) and g.dtype == np.float32
    up = prepro.imresize(np.arange(4, dtype=np.uint8).reshape(2, 2, 1) * 50, (4, 4), "nearest")
    np.testing.assert_array_equal(up[..., 0], np.kron([[0, 50], [100, 150]], np.ones((2, 2))))


def test_affine_transform_keypoints_follows_the_image():
    m = prepro.affine_shift_matrix(wrg=0.5, hrg=-0.25, w=4, h=8)
    assert prepro.affine_transform_keypoints([[(1, 1), (0, 2)]], m) == [[[3.0, -1.0],
                                                                          [2.0, 0.0]]]
