"""MaxoutLayer: a dense layer with ``n_pieces`` linear pieces per unit and a max over them."""
from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from tlcore.layers.utils import Act, Init, check_positive_int, get_init, last_dim, shape_str, who
from tlcore.layers.core import Layer


class MaxoutLayer(Layer):
    """Maxout units (Goodfellow et al., 2013, https://arxiv.org/abs/1302.4389):
    ``h[..., i] = act(max_j (inputs @ W[:, i, j] + b[i, j]))``.

    Each of the ``n_units`` outputs is the maximum of ``n_pieces`` affine functions of the
    input, a learned convex piecewise-linear activation. The contraction runs over the last
    axis, so inputs of any rank >= 2 work (e.g. ``(batch, time, features)``).

    Args:
        prev: parent layer with output ``(batch, ..., n_in)``, ``n_in`` known.
        n_units: number of output units.
        n_pieces: number of linear pieces per unit (the paper's ``k``); 1 is a linear layer.
        act: activation applied after the max; ``None`` (the paper's choice) is the identity.
        W_init: initializer of ``W``, shape ``(n_in, n_units, n_pieces)``; TensorLayer's dense
            default, a truncated normal with stddev 0.1, so the pieces start out different.
        b_init: initializer of ``b``, shape ``(n_units, n_pieces)``; ``None`` drops the bias.
        name: layer name; its variables are ``<name>/W`` and ``<name>/b``.

    Shapes:
        input ``(batch, ..., n_in)`` -> output ``(batch, ..., n_units)``.

    >>> net = MaxoutLayer(InputLayer([None, 784]), n_units=240, n_pieces=5, name="maxout1")
    >>> net.output_shape, [tuple(v.shape) for v in net.all_params]
    ((None, 240), [(784, 240, 5), (240, 5)])
    """

    def __init__(self, prev: Layer, *, n_units: int = 100, n_pieces: int = 2, act: Act = None,
                 W_init: Init = keras.initializers.TruncatedNormal(stddev=0.1),
                 b_init: Init = "zeros", name: str | None = None) -> None:
        self.n_units = check_positive_int(self, "n_units", n_units)
        self.n_pieces = check_positive_int(self, "n_pieces", n_pieces)
        self.W_init = get_init(W_init)
        if self.W_init is None:
            raise ValueError(f"{who(self)}: W_init must be an initializer, received None")
        self.b_init = get_init(b_init)
        super().__init__(prev, act=act, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        if input_shape.rank is None or input_shape.rank < 2 or input_shape[-1] is None:
            raise ValueError(f"{who(self)}: expected input of rank >= 2 with a known last dim, "
                             f"received shape {shape_str(input_shape)}")
        n_in = last_dim(self, input_shape)
        self.W = self.add_param("W", (n_in, self.n_units, self.n_pieces), self.W_init)
        self.b = (self.add_param("b", (self.n_units, self.n_pieces), self.b_init)
                  if self.b_init is not None else None)

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        return tf.TensorSpec(input_spec.shape[:-1].concatenate([self.n_units]), self.dtype)

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        z = tf.tensordot(inputs, self.W, axes=1)  # (..., n_units, n_pieces)
        if self.b is not None:
            z = z + self.b
        return self.act(tf.reduce_max(z, axis=-1))

    def describe(self) -> str:
        act = getattr(self.act, "__name__", "act")
        return f"{self.n_units} units x {self.n_pieces} pieces, {act}"

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("n_units", "n_pieces", "W_init", "b_init")}
