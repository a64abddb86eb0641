"""TimeDistributedLayer: one inner layer, shared weights, applied to every time step."""
from __future__ import annotations

from typing import Any, Mapping

import tensorflow as tf

from tlcore.layers._utils import shape_str, who
from tlcore.layers.core import InputLayer, Layer


class TimeDistributedLayer(Layer):
    """Applies ``layer_class(**layer_args)`` to every step of a ``(batch, time, ...)`` input
    with one set of weights.

    The inner layer is built on an InputLayer of the per-step shape ``input_shape[2:]``; the
    input is reshaped to ``(batch*time, ...)``, run through it, and reshaped back. The inner
    layer's variables are listed as this layer's (``<name>/W``, ``<name>/b`` for a DenseLayer);
    a dropout-like inner layer's keep probability appears in ``all_drop`` under this name.

    Args:
        prev_layer: parent layer of rank >= 3.
        layer_class: a tlcore Layer class or its registered name (``"DenseLayer"``).
        layer_args: keyword arguments of the inner layer (TensorLayer's ``args=`` too). A
            ``"name"`` in them names the inner layer under this one, so its variables are
            ``<name>/<inner name>/W`` as in TensorLayer 1.11; without it they are ``<name>/W``.
        name: layer name.

    >>> net = TimeDistributedLayer(InputLayer([None, 20, 8]), layer_class=DenseLayer,
    ...                            layer_args={"n_units": 4}, name="td")
    >>> net.output_shape, [net.param_name(v) for v in net.all_params]
    ((None, 20, 4), ['td/W', 'td/b'])
    """

    arg_aliases = {"args": "layer_args"}

    def __init__(self, prev_layer: Layer, layer_class: type[Layer] | str | None = None,
                 layer_args: Mapping[str, Any] | None = None, name: str | None = None) -> None:
        if isinstance(layer_class, str):
            from tlcore.plugins import get_registry

            try:
                layer_class = get_registry().get("layers", layer_class)
            except Exception as e:  # the registry's error says which plugin to install
                raise ValueError(f"{who(self)}: unknown layer_class {layer_class!r}: {e}") from e
        if not (isinstance(layer_class, type) and issubclass(layer_class, Layer)) or issubclass(
                layer_class, InputLayer) or layer_class.multi_input:
            raise ValueError(f"{who(self)}: layer_class must be a single-input tlcore Layer class, "
                             f"received {layer_class!r}")
        if layer_args is not None and not isinstance(layer_args, Mapping):
            raise ValueError(f"{who(self)}: layer_args must be a dict or None, received "
                             f"{layer_args!r}")
        if layer_args and ({"prev_layer", "layer"} & set(layer_args)):
            raise ValueError(f"{who(self)}: layer_args must not contain the parent (prev_layer), "
                             f"received keys {sorted(layer_args)}")
        self.layer_class, self.layer_args = layer_class, dict(layer_args or {})
        self.inner_name = self.layer_args.pop("name", None)
        super().__init__(prev_layer, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        if input_shape.rank is None or input_shape.rank < 3:
            raise ValueError(f"{who(self)}: expected input of rank >= 3 (batch, time, ...), "
                             f"received shape {shape_str(input_shape)}")
        step = InputLayer([None, *input_shape.as_list()[2:]],
                          dtype=self.prev_layers[0].output_dtype, name=f"{self.name}_step")
        inner_name = self.name if self.inner_name is None else f"{self.name}/{self.inner_name}"
        try:
            self.inner = self.layer_class(step, name=inner_name, **self.layer_args)
        except TypeError as e:
            raise ValueError(f"{who(self)}: cannot build {self.layer_class.__name__} with "
                             f"layer_args {self.layer_args!r}: {e}") from e
        if self.inner.call_args:
            raise ValueError(f"{who(self)}: {self.layer_class.__name__} takes call arguments "
                             f"{self.inner.call_args}, which TimeDistributedLayer does not pass")
        for var in self.inner.all_params:  # "<inner name>/W" seen from here is "[<name>/]W"
            self.track_param(var, self.inner.param_name(var)[len(self.name) + 1:])
        self._own_drop = self.inner._own_drop

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        inner = self.inner.output_spec
        if not isinstance(inner, tf.TensorSpec) or inner.shape.rank is None:
            raise ValueError(f"{who(self)}: the inner layer must output one tensor of known rank")
        return tf.TensorSpec([*input_spec.shape[:2], *inner.shape[1:]], inner.dtype)

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        dims = tf.shape(inputs)
        steps = inputs.shape[1] if inputs.shape[1] is not None else dims[1]
        flat = tf.reshape(inputs, tf.concat([[-1], dims[2:]], 0))
        y = self.inner(flat, is_train=is_train)
        out_dims = [d if d is not None else tf.shape(y)[i + 1]
                    for i, d in enumerate(self.inner.output_spec.shape[1:])]
        return tf.reshape(y, [-1, steps, *out_dims])

    def describe(self) -> str:
        return f"{self.layer_class.__name__} per step"

    def get_config(self) -> dict[str, Any]:
        args = {k: v for k, v in self.inner.get_config().items() if k != "name"}
        if self.inner_name is not None:
            args["name"] = self.inner_name
        return {**super().get_config(), "layer_class": self.layer_class.__name__,
                "layer_args": args}
