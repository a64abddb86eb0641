"""Bilinear sampling at fractional pixel positions, with TF ops (differentiable in the positions);
used by DeformableConv2d and the spatial transformer."""
from __future__ import annotations

import tensorflow as tf


def bilinear_sample(img: tf.Tensor, y: tf.Tensor, x: tf.Tensor) -> tf.Tensor:
    """Sample ``img`` ``(B, H, W, C)`` at rows ``y`` and columns ``x`` (float, shape ``(B, N)``),
    giving ``(B, N, C)``. Neighbours outside the image count as zeros (zero padding)."""
    shape = tf.shape(img)
    h, w, c = shape[1], shape[2], shape[3]
    flat = tf.reshape(img, tf.stack([shape[0], h * w, c]))
    y0, x0 = tf.floor(y), tf.floor(x)
    wy1, wx1 = y - y0, x - x0
    wy0, wx0 = 1.0 - wy1, 1.0 - wx1
    y0i, x0i = tf.cast(y0, tf.int32), tf.cast(x0, tf.int32)

    def corner(yi: tf.Tensor, xi: tf.Tensor, weight: tf.Tensor) -> tf.Tensor:
        inside = (yi >= 0) & (yi < h) & (xi >= 0) & (xi < w)
        idx = tf.clip_by_value(yi, 0, h - 1) * w + tf.clip_by_value(xi, 0, w - 1)
        vals = tf.gather(flat, idx, batch_dims=1)
        return vals * (weight * tf.cast(inside, img.dtype))[..., None]

    return (corner(y0i, x0i, wy0 * wx0) + corner(y0i, x0i + 1, wy0 * wx1) +
            corner(y0i + 1, x0i, wy1 * wx0) + corner(y0i + 1, x0i + 1, wy1 * wx1))
