"""Merge layers (a list of parents): ConcatLayer, ElementwiseLayer, ElementwiseLambdaLayer,
StackLayer, MultiplexerLayer; and UnStackLayer, whose output is a list (``net[i]`` selects).
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np
import tensorflow as tf

from tlcore.layers._utils import Act, shape_str, who
from tlcore.layers.core import Layer

_COMBINE = ("minimum", "maximum", "add", "subtract", "multiply", "divide", "pow",
            "squared_difference", "logical_and", "logical_or")


def _as_list(input_shape: Any) -> list[tf.TensorShape]:
    return list(input_shape)


def _check_axis(layer: Layer, arg: str, axis: Any) -> int:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(f"{who(layer)}: {arg} must be an int, received {axis!r}")
    return int(axis)


def _axis_in(layer: Layer, arg: str, axis: int, rank: int | None, shape: Any) -> None:
    if rank is not None and not -rank <= axis < rank:
        raise ValueError(f"{who(layer)}: {arg} must be in [{-rank}, {rank - 1}] for input shape "
                         f"{shape_str(shape)}, received {axis}")


class ConcatLayer(Layer):
    """Concatenates the outputs of several layers along ``concat_dim`` (``tf.concat``).

    Args:
        prev_layer: list of parent layers; all dims but ``concat_dim`` must agree.
        concat_dim: the axis to concatenate along.
        name: layer name.

    >>> ConcatLayer([InputLayer([None, 3], name="a"), InputLayer([None, 4], name="b")]).output_shape
    (None, 7)
    """

    multi_input = True

    def __init__(self, prev_layer: list[Layer], concat_dim: int = -1,
                 name: str | None = None) -> None:
        self.concat_dim = _check_axis(self, "concat_dim", concat_dim)
        super().__init__(prev_layer, name=name)

    def build(self, input_shape: list[tf.TensorShape]) -> None:
        input_shape = _as_list(input_shape)
        ranks = {s.rank for s in input_shape}
        if len(ranks) != 1:
            raise ValueError(f"{who(self)}: expected inputs of one rank, received shapes "
                             f"{[shape_str(s) for s in input_shape]}")
        _axis_in(self, "concat_dim", self.concat_dim, input_shape[0].rank, input_shape[0])

    def forward(self, inputs: list[tf.Tensor], *, is_train: bool) -> tf.Tensor:
        return tf.concat(inputs, self.concat_dim)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("concat_dim")}


class ElementwiseLayer(Layer):
    """Combines the outputs of several layers element-wise: ``act(fn(fn(x0, x1), x2) ...)``.

    Args:
        prev_layer: list of parent layers with broadcast-compatible shapes.
        combine_fn: a binary function such as ``tf.minimum`` (TensorLayer's default),
            ``tf.add`` or ``tf.multiply``, or its ``tf.math`` name (``"add"``). Only ``tf.math``
            functions serialize.
        act: activation applied to the combination.
        name: layer name.

    >>> a, b = InputLayer([None, 3], name="a"), InputLayer([None, 3], name="b")
    >>> ElementwiseLayer([a, b], combine_fn=tf.add).output_shape
    (None, 3)
    """

    multi_input = True

    def __init__(self, prev_layer: list[Layer], combine_fn: Callable | str = tf.minimum,
                 act: Act = None, name: str | None = None) -> None:
        if isinstance(combine_fn, str):
            if combine_fn not in _COMBINE:
                raise ValueError(f"{who(self)}: combine_fn must be a callable or one of "
                                 f"{list(_COMBINE)}, received {combine_fn!r}")
            combine_fn = getattr(tf.math, combine_fn)
        if not callable(combine_fn):
            raise ValueError(f"{who(self)}: combine_fn must be a callable, received {combine_fn!r}")
        self.combine_fn = combine_fn
        super().__init__(prev_layer, act=act, name=name)

    def forward(self, inputs: list[tf.Tensor], *, is_train: bool) -> tf.Tensor:
        out = inputs[0]
        for x in inputs[1:]:
            out = self.combine_fn(out, x)
        return self.act(out)

    def get_config(self) -> dict[str, Any]:
        fn_name = getattr(self.combine_fn, "__name__", None)
        if fn_name not in _COMBINE or getattr(tf.math, fn_name) is not self.combine_fn:
            raise ValueError(f"{who(self)}: combine_fn {self.combine_fn!r} cannot be serialized; "
                             f"use one of {list(_COMBINE)} from tf.math")
        return {**super().get_config(), "combine_fn": fn_name}


class ElementwiseLambdaLayer(Layer):
    """Applies ``fn(x0, x1, ..., **fn_args)`` to the outputs of several layers, e.g. the
    reparameterization
    ``lambda mean, logstd: mean + tf.random.normal(tf.shape(mean)) * tf.exp(logstd)``.

    ``fn`` must use TF ops only (it is traced by ``tf.function``) and create no variables.
    A Python callable cannot be serialized: ``get_config`` raises ``ValueError``.

    Args:
        layers: list of parent layers.
        fn: the function, called with one positional argument per parent.
        fn_args: extra keyword arguments for ``fn``.
        act: activation applied to the result.
        name: layer name.

    >>> a, b = InputLayer([None, 3], name="a"), InputLayer([None, 3], name="b")
    >>> ElementwiseLambdaLayer([a, b], fn=lambda x, y: x * y).output_shape
    (None, 3)
    """

    multi_input = True

    def __init__(self, layers: list[Layer], fn: Callable, fn_args: Mapping[str, Any] | None = None,
                 act: Act = None, name: str | None = None) -> None:
        if not callable(fn):
            raise ValueError(f"{who(self)}: fn must be a callable, received {fn!r}")
        if fn_args is not None and not isinstance(fn_args, Mapping):
            raise ValueError(f"{who(self)}: fn_args must be a dict or None, received {fn_args!r}")
        self.fn, self.fn_args = fn, dict(fn_args or {})
        super().__init__(layers, act=act, name=name)

    def forward(self, inputs: list[tf.Tensor], *, is_train: bool) -> Any:
        return self.act(self.fn(*inputs, **self.fn_args))

    def get_config(self) -> dict[str, Any]:
        raise ValueError(f"{who(self)}: a layer holding a Python function (fn={self.fn!r}) cannot "
                         f"be serialized; rebuild it in code")


class StackLayer(Layer):
    """Stacks the outputs of several layers of one shape along a new ``axis`` (``tf.stack``).

    Args:
        layers: list of parent layers with the same output shape.
        axis: position of the new dim in the output (TensorLayer's default 1: after the batch).
        name: layer name.

    >>> a, b = InputLayer([None, 3], name="a"), InputLayer([None, 3], name="b")
    >>> StackLayer([a, b], axis=1).output_shape
    (None, 2, 3)
    """

    multi_input = True

    def __init__(self, layers: list[Layer], axis: int = 1, name: str | None = None) -> None:
        self.axis = _check_axis(self, "axis", axis)
        super().__init__(layers, name=name)

    def build(self, input_shape: list[tf.TensorShape]) -> None:
        input_shape = _as_list(input_shape)
        first = input_shape[0]
        if any(not first.is_compatible_with(s) for s in input_shape[1:]):
            raise ValueError(f"{who(self)}: expected inputs of one shape, received shapes "
                             f"{[shape_str(s) for s in input_shape]}")
        if first.rank is not None:
            _axis_in(self, "axis", self.axis, first.rank + 1, first)

    def forward(self, inputs: list[tf.Tensor], *, is_train: bool) -> tf.Tensor:
        return tf.stack(inputs, axis=self.axis)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("axis")}


class UnStackLayer(Layer):
    """Splits the output along ``axis`` into a list of tensors (``tf.unstack``).

    The layer's output is a list; ``net[i]`` is a layer for the i-th tensor, and, as in
    TensorLayer 1.11, ``net.outputs`` is the list of these layers (``<name>0``, ``<name>1``...).

    Args:
        prev_layer: parent layer; the size of ``axis`` must be known (or ``num`` given).
        num: number of pieces; inferred from the static shape when ``None``.
        axis: the axis to split (TensorLayer's default 0, the batch, needs ``num``).
        name: layer name.

    >>> net = UnStackLayer(InputLayer([None, 2, 3]), axis=1)
    >>> net.output_shape, net[1].output_shape
    ([(None, 3), (None, 3)], (None, 3))
    """

    def __init__(self, prev_layer: Layer, num: int | None = None, axis: int = 0,
                 name: str | None = None) -> None:
        self.axis = _check_axis(self, "axis", axis)
        if num is not None and (isinstance(num, bool) or not isinstance(num, int) or num <= 0):
            raise ValueError(f"{who(self)}: num must be a positive int or None, received {num!r}")
        self.num = num
        super().__init__(prev_layer, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        _axis_in(self, "axis", self.axis, input_shape.rank, input_shape)
        size = None if input_shape.rank is None else input_shape[self.axis]
        if self.num is None and size is None:
            raise ValueError(f"{who(self)}: the size of axis {self.axis} of input shape "
                             f"{shape_str(input_shape)} is unknown; pass num")
        if self.num is not None and size is not None and self.num != size:
            raise ValueError(f"{who(self)}: num={self.num} does not match the size {size} of axis "
                             f"{self.axis} of input shape {shape_str(input_shape)}")

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> list[tf.Tensor]:
        return tf.unstack(inputs, num=self.num, axis=self.axis)

    @property
    def outputs(self) -> list[Layer]:
        """One layer per piece, made once (TensorLayer 1.11's ``UnStackLayer.outputs``)."""
        if getattr(self, "_pieces", None) is None:
            from tlcore.layers.core import IndexingLayer

            self._pieces = []
            for i in range(len(self.output_spec)):
                piece = IndexingLayer(self, key=i, name=f"{self.name}{i}")
                piece._explicit_name = False  # merging pieces of two unstacks renumbers them
                self._pieces.append(piece)
        return list(self._pieces)

    @outputs.setter
    def outputs(self, value: Any) -> None:
        # the base class's read-only error (mypy types a property with a setter as an overload)
        Layer.outputs.fset(self, value)  # type: ignore[attr-defined]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("num", "axis")}


class MultiplexerLayer(Layer):
    """Outputs the output of the parent selected at call time: ``net(x, sel=1)``.

    TensorLayer fed the ``.sel`` placeholder; here ``sel`` (a Python int or an int32 scalar
    tensor, so it can change inside one ``tf.function`` trace) is a call argument.

    Args:
        layers: list of parent layers with the same output shape and dtype.
        name: layer name.

    >>> a, b = InputLayer([None, 3], name="a"), InputLayer([None, 3], name="b")
    >>> MultiplexerLayer([a, b]).output_shape
    (None, 3)
    """

    multi_input = True
    call_args = ("sel",)

    def __init__(self, layers: list[Layer], name: str | None = None) -> None:
        super().__init__(layers, name=name)

    def build(self, input_shape: list[tf.TensorShape]) -> None:
        input_shape = _as_list(input_shape)
        first = input_shape[0]
        if any(not first.is_compatible_with(s) for s in input_shape[1:]):
            raise ValueError(f"{who(self)}: expected inputs of one shape, received shapes "
                             f"{[shape_str(s) for s in input_shape]}")
        self.n_inputs = len(input_shape)

    def compute_output_spec(self, input_spec: list[tf.TensorSpec]) -> tf.TensorSpec:
        dtypes = {s.dtype for s in input_spec}
        if len(dtypes) != 1:
            raise ValueError(f"{who(self)}: expected inputs of one dtype, received "
                             f"{[s.dtype.name for s in input_spec]}")
        shape = input_spec[0].shape
        for s in input_spec[1:]:
            shape = shape.most_specific_compatible_shape(s.shape)
        return tf.TensorSpec(shape, input_spec[0].dtype)

    def forward(self, inputs: list[tf.Tensor], *, is_train: bool, sel: Any = None) -> tf.Tensor:
        if sel is None:
            raise TypeError(f"{who(self)}: pass the selection when calling the network, e.g. "
                            f"net(x, sel=0) with sel in [0, {self.n_inputs - 1}]")
        if isinstance(sel, (int, np.integer)) and not 0 <= int(sel) < self.n_inputs:
            raise ValueError(f"{who(self)}: sel must be in [0, {self.n_inputs - 1}], "
                             f"received {sel}")
        return tf.gather(tf.stack(inputs), tf.cast(sel, tf.int32))
