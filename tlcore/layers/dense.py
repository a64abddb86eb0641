"""DenseLayer: the fully connected layer."""
from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from tlcore.layers._utils import Act, Init, check_positive_int, get_init, last_dim
from tlcore.layers.core import Layer


class DenseLayer(Layer):
    """Fully connected layer: ``act(inputs @ W + b)`` with ``W`` of shape ``(n_in, n_units)``.

    Args:
        prev_layer: parent layer with rank-2 output ``(batch, n_in)``.
        n_units: number of output units.
        act: activation, e.g. ``tf.nn.relu``; ``None`` is linear.
        W_init: weight initializer; TensorLayer's default, a truncated normal with stddev 0.1.
        b_init: bias initializer; ``None`` drops the bias.
        name: layer name; its variables are ``<name>/W`` and ``<name>/b``.

    >>> net = DenseLayer(InputLayer([None, 784]), n_units=800, act=tf.nn.relu, name="relu1")
    >>> net.output_shape
    (None, 800)
    """

    autocast = True

    def __init__(self, prev_layer: Layer, n_units: int = 100, act: Act = None,
                 W_init: Init = keras.initializers.TruncatedNormal(stddev=0.1),
                 b_init: Init = "zeros", *, name: str | None = None) -> None:
        self.n_units = check_positive_int(self, "n_units", n_units)
        self.W_init = get_init(W_init)
        self.b_init = get_init(b_init)
        super().__init__(prev_layer, act=act, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        n_in = last_dim(self, input_shape, rank=2)
        self.W = self.add_param("W", (n_in, self.n_units), self.W_init)
        self.b = self.add_param("b", (self.n_units,), self.b_init) if self.b_init else None

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        return tf.TensorSpec((input_spec.shape[0], self.n_units), self.dtype)

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        y = tf.matmul(inputs, self.W)
        if self.b is not None:
            y = tf.nn.bias_add(y, self.b)
        return self.act(y)

    def describe(self) -> str:
        return f"{self.n_units}, {getattr(self.act, '__name__', 'act')}"

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("n_units", "W_init", "b_init")}
