"""Geometric augmentation of ``[H, W, C]`` numpy images, with TensorLayer 1.x semantics.

Each ``f(x, ...)`` has an ``f_multi(x, ...)`` that takes a list (or batch) of images, such as an
image and its label mask, draws the random parameters ONCE and applies them to every image.
Random parameters come from ``rng`` (a numpy Generator) or the module Generator
(``tl.prepro.set_seed``).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Sequence

import numpy as np
from PIL import Image
from scipy import ndimage

from tlcore_vision.prepro._affine import (affine_transform, affine_transform_cv2,
                                          affine_respective_zoom_matrix, affine_zoom_matrix,
                                          transform_matrix_offset_center)
from tlcore_vision.prepro._random import get_rng

_AFFINE_DOC = """row_index, col_index, channel_index: axes of the image (default 0, 1, 2).
        fill_mode, cval, order: see ``affine_transform``."""


def threading_data(data: Sequence[Any] | None = None, fn: Callable[..., Any] | None = None,
                   thread_count: int | None = None, **kwargs: Any) -> Any:
    """Apply ``fn(sample, **kwargs)`` to every sample of ``data`` in threads.

    Args:
        data: a list or array of samples.
        fn: the function; extra keyword arguments are passed on.
        thread_count: ``None`` gives one task per sample; ``n`` splits ``data`` into ``n`` chunks
            and calls ``fn`` on each chunk (``fn`` then takes a batch), concatenating results.

    Returns:
        ``np.asarray`` of the results (a list when they do not stack, e.g. tuples of boxes).

    >>> X = threading_data(X, rotation, rg=20, is_random=True)
    """
    if data is None or fn is None:
        raise ValueError("tl.prepro.threading_data: needs data and fn")
    if thread_count is None:
        with ThreadPoolExecutor() as pool:
            results = list(pool.map(lambda d: fn(d, **kwargs), data))
        try:
            return np.asarray(results)
        except ValueError:  # ragged results (e.g. image + boxes): keep the list
            return results
    if thread_count < 1:
        raise ValueError(f"tl.prepro.threading_data: thread_count must be >= 1, received "
                         f"{thread_count}")
    divs = np.round(np.linspace(0, len(data), thread_count + 1)).astype(int)
    chunks = [data[divs[i]:divs[i + 1]] for i in range(thread_count)]
    with ThreadPoolExecutor(max_workers=thread_count) as pool:
        results = list(pool.map(lambda d: fn(d, **kwargs), chunks))
    return np.concatenate(results)


def _many(x: Any) -> list[np.ndarray]:
    return [np.asarray(img) for img in x]


def _hw(x: np.ndarray, row_index: int, col_index: int) -> tuple[int, int]:
    if x.ndim < 2:
        raise ValueError(f"tl.prepro: expected an image [H, W, C], received shape {x.shape}")
    return x.shape[row_index], x.shape[col_index]


# -- rotation -------------------------------------------------------------------------------

def _rotation_matrix(rg: float, is_random: bool, rng: Any) -> np.ndarray:
    deg = get_rng(rng).uniform(-rg, rg) if is_random else rg
    theta = np.pi / 180 * deg
    return np.array([[np.cos(theta), -np.sin(theta), 0], [np.sin(theta), np.cos(theta), 0],
                     [0, 0, 1]])


def rotation(x: Any, rg: float = 20, is_random: bool = False, row_index: int = 0,
             col_index: int = 1, channel_index: int = 2, fill_mode: str = "nearest",
             cval: float = 0.0, order: int = 1, *, rng: Any = None) -> np.ndarray:
    """Rotate by ``rg`` degrees (``is_random``: uniform in ``[-rg, rg]``) about the centre.

    Positive degrees turn clockwise on screen (TensorLayer 1.9 and Keras); the affine-matrix
    API (``affine_rotation_matrix``, OpenCV's convention) turns counter-clockwise.

    Args:
        x: image ``[H, W, C]``.
        rg: degrees.
        is_random: draw the angle.
        {affine}
    """
    x = np.asarray(x)
    h, w = _hw(x, row_index, col_index)
    m = transform_matrix_offset_center(_rotation_matrix(rg, is_random, rng), h, w)
    return affine_transform(x, m, channel_index, fill_mode, cval, order)


def rotation_multi(x: Any, rg: float = 20, is_random: bool = False, row_index: int = 0,
                   col_index: int = 1, channel_index: int = 2, fill_mode: str = "nearest",
                   cval: float = 0.0, order: int = 1, *, rng: Any = None) -> np.ndarray:
    """``rotation`` of every image in ``x`` by the same angle."""
    imgs = _many(x)
    h, w = _hw(imgs[0], row_index, col_index)
    m = transform_matrix_offset_center(_rotation_matrix(rg, is_random, rng), h, w)
    return np.asarray([affine_transform(i, m, channel_index, fill_mode, cval, order)
                       for i in imgs])


# -- crop -----------------------------------------------------------------------------------

def _crop_offsets(h: int, w: int, wrg: int, hrg: int, is_random: bool, rng: Any
                  ) -> tuple[int, int]:
    if h < hrg or w < wrg:
        raise ValueError(f"tl.prepro.crop: the crop ({hrg}, {wrg}) must not exceed the image "
                         f"({h}, {w})")
    if is_random:
        r = get_rng(rng)
        return int(r.integers(0, h - hrg + 1)), int(r.integers(0, w - wrg + 1))
    return (h - hrg) // 2, (w - wrg) // 2


def crop(x: Any, wrg: int, hrg: int, is_random: bool = False, row_index: int = 0,
         col_index: int = 1, *, rng: Any = None) -> np.ndarray:
    """Crop a ``hrg`` x ``wrg`` window: central, or at a uniform random offset.

    >>> crop(np.zeros((32, 32, 3)), wrg=24, hrg=24, is_random=True).shape
    (24, 24, 3)
    """
    x = np.asarray(x)
    h, w = _hw(x, row_index, col_index)
    top, left = _crop_offsets(h, w, wrg, hrg, is_random, rng)
    return x[top:top + hrg, left:left + wrg]


def crop_multi(x: Any, wrg: int, hrg: int, is_random: bool = False, row_index: int = 0,
               col_index: int = 1, *, rng: Any = None) -> np.ndarray:
    """``crop`` of every image at the same offset."""
    imgs = _many(x)
    h, w = _hw(imgs[0], row_index, col_index)
    top, left = _crop_offsets(h, w, wrg, hrg, is_random, rng)
    return np.asarray([i[top:top + hrg, left:left + wrg] for i in imgs])


# -- flip -----------------------------------------------------------------------------------

def _flip(x: np.ndarray, axis: int) -> np.ndarray:
    return np.flip(x, axis=axis).copy()


def flip_axis(x: Any, axis: int = 1, is_random: bool = False, *, rng: Any = None) -> np.ndarray:
    """Flip along ``axis`` (1: left-right, 0: up-down); ``is_random``: with probability 1/2."""
    x = np.asarray(x)
    if is_random and get_rng(rng).uniform(-1, 1) <= 0:
        return x
    return _flip(x, axis)


def flip_axis_multi(x: Any, axis: int = 1, is_random: bool = False, *,
                    rng: Any = None) -> np.ndarray:
    """``flip_axis`` of every image, all flipped or none."""
    imgs = _many(x)
    if is_random and get_rng(rng).uniform(-1, 1) <= 0:
        return np.asarray(imgs)
    return np.asarray([_flip(i, axis) for i in imgs])


# -- shift ----------------------------------------------------------------------------------

def _shift_matrix(h: int, w: int, wrg: float, hrg: float, is_random: bool, rng: Any
                  ) -> np.ndarray:
    if is_random:
        r = get_rng(rng)
        tx, ty = r.uniform(-hrg, hrg) * h, r.uniform(-wrg, wrg) * w
    else:
        tx, ty = hrg * h, wrg * w
    return np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]], dtype=np.float64)


def shift(x: Any, wrg: float = 0.1, hrg: float = 0.1, is_random: bool = False,
          row_index: int = 0, col_index: int = 1, channel_index: int = 2,
          fill_mode: str = "nearest", cval: float = 0.0, order: int = 1, *,
          rng: Any = None) -> np.ndarray:
    """Shift by ``hrg * H`` rows and ``wrg * W`` columns (content moves up/left for positive
    values, as in TensorLayer); ``is_random``: uniform in ``[-rg, rg]`` each.

    Args:
        {affine}
    """
    x = np.asarray(x)
    h, w = _hw(x, row_index, col_index)
    m = _shift_matrix(h, w, wrg, hrg, is_random, rng)
    return affine_transform(x, m, channel_index, fill_mode, cval, order)


def shift_multi(x: Any, wrg: float = 0.1, hrg: float = 0.1, is_random: bool = False,
                row_index: int = 0, col_index: int = 1, channel_index: int = 2,
                fill_mode: str = "nearest", cval: float = 0.0, order: int = 1, *,
                rng: Any = None) -> np.ndarray:
    """``shift`` of every image by the same amount."""
    imgs = _many(x)
    h, w = _hw(imgs[0], row_index, col_index)
    m = _shift_matrix(h, w, wrg, hrg, is_random, rng)
    return np.asarray([affine_transform(i, m, channel_index, fill_mode, cval, order)
                       for i in imgs])


# -- shear ----------------------------------------------------------------------------------

def _shear_matrix(intensity: float, is_random: bool, rng: Any) -> np.ndarray:
    s = get_rng(rng).uniform(-intensity, intensity) if is_random else intensity
    return np.array([[1, -np.sin(s), 0], [0, np.cos(s), 0], [0, 0, 1]], dtype=np.float64)


def shear(x: Any, intensity: float = 0.1, is_random: bool = False, row_index: int = 0,
          col_index: int = 1, channel_index: int = 2, fill_mode: str = "nearest",
          cval: float = 0.0, order: int = 1, *, rng: Any = None) -> np.ndarray:
    """Shear by angle ``intensity`` (radians); ``is_random``: uniform in ``[-i, i]``."""
    x = np.asarray(x)
    h, w = _hw(x, row_index, col_index)
    m = transform_matrix_offset_center(_shear_matrix(intensity, is_random, rng), h, w)
    return affine_transform(x, m, channel_index, fill_mode, cval, order)


def shear_multi(x: Any, intensity: float = 0.1, is_random: bool = False, row_index: int = 0,
                col_index: int = 1, channel_index: int = 2, fill_mode: str = "nearest",
                cval: float = 0.0, order: int = 1, *, rng: Any = None) -> np.ndarray:
    """``shear`` of every image by the same angle."""
    imgs = _many(x)
    h, w = _hw(imgs[0], row_index, col_index)
    m = transform_matrix_offset_center(_shear_matrix(intensity, is_random, rng), h, w)
    return np.asarray([affine_transform(i, m, channel_index, fill_mode, cval, order)
                       for i in imgs])


def _shear2_matrix(shear: Sequence[float], is_random: bool, rng: Any) -> np.ndarray:
    if len(shear) != 2:
        raise ValueError(f"tl.prepro.shear2: shear must be (sx, sy), received {shear!r}")
    sx, sy = float(shear[0]), float(shear[1])
    if is_random:
        r = get_rng(rng)
        sx, sy = r.uniform(-sx, sx), r.uniform(-sy, sy)
    return np.array([[1, sx, 0], [sy, 1, 0], [0, 0, 1]], dtype=np.float64)


def shear2(x: Any, shear: Sequence[float] = (0.1, 0.1), is_random: bool = False,
           row_index: int = 0, col_index: int = 1, channel_index: int = 2,
           fill_mode: str = "nearest", cval: float = 0.0, order: int = 1, *,
           rng: Any = None) -> np.ndarray:
    """Shear with separate factors ``(sx, sy)``; ``is_random``: uniform in ``[-s, s]`` each."""
    x = np.asarray(x)
    h, w = _hw(x, row_index, col_index)
    m = transform_matrix_offset_center(_shear2_matrix(shear, is_random, rng), h, w)
    return affine_transform(x, m, channel_index, fill_mode, cval, order)


def shear_multi2(x: Any, shear: Sequence[float] = (0.1, 0.1), is_random: bool = False,
                 row_index: int = 0, col_index: int = 1, channel_index: int = 2,
                 fill_mode: str = "nearest", cval: float = 0.0, order: int = 1, *,
                 rng: Any = None) -> np.ndarray:
    """``shear2`` of every image with the same factors."""
    imgs = _many(x)
    h, w = _hw(imgs[0], row_index, col_index)
    m = transform_matrix_offset_center(_shear2_matrix(shear, is_random, rng), h, w)
    return np.asarray([affine_transform(i, m, channel_index, fill_mode, cval, order)
                       for i in imgs])


# -- zoom (TensorLayer 1.10+: a number is fixed, a pair draws; > 1 zooms in) ----------------

def _zoom_apply(x: np.ndarray, matrix: np.ndarray, flags: int | None,
                border_mode: str) -> np.ndarray:
    h, w = x.shape[0], x.shape[1]
    return affine_transform_cv2(x, transform_matrix_offset_center(matrix, x=w, y=h), flags,
                                border_mode)


def zoom(x: Any, zoom_range: Any = (0.9, 1.1), flags: int | None = None,
         border_mode: str = "constant", *, rng: Any = None) -> np.ndarray:
    """Zoom about the centre by ``zoom_range`` (a pair draws uniformly); > 1 zooms in.

    Args:
        flags: interpolation order (default bilinear); border_mode: see
            ``affine_transform_cv2``.
    """
    return _zoom_apply(np.asarray(x), affine_zoom_matrix(zoom_range, rng=rng), flags,
                       border_mode)


def zoom_multi(x: Any, zoom_range: Any = (0.9, 1.1), flags: int | None = None,
               border_mode: str = "constant", *, rng: Any = None) -> np.ndarray:
    """``zoom`` of every image by the same factor."""
    m = affine_zoom_matrix(zoom_range, rng=rng)
    return np.asarray([_zoom_apply(i, m, flags, border_mode) for i in _many(x)])


def respective_zoom(x: Any, h_range: Any = (0.9, 1.1), w_range: Any = (0.9, 1.1),
                    flags: int | None = None, border_mode: str = "constant", *,
                    rng: Any = None) -> np.ndarray:
    """Zoom by separate factors along height and width (pairs draw); > 1 zooms in."""
    m = affine_respective_zoom_matrix(w_range=w_range, h_range=h_range, rng=rng)
    return _zoom_apply(np.asarray(x), m, flags, border_mode)


# -- elastic --------------------------------------------------------------------------------

def _elastic_field(shape: tuple[int, int], alpha: float, sigma: float, mode: str, cval: float,
                   rng: Any) -> tuple[np.ndarray, np.ndarray]:
    r = get_rng(rng)
    dx = ndimage.gaussian_filter(r.random(shape) * 2 - 1, sigma, mode=mode, cval=cval) * alpha
    dy = ndimage.gaussian_filter(r.random(shape) * 2 - 1, sigma, mode=mode, cval=cval) * alpha
    rows, cols = np.meshgrid(np.arange(shape[0]), np.arange(shape[1]), indexing="ij")
    return rows + dx, cols + dy


def _elastic_apply(x: np.ndarray, field: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    if x.ndim == 3 and x.shape[-1] == 1:
        return ndimage.map_coordinates(x[..., 0], field, order=1)[..., None].astype(x.dtype)
    if x.ndim == 2:
        return ndimage.map_coordinates(x, field, order=1).astype(x.dtype)
    raise ValueError(f"tl.prepro.elastic_transform: only greyscale images [H, W] or [H, W, 1], "
                     f"received shape {x.shape}")


def elastic_transform(x: Any, alpha: float, sigma: float, mode: str = "constant",
                      cval: float = 0, is_random: bool = False, *,
                      rng: Any = None) -> np.ndarray:
    """Elastic distortion (Simard et al. 2003) of a greyscale image.

    A random displacement field, smoothed by a Gaussian of ``sigma`` and scaled by ``alpha``,
    moves every pixel. The field is always random; ``is_random`` is accepted for TensorLayer
    code (which used it to pick the seed) and ignored: pass ``rng`` to control it.

    >>> x = elastic_transform(x, alpha=x.shape[1] * 3, sigma=x.shape[1] * 0.07)
    """
    x = np.asarray(x)
    return _elastic_apply(x, _elastic_field(x.shape[:2], alpha, sigma, mode, cval, rng))


def elastic_transform_multi(x: Any, alpha: float, sigma: float, mode: str = "constant",
                            cval: float = 0, is_random: bool = False, *,
                            rng: Any = None) -> np.ndarray:
    """``elastic_transform`` of every image with the same displacement field."""
    imgs = _many(x)
    field = _elastic_field(imgs[0].shape[:2], alpha, sigma, mode, cval, rng)
    return np.asarray([_elastic_apply(i, field) for i in imgs])


# -- resize ---------------------------------------------------------------------------------

# PIL filters, as scipy.misc.imresize (TensorLayer 1.x's resize) mapped the names
_INTERP = {"nearest": Image.Resampling.NEAREST, "bilinear": Image.Resampling.BILINEAR,
           "bicubic": Image.Resampling.BICUBIC, "cubic": Image.Resampling.BICUBIC,
           "lanczos": Image.Resampling.LANCZOS}


def imresize(x: Any, size: Sequence[int] | None = None, interp: str = "bicubic",
             mode: str | None = None) -> np.ndarray:
    """Resize an image ``[H, W, C]`` (or ``[H, W]``) to ``size = (h, w)`` (default (100, 100)).

    Pillow does the resampling, with TensorLayer 1.x's filters (it called
    ``scipy.misc.imresize``, a Pillow wrapper): ``interp`` is ``'nearest'``, ``'bilinear'``,
    ``'bicubic'``/``'cubic'`` or ``'lanczos'``; shrinking is antialiased. The result has the
    input's dtype: integer images are rounded and clipped to their dtype, float images stay
    float in their own range (TensorLayer rescaled them to 0-255 uint8) and are resampled in
    float32 (about 1e-7 relative error for float64). ``mode`` is accepted for TensorLayer code
    and ignored.

    >>> imresize(np.zeros((480, 640, 3), np.uint8), (224, 224)).shape
    (224, 224, 3)
    """
    x = np.asarray(x)
    size = (100, 100) if size is None else tuple(int(s) for s in size)
    if interp not in _INTERP:
        raise ValueError(f"tl.prepro.imresize: interp must be one of {sorted(_INTERP)}, "
                         f"received {interp!r}")
    if x.ndim not in (2, 3) or len(size) != 2 or min(size) < 1 or 0 in x.shape:
        raise ValueError(f"tl.prepro.imresize: expected a non-empty image [H, W, C] and size "
                         f"(h, w) >= 1, received shape {x.shape} and size {size}")
    pil_size, filt = (size[1], size[0]), _INTERP[interp]
    if x.dtype == np.uint8 and x.ndim == 3 and x.shape[2] == 3:
        # one RGB call; Pillow resamples the bands independently, as the per-channel path does
        return np.asarray(Image.fromarray(x).resize(pil_size, filt))
    planes = x[..., np.newaxis] if x.ndim == 2 else x
    if x.dtype == np.uint8:
        chans = [Image.fromarray(np.ascontiguousarray(planes[..., c])).resize(pil_size, filt)
                 for c in range(planes.shape[2])]
        out = np.stack([np.asarray(c) for c in chans], axis=-1)
    else:
        src = planes.astype(np.float32)  # a 2-D float32 array is Pillow's mode "F"
        out = np.stack([np.asarray(Image.fromarray(np.ascontiguousarray(src[..., c]))
                                   .resize(pil_size, filt)) for c in range(src.shape[2])],
                       axis=-1)
        if np.issubdtype(x.dtype, np.integer):
            info = np.iinfo(x.dtype)
            out = np.clip(np.rint(out), info.min, info.max)
    return out[..., 0].astype(x.dtype) if x.ndim == 2 else out.astype(x.dtype, copy=False)


for _f in (rotation, shift):
    _f.__doc__ = (_f.__doc__ or "").replace("{affine}", _AFFINE_DOC)
