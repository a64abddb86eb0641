"""GroupConv2d: the channels split into ``n_group`` groups, each convolved by its own filters."""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from tlcore.layers.utils import Act, Init, check_positive_int, who
from tlcore.layers.core import Layer
from tlcore_vision.layers._common import CONV_W_INIT, check_ints
from tlcore_vision.layers._onednn import convolution
from tlcore_vision.layers.conv import ConvND


class GroupConv2d(ConvND):
    """Grouped 2-D convolution (AlexNet/ResNeXt style), TensorLayer 1.11's ``GroupConv2d``.

    Input channels and ``n_filter`` must both be divisible by ``n_group``; group ``g`` maps input
    channels ``[g*c/G, (g+1)*c/G)`` to output channels ``[g*n/G, (g+1)*n/G)``.

    Args:
        prev_layer: parent ``(batch, h, w, c)``.
        n_filter: output channels; filter_size: ``(kh, kw)``; strides: default ``(2, 2)``.
        n_group: number of groups.
        act, padding, W_init, b_init: variables ``W`` ``(kh, kw, c / n_group, n_filter)`` and ``b``.

    >>> GroupConv2d(InputLayer([None, 8, 8, 4]), 6, (3, 3), n_group=2).count_params()
    114
    """

    rank, w_name, b_name = 2, "W", "b"

    def __init__(self, prev_layer: Layer, n_filter: int = 32, filter_size: Any = (3, 3),
                 strides: Any = (2, 2), n_group: int = 2, act: Act = None, padding: str = "SAME",
                 W_init: Init = CONV_W_INIT, b_init: Init = "zeros", *,
                 name: str | None = None) -> None:
        self.n_filter = check_positive_int(self, "n_filter", n_filter)
        self.filter_size = check_ints(self, "filter_size", filter_size, 2)
        self.strides = check_ints(self, "strides", strides, 2)
        self.n_group = check_positive_int(self, "n_group", n_group)
        if n_filter % n_group:
            raise ValueError(f"{who(self)}: n_filter must be divisible by n_group={n_group}, "
                             f"received n_filter={n_filter}")
        self._setup(strides=self.strides, dilations=(1, 1), padding=padding, data_format="NHWC",
                    W_init=W_init, b_init=b_init)
        super().__init__(prev_layer, act=act, name=name)

    def kernel_shape(self, c_in: int) -> tuple[int, ...]:
        if c_in % self.n_group:
            raise ValueError(f"{who(self)}: input channels must be divisible by n_group="
                             f"{self.n_group}, received {c_in} channels")
        return (*self.filter_size, c_in // self.n_group, self.n_filter)

    def conv(self, x: tf.Tensor) -> tf.Tensor:
        # Split and concatenate: TF's CPU Conv2D does not run grouped kernels.
        xs = tf.split(x, self.n_group, axis=-1)
        ws = tf.split(self.W, self.n_group, axis=-1)
        ys = [convolution(xg, wg, self._strides, self.padding, (1, 1))
              for xg, wg in zip(xs, ws)]
        return ys[0] if self.n_group == 1 else tf.concat(ys, axis=-1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize(
            "n_filter", "filter_size", "strides", "n_group", "padding", "W_init", "b_init")}
