"""GaussianNoiseLayer: additive Gaussian noise, active only when training."""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from tlcore.layers._utils import who
from tlcore.layers.core import Layer


class GaussianNoiseLayer(Layer):
    """Adds ``N(mean, stddev**2)`` noise when the network is called with ``is_train=True``;
    the identity otherwise.

    Args:
        prev_layer: parent layer with a floating output.
        mean: mean of the noise.
        stddev: standard deviation of the noise (>= 0).
        is_train: if False, the layer is always the identity (TensorLayer's test graph).
        seed: op seed for reproducible noise.
        name: layer name.

    >>> GaussianNoiseLayer(InputLayer([None, 100]), stddev=0.1).output_shape
    (None, 100)
    """

    def __init__(self, prev_layer: Layer, mean: float = 0.0, stddev: float = 1.0,
                 is_train: bool = True, seed: int | None = None, name: str | None = None) -> None:
        for arg, value in (("mean", mean), ("stddev", stddev)):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{who(self)}: {arg} must be a number, received {value!r}")
        if stddev < 0:
            raise ValueError(f"{who(self)}: stddev must be >= 0, received {stddev!r}")
        self.mean, self.stddev = float(mean), float(stddev)
        self.is_train, self.seed = bool(is_train), seed
        super().__init__(prev_layer, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        dtype = self.prev_layers[0].output_dtype
        if not isinstance(dtype, tf.DType) or not dtype.is_floating:
            raise ValueError(f"{who(self)}: expected a floating input, received dtype {dtype!r}")

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        return input_spec

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        if not (is_train and self.is_train):
            return inputs
        noise = tf.random.normal(tf.shape(inputs), mean=self.mean, stddev=self.stddev,
                                 dtype=inputs.dtype, seed=self.seed)
        return inputs + noise

    def describe(self) -> str:
        return f"mean: {self.mean:f} stddev: {self.stddev:f}"

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("mean", "stddev", "is_train", "seed")}
