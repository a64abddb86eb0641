"""Normalization layers: BatchNormLayer and LayerNormLayer (channels last)."""
from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from tlcore.layers._utils import Act, Init, get_init, shape_str, who
from tlcore.layers.core import Layer, reusing


def _check_eps(layer: Layer, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(f"{who(layer)}: epsilon must be a positive number, received {value!r}")
    return float(value)


class BatchNormLayer(Layer):
    """Batch normalization over every axis but the last (the channels).

    ``act(gamma * (x - mean) / sqrt(var + epsilon) + beta)``. When the network is called with
    ``is_train=True`` the batch moments are used and the moving statistics are updated,
    ``moving = moving * decay + batch * (1 - decay)`` (Keras' ``momentum`` is ``decay``);
    otherwise the moving statistics are used and nothing changes.

    TensorLayer's constructor flag ``is_train`` built a train or a test graph. Here one network
    serves both, so the flag only freezes: ``is_train=False`` always uses the moving statistics
    and makes ``beta``/``gamma`` non-trainable (fine-tuning around a pretrained BatchNorm);
    ``None`` or ``True`` follow the call.

    Args:
        prev_layer: parent layer with a known last dim.
        decay: moving-average decay in [0, 1).
        epsilon: added to the variance.
        act: activation after normalization.
        is_train: ``False`` freezes the layer (see above); ``None``/``True`` follow the call.
        beta_init: offset initializer (``None``: no offset).
        gamma_init: scale initializer (``None``: no scale); TensorLayer's ``N(1, 0.002)``.
        moving_mean_init: initializer of ``moving_mean``; ``moving_variance`` starts at ones.
        name: layer name; variables ``beta``, ``gamma``, ``moving_mean``, ``moving_variance``,
            all in ``all_params`` (the moving ones non-trainable).

    Examples:
        >>> net = BatchNormLayer(InputLayer([None, 8, 8, 3]), act=tf.nn.relu, name="bn")
        >>> [net.param_name(v) for v in net.all_params]
        ['bn/beta', 'bn/gamma', 'bn/moving_mean', 'bn/moving_variance']
    """

    def __init__(self, prev_layer: Layer, decay: float = 0.9, epsilon: float = 1e-5,
                 act: Act = None, is_train: bool | None = None, beta_init: Init = "zeros",
                 gamma_init: Init = keras.initializers.RandomNormal(mean=1.0, stddev=0.002),
                 moving_mean_init: Init = "zeros", *, name: str | None = None) -> None:
        if isinstance(decay, bool) or not isinstance(decay, (int, float)) or not 0 <= decay < 1:
            raise ValueError(f"{who(self)}: decay must be a number in [0, 1), received {decay!r}")
        self.decay, self.epsilon = float(decay), _check_eps(self, epsilon)
        if is_train is not None and not isinstance(is_train, bool):
            raise ValueError(f"{who(self)}: is_train must be None or a bool, received {is_train!r}")
        self.is_train = is_train
        self.beta_init, self.gamma_init = get_init(beta_init), get_init(gamma_init)
        self.moving_mean_init = get_init(moving_mean_init)
        if self.moving_mean_init is None:
            raise ValueError(f"{who(self)}: moving_mean_init cannot be None")
        super().__init__(prev_layer, act=act, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        if input_shape.rank is None or input_shape.rank < 2 or input_shape[-1] is None:
            raise ValueError(f"{who(self)}: expected input of rank >= 2 with a known last dim, "
                             f"received shape {shape_str(input_shape)}")
        shape = (int(input_shape[-1]),)
        self.axes = list(range(input_shape.rank - 1))
        trainable = self.is_train is not False
        self.beta = (self.add_param("beta", shape, self.beta_init, trainable=trainable)
                     if self.beta_init else None)
        self.gamma = (self.add_param("gamma", shape, self.gamma_init, trainable=trainable)
                      if self.gamma_init else None)
        self.moving_mean = self.add_param("moving_mean", shape, self.moving_mean_init,
                                          trainable=False)
        self.moving_variance = self.add_param("moving_variance", shape, keras.initializers.Ones(),
                                              trainable=False)

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        return input_spec

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        if is_train and self.is_train is not False:
            mean, variance = tf.nn.moments(inputs, self.axes)
            d = self.decay
            self.moving_mean.assign(self.moving_mean * d + mean * (1.0 - d))
            self.moving_variance.assign(self.moving_variance * d + variance * (1.0 - d))
        else:
            mean, variance = self.moving_mean, self.moving_variance
        y = tf.nn.batch_normalization(inputs, mean, variance, self.beta, self.gamma, self.epsilon)
        return self.act(y)

    def describe(self) -> str:
        return f"decay: {self.decay:f} epsilon: {self.epsilon:g} is_train: {self.is_train}"

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize(
            "decay", "epsilon", "is_train", "beta_init", "gamma_init", "moving_mean_init")}


class LayerNormLayer(Layer):
    """Layer normalization (Ba et al. 2016) with TensorLayer's (``tf.contrib``) arguments.

    Moments are taken over the axes ``begin_norm_axis ... rank-1`` of each example;
    ``beta``/``gamma`` have the shape ``input_shape[begin_params_axis:]``.

    Args:
        prev_layer: parent layer.
        center: add the learned offset ``beta``.
        scale: multiply by the learned ``gamma``.
        act: activation after normalization.
        reuse: TensorLayer's flag, accepted for ported code: ``None``/``False``, or ``True``
            inside ``with tl.layers.reuse(network):``, which is what shares the variables.
        trainable: whether ``beta``/``gamma`` are trainable.
        begin_norm_axis: first normalized axis (TensorLayer's default 1: all but the batch).
        begin_params_axis: first axis of the parameters' shape (default -1: per channel).
        epsilon: added to the variance (``tf.contrib.layers.layer_norm`` used 1e-12).
        beta_init, gamma_init: initializers (zeros and ones).
        name: layer name; variables ``beta`` and ``gamma``.

    >>> LayerNormLayer(InputLayer([None, 5, 4]), name="ln").all_params[0].shape
    TensorShape([4])
    """

    def __init__(self, prev_layer: Layer, center: bool = True, scale: bool = True,
                 act: Act = None, reuse: bool | None = None, *, trainable: bool = True,
                 begin_norm_axis: int = 1, begin_params_axis: int = -1,
                 epsilon: float = 1e-12, beta_init: Init = "zeros", gamma_init: Init = "ones",
                 name: str | None = None) -> None:
        if reuse and not reusing():
            raise ValueError(f"{who(self)}: reuse=True was tf.contrib's variable-scope flag; to "
                             f"share variables build the layer inside "
                             f"`with tl.layers.reuse(network):` (where reuse=True is accepted)")
        for arg, value in (("begin_norm_axis", begin_norm_axis),
                           ("begin_params_axis", begin_params_axis)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{who(self)}: {arg} must be an int, received {value!r}")
        self.center, self.scale, self.trainable = bool(center), bool(scale), bool(trainable)
        self.begin_norm_axis, self.begin_params_axis = begin_norm_axis, begin_params_axis
        self.epsilon = _check_eps(self, epsilon)
        self.beta_init, self.gamma_init = get_init(beta_init), get_init(gamma_init)
        super().__init__(prev_layer, act=act, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        rank = input_shape.rank
        if rank is None or rank < 2:
            raise ValueError(f"{who(self)}: expected input of rank >= 2, received shape "
                             f"{shape_str(input_shape)}")
        norm = self.begin_norm_axis % rank if -rank <= self.begin_norm_axis < rank else None
        params = self.begin_params_axis % rank if -rank <= self.begin_params_axis < rank else None
        if norm is None or norm == 0:
            raise ValueError(f"{who(self)}: begin_norm_axis must be in [1, {rank - 1}] (or "
                             f"negative) for input shape {shape_str(input_shape)}, received "
                             f"{self.begin_norm_axis}")
        if params is None or params == 0:
            raise ValueError(f"{who(self)}: begin_params_axis must be in [1, {rank - 1}] (or "
                             f"negative) for input shape {shape_str(input_shape)}, received "
                             f"{self.begin_params_axis}")
        shape = input_shape[params:]
        if not shape.is_fully_defined():
            raise ValueError(f"{who(self)}: the dims from "
                             f"begin_params_axis={self.begin_params_axis} must be known, "
                             f"received shape {shape_str(input_shape)}")
        self.axes = list(range(norm, rank))
        shape = tuple(shape.as_list())
        self.beta = (self.add_param("beta", shape, self.beta_init, trainable=self.trainable)
                     if self.center else None)
        self.gamma = (self.add_param("gamma", shape, self.gamma_init,
                                     trainable=self.trainable) if self.scale else None)

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        return input_spec

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        mean, variance = tf.nn.moments(inputs, self.axes, keepdims=True)
        y = tf.nn.batch_normalization(inputs, mean, variance, self.beta, self.gamma, self.epsilon)
        return self.act(y)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize(
            "center", "scale", "trainable", "begin_norm_axis", "begin_params_axis", "epsilon",
            "beta_init", "gamma_init")}
