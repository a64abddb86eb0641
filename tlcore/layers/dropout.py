"""DropoutLayer: dropout that is active only when the network runs with ``is_train=True``."""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from tlcore.layers._utils import check_prob
from tlcore.layers.core import Layer


class DropoutLayer(Layer):
    """Keeps each input with probability ``keep`` and scales kept values by ``1/keep``.

    Unlike TensorLayer 1.x there is no placeholder to feed: dropout is on when the network is
    called with ``is_train=True`` and the identity otherwise. The keep probability lives in
    ``network.all_drop[name]`` as a variable, so it can be changed without rebuilding.

    Args:
        prev_layer: parent layer.
        keep: probability of keeping a unit, in (0, 1].
        is_fix: if True, ``keep`` is a constant and the layer is not listed in ``all_drop``.
        is_train: if False, the layer is always the identity (TensorLayer's fixed test graph).
        seed: op seed for reproducible masks.
        name: layer name.

    >>> net = DropoutLayer(InputLayer([None, 784]), keep=0.8, name="drop1")
    >>> round(float(net.all_drop["drop1"].numpy()), 6)
    0.8
    """

    autocast = True

    def __init__(self, prev_layer: Layer, keep: float = 0.5, is_fix: bool = False,
                 is_train: bool = True, seed: int | None = None, name: str | None = None) -> None:
        self.keep = check_prob(self, "keep", keep)
        self.is_fix, self.is_train, self.seed = bool(is_fix), bool(is_train), seed
        super().__init__(prev_layer, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        self.keep_var = None if self.is_fix else self.add_keep(self.keep)

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        return input_spec

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        if not (is_train and self.is_train):
            return inputs
        keep = self.keep if self.keep_var is None else tf.cast(self.keep_var, inputs.dtype)
        return tf.nn.dropout(inputs, rate=1.0 - keep, seed=self.seed)

    def describe(self) -> str:
        return f"keep: {self.keep:f} is_fix: {self.is_fix}"

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("keep", "is_fix", "is_train", "seed")}
