"""Atrous (dilated) convolutions with TensorLayer 1.11's names and variables.

``AtrousConv1dLayer`` is TensorLayer's ``atrous_conv1d`` (a Conv1dLayer: ``W_conv1d``);
``AtrousConv2dLayer`` and ``AtrousDeConv2dLayer`` are ``tf.nn.atrous_conv2d`` and its transpose.
"""
from __future__ import annotations

from typing import Any, Sequence

import tensorflow as tf

from tlcore.layers.utils import Act, Init, check_positive_int, who
from tlcore.layers.core import Layer
from tlcore_vision.layers._common import CONV_W_INIT, check_data_format, check_ints
from tlcore_vision.layers.conv import ConvND
from tlcore_vision.layers.deconv import TransposedConvND


class AtrousConv1dLayer(ConvND):
    """1-D dilated convolution (TensorLayer's ``atrous_conv1d``): variables W_conv1d, b_conv1d.

    Args:
        prev_layer: parent ``(batch, width, c)`` (``'NCW'``: ``(batch, c, width)``).
        n_filter: output channels; filter_size: kernel width; stride: stride.
        dilation: the dilation rate (not with ``stride > 1``).
        act, padding, data_format (``'NWC'``/``'NCW'``), W_init, b_init: as in Conv1dLayer.

    >>> AtrousConv1dLayer(InputLayer([None, 16, 3]), 8, 2, dilation=4).output_shape
    (None, 16, 8)
    """

    rank, w_name, b_name = 1, "W_conv1d", "b_conv1d"

    def __init__(self, prev_layer: Layer, n_filter: int = 32, filter_size: int = 2, stride: int = 1,
                 dilation: int = 1, act: Act = None, padding: str = "SAME",
                 data_format: str = "NWC", W_init: Init = CONV_W_INIT, b_init: Init = "zeros", *,
                 name: str | None = None) -> None:
        self.n_filter = check_positive_int(self, "n_filter", n_filter)
        self.filter_size = check_positive_int(self, "filter_size", filter_size)
        self.stride = check_positive_int(self, "stride", stride)
        self.dilation = check_positive_int(self, "dilation", dilation)
        self.data_format = data_format
        self._setup(strides=(self.stride,), dilations=(self.dilation,), padding=padding,
                    data_format=data_format, W_init=W_init, b_init=b_init)
        super().__init__(prev_layer, act=act, name=name)

    def kernel_shape(self, c_in: int) -> tuple[int, ...]:
        return (self.filter_size, c_in, self.n_filter)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize(
            "n_filter", "filter_size", "stride", "dilation", "padding", "data_format", "W_init",
            "b_init")}


class AtrousConv2dLayer(ConvND):
    """2-D atrous convolution (``tf.nn.atrous_conv2d``): a stride-1 convolution dilated by ``rate``.

    Args:
        prev_layer: parent ``(batch, h, w, c)``.
        n_filter: output channels; filter_size: ``(kh, kw)``; rate: the dilation rate.
        act, padding, W_init, b_init: variables ``W_atrous_conv2d``/``b_atrous_conv2d``.

    >>> AtrousConv2dLayer(InputLayer([None, 9, 9, 3]), 4, (3, 3), 2, padding="VALID").output_shape
    (None, 5, 5, 4)
    """

    rank, w_name, b_name = 2, "W_atrous_conv2d", "b_atrous_conv2d"

    def __init__(self, prev_layer: Layer, n_filter: int = 32, filter_size: Any = (3, 3),
                 rate: int = 2,
                 act: Act = None, padding: str = "SAME", W_init: Init = CONV_W_INIT,
                 b_init: Init = "zeros", *, name: str | None = None) -> None:
        self.n_filter = check_positive_int(self, "n_filter", n_filter)
        self.filter_size = check_ints(self, "filter_size", filter_size, 2)
        self.rate = check_positive_int(self, "rate", rate)
        self._setup(strides=(1, 1), dilations=(self.rate, self.rate), padding=padding,
                    data_format="NHWC", W_init=W_init, b_init=b_init)
        super().__init__(prev_layer, act=act, name=name)

    def kernel_shape(self, c_in: int) -> tuple[int, ...]:
        return (*self.filter_size, c_in, self.n_filter)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize(
            "n_filter", "filter_size", "rate", "padding", "W_init", "b_init")}


class AtrousDeConv2dLayer(TransposedConvND):
    """Transpose of the atrous convolution (``tf.nn.atrous_conv2d_transpose``).

    Args:
        prev_layer: parent ``(batch, h, w, in_c)``.
        shape: kernel ``(kh, kw, out_c, in_c)``.
        output_shape: ``(batch, out_h, out_w, out_c)``; ``batch`` may be ``None``.
        rate: dilation rate. act, padding, W_init, b_init: variables
            ``W_atrous_conv2d_transpose``/``b_atrous_conv2d_transpose``.

    >>> AtrousDeConv2dLayer(InputLayer([None, 5, 5, 4]), shape=(3, 3, 2, 4),
    ...                     output_shape=(None, 9, 9, 2), rate=2, padding="VALID").output_shape
    (None, 9, 9, 2)
    """

    rank, w_name, b_name = 2, "W_atrous_conv2d_transpose", "b_atrous_conv2d_transpose"

    def __init__(self, prev_layer: Layer, shape: Sequence[int] = (3, 3, 128, 256),
                 output_shape: Sequence[Any] = (1, 64, 64, 128), rate: int = 2, act: Act = None,
                 padding: str = "SAME", W_init: Init = CONV_W_INIT, b_init: Init = "zeros", *,
                 name: str | None = None) -> None:
        self.shape = check_ints(self, "shape", shape, 4)
        self.rate = check_positive_int(self, "rate", rate)
        ok = isinstance(output_shape, (list, tuple)) and len(output_shape) == 4 and all(
            isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in output_shape[1:])
        if not ok or output_shape[-1] != self.shape[-2]:
            raise ValueError(f"{who(self)}: output_shape must be (batch, h, w, shape[-2]="
                             f"{self.shape[-2]}) with positive ints (batch may be None), "
                             f"received {output_shape!r}")
        self.output_shape_arg = tuple(output_shape)
        self._out_spatial = tuple(output_shape[1:3])
        check_data_format(self, "NHWC")
        self._setup(strides=(1, 1), dilations=(self.rate, self.rate), padding=padding,
                    data_format="NHWC", W_init=W_init, b_init=b_init)
        super().__init__(prev_layer, act=act, name=name)

    def kernel_shape(self, c_in: int) -> tuple[int, ...]:
        self._check_in_channels(c_in, self.shape[-1], "shape[-1]")
        return self.shape

    def conv(self, x: tf.Tensor) -> tf.Tensor:
        return tf.nn.atrous_conv2d_transpose(x, self.W, self._output_shape(x), self.rate,
                                             self.padding)

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), **self.serialize(
            "shape", "rate", "padding", "W_init", "b_init")}
        config["output_shape"] = list(self.output_shape_arg)
        return config
