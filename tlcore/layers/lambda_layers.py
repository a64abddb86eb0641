"""LambdaLayer: applies any TF function (or Keras layer / tf.Module) to the parent's output."""
from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import keras
import tensorflow as tf

from tlcore.layers._utils import who
from tlcore.layers.core import Layer
from tlcore.layers.keras_layer import build_on_zeros, track_weights


class LambdaLayer(Layer):
    """``fn(inputs, **fn_args)``: any function of TF ops, e.g. ``lambda x: 2 * x - 1``.

    Variables: when ``fn`` is a Keras layer or a ``tf.Module`` it is called once at build time
    and its variables join ``all_params``; variables that a plain function closes over are
    listed by passing them as ``fn_weights``. ``fn`` must not create variables itself (it is
    traced by ``tf.function``; such a function is refused at build time). A Python
    callable cannot be serialized: ``get_config`` raises
    ``ValueError`` (rebuild such layers in code).

    Args:
        prev_layer: parent layer.
        fn: the function.
        fn_args: extra keyword arguments for ``fn``.
        fn_weights: variables ``fn`` uses, listed in ``all_params``.
        name: layer name.

    >>> LambdaLayer(InputLayer([None, 3]), fn=lambda x: tf.concat([x, x], -1)).output_shape
    (None, 6)
    """

    def __init__(self, prev_layer: Layer, fn: Callable, fn_args: Mapping[str, Any] | None = None,
                 name: str | None = None, *,
                 fn_weights: Sequence[tf.Variable] | None = None) -> None:
        if not callable(fn):
            raise ValueError(f"{who(self)}: fn must be a callable, received {fn!r}")
        if fn_args is not None and not isinstance(fn_args, Mapping):
            raise ValueError(f"{who(self)}: fn_args must be a dict or None, received {fn_args!r}")
        # a keras.Variable is backed by a tf.Variable (its .value under the TensorFlow backend)
        weights = [w.value if isinstance(w, keras.Variable) else w for w in fn_weights or []]
        for w in weights:
            if not isinstance(w, tf.Variable):
                raise ValueError(f"{who(self)}: fn_weights must be tf.Variables, received {w!r}")
        self.fn, self.fn_args, self.fn_weights = fn, dict(fn_args or {}), weights
        super().__init__(prev_layer, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        if isinstance(self.fn, (keras.Layer, tf.Module)):
            build_on_zeros(self, lambda x: self.fn(x, **self.fn_args), input_shape)
            track_weights(self, self.fn)
        for i, var in enumerate(self.fn_weights):
            self.track_param(var, var.name.split(":")[0].split("/")[-1] or f"w{i}")

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> Any:
        return self.fn(inputs, **self.fn_args)

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> Any:
        if isinstance(self.fn, (keras.Layer, tf.Module)):
            return super().compute_output_spec(input_spec)

        def refuse(next_creator: Any, **kwargs: Any) -> Any:
            raise _CreatesVariables()

        # A function that builds Keras layers inside (TensorLayer 1.x's importer idiom) would make
        # new variables on every call: catch that at build time and say what to do instead.
        try:
            with tf.variable_creator_scope(refuse):
                return super().compute_output_spec(input_spec)
        except _CreatesVariables:
            raise ValueError(
                f"{who(self)}: fn {getattr(self.fn, '__name__', self.fn)!r} creates variables "
                f"each time it runs (e.g. keras layers made inside it); build them once, as a "
                f"keras.Sequential or keras.Model, and pass that object as fn (its weights join "
                f"all_params), or use tl.layers.KerasLayer") from None

    def get_config(self) -> dict[str, Any]:
        raise ValueError(f"{who(self)}: a layer holding a Python function (fn={self.fn!r}) cannot "
                         f"be serialized; rebuild it in code")


class _CreatesVariables(Exception):
    """Raised inside the build-time trace when ``fn`` creates a variable."""
