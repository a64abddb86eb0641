"""Vision normalization layers: LocalResponseNormLayer, InstanceNormLayer, GroupNormLayer and
SwitchNormLayer (BatchNorm and LayerNorm are core layers)."""
from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from tlcore.layers.utils import Act, Init, check_positive_int, get_init, shape_str, who
from tlcore.layers.core import Layer
from tlcore_vision.layers._common import (add_weight, check_data_format, to_first, to_last)


def _check_eps(layer: Layer, value: Any, arg: str = "epsilon") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(f"{who(layer)}: {arg} must be a positive number, received {value!r}")
    return float(value)


def _channels(layer: Layer, shape: tf.TensorShape, ranks: tuple[int, ...],
              channels_first: bool = False) -> int:
    if shape.rank not in ranks or shape[1 if channels_first else -1] is None:
        want = " or ".join(str(r) for r in ranks)
        raise ValueError(f"{who(layer)}: expected rank-{want} input with known channels, "
                         f"received shape {shape_str(shape)}")
    return int(shape[1 if channels_first else -1])


class LocalResponseNormLayer(Layer):
    """Local response normalization across channels (``tf.nn.local_response_normalization``):
    ``x / (bias + alpha * sum_{|j - c| <= depth_radius} x_j**2) ** beta``.

    Args:
        prev_layer: parent ``(batch, h, w, c)``.
        depth_radius, bias, alpha, beta: ``None`` takes TF's defaults (5, 1, 1, 0.5). The seed's
            CIFAR-10 model uses ``depth_radius=4, bias=1.0, alpha=0.001 / 9.0, beta=0.75``.

    >>> LocalResponseNormLayer(InputLayer([None, 8, 8, 64]), 4, 1.0, 0.001 / 9.0, 0.75).output_shape
    (None, 8, 8, 64)
    """

    def __init__(self, prev_layer: Layer, depth_radius: int | None = None,
                 bias: float | None = None,
                 alpha: float | None = None, beta: float | None = None,
                 name: str | None = None) -> None:
        if depth_radius is not None and (isinstance(depth_radius, bool) or
                                         not isinstance(depth_radius, int) or depth_radius < 0):
            raise ValueError(f"{who(self)}: depth_radius must be a non-negative int, received "
                             f"{depth_radius!r}")
        for arg, v in (("bias", bias), ("alpha", alpha), ("beta", beta)):
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
                raise ValueError(f"{who(self)}: {arg} must be a number, received {v!r}")
        self.depth_radius, self.bias, self.alpha, self.beta = depth_radius, bias, alpha, beta
        super().__init__(prev_layer, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        _channels(self, input_shape, (4,))

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        return input_spec

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        kw = {k: v for k, v in (("depth_radius", self.depth_radius), ("bias", self.bias),
                                ("alpha", self.alpha), ("beta", self.beta)) if v is not None}
        return tf.nn.local_response_normalization(inputs, **kw)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("depth_radius", "bias", "alpha", "beta")}


class InstanceNormLayer(Layer):
    """Instance normalization: each sample and channel normalized over its spatial dims,
    ``scale * (x - mean) / sqrt(var + epsilon) + offset``.

    Args:
        prev_layer: parent ``(batch, ..., c)`` of rank 3 to 5.
        act: activation. epsilon: added to the variance.
        name: variables ``scale`` (truncated normal, mean 1, stddev 0.02, TensorLayer's) and
            ``offset`` (zeros).

    >>> InstanceNormLayer(InputLayer([None, 8, 8, 3])).count_params()
    6
    """

    def __init__(self, prev_layer: Layer, act: Act = None, epsilon: float = 1e-5,
                 name: str | None = None) -> None:
        self.epsilon = _check_eps(self, epsilon)
        super().__init__(prev_layer, act=act, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        c = _channels(self, input_shape, (3, 4, 5))
        self.axes = list(range(1, input_shape.rank - 1))
        self.scale = add_weight(self, "scale", (c,),
                                keras.initializers.TruncatedNormal(mean=1.0, stddev=0.02))
        self.offset = add_weight(self, "offset", (c,), keras.initializers.Zeros())

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        return input_spec

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        mean, var = tf.nn.moments(inputs, self.axes, keepdims=True)
        y = self.scale * (inputs - mean) * tf.math.rsqrt(var + self.epsilon) + self.offset
        return self.act(y)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("epsilon")}


class GroupNormLayer(Layer):
    """Group normalization (Wu & He 2018): channels split into ``groups``; each sample and group
    normalized over its spatial dims and channels, then ``gamma * x + beta`` per channel.

    Args:
        prev_layer: parent of rank 3 to 5, channels last (or first with ``data_format``).
        groups: number of groups; must divide the channels.
        epsilon: added to the variance. act: activation.
        name: variables ``gamma`` (ones) and ``beta`` (zeros).

    >>> GroupNormLayer(InputLayer([None, 8, 8, 64]), groups=32).count_params()
    128
    """

    def __init__(self, prev_layer: Layer, groups: int = 32, epsilon: float = 1e-06, act: Act = None,
                 data_format: str = "channels_last", name: str | None = None) -> None:
        self.groups = check_positive_int(self, "groups", groups)
        self.epsilon = _check_eps(self, epsilon)
        self.data_format = data_format
        self.channels_first = check_data_format(self, data_format)
        super().__init__(prev_layer, act=act, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        c = _channels(self, input_shape, (3, 4, 5), self.channels_first)
        if c % self.groups:
            raise ValueError(f"{who(self)}: {c} channels are not divisible into groups="
                             f"{self.groups}, input shape {shape_str(input_shape)}")
        self.gamma = add_weight(self, "gamma", (c,), keras.initializers.Ones())
        self.beta = add_weight(self, "beta", (c,), keras.initializers.Zeros())

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        return input_spec

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        x = to_last(inputs, self.channels_first)
        dyn = tf.shape(x)
        c = self.gamma.shape[0]
        r = x.shape.rank
        xg = tf.reshape(x, tf.concat([dyn[:-1], [self.groups, c // self.groups]], 0))
        mean, var = tf.nn.moments(xg, [*range(1, r - 1), r], keepdims=True)
        xg = (xg - mean) * tf.math.rsqrt(var + self.epsilon)
        y = tf.reshape(xg, dyn) * self.gamma + self.beta
        return to_first(self.act(y), self.channels_first)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("groups", "epsilon", "data_format")}


class SwitchNormLayer(Layer):
    """Switchable normalization (Luo et al. 2018): a learned softmax mix of batch, instance and
    layer statistics, ``gamma * (x - mean) / sqrt(var + epsilon) + beta``.

    Variables in TensorLayer's order ``beta``, ``gamma``, ``mean_weight`` (3), ``var_weight``
    (3). By default (``decay=None``) the layer is TensorLayer 1.11's, whose npz files load by
    position: the batch part always uses the current batch's statistics, even at inference.
    With a ``decay`` it also keeps ``moving_mean`` and ``moving_variance`` (non-trainable, in
    ``all_params``) and, as BatchNorm, uses them unless the network is called with
    ``is_train=True`` (which updates them, ``moving = moving * decay + batch * (1 - decay)``).

    Args:
        prev_layer: parent ``(batch, h, w, c)``.
        act: activation. epsilon: added to the variances.
        beta_init, gamma_init: offset (zeros) and scale (ones) initializers.
        moving_mean_init: initializer of ``moving_mean``; ``moving_variance`` starts at ones.
        decay: ``None`` (TensorLayer's layer) or a moving-average decay in [0, 1).

    >>> SwitchNormLayer(InputLayer([None, 8, 8, 3])).count_params()
    12
    >>> SwitchNormLayer(InputLayer([None, 8, 8, 3]), decay=0.9).count_params()
    18
    """

    def __init__(self, prev_layer: Layer, act: Act = None, epsilon: float = 1e-5,
                 beta_init: Init = "zeros", gamma_init: Init = "ones",
                 moving_mean_init: Init = "zeros", name: str | None = None, *,
                 decay: float | None = None) -> None:
        self.epsilon = _check_eps(self, epsilon)
        if decay is not None and (isinstance(decay, bool) or not isinstance(decay, (int, float))
                                  or not 0 <= decay < 1):
            raise ValueError(f"{who(self)}: decay must be None or a number in [0, 1), received "
                             f"{decay!r}")
        self.decay = None if decay is None else float(decay)
        self.beta_init, self.gamma_init = get_init(beta_init), get_init(gamma_init)
        self.moving_mean_init = get_init(moving_mean_init)
        for arg in ("beta_init", "gamma_init", "moving_mean_init"):
            if getattr(self, arg) is None:
                raise ValueError(f"{who(self)}: {arg} cannot be None")
        super().__init__(prev_layer, act=act, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        c = _channels(self, input_shape, (4,))
        self.beta = add_weight(self, "beta", (c,), self.beta_init)
        self.gamma = add_weight(self, "gamma", (c,), self.gamma_init)
        self.mean_weight = add_weight(self, "mean_weight", (3,), keras.initializers.Ones())
        self.var_weight = add_weight(self, "var_weight", (3,), keras.initializers.Ones())
        if self.decay is not None:
            self.moving_mean = add_weight(self, "moving_mean", (c,), self.moving_mean_init,
                                          trainable=False)
            self.moving_variance = add_weight(self, "moving_variance", (c,),
                                              keras.initializers.Ones(), trainable=False)

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        return input_spec

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        in_mean, in_var = tf.nn.moments(inputs, [1, 2], keepdims=True)
        ln_mean, ln_var = tf.nn.moments(inputs, [1, 2, 3], keepdims=True)
        if is_train or self.decay is None:
            bn_mean, bn_var = tf.nn.moments(inputs, [0, 1, 2], keepdims=True)
            if is_train and self.decay is not None:
                d = self.decay
                self.moving_mean.assign(self.moving_mean * d + tf.reshape(bn_mean, [-1]) * (1 - d))
                self.moving_variance.assign(self.moving_variance * d +
                                            tf.reshape(bn_var, [-1]) * (1 - d))
        else:
            bn_mean, bn_var = self.moving_mean, self.moving_variance
        mw = tf.nn.softmax(self.mean_weight)
        vw = tf.nn.softmax(self.var_weight)
        mean = mw[0] * bn_mean + mw[1] * in_mean + mw[2] * ln_mean
        var = vw[0] * bn_var + vw[1] * in_var + vw[2] * ln_var
        y = (inputs - mean) * tf.math.rsqrt(var + self.epsilon) * self.gamma + self.beta
        return self.act(y)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize(
            "epsilon", "beta_init", "gamma_init", "moving_mean_init", "decay")}
