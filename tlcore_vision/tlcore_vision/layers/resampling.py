"""Image resizing layers: UpSampling2dLayer and DownSampling2dLayer (``tf.image.resize``).

TensorLayer's integer methods map to TF 2 names: 0 bilinear, 1 nearest, 2 bicubic, 3 area.
With ``align_corners=False`` the TF 2 (half-pixel) sampling grid is used, as Keras does;
``align_corners=True`` keeps TF 1's corner-aligned grid through the raw resize ops.
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from tlcore.layers.utils import who
from tlcore.layers.core import Layer
from tlcore_vision.layers._common import (channels, check_data_format, to_first, to_last)

_TL_METHODS = {0: "bilinear", 1: "nearest", 2: "bicubic", 3: "area"}
_TF_METHODS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian",
               "mitchellcubic")
_ALIGNED = {"bilinear": tf.raw_ops.ResizeBilinear, "nearest": tf.raw_ops.ResizeNearestNeighbor,
            "bicubic": tf.raw_ops.ResizeBicubic}


class _Resize2d(Layer):
    def __init__(self, prev_layer: Layer, size: Any, is_scale: bool = True, method: Any = 0,
                 align_corners: bool = False, name: str | None = None, *,
                 data_format: str = "channels_last") -> None:
        ok = isinstance(size, (list, tuple)) and len(size) == 2 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in size)
        if not ok or (not is_scale and not all(isinstance(v, int) for v in size)):
            kind = "positive numbers (scales)" if is_scale else "positive ints (pixels)"
            raise ValueError(f"{who(self)}: size must be 2 {kind}, received {size!r}")
        if method in _TL_METHODS:
            self._method = _TL_METHODS[method]
        elif isinstance(method, str) and method.lower() in _TF_METHODS:
            self._method = method.lower()
        else:
            raise ValueError(f"{who(self)}: method must be 0-3 (bilinear, nearest, bicubic, area) "
                             f"or a tf.image.ResizeMethod name, received {method!r}")
        if align_corners and self._method not in _ALIGNED:
            raise ValueError(f"{who(self)}: align_corners=True works with bilinear, nearest or "
                             f"bicubic, received method {method!r}")
        self.size, self.is_scale, self.method = tuple(size), bool(is_scale), method
        self.align_corners, self.data_format = bool(align_corners), data_format
        self.channels_first = check_data_format(self, data_format)
        super().__init__(prev_layer, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        channels(self, input_shape, 4, self.channels_first)
        hw = input_shape[2:] if self.channels_first else input_shape[1:3]
        if self.is_scale:
            out = [None if d is None else int(d * s) for d, s in zip(hw, self.size)]
            if any(o is not None and o < 1 for o in out):
                raise ValueError(f"{who(self)}: scale {self.size} of input size {tuple(hw)} "
                                 f"leaves no pixel")
            self._static = out
        else:
            self._static = list(self.size)

    def _out_size(self, x: tf.Tensor) -> Any:
        if None not in self._static:
            return self._static
        hw = tf.cast(tf.shape(x)[1:3], tf.float32)
        return tf.cast(hw * tf.constant(self.size, tf.float32), tf.int32)

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        b = input_spec.shape[0]
        c = input_spec.shape[1] if self.channels_first else input_spec.shape[-1]
        shape = [b, c, *self._static] if self.channels_first else [b, *self._static, c]
        return tf.TensorSpec(shape, input_spec.dtype if self._method == "nearest" else
                             (input_spec.dtype if input_spec.dtype.is_floating else tf.float32))

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        x = to_last(inputs, self.channels_first)
        size = self._out_size(x)
        if self.align_corners:
            y = _ALIGNED[self._method](images=x, size=size, align_corners=True)
            y = tf.cast(y, x.dtype) if x.dtype.is_floating else y
        else:
            y = tf.image.resize(x, size, method=self._method)
            if x.dtype.is_floating:
                y = tf.cast(y, x.dtype)
        return to_first(y, self.channels_first)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize(
            "size", "is_scale", "method", "align_corners", "data_format")}


class UpSampling2dLayer(_Resize2d):
    """Resize ``(batch, h, w, c)`` up by a scale (``is_scale=True``) or to a pixel size.

    Args:
        prev_layer: parent of rank 4 (channels-first with ``data_format``).
        size: ``(scale_h, scale_w)`` when ``is_scale``, else ``(out_h, out_w)``.
        is_scale: whether ``size`` is a ratio of the input size.
        method: 0 bilinear, 1 nearest, 2 bicubic, 3 area, or a TF 2 method name.
        align_corners: TF 1's corner-aligned grid (bilinear, nearest, bicubic only).

    >>> UpSampling2dLayer(InputLayer([None, 4, 4, 3]), (2, 2), method=1).output_shape
    (None, 8, 8, 3)
    """


class DownSampling2dLayer(_Resize2d):
    """Resize ``(batch, h, w, c)`` down by a scale (``is_scale=True``, e.g. ``(0.5, 0.5)``) or to
    a pixel size; arguments as :class:`UpSampling2dLayer`.

    >>> DownSampling2dLayer(InputLayer([None, 8, 8, 3]), (4, 4), is_scale=False).output_shape
    (None, 4, 4, 3)
    """
