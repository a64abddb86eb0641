"""Spatial transformer networks (Jaderberg et al. 2015): an affine warp of the input image whose
parameters a localisation network predicts, with bilinear sampling."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import tensorflow as tf

from tlcore.layers.utils import shape_str, who
from tlcore.layers.core import Layer
from tlcore_vision.layers._common import check_ints
from tlcore_vision.layers._sampling import bilinear_sample


def transformer(U: tf.Tensor, theta: tf.Tensor, out_size: Sequence[int],
                name: str = "SpatialTransformer2dAffine") -> tf.Tensor:
    """Warp images ``U`` ``(B, H, W, C)`` by affine ``theta`` ``(B, 6)`` (or ``(B, 2, 3)``).

    Output pixel ``(i, j)`` of an ``out_size = (oh, ow)`` grid has normalised coordinates
    ``(x_t, y_t)`` in ``[-1, 1]`` and reads ``U`` at ``theta @ (x_t, y_t, 1)``, where -1 and 1 are
    the centres of the first and last pixels; outside the image reads zeros. The identity
    ``theta = (1, 0, 0, 0, 1, 0)`` returns ``U`` (resized, corners aligned, when ``out_size``
    differs). ``name`` is accepted for TensorLayer code.
    """
    oh, ow = int(out_size[0]), int(out_size[1])
    shape = tf.shape(U)
    b = shape[0]
    h, w = tf.cast(shape[1], U.dtype), tf.cast(shape[2], U.dtype)
    theta = tf.reshape(tf.cast(theta, U.dtype), tf.stack([b, 2, 3]))
    ys, xs = np.meshgrid(np.linspace(-1.0, 1.0, oh), np.linspace(-1.0, 1.0, ow), indexing="ij")
    grid = np.stack([xs.ravel(), ys.ravel(), np.ones(oh * ow)])  # (3, oh*ow)
    src = tf.einsum("bij,jn->bin", theta, tf.constant(grid, U.dtype))  # (B, 2, oh*ow)
    x = (src[:, 0] + 1.0) * (w - 1.0) / 2.0
    y = (src[:, 1] + 1.0) * (h - 1.0) / 2.0
    out = bilinear_sample(U, y, x)
    return tf.reshape(out, tf.stack([b, oh, ow, shape[3]]))


def batch_transformer(U: tf.Tensor, thetas: tf.Tensor, out_size: Sequence[int],
                      name: str = "BatchSpatialTransformer2dAffine") -> tf.Tensor:
    """``transformer`` with ``thetas`` ``(B, n, 6)``: each image warped ``n`` times; output
    ``(B * n, oh, ow, C)``, the ``n`` warps of image 0 first."""
    n = tf.shape(thetas)[1]
    return transformer(tf.repeat(U, n, axis=0), tf.reshape(thetas, [-1, 6]), out_size)


class SpatialTransformer2dAffineLayer(Layer):
    """Affine spatial transformer: ``theta = tanh(flatten(theta_layer) @ W + b)``, then
    :func:`transformer` of ``prev_layer`` by ``theta`` onto an ``out_size`` grid.

    As in TensorLayer, ``W`` ``(n_in, 6)`` starts at zeros and ``b`` at the identity
    ``(1, 0, 0, 0, 1, 0)`` (so the initial warp is ``tanh(1) ~ 0.76``, a slight zoom-in).

    Args:
        prev_layer: the images ``(batch, h, w, c)``.
        theta_layer: the localisation network's output ``(batch, ...)`` with known size.
        out_size: ``(out_h, out_w)``; TensorLayer's default ``(40, 40)``.

    >>> img = InputLayer([None, 28, 28, 1])
    >>> loc = DenseLayer(FlattenLayer(img), n_units=20)
    >>> SpatialTransformer2dAffineLayer(img, loc, out_size=(40, 40)).output_shape
    (None, 40, 40, 1)
    """

    multi_input = True

    def __init__(self, prev_layer: Layer, theta_layer: Layer | None = None,
                 out_size: Sequence[int] | None = None, name: str | None = None) -> None:
        if not isinstance(theta_layer, Layer):
            raise TypeError(f"{who(self)}: theta_layer must be a tlcore Layer (the localisation "
                            f"network), received {theta_layer!r}")
        self.out_size = check_ints(self, "out_size", [40, 40] if out_size is None else out_size,
                                   2)
        super().__init__([prev_layer, theta_layer], name=name)

    def build(self, input_shape: list[tf.TensorShape]) -> None:
        x_shape, t_shape = input_shape
        if x_shape.rank != 4 or x_shape[-1] is None:
            raise ValueError(f"{who(self)}: expected rank-4 images (NHWC) with known channels, "
                             f"received shape {shape_str(x_shape)}")
        if t_shape.rank is None or t_shape.rank < 2 or not t_shape[1:].is_fully_defined():
            raise ValueError(f"{who(self)}: theta_layer must give (batch, ...) with known "
                             f"non-batch dims, received shape {shape_str(t_shape)}")
        self.n_in = int(np.prod(t_shape[1:].as_list()))
        self.W = self.add_param("W", (self.n_in, 6), tf.zeros)
        identity = tf.constant([1.0, 0.0, 0.0, 0.0, 1.0, 0.0])
        self.b = self.add_param("b", (6,), lambda shape, dtype: tf.cast(identity, dtype))

    def compute_output_spec(self, input_spec: list[tf.TensorSpec]) -> tf.TensorSpec:
        s = input_spec[0].shape
        return tf.TensorSpec((s[0], *self.out_size, s[-1]), self.dtype)

    def forward(self, inputs: list[tf.Tensor], *, is_train: bool) -> tf.Tensor:
        x, t = inputs
        t = tf.reshape(tf.cast(t, x.dtype), [-1, self.n_in])
        theta = tf.nn.tanh(tf.matmul(t, self.W) + self.b)
        return transformer(x, theta, self.out_size)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("out_size")}

    @classmethod
    def from_config(cls, prev: Any, config: Mapping[str, Any]) -> Layer:
        """``prev`` is ``[images, theta_layer]``, as in ``prev_layers``."""
        x, theta_layer = prev
        return cls(x, theta_layer, **dict(config))
