"""Public helpers for layer authors: argument checks, shape helpers, activation and
initializer handling. The core's layers and the plugins use these same functions.

Errors follow one pattern: ``<LayerClass> '<name>': <rule>, received <value>``, e.g.
``MaxoutLayer 'mx': n_units must be a positive int, received 0``.

Initializers: resolve an argument once with :func:`get_init` in ``__init__``, write it back in
``get_config`` with :func:`init_config` (``get_init`` accepts that form back), and create the
variable with ``Layer.add_param(name, shape, init)``, which clones an unseeded Keras
initializer per variable (do not clone it yourself: there is one cloning path).
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import keras
import tensorflow as tf

__all__ = [
    "Act",
    "Init",
    "act_name",
    "check_positive_int",
    "check_prob",
    "check_rank",
    "get_act",
    "get_init",
    "identity",
    "init_config",
    "last_dim",
    "shape_str",
    "who",
]

Act = Callable[[tf.Tensor], tf.Tensor] | str | None
Init = Callable[..., tf.Tensor] | str | float | int | None


def who(layer: Any) -> str:
    """``DenseLayer 'relu1'``: how errors and logs name a layer (works before it is built)."""
    name = getattr(layer, "name", None)
    return f"{type(layer).__name__} {name!r}" if name else type(layer).__name__


def identity(x: tf.Tensor) -> tf.Tensor:
    """The activation of layers built with ``act=None``."""
    return x


def get_act(act: Act) -> Callable[[tf.Tensor], tf.Tensor]:
    """Resolve ``None``, a name (``"relu"``, ``"lrelu"``) or a callable to a callable."""
    if act is None:
        return identity
    if callable(act):
        return act
    if isinstance(act, str):
        from tlcore import activation

        fn = getattr(activation, act) if act in getattr(activation, "__all__", ()) else None
        if fn is None:
            fn = getattr(tf.nn, act, None)
        if fn is None:
            try:
                fn = keras.activations.get(act)
            except (ValueError, TypeError):
                fn = None
        if fn is None:
            # Older TensorLayer code passed the name in act's position (ElementwiseLayer([a, b],
            # tf.add, 'add')); 1.11's order has act first, so say so.
            raise ValueError(f"unknown activation {act!r}: use a callable, a tf.nn function name "
                             f"or a tl.act name (if {act!r} is the layer's name, pass name=)")
        return fn
    raise TypeError(f"act must be None, a str or a callable, received {act!r}")


def act_name(act: Callable[[tf.Tensor], tf.Tensor]) -> str | None:
    """The name under which ``get_act`` finds ``act`` again, for ``get_config``."""
    if act is identity:
        return None
    name = getattr(act, "__name__", None)
    if name and name != "<lambda>":
        try:
            if get_act(name) is act or getattr(get_act(name), "__name__", None) == name:
                return name
        except (ValueError, TypeError):
            pass
    raise ValueError(f"activation {act!r} cannot be serialized: pass a named function such as "
                     f"tf.nn.relu or a string")


def get_init(init: Init) -> Callable[..., tf.Tensor] | None:
    """Resolve an initializer: ``None`` (no variable), a name, a number (constant) or a callable
    ``(shape, dtype) -> Tensor`` such as a Keras initializer."""
    if init is None:
        return None
    if isinstance(init, bool):
        raise TypeError(f"initializer must be a callable, name or number, received {init!r}")
    if isinstance(init, (int, float)):
        return keras.initializers.Constant(float(init))
    if isinstance(init, (str, dict)):
        return keras.initializers.get(init)
    if callable(init):
        return init
    raise TypeError(f"initializer must be a callable, name or number, received {init!r}")


def init_config(init: Callable[..., tf.Tensor] | None) -> Any:
    """A JSON-ready form of an initializer that ``get_init`` accepts back."""
    if init is None:
        return None
    if isinstance(init, keras.initializers.Initializer):
        return keras.initializers.serialize(init)
    # The same class as keras.initializers.Initializer in TF 2.16+.
    if isinstance(init, tf.keras.initializers.Initializer):  # pragma: no cover
        return tf.keras.initializers.serialize(init)
    raise ValueError(f"initializer {init!r} cannot be serialized: use a Keras initializer")


def check_positive_int(layer: Any, arg: str, value: Any) -> int:
    """Raise ``ValueError`` naming the layer unless ``value`` is a positive int."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{who(layer)}: {arg} must be a positive int, received {value!r}")
    return value


def check_prob(layer: Any, arg: str, value: Any, *, low_open: bool = True) -> float:
    """Raise ``ValueError`` unless ``value`` is a probability in (0, 1] (or [0, 1])."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and (
        0 < value <= 1 if low_open else 0 <= value <= 1)
    if not ok:
        rng = "(0, 1]" if low_open else "[0, 1]"
        raise ValueError(f"{who(layer)}: {arg} must be a number in {rng}, received {value!r}")
    return float(value)


def check_rank(layer: Any, shape: tf.TensorShape, rank: int | Sequence[int],
               what: str = "") -> None:
    """Raise ``ValueError`` unless ``shape`` has one of the given ranks."""
    ranks = (rank,) if isinstance(rank, int) else tuple(rank)
    if shape.rank is None or shape.rank not in ranks:
        want = " or ".join(str(r) for r in ranks)
        raise ValueError(f"{who(layer)}: expected rank-{want} input{what}, received shape "
                         f"{shape_str(shape)}")


def last_dim(layer: Any, shape: tf.TensorShape, rank: int | Sequence[int] | None = None) -> int:
    """The known last dimension of ``shape``; raise naming the layer if it is unknown."""
    if rank is not None:
        check_rank(layer, shape, rank, " with a known last dim")
    if shape.rank is None or shape.rank == 0 or shape[-1] is None:
        raise ValueError(f"{who(layer)}: expected input with a known last dim, received shape "
                         f"{shape_str(shape)}")
    return int(shape[-1])


def shape_str(shape: Any) -> str:
    """``(None, 784)`` for a TensorShape, list or tuple."""
    if isinstance(shape, tf.TensorShape):
        if shape.rank is None:
            return "<unknown rank>"
        shape = shape.as_list()
    return str(tuple(shape))
