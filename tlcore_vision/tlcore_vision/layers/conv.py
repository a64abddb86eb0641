"""Convolution: one N-d base (:class:`ConvND`) and thin subclasses that fix rank and names.

Expert layers (``Conv1dLayer``, ``Conv2dLayer``, ``Conv3dLayer``) take TensorFlow's full kernel
``shape`` and ``strides`` and name their variables ``W_conv2d``/``b_conv2d``; simplified layers
(``Conv1d``, ``Conv2d``) take a filter count and size and name them ``kernel``/``bias``, as
TensorLayer 1.11 did, so npz files of that era assign by position.
"""
from __future__ import annotations

from typing import Any, ClassVar, Sequence

import tensorflow as tf

from tlcore.layers.utils import Act, Init, check_positive_int, get_init, who
from tlcore.layers.core import Layer
from tlcore_vision.layers._common import (CONV_W_INIT, add_weight, channels, check_data_format,
                                          check_ints, check_no_stride_with_dilation,
                                          check_padding, to_first, to_last)
from tlcore_vision.layers._onednn import convolution


_LAST = {1: "NWC", 2: "NHWC", 3: "NDHWC"}


class ConvND(Layer):
    """Base of every kernel convolution: ``act(conv(x, W) + b)`` over ``rank`` spatial dims.

    Subclasses set ``rank``, ``w_name``/``b_name``, call :meth:`_setup` and implement
    :meth:`kernel_shape`. Channels-first input is transposed to channels-last and back, since
    TensorFlow's CPU kernels only take channels-last.
    """

    rank: ClassVar[int] = 2
    w_name: ClassVar[str] = "kernel"
    b_name: ClassVar[str] = "bias"

    def _setup(self, *, strides: Sequence[int], dilations: Sequence[int], padding: str,
               data_format: Any, W_init: Init, b_init: Init) -> None:
        self.padding = check_padding(self, padding)
        self.channels_first = check_data_format(self, data_format)
        self._strides = tuple(strides)
        self._dilations = tuple(dilations)
        check_no_stride_with_dilation(self, self._strides, self._dilations)
        self.W_init = get_init(W_init)
        self.b_init = get_init(b_init)

    def kernel_shape(self, c_in: int) -> tuple[int, ...]:
        raise NotImplementedError

    def bias_size(self, kernel_shape: tuple[int, ...]) -> int:
        return kernel_shape[-1]

    def build(self, input_shape: tf.TensorShape) -> None:
        c_in = channels(self, input_shape, self.rank + 2, self.channels_first)
        kshape = self.kernel_shape(c_in)
        self.W = add_weight(self, self.w_name, kshape, self.W_init)
        self.b = (add_weight(self, self.b_name, (self.bias_size(kshape),), self.b_init)
                  if self.b_init is not None else None)

    def out_channels(self) -> int:
        return int(self.W.shape[-1])

    def out_len(self, n: int, axis: int) -> int:
        """TF's output length along spatial ``axis`` for input length ``n``."""
        if self.padding == "SAME":
            return -(-n // self._strides[axis])
        k = self.W.shape[axis]
        return -(-(n - (k - 1) * self._dilations[axis]) // self._strides[axis])

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        # The formula instead of a trace: cheaper, and an impossible size fails here, named.
        dims = input_spec.shape.as_list()
        spatial = dims[2:] if self.channels_first else dims[1:-1]
        out = [None if n is None else self.out_len(n, i) for i, n in enumerate(spatial)]
        if any(o is not None and o < 1 for o in out):
            raise ValueError(f"{who(self)}: input of shape {tuple(dims)} is smaller than the "
                             f"dilated kernel {tuple(self.W.shape[:-2])} with padding "
                             f"{self.padding!r}")
        c = self.out_channels()
        shape = [dims[0], c, *out] if self.channels_first else [dims[0], *out, c]
        return tf.TensorSpec(shape, self.dtype)

    def conv(self, x: tf.Tensor) -> tf.Tensor:
        """The linear part on channels-last ``x``."""
        return convolution(x, self.W, self._strides, self.padding, self._dilations)

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        y = self.conv(to_last(inputs, self.channels_first))
        if self.b is not None:
            y = tf.nn.bias_add(y, self.b)
        return to_first(self.act(y), self.channels_first)

    def _check_in_channels(self, c_in: int, expected: int, what: str = "shape[-2]") -> None:
        if c_in != expected:
            raise ValueError(f"{who(self)}: {what} (input channels) is {expected} but the input "
                             f"has {c_in} channels")


def _expert_strides(layer: Layer, strides: Any, rank: int, channels_first: bool) -> tuple[int, ...]:
    """Spatial strides from TF's full ``strides`` (batch and channel entries must be 1)."""
    full = check_ints(layer, "strides", strides, rank + 2)
    outer = (full[0], full[1]) if channels_first else (full[0], full[-1])
    if outer != (1, 1):
        raise ValueError(f"{who(layer)}: strides of the batch and channel dims must be 1, "
                         f"received strides={full}")
    return full[2:] if channels_first else full[1:-1]


class Conv1dLayer(ConvND):
    """1-D convolution with an explicit kernel ``shape = (width, in_channels, n_filter)``.

    Args:
        prev_layer: parent layer, ``(batch, width, in_channels)`` (``(batch, c, w)`` for ``'NCW'``).
        act: activation; ``None`` is linear.
        shape: kernel shape ``(width, in_channels, n_filter)``.
        stride: stride along the width.
        dilation_rate: dilation along the width.
        padding: ``'SAME'`` or ``'VALID'``.
        data_format: ``'NWC'`` (channels last) or ``'NCW'``.
        W_init: kernel initializer, truncated normal stddev 0.02; variable ``W_conv1d``.
        b_init: bias initializer; ``None`` drops the bias ``b_conv1d``.

    >>> Conv1dLayer(InputLayer([None, 100, 1]), shape=(5, 1, 32)).output_shape
    (None, 100, 32)
    """

    rank, w_name, b_name = 1, "W_conv1d", "b_conv1d"

    def __init__(self, prev_layer: Layer, act: Act = None, shape: Sequence[int] = (5, 1, 5),
                 stride: int = 1, dilation_rate: int = 1, padding: str = "SAME",
                 data_format: str = "NWC", W_init: Init = CONV_W_INIT, b_init: Init = "zeros",
                 *, name: str | None = None) -> None:
        self.shape = check_ints(self, "shape", shape, 3)
        self.stride = check_positive_int(self, "stride", stride)
        self.dilation_rate = check_positive_int(self, "dilation_rate", dilation_rate)
        self.data_format = data_format
        self._setup(strides=(self.stride,), dilations=(self.dilation_rate,), padding=padding,
                    data_format=data_format, W_init=W_init, b_init=b_init)
        super().__init__(prev_layer, act=act, name=name)

    def kernel_shape(self, c_in: int) -> tuple[int, ...]:
        self._check_in_channels(c_in, self.shape[-2])
        return self.shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize(
            "shape", "stride", "dilation_rate", "padding", "data_format", "W_init", "b_init")}


class Conv2dLayer(ConvND):
    """2-D convolution with TensorFlow's kernel ``shape = (h, w, in_channels, n_filter)``.

    Args:
        prev_layer: parent layer, ``(batch, h, w, c)`` (``(batch, c, h, w)`` for ``'NCHW'``).
        act: activation; ``None`` is linear.
        shape: kernel shape ``(h, w, in_channels, n_filter)``.
        strides: TF's 4 strides, ``(1, sh, sw, 1)`` (``(1, 1, sh, sw)`` for ``'NCHW'``).
        padding: ``'SAME'`` or ``'VALID'``.
        W_init: truncated normal stddev 0.02; variable ``W_conv2d``.
        b_init: ``None`` drops the bias ``b_conv2d``.
        use_cudnn_on_gpu: accepted for TensorLayer code; TF 2 chooses kernels itself.
        data_format: ``None``/``'NHWC'`` or ``'NCHW'``.

    >>> net = Conv2dLayer(InputLayer([None, 28, 28, 1]), act=tf.nn.relu, shape=(5, 5, 1, 32))
    >>> net.output_shape, net.count_params()
    ((None, 28, 28, 32), 832)
    """

    rank, w_name, b_name = 2, "W_conv2d", "b_conv2d"

    def __init__(self, prev_layer: Layer, act: Act = None, shape: Sequence[int] = (5, 5, 1, 100),
                 strides: Sequence[int] = (1, 1, 1, 1), padding: str = "SAME",
                 W_init: Init = CONV_W_INIT, b_init: Init = "zeros",
                 use_cudnn_on_gpu: bool | None = None, data_format: str | None = None,
                 *, name: str | None = None) -> None:
        self.shape = check_ints(self, "shape", shape, self.rank + 2)
        self.data_format, self.use_cudnn_on_gpu = data_format, use_cudnn_on_gpu
        self.strides = tuple(strides) if isinstance(strides, (list, tuple)) else strides
        first = check_data_format(self, data_format)
        self._setup(strides=_expert_strides(self, strides, self.rank, first),
                    dilations=(1,) * self.rank, padding=padding, data_format=data_format,
                    W_init=W_init, b_init=b_init)
        super().__init__(prev_layer, act=act, name=name)

    def kernel_shape(self, c_in: int) -> tuple[int, ...]:
        self._check_in_channels(c_in, self.shape[-2])
        return self.shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize(
            "shape", "strides", "padding", "W_init", "b_init", "use_cudnn_on_gpu", "data_format")}


class Conv3dLayer(ConvND):
    """3-D convolution with TensorFlow's kernel ``shape = (d, h, w, in_channels, n_filter)``.

    Args:
        prev_layer: parent layer ``(batch, d, h, w, c)``.
        shape: kernel shape; strides: TF's 5 strides ``(1, sd, sh, sw, 1)``.
        padding: ``'SAME'`` or ``'VALID'``. Variables ``W_conv3d``/``b_conv3d``.

    >>> Conv3dLayer(InputLayer([None, 8, 8, 8, 3]), shape=(2, 2, 2, 3, 32)).output_shape
    (None, 4, 4, 4, 32)
    """

    rank, w_name, b_name = 3, "W_conv3d", "b_conv3d"

    def __init__(self, prev_layer: Layer, shape: Sequence[int] = (2, 2, 2, 3, 32),
                 strides: Sequence[int] = (1, 2, 2, 2, 1), padding: str = "SAME",
                 act: Act = None, W_init: Init = CONV_W_INIT, b_init: Init = "zeros", *,
                 name: str | None = None) -> None:
        self.shape = check_ints(self, "shape", shape, 5)
        self.strides = tuple(strides) if isinstance(strides, (list, tuple)) else strides
        self._setup(strides=_expert_strides(self, strides, 3, False), dilations=(1, 1, 1),
                    padding=padding, data_format="NDHWC", W_init=W_init, b_init=b_init)
        super().__init__(prev_layer, act=act, name=name)

    def kernel_shape(self, c_in: int) -> tuple[int, ...]:
        self._check_in_channels(c_in, self.shape[-2])
        return self.shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize(
            "shape", "strides", "padding", "W_init", "b_init")}


class Conv1d(ConvND):
    """Simplified 1-D convolution: ``n_filter`` kernels of width ``filter_size``.

    Args:
        prev_layer: parent layer ``(batch, width, c)`` (``(batch, c, width)`` channels-first).
        n_filter: number of output channels.
        filter_size: kernel width.
        stride: stride; dilation_rate: dilation (not both > 1).
        act: activation; padding: ``'SAME'``/``'VALID'``.
        data_format: ``'channels_last'`` or ``'channels_first'``.
        W_init: truncated normal stddev 0.02 (variable ``kernel``); b_init: ``None`` drops ``bias``.

    >>> Conv1d(InputLayer([None, 100, 1]), 32, 5, stride=2).output_shape
    (None, 50, 32)
    """

    rank = 1

    def __init__(self, prev_layer: Layer, n_filter: int = 32, filter_size: int = 5, stride: int = 1,
                 dilation_rate: int = 1, act: Act = None, padding: str = "SAME",
                 data_format: str = "channels_last", W_init: Init = CONV_W_INIT,
                 b_init: Init = "zeros", *, name: str | None = None) -> None:
        self.n_filter = check_positive_int(self, "n_filter", n_filter)
        self.filter_size = check_positive_int(self, "filter_size", filter_size)
        self.stride = check_positive_int(self, "stride", stride)
        self.dilation_rate = check_positive_int(self, "dilation_rate", dilation_rate)
        self.data_format = data_format
        self._setup(strides=(self.stride,), dilations=(self.dilation_rate,), padding=padding,
                    data_format=data_format, W_init=W_init, b_init=b_init)
        super().__init__(prev_layer, act=act, name=name)

    def kernel_shape(self, c_in: int) -> tuple[int, ...]:
        return (self.filter_size, c_in, self.n_filter)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize(
            "n_filter", "filter_size", "stride", "dilation_rate", "padding", "data_format",
            "W_init", "b_init")}


class Conv2d(ConvND):
    """Simplified 2-D convolution: ``n_filter`` kernels of ``filter_size``.

    Args:
        prev_layer: parent layer ``(batch, h, w, c)`` (``(batch, c, h, w)`` channels-first).
        n_filter: number of output channels.
        filter_size: ``(kh, kw)`` or an int.
        strides: ``(sh, sw)`` or an int.
        act: activation; padding: ``'SAME'``/``'VALID'``.
        data_format: ``'channels_last'`` or ``'channels_first'``.
        dilation_rate: ``(dh, dw)`` (not with strides > 1).
        W_init: truncated normal stddev 0.02 (variable ``kernel``); b_init: ``None`` drops ``bias``.
        use_cudnn_on_gpu: accepted for TensorLayer code and ignored.

    >>> net = Conv2d(InputLayer([None, 28, 28, 1]), 32, (5, 5), (1, 1), act=tf.nn.relu)
    >>> net.output_shape, net.count_params()
    ((None, 28, 28, 32), 832)
    """

    rank = 2

    def __init__(self, prev_layer: Layer, n_filter: int = 32, filter_size: Any = (3, 3),
                 strides: Any = (1, 1), act: Act = None, padding: str = "SAME",
                 data_format: str = "channels_last", dilation_rate: Any = (1, 1),
                 W_init: Init = CONV_W_INIT, b_init: Init = "zeros",
                 use_cudnn_on_gpu: bool | None = None, *, name: str | None = None) -> None:
        self.n_filter = check_positive_int(self, "n_filter", n_filter)
        self.filter_size = check_ints(self, "filter_size", filter_size, 2)
        self.strides = check_ints(self, "strides", strides, 2)
        self.dilation_rate = check_ints(self, "dilation_rate", dilation_rate, 2)
        self.data_format, self.use_cudnn_on_gpu = data_format, use_cudnn_on_gpu
        self._setup(strides=self.strides, dilations=self.dilation_rate, padding=padding,
                    data_format=data_format, W_init=W_init, b_init=b_init)
        super().__init__(prev_layer, act=act, name=name)

    def kernel_shape(self, c_in: int) -> tuple[int, ...]:
        return (*self.filter_size, c_in, self.n_filter)

    def describe(self) -> str:
        return (f"n_filter: {self.n_filter} filter_size: {self.filter_size} strides: "
                f"{self.strides} pad: {self.padding} act: {getattr(self.act, '__name__', 'act')}")

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize(
            "n_filter", "filter_size", "strides", "padding", "data_format", "dilation_rate",
            "W_init", "b_init", "use_cudnn_on_gpu")}
