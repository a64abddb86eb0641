"""Sub-pixel convolution (pixel shuffle): channels rearranged into a ``scale``-times larger grid."""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from tlcore.layers.utils import Act, check_positive_int, shape_str, who
from tlcore.layers.core import Layer
from tlcore_vision.layers._common import channels


class SubpixelConv1d(Layer):
    """1-D pixel shuffle: ``(batch, w, c)`` to ``(batch, w * scale, c / scale)``.

    ``out[b, w*scale + i, k] = in[b, w, i*(c/scale) + k]``.

    Args:
        prev_layer: parent ``(batch, w, c)`` with ``c`` divisible by ``scale``.
        scale: upscaling factor. act: activation.

    >>> SubpixelConv1d(InputLayer([None, 10, 4]), scale=2).output_shape
    (None, 20, 2)
    """

    def __init__(self, prev_layer: Layer, scale: int = 2, act: Act = None,
                 name: str | None = None) -> None:
        self.scale = check_positive_int(self, "scale", scale)
        super().__init__(prev_layer, act=act, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        c = channels(self, input_shape, 3)
        if c % self.scale:
            raise ValueError(f"{who(self)}: input channels must be divisible by scale="
                             f"{self.scale}, received shape {shape_str(input_shape)}")
        self._c_out = c // self.scale

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        dyn = tf.shape(inputs)
        y = tf.reshape(inputs, tf.stack([dyn[0], dyn[1] * self.scale, self._c_out]))
        return self.act(y)

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        b, w, _ = input_spec.shape.as_list()
        return tf.TensorSpec((b, None if w is None else w * self.scale, self._c_out),
                             input_spec.dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("scale")}


class SubpixelConv2d(Layer):
    """2-D pixel shuffle (``tf.nn.depth_to_space``): ``(b, h, w, c)`` to
    ``(b, h*scale, w*scale, c / scale**2)``; Shi et al. 2016.

    Args:
        prev_layer: parent ``(batch, h, w, c)``.
        scale: upscaling factor.
        n_out_channel: output channels; ``None`` is ``c / scale**2``. Must satisfy
            ``c == scale**2 * n_out_channel``.
        act: activation.

    >>> SubpixelConv2d(InputLayer([None, 4, 4, 12]), scale=2).output_shape
    (None, 8, 8, 3)
    """

    def __init__(self, prev_layer: Layer, scale: int = 2, n_out_channel: int | None = None,
                 act: Act = None, name: str | None = None) -> None:
        self.scale = check_positive_int(self, "scale", scale)
        self.n_out_channel = (None if n_out_channel is None else
                              check_positive_int(self, "n_out_channel", n_out_channel))
        super().__init__(prev_layer, act=act, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        c = channels(self, input_shape, 4)
        r2 = self.scale ** 2
        want = self.n_out_channel if self.n_out_channel is not None else c // r2
        if c % r2 or want * r2 != c:
            raise ValueError(f"{who(self)}: input channels must equal scale**2 * n_out_channel "
                             f"({r2} * {self.n_out_channel or 'c/scale**2'}), received shape "
                             f"{shape_str(input_shape)}")
        self._c_out = want

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        if self.scale == 1:  # depth_to_space rejects block size 1
            return self.act(inputs)
        return self.act(tf.nn.depth_to_space(inputs, self.scale))

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        b, h, w, _ = input_spec.shape.as_list()
        up = [None if d is None else d * self.scale for d in (h, w)]
        return tf.TensorSpec((b, *up, self._c_out), input_spec.dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("scale", "n_out_channel")}
