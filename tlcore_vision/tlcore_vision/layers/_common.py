"""Argument checks and small helpers shared by the vision layers.

Errors follow the core's pattern ``<LayerClass> '<name>': <rule>, received <value>``.
"""
from __future__ import annotations

from typing import Any, Sequence

import keras
import tensorflow as tf

from tlcore.layers.utils import shape_str, who

#: TensorLayer's conv default: ``tf.truncated_normal_initializer(stddev=0.02)``.
CONV_W_INIT = keras.initializers.TruncatedNormal(stddev=0.02)

_FIRST = {"channels_first", "NCW", "NCHW", "NCDHW"}
_LAST = {"channels_last", "NWC", "NHWC", "NDHWC", None}


def fresh_init(init: Any) -> Any:
    """A copy of an unseeded Keras initializer: Keras 3 returns the same values on every call
    of one unseeded instance, so a shared default would give equal-shaped layers equal weights."""
    if isinstance(init, keras.initializers.Initializer):
        config = init.get_config()
        if config.get("seed", 0) is None:
            return type(init).from_config(config)
    return init


def add_weight(layer: Any, name: str, shape: Sequence[int], init: Any,
               trainable: bool = True) -> tf.Variable:
    """``layer.add_param`` with a fresh copy of ``init`` and every dim checked positive."""
    if any(int(d) <= 0 for d in shape):
        raise ValueError(f"{who(layer)}: parameter {name!r} would have shape {tuple(shape)}; every "
                         f"dim must be positive")
    return layer.add_param(name, shape, fresh_init(init), trainable=trainable)


def check_padding(layer: Any, padding: Any) -> str:
    """``'SAME'`` or ``'VALID'`` (any case)."""
    if not isinstance(padding, str) or padding.upper() not in ("SAME", "VALID"):
        raise ValueError(f"{who(layer)}: padding must be 'SAME' or 'VALID', received {padding!r}")
    return padding.upper()


def check_ints(layer: Any, arg: str, value: Any, n: int, *, low: int = 1) -> tuple[int, ...]:
    """An int (repeated ``n`` times) or a sequence of ``n`` ints, each ``>= low``."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,) * n
    ok = isinstance(value, (list, tuple)) and len(value) == n and all(
        isinstance(v, int) and not isinstance(v, bool) and v >= low for v in value)
    if not ok:
        what = "positive" if low == 1 else f">= {low}"
        raise ValueError(f"{who(layer)}: {arg} must be an int or {n} ints, each {what}, "
                         f"received {value!r}")
    return tuple(int(v) for v in value)


def check_data_format(layer: Any, data_format: Any) -> bool:
    """True for channels-first (``'channels_first'``, ``'NCHW'``...), False for channels-last."""
    if data_format in _FIRST:
        return True
    if data_format in _LAST:
        return False
    raise ValueError(f"{who(layer)}: data_format must be 'channels_last' or 'channels_first' (or "
                     f"a TF name such as 'NHWC'/'NCHW'), received {data_format!r}")


def check_no_stride_with_dilation(layer: Any, strides: Sequence[int],
                                  dilations: Sequence[int]) -> None:
    if any(s > 1 for s in strides) and any(d > 1 for d in dilations):
        raise ValueError(f"{who(layer)}: strides > 1 cannot be combined with dilation_rate > 1, "
                         f"received strides={tuple(strides)}, dilation_rate={tuple(dilations)}")


def channels(layer: Any, shape: tf.TensorShape, rank: int, channels_first: bool = False) -> int:
    """The known channel dim of a rank-``rank`` input; raise naming the layer otherwise."""
    if shape.rank != rank:
        raise ValueError(f"{who(layer)}: expected rank-{rank} input "
                         f"({_layout(rank, channels_first)}), received shape {shape_str(shape)}")
    c = shape[1] if channels_first else shape[-1]
    if c is None:
        raise ValueError(f"{who(layer)}: expected input with a known channel dim, received shape "
                         f"{shape_str(shape)}")
    return int(c)


def _layout(rank: int, channels_first: bool) -> str:
    spatial = {3: "W", 4: "HW", 5: "DHW"}.get(rank, "...")
    return "N" + ("C" + spatial if channels_first else spatial + "C")


def to_last(x: tf.Tensor, channels_first: bool) -> tf.Tensor:
    """Channels-first -> channels-last (CPU kernels only take channels-last)."""
    if not channels_first:
        return x
    r = x.shape.rank
    return tf.transpose(x, [0, *range(2, r), 1])


def to_first(x: tf.Tensor, channels_first: bool) -> tf.Tensor:
    """Channels-last -> channels-first when ``channels_first``."""
    if not channels_first:
        return x
    r = x.shape.rank
    return tf.transpose(x, [0, r - 1, *range(1, r - 1)])


def data_format_name(channels_first: bool) -> str:
    return "channels_first" if channels_first else "channels_last"
