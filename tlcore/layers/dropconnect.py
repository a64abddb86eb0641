"""DropconnectDenseLayer: a dense layer that drops weights (not units) while training."""
from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from tlcore.layers._utils import Act, Init, check_positive_int, check_prob, get_init, last_dim
from tlcore.layers.core import Layer


class DropconnectDenseLayer(Layer):
    """``act(inputs @ dropout(W) + b)``: DropConnect (Wan et al. 2013) on the weight matrix.

    When the network is called with ``is_train=True`` each weight is kept with probability
    ``keep`` and scaled by ``1/keep``; otherwise ``W`` is used as is. ``keep`` lives in
    ``all_drop`` like a DropoutLayer's, so it can be changed without rebuilding.

    Args:
        prev_layer: parent layer with rank-2 output ``(batch, n_in)``.
        keep: probability of keeping a weight, in (0, 1].
        n_units: number of output units.
        act: activation; ``None`` is linear.
        W_init: weight initializer; TensorLayer's truncated normal with stddev 0.1.
        b_init: bias initializer; ``None`` drops the bias.
        name: layer name; its variables are ``<name>/W`` and ``<name>/b``.

    >>> net = DropconnectDenseLayer(InputLayer([None, 784]), keep=0.8, n_units=800, name="dc1")
    >>> list(net.all_drop), net.output_shape
    (['dc1'], (None, 800))
    """

    def __init__(self, prev_layer: Layer, keep: float = 0.5, n_units: int = 100, act: Act = None,
                 W_init: Init = keras.initializers.TruncatedNormal(stddev=0.1),
                 b_init: Init = "zeros", *, name: str | None = None) -> None:
        self.keep = check_prob(self, "keep", keep)
        self.n_units = check_positive_int(self, "n_units", n_units)
        self.W_init, self.b_init = get_init(W_init), get_init(b_init)
        super().__init__(prev_layer, act=act, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        n_in = last_dim(self, input_shape, rank=2)
        self.W = self.add_param("W", (n_in, self.n_units), self.W_init)
        self.b = self.add_param("b", (self.n_units,), self.b_init) if self.b_init else None
        self.keep_var = self.add_keep(self.keep)

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        return tf.TensorSpec((input_spec.shape[0], self.n_units), self.dtype)

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        W = self.W
        if is_train:
            W = tf.nn.dropout(W, rate=1.0 - tf.cast(self.keep_var, W.dtype))
        y = tf.matmul(inputs, W)
        if self.b is not None:
            y = tf.nn.bias_add(y, self.b)
        return self.act(y)

    def describe(self) -> str:
        return f"{self.n_units}, {getattr(self.act, '__name__', 'act')}, keep: {self.keep:f}"

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("keep", "n_units", "W_init", "b_init")}
