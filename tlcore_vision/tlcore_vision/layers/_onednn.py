"""A guard around a wrong result of TensorFlow's oneDNN 2-D convolution on CPU.

With TensorFlow 2.21's oneDNN kernels (on by default on x86 CPUs), ``tf.nn.conv2d`` returns
zeros or stale memory for every output row but the first when the input has one channel, the
height stride is 1, the width stride is above 1 and the output is one column wide; Keras's
Conv2D gives the same wrong numbers. With a single output column the width stride changes
nothing, so ``convolution_2d`` crops the input to the one window that column reads and
convolves with width stride 1, which computes the same mathematical result on every backend.
"""
from __future__ import annotations

from typing import Sequence

import tensorflow as tf


def convolution_2d(x: tf.Tensor, w: tf.Tensor | tf.Variable, strides: Sequence[int],
                   padding: str, dilations: Sequence[int]) -> tf.Tensor:
    """``tf.nn.convolution`` on channels-last rank-4 ``x``, avoiding the oneDNN case above."""
    (sh, sw), (dh, dw) = tuple(strides), tuple(dilations)
    width = x.shape[2]
    kw_eff = (int(w.shape[1]) - 1) * dw + 1
    one_column = width is not None and (
        -(-width // sw) == 1 if padding == "SAME" else (width - kw_eff) // sw + 1 == 1)
    if sw == 1 or not one_column:
        return tf.nn.convolution(x, w, strides=(sh, sw), padding=padding, dilations=(dh, dw),
                                 data_format="NHWC")
    if padding == "SAME":
        # Pad both dims as SAME would (TF puts the extra pixel after), then convolve VALID.
        kh_eff = (int(w.shape[0]) - 1) * dh + 1
        h = tf.shape(x)[1]
        ph = tf.maximum((-(-h // sh) - 1) * sh + kh_eff - h, 0)
        pw = max(kw_eff - width, 0)
        x = tf.pad(x, [[0, 0], [ph // 2, ph - ph // 2], [pw // 2, pw - pw // 2], [0, 0]])
    return tf.nn.convolution(x[:, :, :kw_eff, :], w, strides=(sh, 1), padding="VALID",
                             dilations=(dh, dw), data_format="NHWC")
