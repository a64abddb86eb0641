"""Quantized 2-D convolutions of TensorLayer 1.11: binary, ternary, DoReFa and linear (``Quan``).

Each keeps float variables ``W_conv2d``/``b_conv2d`` (1.11's names, so npz files assign by
position) and quantizes the kernel, and for DoReFa and Quan also the input, in ``forward`` with
the ops of :mod:`tlcore.quantize`; gradients pass straight through. ``QuanConv2dWithBN`` folds
batch normalization into the kernel and bias (:class:`tlcore.layers.quantized.BNFold`).
``use_gemm=True`` was never implemented in 1.11 and is refused.
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from tlcore import quantize as q
from tlcore.layers.utils import Act, Init, check_positive_int
from tlcore.layers.core import Layer
from tlcore.layers.quantized import BNFold, check_no_gemm
from tlcore_vision.layers._common import (CONV_W_INIT, add_weight, channels, check_ints,
                                          to_first, to_last)
from tlcore_vision.layers._onednn import convolution
from tlcore_vision.layers.conv import ConvND


class _QuantizedConv2d(ConvND):
    """``act(conv(quantize_input(x), quantize_kernel(W)) + b)`` with 1.11's simplified
    ``Conv2d`` arguments; subclasses set the quantizers."""

    rank, w_name, b_name = 2, "W_conv2d", "b_conv2d"

    def _setup_q(self, n_filter: int, filter_size: Any, strides: Any, padding: str,
                 use_gemm: bool, W_init: Init, b_init: Init, use_cudnn_on_gpu: bool | None,
                 data_format: str | None) -> None:
        self.n_filter = check_positive_int(self, "n_filter", n_filter)
        self.filter_size = check_ints(self, "filter_size", filter_size, 2)
        self.strides = check_ints(self, "strides", strides, 2)
        self.use_gemm = check_no_gemm(self, use_gemm)
        self.use_cudnn_on_gpu, self.data_format = use_cudnn_on_gpu, data_format
        self._setup(strides=self.strides, dilations=(1, 1), padding=padding,
                    data_format=data_format, W_init=W_init, b_init=b_init)

    def kernel_shape(self, c_in: int) -> tuple[int, ...]:
        return (*self.filter_size, c_in, self.n_filter)

    def quantize_input(self, x: tf.Tensor) -> tf.Tensor:
        return x

    def quantize_kernel(self, w: tf.Tensor) -> tf.Tensor:
        raise NotImplementedError

    def conv(self, x: tf.Tensor) -> tf.Tensor:
        return convolution(self.quantize_input(x), self.quantize_kernel(self.W), self._strides,
                           self.padding, self._dilations)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize(
            "n_filter", "filter_size", "strides", "padding", "use_gemm", "W_init", "b_init",
            "use_cudnn_on_gpu", "data_format")}


class BinaryConv2d(_QuantizedConv2d):
    """2-D convolution with the kernel binarized to ``sign(W)`` (BinaryNet); the bias is float.

    Args:
        prev_layer: parent layer ``(batch, h, w, c)`` (``(batch, c, h, w)`` for ``'NCHW'``).
        n_filter: output channels. filter_size: ``(kh, kw)``. strides: ``(sh, sw)``.
        act: activation. padding: ``'SAME'`` or ``'VALID'``.
        use_gemm: must be False.
        W_init: truncated normal stddev 0.02 (variable ``W_conv2d``); b_init: ``None`` drops
            ``b_conv2d``.
        use_cudnn_on_gpu: accepted and ignored. data_format: ``None``/``'NHWC'`` or ``'NCHW'``.
        name: layer name.

    >>> net = BinaryConv2d(InputLayer([None, 28, 28, 1]), 32, (5, 5), (1, 1))
    >>> net.output_shape, net.count_params()
    ((None, 28, 28, 32), 832)
    """

    def __init__(self, prev_layer: Layer, n_filter: int = 32, filter_size: Any = (3, 3),
                 strides: Any = (1, 1), act: Act = None, padding: str = "SAME",
                 use_gemm: bool = False, W_init: Init = CONV_W_INIT, b_init: Init = "zeros",
                 use_cudnn_on_gpu: bool | None = None, data_format: str | None = None, *,
                 name: str | None = None) -> None:
        self._setup_q(n_filter, filter_size, strides, padding, use_gemm, W_init, b_init,
                      use_cudnn_on_gpu, data_format)
        super().__init__(prev_layer, act=act, name=name)

    def quantize_kernel(self, w: tf.Tensor) -> tf.Tensor:
        return q.sign(w)


class TernaryConv2d(_QuantizedConv2d):
    """2-D convolution with a ternary kernel ``alpha * ternary(W)`` (ternary weight networks).

    Args: as :class:`BinaryConv2d`.

    >>> TernaryConv2d(InputLayer([None, 8, 8, 3]), 4, (3, 3)).count_params()
    112
    """

    def __init__(self, prev_layer: Layer, n_filter: int = 32, filter_size: Any = (3, 3),
                 strides: Any = (1, 1), act: Act = None, padding: str = "SAME",
                 use_gemm: bool = False, W_init: Init = CONV_W_INIT, b_init: Init = "zeros",
                 use_cudnn_on_gpu: bool | None = None, data_format: str | None = None, *,
                 name: str | None = None) -> None:
        self._setup_q(n_filter, filter_size, strides, padding, use_gemm, W_init, b_init,
                      use_cudnn_on_gpu, data_format)
        super().__init__(prev_layer, act=act, name=name)

    def quantize_kernel(self, w: tf.Tensor) -> tf.Tensor:
        return q.compute_alpha(w) * q.ternary(w)


class DorefaConv2d(_QuantizedConv2d):
    """DoReFa-Net 2-D convolution: input ``quantize_active(min(1, |x|), bitA)``, kernel
    ``quantize_weight(W, bitW)``.

    Args:
        prev_layer: parent layer. bitW, bitA: weight and activation bits (32 = float).
        Others as :class:`BinaryConv2d`.

    >>> DorefaConv2d(InputLayer([None, 8, 8, 3]), 1, 3, 4, (3, 3)).output_shape
    (None, 8, 8, 4)
    """

    def __init__(self, prev_layer: Layer, bitW: int = 1, bitA: int = 3, n_filter: int = 32,
                 filter_size: Any = (3, 3), strides: Any = (1, 1), act: Act = None,
                 padding: str = "SAME", use_gemm: bool = False, W_init: Init = CONV_W_INIT,
                 b_init: Init = "zeros", use_cudnn_on_gpu: bool | None = None,
                 data_format: str | None = None, *, name: str | None = None) -> None:
        self.bitW, self.bitA = q.check_bits(self, "bitW", bitW), q.check_bits(self, "bitA", bitA)
        self._setup_q(n_filter, filter_size, strides, padding, use_gemm, W_init, b_init,
                      use_cudnn_on_gpu, data_format)
        super().__init__(prev_layer, act=act, name=name)

    def quantize_input(self, x: tf.Tensor) -> tf.Tensor:
        return q.quantize_active(q.cabs(x), self.bitA)

    def quantize_kernel(self, w: tf.Tensor) -> tf.Tensor:
        return q.quantize_weight(w, self.bitW)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("bitW", "bitA")}


class QuanConv2d(_QuantizedConv2d):
    """2-D convolution with linear ``bitA``-bit input and ``bitW``-bit kernel, each between its
    own min and max (:func:`tlcore.quantize.quantize_overflow`). Note 1.11's order: ``padding``
    before ``act``.

    Args:
        prev_layer: parent layer. bitW, bitA: kernel and input bits (32 = float).
        Others as :class:`BinaryConv2d`.

    >>> QuanConv2d(InputLayer([None, 8, 8, 3]), 4, (3, 3), (2, 2)).output_shape
    (None, 4, 4, 4)
    """

    def __init__(self, prev_layer: Layer, n_filter: int = 32, filter_size: Any = (3, 3),
                 strides: Any = (1, 1), padding: str = "SAME", act: Act = None, bitW: int = 8,
                 bitA: int = 8, use_gemm: bool = False, W_init: Init = CONV_W_INIT,
                 b_init: Init = "zeros", use_cudnn_on_gpu: bool | None = None,
                 data_format: str | None = None, *, name: str | None = None) -> None:
        self.bitW, self.bitA = q.check_bits(self, "bitW", bitW), q.check_bits(self, "bitA", bitA)
        self._setup_q(n_filter, filter_size, strides, padding, use_gemm, W_init, b_init,
                      use_cudnn_on_gpu, data_format)
        super().__init__(prev_layer, act=act, name=name)

    def quantize_input(self, x: tf.Tensor) -> tf.Tensor:
        return q.quantize_active_overflow(x, self.bitA)

    def quantize_kernel(self, w: tf.Tensor) -> tf.Tensor:
        return q.quantize_weight_overflow(w, self.bitW)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("bitW", "bitA")}


class QuanConv2dWithBN(BNFold, _QuantizedConv2d):
    """:class:`QuanConv2d` with batch normalization folded into the kernel and bias; no
    separate bias. Variables ``W_conv2d``, ``scale_para``, ``offset_para``, ``moving_mean``,
    ``moving_variance`` (1.11's order). ``is_train=False`` freezes the layer, ``None``/``True``
    follow the call (as ``BatchNormLayer``; 1.11's flag built a train or a test graph).

    Args:
        prev_layer, n_filter, filter_size, strides, padding, act: as :class:`QuanConv2d`.
        decay: moving-average decay in [0, 1); epsilon: added to the variance.
        is_train: see above. gamma_init, beta_init: ``scale_para`` (ones) and ``offset_para``
            (zeros) initializers, ``None`` drops the variable. bitW, bitA: bits.
        use_gemm, W_init, use_cudnn_on_gpu, data_format, name: as :class:`BinaryConv2d`.

    >>> QuanConv2dWithBN(InputLayer([None, 8, 8, 3]), 4, (3, 3)).count_params()
    124
    """

    def __init__(self, prev_layer: Layer, n_filter: int = 32, filter_size: Any = (3, 3),
                 strides: Any = (1, 1), padding: str = "SAME", act: Act = None,
                 decay: float = 0.9, epsilon: float = 1e-5, is_train: bool | None = None,
                 gamma_init: Init = "ones", beta_init: Init = "zeros", bitW: int = 8,
                 bitA: int = 8, use_gemm: bool = False, W_init: Init = CONV_W_INIT,
                 use_cudnn_on_gpu: bool | None = None, data_format: str | None = None, *,
                 name: str | None = None) -> None:
        self.bitW, self.bitA = q.check_bits(self, "bitW", bitW), q.check_bits(self, "bitA", bitA)
        self._bn_setup(decay, epsilon, is_train, gamma_init, beta_init)
        self._setup_q(n_filter, filter_size, strides, padding, use_gemm, W_init, None,
                      use_cudnn_on_gpu, data_format)
        super().__init__(prev_layer, act=act, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        c_in = channels(self, input_shape, 4, self.channels_first)
        self.W = add_weight(self, self.w_name, self.kernel_shape(c_in), self.W_init)
        self.b = None
        self._bn_build(self.n_filter)

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        x = to_last(inputs, self.channels_first)
        z = convolution(x, self.W, self._strides, self.padding, self._dilations)
        wf, bf = self._bn_fold(z, self.W, is_train)
        y = convolution(q.quantize_active_overflow(x, self.bitA),
                        q.quantize_weight_overflow(wf, self.bitW), self._strides, self.padding,
                        self._dilations)
        return to_first(self.act(tf.nn.bias_add(y, bf)), self.channels_first)

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), **self.serialize(
            "decay", "epsilon", "is_train", "gamma_init", "beta_init", "bitW", "bitA")}
        del config["b_init"]
        return config
