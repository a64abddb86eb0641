"""Affine matrices and their application to ``[H, W, C]`` images (numpy + scipy.ndimage).

Two conventions exist side by side, as in TensorLayer 1.10+:

- :func:`affine_transform` (alias ``apply_transform``), used by ``rotation``, ``shift``,
  ``shear``, ``shear2`` and the ``obj_box_*`` helpers, takes a 3x3 matrix in (row, col)
  coordinates that maps an OUTPUT pixel to the INPUT pixel it samples (scipy's convention).
- The ``affine_*_matrix`` builders produce 3x3 matrices in (x=col, y=row) coordinates that map
  INPUT to OUTPUT (OpenCV's ``warpAffine`` convention); compose them with ``@``, centre them with
  ``transform_matrix_offset_center(M, x=w, y=h)`` and apply them with
  :func:`affine_transform_cv2`, implemented here with scipy (OpenCV is not needed).

Centres are exact pixel centres ``(n - 1) / 2`` (TensorLayer and Keras used ``n / 2 + 0.5``, which
shifts rotations and flips by one to two pixels), so a 180-degree rotation is an exact flip.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from scipy import ndimage

from tlcore_vision.prepro._random import get_rng

_CV2_BORDERS = {"constant": "constant", "replicate": "nearest", "reflect": "reflect",
                "reflect_101": "mirror", "wrap": "grid-wrap"}
_FILL_MODES = ("constant", "nearest", "reflect", "mirror", "wrap", "grid-wrap",
               "grid-constant", "grid-mirror")


def _uniform_or_fixed(value: Any, rng: Any) -> float:
    """A (low, high) pair draws uniformly from it; a number is used as it is."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"tl.prepro: a range must be (low, high), received {value!r}")
        return float(get_rng(rng).uniform(value[0], value[1]))
    return float(value)


def affine_rotation_matrix(angle: Any = (-20, 20), *, rng: Any = None) -> np.ndarray:
    """Rotation by ``angle`` degrees (a pair draws uniformly), counter-clockwise on screen."""
    theta = np.pi / 180 * _uniform_or_fixed(angle, rng)
    c, s = np.cos(theta), np.sin(theta)
    return np.array([[c, s, 0.0], [-s, c, 0.0], [0.0, 0.0, 1.0]])


def affine_horizontal_flip_matrix(prob: float = 0.5, *, rng: Any = None) -> np.ndarray:
    """Left-right flip with probability ``prob`` (else the identity)."""
    flip = prob >= get_rng(rng).uniform(0, 1)
    return np.diag([-1.0 if flip else 1.0, 1.0, 1.0])


def affine_vertical_flip_matrix(prob: float = 0.5, *, rng: Any = None) -> np.ndarray:
    """Up-down flip with probability ``prob`` (else the identity)."""
    flip = prob >= get_rng(rng).uniform(0, 1)
    return np.diag([1.0, -1.0 if flip else 1.0, 1.0])


def affine_shift_matrix(wrg: Any = (-0.1, 0.1), hrg: Any = (-0.1, 0.1), w: int = 200,
                        h: int = 200, *, rng: Any = None) -> np.ndarray:
    """Translation by ``wrg * w`` pixels along x and ``hrg * h`` along y (pairs draw)."""
    tx = _uniform_or_fixed(wrg, rng) * w
    ty = _uniform_or_fixed(hrg, rng) * h
    return np.array([[1.0, 0.0, tx], [0.0, 1.0, ty], [0.0, 0.0, 1.0]])


def affine_shear_matrix(x_shear: Any = (-0.1, 0.1), y_shear: Any = (-0.1, 0.1), *,
                        rng: Any = None) -> np.ndarray:
    """Shear with factors ``x_shear`` and ``y_shear`` (pairs draw)."""
    sx = _uniform_or_fixed(x_shear, rng)
    sy = _uniform_or_fixed(y_shear, rng)
    return np.array([[1.0, sy, 0.0], [sx, 1.0, 0.0], [0.0, 0.0, 1.0]])


def affine_zoom_matrix(zoom_range: Any = (0.8, 1.1), *, rng: Any = None) -> np.ndarray:
    """Isotropic scaling by ``zoom_range`` (a pair draws); > 1 zooms in."""
    scale = _uniform_or_fixed(zoom_range, rng)
    return np.diag([scale, scale, 1.0])


def affine_respective_zoom_matrix(w_range: Any = 0.8, h_range: Any = 1.1, *,
                                  rng: Any = None) -> np.ndarray:
    """Scaling by ``w_range`` along x and ``h_range`` along y (pairs draw); > 1 zooms in."""
    scale_w = _uniform_or_fixed(w_range, rng)
    scale_h = _uniform_or_fixed(h_range, rng)
    return np.diag([scale_w, scale_h, 1.0])


def transform_matrix_offset_center(matrix: Any, x: int, y: int) -> np.ndarray:
    """``matrix`` conjugated so that it acts about the centre of an image of extent (x, y).

    With :func:`affine_transform` pass ``(h, w)`` (row, col coordinates); with the
    ``affine_*_matrix`` builders and :func:`affine_transform_cv2` pass ``x=w, y=h``.
    """
    o_x, o_y = (float(x) - 1) / 2, (float(y) - 1) / 2
    offset = np.array([[1.0, 0.0, o_x], [0.0, 1.0, o_y], [0.0, 0.0, 1.0]])
    reset = np.array([[1.0, 0.0, -o_x], [0.0, 1.0, -o_y], [0.0, 0.0, 1.0]])
    return offset @ np.asarray(matrix, dtype=np.float64) @ reset


def affine_transform(x: Any, transform_matrix: Any, channel_index: int = 2,
                     fill_mode: str = "nearest", cval: float = 0.0, order: int = 1) -> np.ndarray:
    """Apply a 3x3 (row, col) matrix mapping output pixels to input pixels, channel by channel.

    Args:
        x: image ``[H, W, C]`` (channels at ``channel_index``).
        transform_matrix: e.g. from ``transform_matrix_offset_center``.
        fill_mode: scipy.ndimage mode for points outside the image (``'nearest'``,
            ``'constant'``, ``'reflect'``, ``'wrap'``, ...); cval: the constant fill.
        order: spline order, 0 nearest, 1 bilinear (default), 3 bicubic.

    Returns:
        The transformed image, same shape and dtype as ``x``.
    """
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError(f"tl.prepro.affine_transform: expected an image [H, W, C], received "
                         f"shape {x.shape}")
    if fill_mode not in _FILL_MODES:
        raise ValueError(f"tl.prepro.affine_transform: fill_mode must be one of {_FILL_MODES}, "
                         f"received {fill_mode!r}")
    m = np.asarray(transform_matrix, dtype=np.float64)
    channels = np.moveaxis(x, channel_index, 0)
    out = [ndimage.affine_transform(c, m[:2, :2], m[:2, 2], order=order, mode=fill_mode,
                                    cval=cval) for c in channels]
    return np.moveaxis(np.stack(out, 0), 0, channel_index)


apply_transform = affine_transform


def affine_transform_cv2(x: Any, transform_matrix: Any, flags: int | None = None,
                         border_mode: str = "constant") -> np.ndarray:
    """Apply an (x, y) matrix mapping input to output, as ``cv2.warpAffine`` does.

    Args:
        x: image ``[H, W]`` or ``[H, W, C]``.
        transform_matrix: 3x3 (or 2x3), e.g. centred ``affine_*_matrix`` products.
        flags: interpolation order (0 nearest, 1 bilinear (default), 3 bicubic).
        border_mode: ``'constant'`` (zeros), ``'replicate'``, ``'reflect'``, ``'reflect_101'``
            or ``'wrap'``.
    """
    if border_mode not in _CV2_BORDERS:
        raise ValueError(f"tl.prepro.affine_transform_cv2: border_mode must be one of "
                         f"{sorted(_CV2_BORDERS)}, received {border_mode!r}")
    m = np.eye(3)
    m[:2] = np.asarray(transform_matrix, dtype=np.float64)[:2]
    swap = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    inverse_rc = swap @ np.linalg.inv(m) @ swap  # output (row, col) -> input (row, col)
    x = np.asarray(x)
    squeeze = x.ndim == 2
    out = affine_transform(x[..., None] if squeeze else x, inverse_rc, 2,
                           _CV2_BORDERS[border_mode], 0.0, 1 if flags is None else int(flags))
    return out[..., 0] if squeeze else out


def affine_transform_keypoints(coords_list: Sequence[Any], transform_matrix: Any) -> list:
    """Apply an (x, y) input-to-output matrix to lists of ``(x, y)`` points."""
    m = np.asarray(transform_matrix, dtype=np.float64)
    out = []
    for coords in coords_list:
        pts = np.asarray(coords, dtype=np.float64).reshape(-1, 2)
        moved = pts @ m[:2, :2].T + m[:2, 2]
        out.append(moved.tolist())
    return out
