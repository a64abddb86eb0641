"""Transposed convolution ("deconvolution"): expert DeConv2dLayer/DeConv3dLayer with TF's
``output_shape``, and simplified DeConv2d/DeConv3d that compute it (tf.layers' formula).

Kernels are laid out ``(*filter_size, out_channels, in_channels)`` as in TensorFlow.
TensorLayer 1.x needed the batch size in ``output_shape``; here its batch entry may be ``None``
(or anything): the batch always comes from the input at call time. An ``output_shape`` that does
not fit the input builds (as in 1.11, whose TF 1 graph failed only when run), with a warning, and
raises a ValueError naming the layer and both shapes when the layer is called.
"""
from __future__ import annotations

import logging
from typing import Any, Sequence

import tensorflow as tf

from tlcore.layers.utils import Act, Init, check_positive_int, shape_str, who
from tlcore.layers.core import Layer
from tlcore_vision.layers._common import CONV_W_INIT, check_ints
from tlcore_vision.layers.conv import _LAST, ConvND, _expert_strides

logger = logging.getLogger("tlcore")


class TransposedConvND(ConvND):
    """Base of the transposed convolutions: ``output_size`` fixed (expert) or computed."""

    #: spatial output sizes given by the user (expert layers); None to compute them
    _out_spatial: tuple[int, ...] | None = None
    #: why an expert layer whose output_shape does not fit its input cannot run (else None)
    _unrunnable: str | None = None
    #: the expert layers' ``output_shape`` argument as given
    output_shape_arg: tuple[Any, ...] = ()

    def out_channels(self) -> int:
        return int(self.W.shape[-2])

    def bias_size(self, kernel_shape: tuple[int, ...]) -> int:
        return kernel_shape[-2]

    def out_len(self, n: int, axis: int) -> int:
        if self._out_spatial is not None:
            return self._out_spatial[axis]
        k, s = int(self.W.shape[axis]), self._strides[axis]
        return n * s if self.padding == "SAME" else n * s + max(k - s, 0)

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        if self._out_spatial is not None:
            dims = input_spec.shape.as_list()
            spatial = dims[2:] if self.channels_first else dims[1:-1]
            for i, (n, out) in enumerate(zip(spatial, self._out_spatial)):
                k = (int(self.W.shape[i]) - 1) * self._dilations[i] + 1
                back = -(-out // self._strides[i]) if self.padding == "SAME" else \
                    -(-(out - k + 1) // self._strides[i])
                if n is not None and back != n and self._unrunnable is None:
                    # TensorLayer 1.11 built such graphs (TF 1 checked only when run), so ported
                    # networks must build; running this layer raises this message instead.
                    self._unrunnable = (
                        f"{who(self)}: output_shape {tuple(self.output_shape_arg)} does not fit "
                        f"input shape {shape_str(input_spec.shape)}: a {self.padding} convolution "
                        f"of the output would have spatial size {back} at axis {i + 1}, not {n}")
                    logger.warning("%s; the layer is built but cannot be run", self._unrunnable)
        return super().compute_output_spec(input_spec)

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        if self._unrunnable is not None:
            raise ValueError(self._unrunnable)
        return super().forward(inputs, is_train=is_train)

    def _output_shape(self, x: tf.Tensor) -> tf.Tensor:
        dyn = tf.shape(x)
        spatial = [self._out_spatial[i] if self._out_spatial is not None else
                   self.out_len(dyn[i + 1], i) for i in range(self.rank)]
        return tf.stack([dyn[0], *spatial, self.out_channels()])

    def conv(self, x: tf.Tensor) -> tf.Tensor:
        return tf.nn.conv_transpose(x, self.W, self._output_shape(x), strides=self._strides,
                                    padding=self.padding, data_format=_LAST[self.rank])


class _ExpertDeconv(TransposedConvND):
    def _setup_expert(self, shape: Sequence[int], output_shape: Sequence[Any],
                      strides: Sequence[int], padding: str, W_init: Init, b_init: Init) -> None:
        r = self.rank
        self.shape = check_ints(self, "shape", shape, r + 2)
        ok = isinstance(output_shape, (list, tuple)) and len(output_shape) == r + 2 and all(
            isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in output_shape[1:])
        if not ok:
            raise ValueError(f"{who(self)}: output_shape must be (batch, {'d, ' * (r == 3)}h, w, "
                             f"c) with positive ints (batch may be None), received "
                             f"{output_shape!r}")
        if output_shape[-1] != self.shape[-2]:
            raise ValueError(f"{who(self)}: output_shape[-1] must equal shape[-2] (output "
                             f"channels) = {self.shape[-2]}, received {output_shape!r}")
        self.output_shape_arg = tuple(output_shape)
        self._out_spatial = tuple(output_shape[1:-1])
        self.strides = tuple(strides) if isinstance(strides, (list, tuple)) else strides
        self._setup(strides=_expert_strides(self, strides, r, False), dilations=(1,) * r,
                    padding=padding, data_format="channels_last", W_init=W_init, b_init=b_init)

    def kernel_shape(self, c_in: int) -> tuple[int, ...]:
        self._check_in_channels(c_in, self.shape[-1], "shape[-1]")
        return self.shape

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), **self.serialize(
            "shape", "strides", "padding", "W_init", "b_init")}
        config["output_shape"] = list(self.output_shape_arg)
        return config


class DeConv2dLayer(_ExpertDeconv):
    """2-D transposed convolution with TF's ``shape = (h, w, out_c, in_c)`` and ``output_shape``.

    Args:
        prev_layer: parent layer ``(batch, h, w, in_c)``.
        act: activation.
        shape: kernel shape ``(h, w, out_channels, in_channels)``.
        output_shape: ``(batch, out_h, out_w, out_channels)``; ``batch`` may be ``None``.
        strides: TF's 4 strides ``(1, sh, sw, 1)``.
        padding: ``'SAME'`` or ``'VALID'``.
        W_init, b_init: variables ``W_deconv2d`` (truncated normal 0.02), ``b_deconv2d``.

    >>> DeConv2dLayer(InputLayer([None, 4, 4, 8]), shape=(3, 3, 2, 8),
    ...               output_shape=(None, 8, 8, 2)).output_shape
    (None, 8, 8, 2)
    """

    rank, w_name, b_name = 2, "W_deconv2d", "b_deconv2d"

    def __init__(self, prev_layer: Layer, act: Act = None, shape: Sequence[int] = (3, 3, 128, 256),
                 output_shape: Sequence[Any] = (1, 256, 256, 128),
                 strides: Sequence[int] = (1, 2, 2, 1), padding: str = "SAME",
                 W_init: Init = CONV_W_INIT, b_init: Init = "zeros", *,
                 name: str | None = None) -> None:
        self._setup_expert(shape, output_shape, strides, padding, W_init, b_init)
        super().__init__(prev_layer, act=act, name=name)


class DeConv3dLayer(_ExpertDeconv):
    """3-D transposed convolution with TF's ``shape = (d, h, w, out_c, in_c)``, ``output_shape``
    ``(batch, d, h, w, out_c)`` (batch may be ``None``), strides ``(1, sd, sh, sw, 1)``.
    Variables ``W_deconv3d``/``b_deconv3d``.

    >>> DeConv3dLayer(InputLayer([None, 2, 4, 4, 8]), shape=(2, 2, 2, 4, 8),
    ...               output_shape=(None, 4, 8, 8, 4)).output_shape
    (None, 4, 8, 8, 4)
    """

    rank, w_name, b_name = 3, "W_deconv3d", "b_deconv3d"

    def __init__(self, prev_layer: Layer, act: Act = None,
                 shape: Sequence[int] = (2, 2, 2, 128, 256),
                 output_shape: Sequence[Any] = (1, 12, 32, 32, 128),
                 strides: Sequence[int] = (1, 2, 2, 2, 1), padding: str = "SAME",
                 W_init: Init = CONV_W_INIT, b_init: Init = "zeros", *,
                 name: str | None = None) -> None:
        self._setup_expert(shape, output_shape, strides, padding, W_init, b_init)
        super().__init__(prev_layer, act=act, name=name)


class _SimpleDeconv(TransposedConvND):
    def __init__(self, prev_layer: Layer, n_filter: int = 32, filter_size: Any = 3,
                 strides: Any = 2,
                 padding: str = "SAME", act: Act = None, data_format: str = "channels_last",
                 W_init: Init = CONV_W_INIT, b_init: Init = "zeros", *,
                 name: str | None = None) -> None:
        self.n_filter = check_positive_int(self, "n_filter", n_filter)
        self.filter_size = check_ints(self, "filter_size", filter_size, self.rank)
        self.strides = check_ints(self, "strides", strides, self.rank)
        self.data_format = data_format
        self._setup(strides=self.strides, dilations=(1,) * self.rank, padding=padding,
                    data_format=data_format, W_init=W_init, b_init=b_init)
        super().__init__(prev_layer, act=act, name=name)

    def kernel_shape(self, c_in: int) -> tuple[int, ...]:
        return (*self.filter_size, self.n_filter, c_in)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize(
            "n_filter", "filter_size", "strides", "padding", "data_format", "W_init", "b_init")}


class DeConv2d(_SimpleDeconv):
    """Simplified 2-D transposed convolution (``tf.layers.Conv2DTranspose``'s shapes).

    Output size: ``n * s`` with ``'SAME'``, ``n * s + max(k - s, 0)`` with ``'VALID'``.

    Args:
        prev_layer: parent ``(batch, h, w, c)`` (channels-first with ``data_format``).
        n_filter: output channels. filter_size, strides: int or pair (default (3, 3), (2, 2)).
        padding, act, data_format: as in :class:`Conv2d`.
        W_init, b_init: variables ``kernel`` ``(kh, kw, n_filter, c)`` and ``bias``.
        n_out_channel: TensorLayer 1.11's alias of ``n_filter``.
        out_size, batch_size: TensorLayer <= 1.8's arguments, accepted for its programs and
            ignored as it ignored them on TF >= 1.3 (the output size is computed; a different
            ``out_size`` logs a warning).

    >>> DeConv2d(InputLayer([None, 7, 7, 16]), 8, (3, 3), (2, 2)).output_shape
    (None, 14, 14, 8)
    """

    rank = 2

    def __init__(self, prev_layer: Layer, n_filter: int = 32, filter_size: Any = (3, 3),
                 strides: Any = (2, 2), padding: str = "SAME", act: Act = None,
                 data_format: str = "channels_last", W_init: Init = CONV_W_INIT,
                 b_init: Init = "zeros", *, name: str | None = None,
                 n_out_channel: int | None = None, out_size: Any = None,
                 batch_size: Any = None) -> None:
        if n_out_channel is not None:  # 1.11's deprecated alias of n_filter
            n_filter = n_out_channel
        super().__init__(prev_layer, n_filter, filter_size, strides, padding, act, data_format,
                         W_init, b_init, name=name)
        if out_size is not None:
            self._check_out_size(out_size)

    def _check_out_size(self, out_size: Any) -> None:
        # TensorLayer <= 1.8 took out_size (and batch_size) and, on TF >= 1.3, ignored both:
        # the output size is computed. A disagreeing out_size is worth a warning, not a failure.
        size = check_ints(self, "out_size", out_size, 2)
        dims = self.output_shape[2:] if self.channels_first else self.output_shape[1:3]
        if any(d is not None and d != o for d, o in zip(dims, size)):
            logger.warning("%s: out_size=%s is ignored (as TensorLayer did on TF >= 1.3); the "
                           "output is %s", who(self), size, self.output_shape)


class DeConv3d(_SimpleDeconv):
    """Simplified 3-D transposed convolution; as :class:`DeConv2d` with three spatial dims
    (defaults ``filter_size=(3, 3, 3)``, ``strides=(2, 2, 2)``).

    >>> DeConv3d(InputLayer([None, 2, 3, 3, 4]), 2).output_shape
    (None, 4, 6, 6, 2)
    """

    rank = 3

    def __init__(self, prev_layer: Layer, n_filter: int = 32, filter_size: Any = (3, 3, 3),
                 strides: Any = (2, 2, 2), padding: str = "SAME", act: Act = None,
                 data_format: str = "channels_last", W_init: Init = CONV_W_INIT,
                 b_init: Init = "zeros", *, name: str | None = None) -> None:
        super().__init__(prev_layer, n_filter, filter_size, strides, padding, act, data_format,
                         W_init, b_init, name=name)
