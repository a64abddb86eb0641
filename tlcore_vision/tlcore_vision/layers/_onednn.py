"""A guard around a wrong result of TensorFlow's oneDNN convolution on CPU.

With TensorFlow 2.21's oneDNN kernels (on by default on x86 CPUs), ``tf.nn.conv2d`` and
``tf.nn.conv3d`` return zeros or stale memory for all output rows but the first when the input
has one channel, the stride of the last spatial dim is above 1 and the output is one column
wide in that dim; Keras's Conv2D/Conv3D give the same wrong numbers. With a single output column
that stride changes nothing, so :func:`convolution` crops the input to the one window the column
reads and convolves with stride 1 there, which is the same result on every backend.
"""
from __future__ import annotations

from typing import Sequence

import tensorflow as tf

_FORMAT = {1: "NWC", 2: "NHWC", 3: "NDHWC"}


def convolution(x: tf.Tensor, w: tf.Tensor | tf.Variable, strides: Sequence[int],
                padding: str, dilations: Sequence[int]) -> tf.Tensor:
    """``tf.nn.convolution`` on channels-last ``x``, avoiding the oneDNN case above."""
    rank = len(strides)
    strides, dilations = tuple(strides), tuple(dilations)
    last = x.shape[-2]
    k_eff = [(int(w.shape[i]) - 1) * dilations[i] + 1 for i in range(rank)]
    s = strides[-1]
    one_column = rank > 1 and last is not None and s > 1 and (
        -(-last // s) == 1 if padding == "SAME" else (last - k_eff[-1]) // s + 1 == 1)
    if not one_column:
        return tf.nn.convolution(x, w, strides=strides, padding=padding, dilations=dilations,
                                 data_format=_FORMAT[rank])
    if padding == "SAME":
        # Pad every spatial dim as SAME would (TF puts the extra pixel after), then go VALID.
        shape = tf.shape(x)
        pads = [[0, 0]]
        for i in range(rank):
            n = shape[i + 1]
            p = tf.maximum((-(-n // strides[i]) - 1) * strides[i] + k_eff[i] - n, 0)
            pads.append([p // 2, p - p // 2])
        x = tf.pad(x, pads + [[0, 0]])
    window = x[..., : k_eff[-1], :]
    return tf.nn.convolution(window, w, strides=(*strides[:-1], 1), padding="VALID",
                             dilations=dilations, data_format=_FORMAT[rank])
