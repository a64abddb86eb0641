"""Depthwise and depthwise-separable convolutions (TensorLayer 1.11's DepthwiseConv2d,
SeparableConv1d, SeparableConv2d)."""
from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from tlcore.layers.utils import Act, Init, check_positive_int, get_init, who
from tlcore.layers.core import Layer
from tlcore_vision.layers._common import CONV_W_INIT, add_weight, channels, check_ints
from tlcore_vision.layers.conv import ConvND


def _equal_strides(layer: Layer, strides: tuple[int, ...]) -> None:
    # TF's depthwise kernels only take equal strides along height and width.
    if len(set(strides)) != 1:
        raise ValueError(f"{who(layer)}: strides must be equal along all spatial dims, received "
                         f"{strides}")


class DepthwiseConv2d(ConvND):
    """Depthwise 2-D convolution: each input channel gets ``depth_multiplier`` own filters.

    Args:
        prev_layer: parent ``(batch, h, w, c)``.
        shape: filter size ``(kh, kw)``.
        strides: ``(s, s)`` (equal); dilation_rate: ``(d, d)``-like (not with strides > 1).
        act, padding: as in Conv2d.
        depth_multiplier: filters per input channel; output has ``c * depth_multiplier``.
        W_init, b_init: variables ``W_depthwise2d`` ``(kh, kw, c, m)`` and ``b_depthwise2d``.

    >>> DepthwiseConv2d(InputLayer([None, 8, 8, 3]), (3, 3), depth_multiplier=2).output_shape
    (None, 8, 8, 6)
    """

    rank, w_name, b_name = 2, "W_depthwise2d", "b_depthwise2d"

    def __init__(self, prev_layer: Layer, shape: Any = (3, 3), strides: Any = (1, 1),
                 act: Act = None,
                 padding: str = "SAME", dilation_rate: Any = (1, 1), depth_multiplier: int = 1,
                 W_init: Init = CONV_W_INIT, b_init: Init = "zeros", *,
                 name: str | None = None) -> None:
        self.shape = check_ints(self, "shape", shape, 2)
        self.strides = check_ints(self, "strides", strides, 2)
        self.dilation_rate = check_ints(self, "dilation_rate", dilation_rate, 2)
        self.depth_multiplier = check_positive_int(self, "depth_multiplier", depth_multiplier)
        _equal_strides(self, self.strides)
        self._setup(strides=self.strides, dilations=self.dilation_rate, padding=padding,
                    data_format="NHWC", W_init=W_init, b_init=b_init)
        super().__init__(prev_layer, act=act, name=name)

    def kernel_shape(self, c_in: int) -> tuple[int, ...]:
        return (*self.shape, c_in, self.depth_multiplier)

    def bias_size(self, kernel_shape: tuple[int, ...]) -> int:
        return kernel_shape[-2] * kernel_shape[-1]

    def out_channels(self) -> int:
        return int(self.W.shape[-2] * self.W.shape[-1])

    def conv(self, x: tf.Tensor) -> tf.Tensor:
        return tf.nn.depthwise_conv2d(x, self.W, (1, *self.strides, 1), self.padding,
                                      dilations=self.dilation_rate)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize(
            "shape", "strides", "padding", "dilation_rate", "depth_multiplier", "W_init",
            "b_init")}


class _SeparableND(ConvND):
    """Depthwise then pointwise convolution; variables ``depthwise_kernel``, ``pointwise_kernel``,
    ``bias`` with tf.layers'/Keras' shapes."""

    def _setup_separable(self, n_filter: int, filter_size: Any, strides: Any, padding: str,
                         data_format: str, dilation_rate: Any, depth_multiplier: int,
                         depthwise_init: Init, pointwise_init: Init, b_init: Init) -> None:
        r = self.rank
        self.n_filter = check_positive_int(self, "n_filter", n_filter)
        self.filter_size = check_ints(self, "filter_size", filter_size, r)
        self.strides = check_ints(self, "strides", strides, r)
        self.dilation_rate = check_ints(self, "dilation_rate", dilation_rate, r)
        self.depth_multiplier = check_positive_int(self, "depth_multiplier", depth_multiplier)
        _equal_strides(self, self.strides)
        self.data_format = data_format
        # tf.layers' default for both kernels (TensorLayer passed None through).
        glorot = keras.initializers.GlorotUniform()
        self.depthwise_init = get_init(depthwise_init) if depthwise_init is not None else glorot
        self.pointwise_init = get_init(pointwise_init) if pointwise_init is not None else glorot
        self._setup(strides=self.strides, dilations=self.dilation_rate, padding=padding,
                    data_format=data_format, W_init=None, b_init=b_init)

    def build(self, input_shape: tf.TensorShape) -> None:
        c = channels(self, input_shape, self.rank + 2, self.channels_first)
        m = self.depth_multiplier
        self.W = add_weight(self, "depthwise_kernel", (*self.filter_size, c, m),
                            self.depthwise_init)
        self.pointwise = add_weight(self, "pointwise_kernel", (*(1,) * self.rank, c * m,
                                                               self.n_filter), self.pointwise_init)
        self.b = (add_weight(self, "bias", (self.n_filter,), self.b_init)
                  if self.b_init is not None else None)

    def out_channels(self) -> int:
        return self.n_filter

    def conv(self, x: tf.Tensor) -> tf.Tensor:
        dw, pw = self.W, self.pointwise
        s, d = self.strides[0], self.dilation_rate
        if self.rank == 1:  # as a 2-D op on a height-1 image
            x, dw, pw = x[:, None], dw[None], pw[None]
            d = (1, d[0])
        y = tf.nn.separable_conv2d(x, dw, pw, (1, s, s, 1), self.padding, dilations=d)
        return y[:, 0] if self.rank == 1 else y

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize(
            "n_filter", "filter_size", "strides", "padding", "data_format", "dilation_rate",
            "depth_multiplier", "depthwise_init", "pointwise_init", "b_init")}


class SeparableConv1d(_SeparableND):
    """Depthwise-separable 1-D convolution (tf.layers.SeparableConv1D's variables).

    Args:
        prev_layer: parent ``(batch, width, c)`` (channels-first with ``data_format``).
        n_filter: output channels; filter_size: kernel width; strides; padding (default
            ``'valid'``); dilation_rate; depth_multiplier.
        depthwise_init, pointwise_init: ``None`` is Glorot uniform; b_init: ``None`` drops ``bias``.

    >>> SeparableConv1d(InputLayer([None, 10, 4]), 8, 3).output_shape
    (None, 8, 8)
    """

    rank = 1

    def __init__(self, prev_layer: Layer, n_filter: int = 100, filter_size: int = 3,
                 strides: int = 1,
                 act: Act = None, padding: str = "valid", data_format: str = "channels_last",
                 dilation_rate: int = 1, depth_multiplier: int = 1, depthwise_init: Init = None,
                 pointwise_init: Init = None, b_init: Init = "zeros", *,
                 name: str | None = None) -> None:
        self._setup_separable(n_filter, filter_size, strides, padding, data_format,
                              dilation_rate, depth_multiplier, depthwise_init, pointwise_init,
                              b_init)
        super().__init__(prev_layer, act=act, name=name)


class SeparableConv2d(_SeparableND):
    """Depthwise-separable 2-D convolution (tf.layers.SeparableConv2D's variables).

    Args: as :class:`SeparableConv1d` with pairs for ``filter_size`` (default ``(3, 3)``),
    ``strides`` (equal) and ``dilation_rate``.

    >>> SeparableConv2d(InputLayer([None, 10, 10, 4]), 8, (3, 3)).output_shape
    (None, 8, 8, 8)
    """

    rank = 2

    def __init__(self, prev_layer: Layer, n_filter: int = 100, filter_size: Any = (3, 3),
                 strides: Any = (1, 1), act: Act = None, padding: str = "valid",
                 data_format: str = "channels_last", dilation_rate: Any = (1, 1),
                 depth_multiplier: int = 1, depthwise_init: Init = None,
                 pointwise_init: Init = None, b_init: Init = "zeros", *,
                 name: str | None = None) -> None:
        self._setup_separable(n_filter, filter_size, strides, padding, data_format,
                              dilation_rate, depth_multiplier, depthwise_init, pointwise_init,
                              b_init)
        super().__init__(prev_layer, act=act, name=name)
