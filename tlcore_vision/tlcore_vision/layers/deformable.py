"""DeformableConv2d (Dai et al. 2017): a convolution whose kernel taps are shifted per pixel by
offsets that another layer predicts; samples are read by bilinear interpolation."""
from __future__ import annotations

from typing import Any, Mapping

import tensorflow as tf

from tlcore.layers.utils import Act, Init, check_positive_int, get_init, shape_str, who
from tlcore.layers.core import Layer
from tlcore_vision.layers._common import CONV_W_INIT, add_weight, check_ints
from tlcore_vision.layers._sampling import bilinear_sample


class DeformableConv2d(Layer):
    """Deformable 2-D convolution, stride 1, ``'SAME'`` geometry.

    Kernel tap ``k = ky * kw + kx`` of output pixel ``(i, j)`` reads the input at
    ``(i + ky - (kh-1)//2 + dy, j + kx - (kw-1)//2 + dx)`` with ``(dy, dx) =
    offset[b, i, j, 2k], offset[b, i, j, 2k+1]``; positions outside the image read zeros. With
    zero offsets it is exactly ``Conv2d(..., padding='SAME')``.

    Args (in TensorLayer 1.11's order, ``name`` before the initializers):
        prev_layer: the input ``(batch, h, w, c)``.
        offset_layer: a layer giving ``(batch, h, w, 2 * kh * kw)`` offsets, usually a Conv2d on
            ``prev_layer`` (initialised to zero to start from a plain convolution).
        n_filter: output channels. filter_size: ``(kh, kw)``.
        act: activation. name: layer name.
        W_init, b_init: variables ``W_deformableconv2d`` ``(1, 1, kh*kw, c, n_filter)`` (as in
            TensorLayer) and ``b_deformableconv2d``.

    >>> x = InputLayer([None, 8, 8, 3])
    >>> off = Conv2d(x, 18, (3, 3), W_init="zeros")
    >>> DeformableConv2d(x, off, 16, (3, 3)).output_shape
    (None, 8, 8, 16)
    """

    multi_input = True

    def __init__(self, prev_layer: Layer, offset_layer: Layer | None = None, n_filter: int = 32,
                 filter_size: Any = (3, 3), act: Act = None, name: str | None = None,
                 W_init: Init = CONV_W_INIT, b_init: Init = "zeros") -> None:
        if name is not None:  # may come positionally: known for the argument errors below
            self.name = name
        if not isinstance(offset_layer, Layer):
            raise TypeError(f"{who(self)}: offset_layer must be a tlcore Layer giving "
                            f"(batch, h, w, 2*kh*kw) offsets, received {offset_layer!r}")
        self.n_filter = check_positive_int(self, "n_filter", n_filter)
        self.filter_size = check_ints(self, "filter_size", filter_size, 2)
        self.W_init, self.b_init = get_init(W_init), get_init(b_init)
        super().__init__([prev_layer, offset_layer], act=act, name=name)

    def build(self, input_shape: list[tf.TensorShape]) -> None:
        x_shape, off_shape = input_shape
        kh, kw = self.filter_size
        if x_shape.rank != 4 or x_shape[-1] is None:
            raise ValueError(f"{who(self)}: expected rank-4 input (NHWC) with known channels, "
                             f"received shape {shape_str(x_shape)}")
        if off_shape.rank != 4 or off_shape[-1] != 2 * kh * kw:
            raise ValueError(f"{who(self)}: offset_layer must give (batch, h, w, 2*kh*kw = "
                             f"{2 * kh * kw}) offsets for filter_size {self.filter_size}, received "
                             f"shape {shape_str(off_shape)}")
        if not x_shape[1:3].is_compatible_with(off_shape[1:3]):
            raise ValueError(f"{who(self)}: offsets {shape_str(off_shape)} must have the input's "
                             f"spatial size, input shape {shape_str(x_shape)}")
        c = int(x_shape[-1])
        self.W = add_weight(self, "W_deformableconv2d", (1, 1, kh * kw, c, self.n_filter),
                            self.W_init)
        self.b = (add_weight(self, "b_deformableconv2d", (self.n_filter,), self.b_init)
                  if self.b_init is not None else None)

    def compute_output_spec(self, input_spec: list[tf.TensorSpec]) -> tf.TensorSpec:
        b, h, w, _ = input_spec[0].shape.as_list()
        oh, ow = input_spec[1].shape[1:3]
        return tf.TensorSpec((b, h if h is not None else oh, w if w is not None else ow,
                              self.n_filter), self.dtype)

    def forward(self, inputs: list[tf.Tensor], *, is_train: bool) -> tf.Tensor:
        x, off = inputs
        kh, kw = self.filter_size
        k = kh * kw
        shape = tf.shape(x)
        b, h, w = shape[0], shape[1], shape[2]
        # base positions of every tap, (h, w, k): SAME padding puts (k-1)//2 before
        ky = tf.repeat(tf.range(kh) - (kh - 1) // 2, kw)
        kx = tf.tile(tf.range(kw) - (kw - 1) // 2, [kh])
        rows = tf.range(h)[:, None, None] + ky[None, None, :]
        cols = tf.range(w)[None, :, None] + kx[None, None, :]
        off = tf.reshape(tf.cast(off, x.dtype), tf.stack([b, h, w, k, 2]))
        ys = tf.cast(rows, x.dtype)[None] + off[..., 0]
        xs = tf.cast(cols, x.dtype)[None] + off[..., 1]
        flat = tf.stack([b, h * w * k])
        taps = bilinear_sample(x, tf.reshape(ys, flat), tf.reshape(xs, flat))
        c = self.W.shape[3]
        taps = tf.reshape(taps, tf.stack([b, h, w, k * c]))
        y = tf.tensordot(taps, tf.reshape(self.W, (k * c, self.n_filter)), axes=1)
        if self.b is not None:
            y = tf.nn.bias_add(y, self.b)
        return self.act(y)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize(
            "n_filter", "filter_size", "W_init", "b_init")}

    @classmethod
    def from_config(cls, prev: Any, config: Mapping[str, Any]) -> Layer:
        """``prev`` is ``[input, offset_layer]``, as in ``prev_layers``."""
        x, offset_layer = prev
        return cls(x, offset_layer, **dict(config))
