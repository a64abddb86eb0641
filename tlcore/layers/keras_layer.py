"""KerasLayer: wraps a Keras 3 layer; its weights join ``all_params``.

It replaces TensorLayer's ``SlimNetsLayer``/``KerasLayer``: any Keras layer (or a Sequential
block) becomes one tlcore layer. Keras stores a ``tf.Variable`` behind each ``keras.Variable``
(``v.value`` under the TensorFlow backend); that variable is what ``all_params`` lists, so
``save_npz``, optimizers and ``GradientTape`` see the same object Keras uses.
"""
from __future__ import annotations

import inspect
from typing import Any, Mapping

import keras
import tensorflow as tf

from tlcore.layers._utils import who
from tlcore.layers.core import Layer


def build_on_zeros(layer: Layer, fn: Any, input_shape: tf.TensorShape) -> None:
    """Call ``fn`` once eagerly on zeros of ``input_shape`` (unknown dims 1) so that a Keras
    layer or tf.Module creates its variables outside any ``tf.function``."""
    if input_shape.rank is None:
        raise ValueError(f"{who(layer)}: the wrapped layer needs an input of known rank")
    dims = [1 if d is None else d for d in input_shape.as_list()]
    dtype = layer.prev_layers[0].output_dtype
    fn(tf.zeros(dims, dtype))


def track_weights(layer: Layer, obj: Any) -> None:
    """List the variables of a Keras layer or tf.Module ``obj`` as ``layer``'s parameters.

    Names are the Keras variable paths below ``obj`` (``kernel``, ``dense_1/kernel``)."""
    if isinstance(obj, keras.Layer):
        prefix = f"{obj.name}/"
        seen: set[str] = set()
        for w in obj.weights:
            var = getattr(w, "value", w)
            if not isinstance(var, tf.Variable):
                raise TypeError(f"{who(layer)}: Keras variable {w.path!r} is not backed by a "
                                f"tf.Variable; tlcore needs the TensorFlow backend "
                                f"(KERAS_BACKEND=tensorflow)")
            name = w.path[len(prefix):] if w.path.startswith(prefix) else w.path
            base, n = name, 1
            while name in seen:
                n += 1
                name = f"{base}_{n}"
            seen.add(name)
            layer.track_param(var, name)
    elif isinstance(obj, tf.Module):
        for var in obj.variables:
            layer.track_param(var, var.name.split(":")[0])


def _takes_training(fn: Any) -> bool:
    try:
        return "training" in inspect.signature(fn.call).parameters
    except (AttributeError, TypeError, ValueError):
        return False


class KerasLayer(Layer):
    """Applies a Keras 3 layer: ``keras_layer(inputs, training=is_train)``.

    Args:
        prev_layer: parent layer.
        keras_layer: a Keras layer instance, a Keras layer class, the name of a class in
            ``keras.layers`` (``"Dense"``), or a function returning a Keras layer or model
            (``keras.applications.MobileNetV2``). A class, name or function is called with
            ``keras_args``.
        keras_args: constructor arguments when ``keras_layer`` is a class, name or function.
        name: layer name; the Keras weights are listed as ``<name>/<keras path>``.

    ``get_config`` gives ``{"keras_layer": <keras.layers class name>, "keras_args": <the Keras
    layer's get_config()>}``; it raises ``ValueError`` for classes outside ``keras.layers``
    (custom layers, Sequential blocks): rebuild those in code.

    >>> net = KerasLayer(InputLayer([None, 4]), keras_layer="Dense", keras_args={"units": 3})
    >>> net.output_shape, [net.param_name(v) for v in net.all_params]
    ((None, 3), ['keraslayer_1/kernel', 'keraslayer_1/bias'])
    """

    def __init__(self, prev_layer: Layer, keras_layer: Any,
                 keras_args: Mapping[str, Any] | None = None, name: str | None = None) -> None:
        if keras_args is not None and not isinstance(keras_args, Mapping):
            raise ValueError(f"{who(self)}: keras_args must be a dict or None, received "
                             f"{keras_args!r}")
        if isinstance(keras_layer, str):
            cls = getattr(keras.layers, keras_layer, None)
            if not (isinstance(cls, type) and issubclass(cls, keras.Layer)):
                raise ValueError(f"{who(self)}: keras_layer {keras_layer!r} is not a class in "
                                 f"keras.layers")
            keras_layer = cls
        if isinstance(keras_layer, type) and issubclass(keras_layer, keras.Layer):
            layer_cls: Any = keras_layer  # keras has no stubs: `type` would hide from_config
            try:
                keras_layer = layer_cls.from_config(dict(keras_args or {}))
            except (TypeError, ValueError) as e:
                raise ValueError(f"{who(self)}: cannot build {layer_cls.__name__} from keras_args "
                                 f"{dict(keras_args or {})!r}: {e}") from e
        elif isinstance(keras_layer, keras.Layer):
            if keras_args:
                raise ValueError(f"{who(self)}: keras_args is only for a class or class name; "
                                 f"received an instance and keras_args={dict(keras_args)!r}")
        elif callable(keras_layer) and not isinstance(keras_layer, type):
            keras_layer = self._from_factory(keras_layer, dict(keras_args or {}))
        else:
            raise ValueError(f"{who(self)}: keras_layer must be a Keras layer, a Keras layer "
                             f"class, a keras.layers class name or a function returning a Keras "
                             f"layer, "
                             f"received {keras_layer!r}")
        self.keras_layer = keras_layer
        self._training = _takes_training(keras_layer)
        super().__init__(prev_layer, name=name)

    def _from_factory(self, factory: Any, keras_args: dict[str, Any]) -> Any:
        """A function that returns a Keras layer or model, e.g. ``keras.applications.ResNet50``
        (what replaces TensorLayer's ``SlimNetsLayer(slim_layer=inception_v3, slim_args=...)``)."""
        name = getattr(factory, "__name__", repr(factory))
        try:
            made = factory(**keras_args)
        except TypeError as e:
            raise ValueError(f"{who(self)}: keras_layer {name} is called as {name}(**keras_args) "
                             f"and must return a Keras layer or model; the call failed: {e}") from e
        if not isinstance(made, keras.Layer):
            raise ValueError(f"{who(self)}: keras_layer {name}(**keras_args) must return a Keras "
                             f"layer or model, received {type(made).__name__}")
        return made

    def build(self, input_shape: tf.TensorShape) -> None:
        try:
            build_on_zeros(self, self._call_keras, input_shape)
        except (ValueError, TypeError, tf.errors.InvalidArgumentError) as e:
            raise ValueError(f"{who(self)}: {type(self.keras_layer).__name__} cannot be applied to "
                             f"input of shape {tuple(input_shape.as_list())}: {e}") from e
        track_weights(self, self.keras_layer)

    def _call_keras(self, x: tf.Tensor, is_train: bool = False) -> Any:
        if self._training:
            return self.keras_layer(x, training=is_train)
        return self.keras_layer(x)

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> Any:
        return self._call_keras(inputs, is_train)

    def describe(self) -> str:
        return f"{type(self.keras_layer).__name__} {self.keras_layer.name}"

    def get_config(self) -> dict[str, Any]:
        cls = type(self.keras_layer)
        if getattr(keras.layers, cls.__name__, None) is not cls or cls.__name__ in (
                "Sequential", "Lambda", "TFSMLayer"):
            raise ValueError(f"{who(self)}: {cls.__name__} is not a keras.layers class that can "
                             f"be rebuilt from its config; rebuild it in code")
        return {**super().get_config(), "keras_layer": cls.__name__,
                "keras_args": self.keras_layer.get_config()}
