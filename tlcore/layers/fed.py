"""Values computed from what is fed to a network (1.11's ``retrieve_seq_length_op(x)`` on a
placeholder) and the static ``layer.outputs`` description."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping

import attrs
import tensorflow as tf

from tlcore.layers.utils import shape_str, who

if TYPE_CHECKING:
    from tlcore.layers.core import InputLayer, Layer

__all__ = ["FedValue", "StaticOutput", "describe_source", "fed_tensor", "same_spec"]


@attrs.frozen
class StaticOutput:
    """What ``layer.outputs`` returns: the static shape and dtype of a layer's output.

    It answers TensorLayer's ``net.outputs.get_shape().as_list()``; using it as a tensor raises
    an error that says to call the network instead.
    """

    shape: tf.TensorShape
    dtype: tf.DType

    @classmethod
    def of(cls, spec: tf.TensorSpec) -> StaticOutput:
        return cls(spec.shape, spec.dtype)

    def get_shape(self) -> tf.TensorShape:
        """The static shape (``None`` for unknown dims), as ``tf.Tensor.get_shape``."""
        return self.shape

    def __tf_tensor__(self, dtype: Any = None, name: Any = None) -> tf.Tensor:
        raise TypeError(f"layer.outputs {shape_str(self.shape)} is a static description in tlcore, "
                        f"not a tensor: call the network for values, net(x, is_train=...), or "
                        f"wrap the operation in tl.layers.LambdaLayer(net, fn=...)")


@attrs.frozen(eq=False)
class FedValue:
    """A value computed from the data fed to one of the network's inputs, anew at every call.

    TensorLayer 1.x computed some layer arguments from the input placeholder while building
    (``sequence_length=retrieve_seq_length_op(x)``). Given ``x``'s stand-in (the
    ``tf.TensorSpec`` an InputLayer is built from, or the InputLayer), such a helper returns a
    ``FedValue``, and a layer that accepts it binds it with :meth:`Layer.bind_fed_value`: every
    call computes ``fn(<the batch fed to that input>)``, unless the call passes the argument.

    Attributes:
        source: the spec (or InputLayer) standing for the fed data.
        fn: computes the value from the fed tensor.
        label: how the value was written, for messages (``retrieve_seq_length_op(x)``).
    """

    source: Any
    fn: Callable[[tf.Tensor], Any]
    label: str
    #: the registered ``tl.layers`` function that made it, and its other keywords: what a
    #: saved network stores to bind it again (``None``: it cannot be saved)
    op: str | None = None
    op_kwargs: Mapping[str, Any] = attrs.field(factory=dict)

    def config(self, input_name: str) -> dict[str, Any]:
        """The JSON-ready form kept in the binding layer's config."""
        if self.op is None:
            raise ValueError(f"{self.label} was not made by a registered tl.layers function and "
                             f"cannot be saved with the network; pass it at call time instead")
        return {"op": self.op, "input": input_name, "kwargs": dict(self.op_kwargs)}

    @staticmethod
    def from_config(layer: Layer, spec: Mapping[str, Any]) -> FedValue:
        """Make the value again from :meth:`config`'s output, on ``layer``'s network input."""
        from tlcore.plugins import get_registry

        inputs = {i.name: i for i in layer.input_layers}
        if spec.get("input") not in inputs:
            raise ValueError(f"{who(layer)}: its saved value {spec.get('op')}(...) reads input "
                             f"{spec.get('input')!r}, not among the inputs {sorted(inputs)}")
        op = get_registry().get("layers", str(spec.get("op")))
        kwargs = spec.get("kwargs", {})
        # a saved file names the function: only those that make such values may run
        if not getattr(op, "makes_fed_value", False) or not isinstance(kwargs, dict) or any(
                not isinstance(v, (bool, int, float, str, type(None))) for v in kwargs.values()):
            raise ValueError(f"{who(layer)}: a saved value must come from a function such as "
                             f"retrieve_seq_length_op2 with plain keywords, received "
                             f"{spec.get('op')!r} with {kwargs!r:.60}")
        value = op(inputs[spec["input"]], **kwargs)
        if not isinstance(value, FedValue):
            raise ValueError(f"{who(layer)}: {spec['op']} on an input did not give a value "
                             f"computed per batch, received {type(value).__name__}")
        return value

    def __tf_tensor__(self, dtype: Any = None, name: Any = None) -> tf.Tensor:
        raise TypeError(f"{self.label} stands for a value computed from each batch fed to the "
                        f"network, not a tensor: pass it to a layer argument that takes it (e.g. "
                        f"sequence_length=), or compute it from the batch")


def fed_tensor(layer: InputLayer, x: Any) -> tf.Tensor:
    """What was fed to ``layer`` as a tensor of the fed dtype (ids for an embedding input)."""
    t = x if isinstance(x, tf.Tensor) else tf.convert_to_tensor(x)
    dtype = getattr(layer, "feed_spec", layer.output_spec).dtype
    return t if t.dtype == dtype else tf.cast(t, dtype)


def same_spec(a: Any, b: Any) -> bool:
    """True for two equal ``tf.TensorSpec``s."""
    return isinstance(a, tf.TensorSpec) and isinstance(b, tf.TensorSpec) and a == b


def describe_source(source: Any) -> str:
    """How messages name the stand-in of fed data (a layer or an input spec)."""
    from tlcore.layers.core import Layer

    if isinstance(source, Layer):
        return f"{who(source)}"
    if isinstance(source, tf.TensorSpec):
        return f"the input spec {shape_str(source.shape)} {source.dtype.name}"
    return repr(source)
