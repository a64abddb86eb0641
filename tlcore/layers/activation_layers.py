"""Activation layers with parameters: PReluLayer, PRelu6Layer, PTRelu6Layer, ScaleLayer; and
SignLayer (binarization with a straight-through gradient).

As in TensorLayer 1.11 the PReLU slopes are stored unconstrained and used through a sigmoid,
so the effective negative slope ``sigmoid(alpha)`` stays in (0, 1).
"""
from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from tlcore.layers._utils import Init, get_init, shape_str, who
from tlcore.layers.core import Layer


class PReluLayer(Layer):
    """Parametric ReLU: ``x`` for ``x >= 0``, ``sigmoid(alpha) * x`` for ``x < 0``.

    Args:
        prev_layer: parent layer with a known last dim (unless ``channel_shared``).
        channel_shared: one ``alpha`` for all channels instead of one per channel.
        a_init: initializer of ``alpha`` (TensorLayer's truncated normal, stddev 0.1).
        name: layer name; the variable is ``<name>/alpha``.

    >>> PReluLayer(InputLayer([None, 8, 8, 3]), name="prelu").all_params[0].shape
    TensorShape([3])
    """

    #: variable names, created in this order, each of shape (1,) or (channels,)
    alpha_names: tuple[str, ...] = ("alpha",)

    def __init__(self, prev_layer: Layer, channel_shared: bool = False,
                 a_init: Init = keras.initializers.TruncatedNormal(mean=0.0, stddev=0.1), *,
                 name: str | None = None) -> None:
        if not isinstance(channel_shared, bool):
            raise ValueError(f"{who(self)}: channel_shared must be a bool, received "
                             f"{channel_shared!r}")
        self.channel_shared = channel_shared
        self.a_init = get_init(a_init)
        if self.a_init is None:
            raise ValueError(f"{who(self)}: a_init cannot be None")
        super().__init__(prev_layer, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        if self.channel_shared:
            shape = (1,)
        else:
            if input_shape.rank is None or input_shape.rank < 1 or input_shape[-1] is None:
                raise ValueError(f"{who(self)}: expected input with a known last dim (or "
                                 f"channel_shared=True), received shape {shape_str(input_shape)}")
            shape = (int(input_shape[-1]),)
        self.alphas = [self.add_param(n, shape, self.a_init) for n in self.alpha_names]
        self.alpha = self.alphas[0]

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        return input_spec

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        return tf.nn.relu(inputs) - tf.sigmoid(self.alpha) * tf.nn.relu(-inputs)

    def describe(self) -> str:
        return f"channel_shared: {self.channel_shared}"

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("channel_shared", "a_init")}


class PRelu6Layer(PReluLayer):
    """Parametric ReLU6: ``sigmoid(alpha) * x`` for ``x < 0``, ``x`` on ``[0, 6]``, 6 above.

    Args: as :class:`PReluLayer`; the variable is ``<name>/alpha``.

    >>> PRelu6Layer(InputLayer([None, 4]), channel_shared=True).count_params()
    1
    """

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        return tf.nn.relu6(inputs) - tf.sigmoid(self.alpha) * tf.nn.relu(-inputs)


class PTRelu6Layer(PReluLayer):
    """Parametric "twice leaky" ReLU6: ``sigmoid(alpha_low) * x`` for ``x < 0``, ``x`` on
    ``[0, 6]``, ``6 + sigmoid(alpha_high) * (x - 6)`` above 6.

    Args: as :class:`PReluLayer`; the variables are ``<name>/alpha_low`` and
    ``<name>/alpha_high``.

    >>> PTRelu6Layer(InputLayer([None, 4])).count_params()
    8
    """

    alpha_names = ("alpha_low", "alpha_high")

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        low, high = (tf.sigmoid(a) for a in self.alphas)
        above = tf.nn.relu(inputs - 6.0)
        return tf.nn.relu6(inputs) + high * above - low * tf.nn.relu(-inputs)


class ScaleLayer(Layer):
    """Multiplies the input by one learned scalar ``scale``.

    Args:
        prev_layer: parent layer.
        init_scale: initial value of ``scale`` (TensorLayer's 0.05).
        name: layer name; the variable is ``<name>/scale`` of shape (1,).

    >>> ScaleLayer(InputLayer([None, 4]), init_scale=2.0).all_params[0].numpy().tolist()
    [2.0]
    """

    def __init__(self, prev_layer: Layer, init_scale: float = 0.05,
                 name: str | None = None) -> None:
        if isinstance(init_scale, bool) or not isinstance(init_scale, (int, float)):
            raise ValueError(f"{who(self)}: init_scale must be a number, received {init_scale!r}")
        self.init_scale = float(init_scale)
        super().__init__(prev_layer, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        self.scale = self.add_param("scale", (1,), keras.initializers.Constant(self.init_scale))

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        return input_spec

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        return inputs * self.scale

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("init_scale")}


@tf.custom_gradient
def _sign_straight_through(x: tf.Tensor) -> Any:
    def grad(dy: tf.Tensor) -> tf.Tensor:
        return dy  # TensorLayer overrode Sign's gradient with Identity

    return tf.sign(x), grad


class SignLayer(Layer):
    """``tf.sign(x)`` forward, identity gradient backward (straight-through estimator), as
    TensorLayer's SignLayer for binarized networks.

    Args:
        prev_layer: parent layer.
        name: layer name.

    >>> SignLayer(InputLayer([None, 4])).output_shape
    (None, 4)
    """

    def __init__(self, prev_layer: Layer, name: str | None = None) -> None:
        super().__init__(prev_layer, name=name)

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        return input_spec

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        return _sign_straight_through(inputs)
