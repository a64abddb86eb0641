"""Photometric augmentation and normalization of numpy images (TensorLayer 1.x semantics).

No skimage or PIL: gamma follows ``skimage.exposure.adjust_gamma``, contrast and saturation
follow PIL's ``ImageEnhance`` formulas.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from scipy import linalg

from tlcore_vision.prepro._random import get_rng


def _gamma(x: np.ndarray, gamma: float, gain: float) -> np.ndarray:
    # skimage.exposure.adjust_gamma: scale by the dtype's range (1 for floats), keep the dtype
    if np.any(x < 0):
        raise ValueError("tl.prepro.brightness: the image has negative values; gamma needs "
                         "values >= 0")
    scale = float(np.iinfo(x.dtype).max) if np.issubdtype(x.dtype, np.integer) else 1.0
    out = ((x / scale) ** gamma) * scale * gain
    return out.astype(x.dtype)


def _draw_gamma(gamma: float, is_random: bool, rng: Any) -> float:
    return float(get_rng(rng).uniform(1 - gamma, 1 + gamma)) if is_random else gamma


def brightness(x: Any, gamma: float = 1, gain: float = 1, is_random: bool = False, *,
               rng: Any = None) -> np.ndarray:
    """Gamma correction ``gain * x ** gamma`` (in the dtype's range); gamma < 1 brightens.

    ``is_random``: gamma is drawn uniformly from ``[1 - gamma, 1 + gamma]``.
    """
    x = np.asarray(x)
    return _gamma(x, _draw_gamma(gamma, is_random, rng), gain)


def brightness_multi(x: Any, gamma: float = 1, gain: float = 1, is_random: bool = False, *,
                     rng: Any = None) -> np.ndarray:
    """``brightness`` of every image with the same gamma."""
    g = _draw_gamma(gamma, is_random, rng)
    return np.asarray([_gamma(np.asarray(i), g, gain) for i in x])


def _luminance(x: np.ndarray) -> np.ndarray:
    # PIL's "L" conversion (ITU-R 601-2 luma)
    return x[..., 0] * 0.299 + x[..., 1] * 0.587 + x[..., 2] * 0.114


def illumination(x: Any, gamma: Any = 1.0, contrast: Any = 1.0, saturation: Any = 1.0,
                 is_random: bool = False, *, rng: Any = None) -> np.ndarray:
    """Gamma, contrast and saturation of an RGB image with values 0-255 (returns uint8).

    With ``is_random`` each of ``gamma``, ``contrast``, ``saturation`` is a ``(low, high)`` range
    drawn uniformly. Contrast blends with the image's mean grey, saturation with its grey
    version (PIL ``ImageEnhance.Contrast``/``Color``); 1 leaves the image unchanged.

    >>> x = illumination(x, gamma=(0.5, 5.0), contrast=(0.3, 1.0), saturation=(0.7, 1.0),
    ...                  is_random=True)
    """
    x = np.asarray(x)
    if x.ndim != 3 or x.shape[-1] != 3:
        raise ValueError(f"tl.prepro.illumination: expected an RGB image [H, W, 3], received "
                         f"shape {x.shape}")
    if is_random:
        for name, v in (("gamma", gamma), ("contrast", contrast), ("saturation", saturation)):
            if not isinstance(v, (tuple, list)) or len(v) != 2:
                raise ValueError(f"tl.prepro.illumination: with is_random, {name} must be "
                                 f"(low, high), received {v!r}")
        r = get_rng(rng)
        gamma, contrast, saturation = (r.uniform(*gamma), r.uniform(*contrast),
                                       r.uniform(*saturation))
    im = np.clip(np.asarray(x, dtype=np.float64), 0, 255)
    im = np.rint((im / 255.0) ** float(gamma) * 255.0)  # brightness on the uint8 image
    mean = np.floor(_luminance(np.rint(im)).mean() + 0.5)
    im = np.clip(np.rint(mean + float(contrast) * (im - mean)), 0, 255)
    grey = np.rint(_luminance(im))[..., None]
    im = np.clip(np.rint(grey + float(saturation) * (im - grey)), 0, 255)
    return im.astype(np.uint8)


def _channel_shift(x: np.ndarray, factor: float, channel_index: int) -> np.ndarray:
    lo, hi = np.min(x), np.max(x)
    return np.clip(x + factor, lo, hi).astype(x.dtype)


def channel_shift(x: Any, intensity: float, is_random: bool = False, channel_index: int = 2,
                  *, rng: Any = None) -> np.ndarray:
    """Add ``intensity`` (``is_random``: uniform in ``[-i, i]``) to every channel, clipped to
    the image's original min and max."""
    x = np.asarray(x)
    f = get_rng(rng).uniform(-intensity, intensity) if is_random else intensity
    return _channel_shift(x, f, channel_index)


def channel_shift_multi(x: Any, intensity: float, is_random: bool = False,
                        channel_index: int = 2, *, rng: Any = None) -> np.ndarray:
    """``channel_shift`` of every image by the same amount."""
    f = get_rng(rng).uniform(-intensity, intensity) if is_random else intensity
    return np.asarray([_channel_shift(np.asarray(i), f, channel_index) for i in x])


def samplewise_norm(x: Any, rescale: float | None = None, samplewise_center: bool = False,
                    samplewise_std_normalization: bool = False, channel_index: int = 2,
                    epsilon: float = 1e-7) -> np.ndarray:
    """Normalize one image by its own statistics.

    One channel: subtract the image mean and divide by its std. Three channels: per pixel,
    across the channels (TensorLayer's behaviour). ``rescale`` multiplies first.
    """
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    if rescale:
        x = x * rescale
    c = x.shape[channel_index]
    if c == 1:
        if samplewise_center:
            x = x - np.mean(x)
        if samplewise_std_normalization:
            x = x / (np.std(x) + epsilon)
        return x
    if c == 3:
        if samplewise_center:
            x = x - np.mean(x, axis=channel_index, keepdims=True)
        if samplewise_std_normalization:
            x = x / (np.std(x, axis=channel_index, keepdims=True) + epsilon)
        return x
    raise ValueError(f"tl.prepro.samplewise_norm: 1 or 3 channels, received {c} (shape "
                     f"{x.shape})")


def featurewise_norm(x: Any, mean: Any = None, std: Any = None,
                     epsilon: float = 1e-7) -> np.ndarray:
    """``(x - mean) / (std + epsilon)`` with dataset statistics (either may be None)."""
    x = np.asarray(x)
    if mean is not None:
        x = x - mean
    if std is not None:
        x = x / (std + epsilon)
    return x


def get_zca_whitening_principal_components_img(X: Any) -> np.ndarray:
    """The ZCA whitening matrix of images ``X [N, H, W, C]`` (size ``H*W*C`` squared)."""
    X = np.asarray(X, dtype=np.float64)
    flat = X.reshape(X.shape[0], -1)
    sigma = flat.T @ flat / flat.shape[0]
    U, S, _ = linalg.svd(sigma)
    return (U * (1.0 / np.sqrt(S + 10e-7))) @ U.T


def zca_whitening(x: Any, principal_components: Any) -> np.ndarray:
    """Whiten one image ``[H, W, C]`` with the matrix of
    ``get_zca_whitening_principal_components_img``."""
    x = np.asarray(x)
    return (x.reshape(-1) @ np.asarray(principal_components)).reshape(x.shape)


def drop(x: Any, keep: float = 0.5, *, rng: Any = None) -> np.ndarray:
    """Zero pixels at random, keeping each with probability ``keep`` (all channels of a pixel
    together for RGB images)."""
    x = np.asarray(x)
    r = get_rng(rng)
    if x.ndim == 3 and x.shape[-1] == 3:
        return x * r.binomial(1, keep, size=x.shape[:-1])[..., None].astype(x.dtype)
    if (x.ndim == 3 and x.shape[-1] == 1) or x.ndim in (1, 2):
        return x * r.binomial(1, keep, size=x.shape).astype(x.dtype)
    raise ValueError(f"tl.prepro.drop: expected [H, W], [H, W, 1] or [H, W, 3], received "
                     f"shape {x.shape}")
