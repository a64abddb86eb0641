"""Pooling: TensorLayer's PoolLayer (any ``tf.nn`` pool function), Max/MeanPool1d-3d and the
global pools. Channels-first input is transposed (TF's CPU pool kernels are channels-last)."""
from __future__ import annotations

from typing import Any, Callable, ClassVar

import tensorflow as tf

from tlcore.layers.utils import shape_str, who
from tlcore.layers.core import Layer
from tlcore_vision.layers._common import (channels, check_data_format, check_ints,
                                          check_padding, to_first, to_last)

_POOLS = ("max_pool", "avg_pool", "max_pool1d", "avg_pool1d", "max_pool2d", "avg_pool2d",
          "max_pool3d", "avg_pool3d", "pool")


def _pool_fn(layer: Layer, pool: Any) -> Callable[..., tf.Tensor]:
    if isinstance(pool, str):
        if pool not in _POOLS:
            raise ValueError(f"{who(layer)}: pool must be a tf.nn pool function or one of "
                             f"{list(_POOLS)}, received {pool!r}")
        return getattr(tf.nn, pool)
    if not callable(pool):
        raise ValueError(f"{who(layer)}: pool must be callable, received {pool!r}")
    return pool


class PoolLayer(Layer):
    """A ``tf.nn`` pool function with TF's full ``ksize``/``strides`` (TensorLayer's expert pool).

    Args:
        prev_layer: parent ``(batch, ..., c)``.
        ksize: window, e.g. ``(1, 2, 2, 1)``; strides: e.g. ``(1, 2, 2, 1)``.
        padding: ``'SAME'`` or ``'VALID'``.
        pool: ``tf.nn.max_pool`` (default), ``tf.nn.avg_pool``, ``tf.nn.max_pool3d``... or the name.

    >>> PoolLayer(InputLayer([None, 28, 28, 32]), pool=tf.nn.max_pool).output_shape
    (None, 14, 14, 32)
    """

    def __init__(self, prev_layer: Layer, ksize: Any = (1, 2, 2, 1), strides: Any = (1, 2, 2, 1),
                 padding: str = "SAME", pool: Any = tf.nn.max_pool,
                 name: str | None = None) -> None:
        self.padding = check_padding(self, padding)
        self.pool = _pool_fn(self, pool)
        rank = len(ksize) if isinstance(ksize, (list, tuple)) else 4
        self.ksize = check_ints(self, "ksize", ksize, rank)
        self.strides = check_ints(self, "strides", strides, rank)
        super().__init__(prev_layer, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        if input_shape.rank != len(self.ksize):
            raise ValueError(f"{who(self)}: ksize {self.ksize} needs rank-{len(self.ksize)} input, "
                             f"received shape {shape_str(input_shape)}")

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        return self.pool(inputs, ksize=self.ksize, strides=self.strides, padding=self.padding)

    def get_config(self) -> dict[str, Any]:
        names = [n for n in _POOLS if getattr(tf.nn, n) is self.pool]
        if not names:
            raise ValueError(f"{who(self)}: pool {self.pool!r} cannot be serialized; use a tf.nn "
                             f"pool function")
        return {**super().get_config(), **self.serialize("ksize", "strides", "padding"),
                "pool": names[0]}


_LAST = {1: "NWC", 2: "NHWC", 3: "NDHWC"}


class PoolND(Layer):
    """Base of Max/MeanPool{1,2,3}d; subclasses fix ``rank`` and ``kind`` (``'MAX'``/``'AVG'``)."""

    rank: ClassVar[int] = 2
    kind: ClassVar[str] = "MAX"

    def __init__(self, prev_layer: Layer, filter_size: Any = (3, 3), strides: Any = (2, 2),
                 padding: str = "SAME", data_format: str = "channels_last",
                 name: str | None = None) -> None:
        self.filter_size = check_ints(self, "filter_size", filter_size, self.rank)
        self.strides = self.filter_size if strides is None else check_ints(
            self, "strides", strides, self.rank)
        self.padding = check_padding(self, padding)
        self.data_format = data_format
        self.channels_first = check_data_format(self, data_format)
        super().__init__(prev_layer, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        channels(self, input_shape, self.rank + 2, self.channels_first)

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        dims = input_spec.shape.as_list()
        spatial = dims[2:] if self.channels_first else dims[1:-1]
        out = []
        for n, k, s in zip(spatial, self.filter_size, self.strides):
            valid = -(-(n - k + 1) // s) if n is not None else None
            o = None if n is None else (-(-n // s) if self.padding == "SAME" else valid)
            if o is not None and o < 1:
                raise ValueError(f"{who(self)}: input of shape {tuple(dims)} is smaller than the "
                                 f"window {self.filter_size} with padding 'VALID'")
            out.append(o)
        c = dims[1] if self.channels_first else dims[-1]
        shape = [dims[0], c, *out] if self.channels_first else [dims[0], *out, c]
        return tf.TensorSpec(shape, input_spec.dtype)

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        # tf.nn.max_pool/avg_pool rather than tf.nn.pool, which rejects strides > window.
        fn = tf.nn.max_pool if self.kind == "MAX" else tf.nn.avg_pool
        y = fn(to_last(inputs, self.channels_first), self.filter_size, self.strides,
               self.padding, data_format=_LAST[self.rank])
        return to_first(y, self.channels_first)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize(
            "filter_size", "strides", "padding", "data_format")}


def _pool_class(name: str, rank: int, kind: str, size: Any, strides: Any, padding: str) -> type:
    what = "max" if kind == "MAX" else "mean"

    def __init__(self: PoolND, prev_layer: Layer, filter_size: Any = size, strides: Any = strides,
                 padding: str = padding, data_format: str = "channels_last",
                 name: str | None = None) -> None:
        PoolND.__init__(self, prev_layer, filter_size, strides, padding, data_format, name=name)

    doc = (f"{rank}-D {what} pooling (``tf.nn.max_pool``/``avg_pool``); ``strides=None`` means "
           f"``filter_size``.\n\n"
           f"    Args:\n        prev_layer: parent of rank {rank + 2}, channels last (or first "
           f"with ``data_format``).\n        filter_size: window, default ``{size}``.\n"
           f"        strides: default ``{strides}``.\n        padding: default ``{padding!r}``.\n")
    return type(name, (PoolND,), {"rank": rank, "kind": kind, "__init__": __init__,
                                  "__doc__": doc, "__module__": __name__})


MaxPool1d = _pool_class("MaxPool1d", 1, "MAX", 3, 2, "valid")
MeanPool1d = _pool_class("MeanPool1d", 1, "AVG", 3, 2, "valid")
MaxPool2d = _pool_class("MaxPool2d", 2, "MAX", (3, 3), (2, 2), "SAME")
MeanPool2d = _pool_class("MeanPool2d", 2, "AVG", (3, 3), (2, 2), "SAME")
MaxPool3d = _pool_class("MaxPool3d", 3, "MAX", (3, 3, 3), (2, 2, 2), "valid")
MeanPool3d = _pool_class("MeanPool3d", 3, "AVG", (3, 3, 3), (2, 2, 2), "valid")


class GlobalPoolND(Layer):
    """Base of the global pools: reduce every spatial dim, ``(batch, ..., c)`` to ``(batch, c)``."""

    rank: ClassVar[int] = 2
    kind: ClassVar[str] = "MAX"

    def __init__(self, prev_layer: Layer, data_format: str = "channels_last",
                 name: str | None = None) -> None:
        self.data_format = data_format
        self.channels_first = check_data_format(self, data_format)
        super().__init__(prev_layer, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        self._c = channels(self, input_shape, self.rank + 2, self.channels_first)

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        return tf.TensorSpec((input_spec.shape[0], self._c), input_spec.dtype)

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        start = 2 if self.channels_first else 1
        axes = list(range(start, start + self.rank))
        fn = tf.reduce_max if self.kind == "MAX" else tf.reduce_mean
        return fn(inputs, axis=axes)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("data_format")}


def _global_class(name: str, rank: int, kind: str) -> type:
    what = "max" if kind == "MAX" else "mean"
    doc = (f"Global {what} pooling over the {rank} spatial dims: ``(batch, ..., c)`` to "
           f"``(batch, c)``.\n\n    Args:\n        prev_layer: parent of rank {rank + 2}.\n"
           f"        data_format: ``'channels_last'`` or ``'channels_first'``.\n")
    return type(name, (GlobalPoolND,), {"rank": rank, "kind": kind, "__doc__": doc,
                                        "__module__": __name__})


GlobalMaxPool1d = _global_class("GlobalMaxPool1d", 1, "MAX")
GlobalMeanPool1d = _global_class("GlobalMeanPool1d", 1, "AVG")
GlobalMaxPool2d = _global_class("GlobalMaxPool2d", 2, "MAX")
GlobalMeanPool2d = _global_class("GlobalMeanPool2d", 2, "AVG")
GlobalMaxPool3d = _global_class("GlobalMaxPool3d", 3, "MAX")
GlobalMeanPool3d = _global_class("GlobalMeanPool3d", 3, "AVG")
