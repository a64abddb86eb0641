"""The layer protocol: :class:`Layer`, the network it stands for, and :class:`InputLayer`.

A layer is built from its parent layer(s) and creates its variables at once, from the parent's
static output shape. Every layer object also stands for the whole network that ends in it
(``all_layers``, ``all_params``, ``all_drop``), and calling it runs that network::

    net = InputLayer([None, 784], name="input")
    net = DenseLayer(net, n_units=10, name="output")
    logits = net(x, is_train=False)

Names are checked per network, never globally: building the same model twice just works.
"""
from __future__ import annotations

import collections
import functools
import inspect
import logging
import types
import warnings
from typing import Any, ClassVar, Iterator, Mapping, Sequence

import tensorflow as tf

from tlcore import owner
from tlcore.layers._fresh import fresh
from tlcore.layers.fed import FedValue, StaticOutput, describe_source, fed_tensor, same_spec
from tlcore.layers.precision import cast_float, casting_view, compute_dtype, current_compute_dtype
from tlcore.layers.sharing import (check_all_reused, reuse, reused_table, reused_variable,
                                   reusing)
from tlcore.layers.utils import act_name, get_act, shape_str, who

#: re-exported: ``tl.layers.reuse`` and code written against this module use these names here
__all__ = ["FedValue", "IndexingLayer", "InputLayer", "Layer", "StaticOutput", "compute_dtype",
           "reuse", "reusing"]

logger = logging.getLogger("tlcore")

Prev = "Layer | Sequence[Layer]"


def _with_aliases(init: Any, aliases: Mapping[str, str]) -> Any:
    """Wrap ``init`` so that TensorLayer's other keyword spellings (old -> new) work."""

    @functools.wraps(init)
    def __init__(self: Layer, *args: Any, **kwargs: Any) -> None:
        for old, new in aliases.items():
            if old in kwargs:
                if new in kwargs:
                    raise TypeError(f"{who(self)}: {new} is given twice (as {new}= and as "
                                    f"TensorLayer's {old}=); pass it once, as {new}")
                warnings.warn(f"{type(self).__name__}({old}=...) is TensorLayer 1.x's spelling; "
                              f"use {new}=", DeprecationWarning, stacklevel=2)
                kwargs[new] = kwargs.pop(old)
        init(self, *args, **kwargs)

    return __init__


class Layer:
    """Base class of every tlcore layer.

    A subclass validates its arguments, sets its attributes, calls
    ``super().__init__(prev, act=act, name=name)`` (which calls :meth:`build` once), and
    implements :meth:`forward` with plain TF ops and :meth:`get_config` with its constructor's
    keywords.

    A subclass whose first parameter is TensorLayer's ``prev_layer`` (or ``layers`` for a list)
    also accepts 1.11's deprecated keyword ``layer=`` for it (and a merge layer the other one of
    ``prev_layer=``/``layers=``), plus the spellings in :attr:`arg_aliases`:
    :meth:`__init_subclass__` wraps the subclass's own ``__init__`` to rename them.

    Args:
        prev_layer: the parent layer, or a list of layers for merge layers.
        act: activation applied by ``forward`` (``None`` is the identity).
        name: unique within the network; ``<lowercase class name>_<n>`` when omitted. It may
            contain ``/`` as TensorLayer's scoped names did (``g/h0/lin``).
        dtype: dtype of the layer's variables; defaults to the parent's floating output dtype.
    """

    #: Extra keyword arguments this layer accepts when the network is called.
    call_args: ClassVar[tuple[str, ...]] = ()
    #: True when ``forward`` is correct in a lower float compute dtype (mixed precision, see
    #: :func:`compute_dtype`): it then gets its float inputs, and the trainable float variables
    #: held in its attributes (or in list attributes), cast to that dtype. Other layers run in
    #: their own dtype on inputs cast back to it.
    autocast: ClassVar[bool] = False
    #: True for layers that take a list of parents.
    multi_input: ClassVar[bool] = False
    #: TensorLayer 1.x's other keyword spellings of constructor arguments, old -> new name
    #: (``layer`` -> ``prev_layer`` is added for every layer whose first argument is that).
    arg_aliases: ClassVar[Mapping[str, str]] = {}
    #: call arguments computed from a network input at every call (see :meth:`bind_fed_value`)
    _fed_args: Mapping[str, tuple[InputLayer, FedValue]] = types.MappingProxyType({})
    #: Unique within the network (set by the constructor).
    name: str
    #: The static output: a ``tf.TensorSpec``, or a nest of them for multi-output layers.
    output_spec: Any

    def __new__(cls, *args: Any, **kwargs: Any) -> Layer:
        obj = super().__new__(cls)
        # Known before __init__ runs, so that argument checks can name the layer.
        obj.name = kwargs.get("name")  # type: ignore[assignment]  # None until __init__
        return obj

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None:
            return
        params = list(inspect.signature(init).parameters)
        first = params[1] if len(params) > 1 else None
        aliases = dict(cls.arg_aliases)
        if first in ("prev_layer", "layers"):
            aliases["layer"] = first
            if cls.multi_input:
                aliases["layers" if first == "prev_layer" else "prev_layer"] = first
        aliases = {old: new for old, new in aliases.items() if old not in params and new in params}
        if aliases:
            cls.__init__ = _with_aliases(init, aliases)  # type: ignore[method-assign]

    def __init__(self, prev_layer: Any, *, act: Any = None, name: str | None = None,
                 dtype: tf.DType | str | None = None) -> None:
        if type(self) is Layer:
            raise TypeError("Layer is abstract: subclass it and implement build and forward")
        self.prev_layers: tuple[Layer, ...] = self._check_parents(prev_layer)
        self.act = get_act(act)
        self._init_bookkeeping(name)
        in_specs = [p.output_spec for p in self.prev_layers]
        parent_dtype = (in_specs[0].dtype if in_specs and isinstance(in_specs[0], tf.TensorSpec)
                        else None)
        if dtype is not None:
            self.dtype = tf.as_dtype(dtype)
        elif parent_dtype is not None and parent_dtype.is_floating:
            self.dtype = parent_dtype
        else:
            self.dtype = tf.float32
        in_shape = self._shapes_of(in_specs)
        self.build([in_shape] if self.multi_input and len(in_specs) == 1 else in_shape)
        check_all_reused(self)
        self.output_spec = self.compute_output_spec(in_specs if self.multi_input else in_specs[0])
        logger.info("Instantiate %s %s: %s", type(self).__name__, self.name, self.describe())

    # ------------------------------------------------------------------ construction helpers
    def _check_parents(self, prev: Any) -> tuple[Layer, ...]:
        if self.multi_input:
            if isinstance(prev, Layer) or not isinstance(prev, (list, tuple)) or not prev:
                raise TypeError(f"{who(self)}: expected a non-empty list of layers, received "
                                f"{type(prev).__name__}")
            parents = tuple(prev)
        else:
            parents = (prev,)
        for p in parents:
            if not isinstance(p, Layer):
                raise TypeError(
                    f"{who(self)}: expected a tlcore Layer as parent, received "
                    f"{type(p).__name__}; wrap tensors and arrays with tl.layers.InputLayer")
        return parents

    def _init_bookkeeping(self, name: str | None) -> None:
        if name is not None and (not isinstance(name, str) or not name):
            raise ValueError(f"{type(self).__name__}: name must be a non-empty str, received "
                             f"{name!r}")
        self._explicit_name = name is not None
        self._own_params: list[tf.Variable] = []
        self._param_names: dict[int, str] = {}
        self._own_drop: tf.Variable | None = None
        ancestors = _topological(self.prev_layers)
        _dedupe_names(ancestors)
        taken = {layer.name: layer for layer in ancestors}
        if name is None:
            prefix = type(self).__name__.lower()
            n = 1
            while f"{prefix}_{n}" in taken:
                n += 1
            name = f"{prefix}_{n}"
        elif name in taken:
            other = taken[name]
            raise ValueError(
                f"{type(self).__name__} {name!r}: the name is already used by {who(other)} in this "
                f"network (layer {ancestors.index(other)}); layer names must be unique within a "
                f"network")
        self.name = name
        self._all_layers: tuple[Layer, ...] = (*ancestors, self)

    @staticmethod
    def _shapes_of(specs: Sequence[Any]) -> Any:
        shapes = [tf.nest.map_structure(lambda s: s.shape, sp) for sp in specs]
        return shapes if len(shapes) != 1 else shapes[0]

    def add_param(self, name: str, shape: Sequence[int], init: Any, *, trainable: bool = True,
                  dtype: tf.DType | None = None) -> tf.Variable:
        """Create a variable ``<layer>/<name>`` with ``init(shape, dtype)`` and list it in
        ``all_params`` (and ``trainable_params`` when ``trainable``).

        Inside ``with reuse(network):`` the network's variable of the same ``<layer>/<name>`` is
        returned instead, after checking its shape and dtype."""
        dtype = tf.as_dtype(dtype or self.dtype)
        shape = tuple(int(d) for d in shape)
        shared = reused_table()
        if shared is not None:
            return self.track_param(reused_variable(self, name, shape, dtype, shared), name)
        if init is None:
            raise ValueError(f"{who(self)}: parameter {name!r} needs an initializer")
        # A shared unseeded Keras initializer repeats its values: clone it per variable, or every
        # layer built with the class default would start from the same weights.
        value = fresh(init)(shape, dtype=dtype)
        var = tf.Variable(value, trainable=trainable, name=f"{self.name}/{name}", dtype=dtype)
        return self.track_param(var, name)

    def track_param(self, var: tf.Variable, name: str | None = None) -> tf.Variable:
        """List an existing variable (e.g. of a wrapped Keras layer) as this layer's parameter."""
        if id(var) not in self._param_names:
            self._own_params.append(var)
            self._param_names[id(var)] = name or var.name.split(":")[0].split("/")[-1]
        return var

    def bind_fed_value(self, arg: str, value: FedValue) -> None:
        """Compute the call argument ``arg`` from the data fed to one of the network's inputs,
        at every call that does not pass ``arg`` itself: TensorLayer 1.x's
        ``sequence_length=retrieve_seq_length_op(x)`` on the input placeholder ``x``.

        The input is the network's InputLayer built from ``value.source`` (that same spec or
        shape, or the InputLayer itself). Called by a layer after ``super().__init__``."""
        if arg not in self.call_args:
            raise TypeError(f"{who(self)}: {arg!r} is not a call argument of this layer "
                            f"({list(self.call_args)})")
        inputs = self.input_layers
        found = [i for i in inputs if i is value.source or i.source is value.source]
        if not found:  # an equal spec made again: accept it when it names one input only
            found = [i for i in inputs if same_spec(i.source, value.source)]
        if len(found) != 1:
            raise ValueError(
                f"{who(self)}: {arg}={value.label} is computed from "
                f"{describe_source(value.source)}, which is "
                f"{'not an input' if not found else 'ambiguous among the inputs'} of this network "
                f"(inputs: {[i.name for i in inputs]}); build the InputLayer from that same spec, "
                f"or pass {arg}= when calling the network")
        self._fed_args = types.MappingProxyType({**self._fed_args, arg: (found[0], value)})

    def add_keep(self, keep: float) -> tf.Variable:
        """Create the keep-probability variable listed in ``all_drop`` under this layer's name."""
        self._own_drop = tf.Variable(float(keep), trainable=False, dtype=tf.float32,
                                     name=f"{self.name}/keep")
        return self._own_drop

    # --------------------------------------------------------------------- subclass protocol
    def build(self, input_shape: Any) -> None:
        """Create the layer's variables from the parent's static output shape (once)."""

    def forward(self, inputs: Any, *, is_train: bool) -> Any:
        """Compute the layer's output from its parents' outputs with TF ops."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward")

    def compute_output_spec(self, input_spec: Any) -> Any:
        """The static output spec; by default found by tracing ``forward`` once."""
        flat = tf.nest.flatten(input_spec)
        kwargs: dict[str, Any] = {}

        def fn(*xs: tf.Tensor) -> Any:
            return self.forward(tf.nest.pack_sequence_as(input_spec, list(xs)), is_train=False,
                                **kwargs)

        try:
            concrete = tf.function(fn).get_concrete_function(*flat)
        except (ValueError, TypeError, tf.errors.InvalidArgumentError) as e:
            raise ValueError(f"{who(self)}: cannot be applied to input of shape "
                             f"{_spec_shapes(input_spec)}: {e}") from e
        return tf.nest.map_structure(lambda t: tf.TensorSpec(t.shape, t.dtype),
                                     concrete.structured_outputs)

    def describe(self) -> str:
        """The text after ``Instantiate <Class> <name>:`` in the build log."""
        return f"{_spec_shapes(self.output_spec)}"

    def get_config(self) -> dict[str, Any]:
        """The constructor's keywords, JSON-ready. Subclasses merge theirs over this one."""
        config: dict[str, Any] = {"name": self.name}
        if "act" in _init_params(type(self)):
            config["act"] = act_name(self.act)
        if self._fed_args:
            config["fed_args"] = {arg: fed.config(src.name)
                                  for arg, (src, fed) in self._fed_args.items()}
        return config

    @classmethod
    def from_config(cls, prev: Any, config: Mapping[str, Any]) -> Layer:
        """Rebuild a layer on ``prev`` from :meth:`get_config`'s output."""
        config = dict(config)
        fed_args = config.pop("fed_args", {})
        layer = cls(prev, **config)
        for arg, spec in fed_args.items():
            layer.bind_fed_value(arg, FedValue.from_config(layer, spec))
        return layer

    def serialize(self, *attrs: str) -> dict[str, Any]:
        """``{attr: getattr(self, attr)}`` with initializers made JSON-ready."""
        from tlcore.layers._utils import init_config

        out = {}
        for a in attrs:
            value = getattr(self, a)
            if callable(value) and not isinstance(value, type):
                value = init_config(value)
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, tf.DType):
                value = value.name
            out[a] = value
        return out

    # ------------------------------------------------------------------ the network it ends
    @property
    def all_layers(self) -> list[Layer]:
        """Every layer of the network ending here, in topological order, inputs included."""
        return list(self._all_layers)

    @property
    def all_params(self) -> list[tf.Variable]:
        """Every variable in creation order, de-duplicated, non-trainable ones included."""
        seen: set[int] = set()
        out = []
        for layer in self._all_layers:
            for v in layer._own_params:
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    @property
    def trainable_params(self) -> list[tf.Variable]:
        """The trainable subset of :attr:`all_params`, in the same order."""
        return [v for v in self.all_params if v.trainable]

    @property
    def all_drop(self) -> dict[str, tf.Variable]:
        """Dropout layer name -> keep-probability variable; change it with ``.assign``."""
        return collections.OrderedDict(
            (layer.name, layer._own_drop) for layer in self._all_layers
            if layer._own_drop is not None)

    @property
    def state_variables(self) -> list[tf.Variable]:
        """This layer's variables that are not parameters but that ``forward`` reads (a dropout
        keep probability, an RNN's kept state). Exporters must track them too."""
        return [self._own_drop] if self._own_drop is not None else []

    @property
    def input_layers(self) -> list[InputLayer]:
        """The network's InputLayers in the order ``__call__`` takes a list of inputs."""
        return [layer for layer in self._all_layers if isinstance(layer, InputLayer)]

    @property
    def outputs(self) -> Any:
        """TensorLayer's ``net.outputs``, for ported code: the static output (shape and dtype,
        with TensorLayer's ``get_shape()``). There is no symbolic tensor: call the network,
        ``net(x)``, for values."""
        return tf.nest.map_structure(StaticOutput.of, self.output_spec)

    @outputs.setter
    def outputs(self, value: Any) -> None:
        raise AttributeError(
            f"{who(self)}: outputs is read-only. To change what a layer computes, build a layer "
            f"on it (tl.layers.LambdaLayer(net, fn=...)) or subclass Layer and implement forward; "
            f"to get values, call the network: net(x, is_train=False)")

    @property
    def output_shape(self) -> Any:
        """Static output shape as a tuple (``None`` for unknown dims); a list for list outputs."""
        return tf.nest.map_structure(lambda s: _as_tuple(s.shape), self.output_spec)

    @property
    def output_dtype(self) -> Any:
        """Output dtype (a list for layers with list outputs)."""
        return tf.nest.map_structure(lambda s: s.dtype, self.output_spec)

    def param_name(self, var: tf.Variable) -> str:
        """``<layer>/<var>``, the name used by ``print_params`` and ``save_npz_dict``."""
        for layer in self._all_layers:
            if id(var) in layer._param_names:
                return f"{layer.name}/{layer._param_names[id(var)]}"
        raise KeyError(f"variable {var.name!r} is not a parameter of this network")

    def count_params(self) -> int:
        """Number of scalars in :attr:`all_params`."""
        return owner.count_params(self.all_params)

    def print_params(self, details: bool = True) -> None:
        """Log each parameter's name, shape and dtype (and mean, median, std), then the total."""
        owner.print_params(self, details)

    def print_layers(self) -> None:
        """Log each layer's name, output shape and dtype."""
        for i, layer in enumerate(self._all_layers):
            logger.info("  layer %3d: %-30s %-20s %s", i, layer.name,
                        _spec_shapes(layer.output_spec),
                        tf.nest.map_structure(lambda s: s.dtype.name, layer.output_spec))

    # ------------------------------------------------------------------------------ running
    def __call__(self, inputs: Any, is_train: bool = False, **kwargs: Any) -> Any:
        """Run the network ending in this layer.

        Args:
            inputs: one array or tensor for a single InputLayer; for several, a list in
                :attr:`input_layers` order or a dict keyed by InputLayer name.
            is_train: a Python bool; dropout and noise are active and BatchNorm updates its
                moving statistics only when True.
            **kwargs: call-time arguments of layers that declare them in ``call_args``. One
                bound to an input with :meth:`bind_fed_value` is computed from what is fed,
                unless given here.

        Returns:
            The output tensor (or list of tensors). Traces under ``tf.function``.
        """
        if not isinstance(is_train, bool):
            raise TypeError(f"{who(self)}: is_train must be a Python bool, received {is_train!r}")
        feed = self._feed(inputs)
        accepted = {a for layer in self._all_layers for a in layer.call_args}
        unknown = set(kwargs) - accepted
        if unknown:
            raise TypeError(f"{who(self)}: unexpected call arguments {sorted(unknown)}; layers of "
                            f"this network accept {sorted(accepted) or 'none'}")
        values: dict[int, Any] = {}
        compute = current_compute_dtype()
        for layer in self._all_layers:
            if isinstance(layer, InputLayer):
                values[id(layer)] = layer.convert(feed[id(layer)])
                continue
            xs = [values[id(p)] for p in layer.prev_layers]
            extra = {a: kwargs[a] for a in layer.call_args if a in kwargs}
            for a, (src, fed) in layer._fed_args.items():
                given = extra.get(a)
                if given is None or (isinstance(given, Mapping) and layer.name not in given):
                    extra[a] = fed.fn(fed_tensor(src, feed[id(src)]))
            runner = layer
            if compute is not None:
                if layer.autocast and layer.dtype.is_floating:
                    xs = tf.nest.map_structure(lambda t: cast_float(t, compute), xs)
                    if compute != layer.dtype:
                        runner = casting_view(layer, compute)
                else:  # only what mixed precision lowered goes back to the layer's dtype
                    back = layer.dtype if layer.dtype.is_floating else tf.float32
                    xs = tf.nest.map_structure(
                        lambda t, d=back: cast_float(t, d, only=compute), xs)
            values[id(layer)] = runner.forward(xs if layer.multi_input else xs[0],
                                               is_train=is_train, **extra)
        return values[id(self)]

    def _feed(self, inputs: Any) -> dict[int, Any]:
        ins = self.input_layers
        if isinstance(inputs, Mapping):
            names = {layer.name for layer in ins}
            if len(names) < len(ins):
                raise ValueError(f"{who(self)}: several InputLayers share a name "
                                 f"({[layer.name for layer in ins]}, built under reuse); pass "
                                 f"a list of inputs in input_layers order instead of a dict")
            if set(inputs) != names:
                raise ValueError(f"{who(self)}: expected inputs for InputLayers {sorted(names)}, "
                                 f"received keys {sorted(inputs)}")
            return {id(layer): inputs[layer.name] for layer in ins}
        if len(ins) == 1:
            return {id(ins[0]): inputs}
        if not isinstance(inputs, (list, tuple)) or len(inputs) != len(ins):
            raise ValueError(f"{who(self)}: the network has {len(ins)} InputLayers "
                             f"{[layer.name for layer in ins]}; pass a list of {len(ins)} inputs "
                             f"or a dict keyed by their names")
        return {id(layer): x for layer, x in zip(ins, inputs)}

    # --------------------------------------------------------------------------- container
    def __getitem__(self, key: Any) -> Layer:
        """Slice the output: ``net[:, 0]`` is a new layer ``<name>_indexing``."""
        layer = IndexingLayer(self, key=key, name=_free_name(self, f"{self.name}_indexing"))
        layer._explicit_name = False  # a merge of two slices renumbers instead of failing
        return layer

    def __iter__(self) -> Iterator[Layer]:
        return iter(self._all_layers)

    def __len__(self) -> int:
        return len(self._all_layers)

    def __setitem__(self, key: Any, value: Any) -> None:
        raise TypeError(f"{who(self)}: layers are immutable; build a new layer instead")

    def __delitem__(self, key: Any) -> None:
        raise TypeError(f"{who(self)}: layers are immutable; build a new layer instead")

    def __repr__(self) -> str:
        return (f"  Last layer is: {type(self).__name__} ({self.name}) "
                f"{_spec_shapes(self.output_spec)}")

    __str__ = __repr__


class InputLayer(Layer):
    """The start of a network: declares the shape and dtype of what is fed.

    Args:
        inputs: a shape (list/tuple with ``None`` for unknown dims), a ``tf.TensorSpec``, or an
            array/tensor whose dtype and shape are taken (first dim made ``None``).
        dtype: dtype of a shape given as a list (ignored for specs and arrays); by default
            ``tl.layers.LayersConfig.tf_dtype`` (float32).
        name: the name; ``inputlayer_<n>`` when omitted.

    >>> InputLayer([None, 784], name="input").output_shape
    (None, 784)
    """

    def __init__(self, inputs: Any, dtype: tf.DType | str | None = None,
                 name: str | None = None) -> None:
        if dtype is None:
            from tlcore.layers.compat import LayersConfig  # (imports this module)

            dtype = LayersConfig.tf_dtype
        if isinstance(inputs, tf.TensorSpec):
            shape, dtype = inputs.shape, inputs.dtype
        elif isinstance(inputs, (list, tuple, tf.TensorShape)):
            shape = tf.TensorShape(inputs)
        elif hasattr(inputs, "shape") and hasattr(inputs, "dtype"):
            shape = tf.TensorShape(inputs.shape)
            if shape.rank:
                shape = tf.TensorShape([None, *shape.as_list()[1:]])
            dtype = tf.as_dtype(inputs.dtype)
        else:
            raise TypeError(f"InputLayer {name!r}: expected a shape, a tf.TensorSpec or an array, "
                            f"received {type(inputs).__name__}")
        self.prev_layers = ()
        self.act = get_act(None)
        self.dtype = tf.as_dtype(dtype)
        self._explicit_name = name is not None
        self._own_params, self._param_names, self._own_drop = [], {}, None
        self.name = name or "inputlayer_1"
        self._all_layers = (self,)
        self.output_spec = tf.TensorSpec(shape, self.dtype)
        #: what the layer was built from; ported code passes it again where 1.11 took the
        #: placeholder (e.g. ``ReconLayer(..., x_recon=x)``)
        self.source = inputs
        logger.info("Instantiate InputLayer %s %s", self.name, shape_str(shape))

    def convert(self, x: Any) -> tf.Tensor:
        """Turn fed data into a tensor of this input's dtype, checking its shape."""
        t = x if isinstance(x, tf.Tensor) else tf.convert_to_tensor(x)
        if t.dtype != self.dtype:
            same_kind = (t.dtype.is_floating and self.dtype.is_floating) or (
                t.dtype.is_integer and self.dtype.is_integer) or (
                t.dtype.is_integer and self.dtype.is_floating)
            if not same_kind:
                raise TypeError(f"{who(self)}: expected dtype {self.dtype.name}, received "
                                f"{t.dtype.name}")
            t = tf.cast(t, self.dtype)
        if not self.output_spec.shape.is_compatible_with(t.shape):
            raise ValueError(f"{who(self)}: expected shape {shape_str(self.output_spec.shape)}, "
                             f"received {shape_str(t.shape)}")
        return t

    def forward(self, inputs: Any, *, is_train: bool) -> Any:
        return inputs

    def get_config(self) -> dict[str, Any]:
        return {"inputs": _as_list(self.output_spec.shape), "dtype": self.dtype.name,
                "name": self.name}

    @classmethod
    def from_config(cls, prev: Any, config: Mapping[str, Any]) -> Layer:
        return cls(**dict(config))


class IndexingLayer(Layer):
    """Slices its parent's output with a fixed key (made by ``layer[key]``).

    Args:
        prev_layer: the parent layer.
        key: an int, slice, ``Ellipsis``/``None`` or a tuple of these.
    """

    def __init__(self, prev_layer: Layer, *, key: Any, name: str | None = None) -> None:
        self.key = _decode_key(key)
        super().__init__(prev_layer, name=name)

    def forward(self, inputs: Any, *, is_train: bool) -> Any:
        return inputs[self.key]

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "key": _encode_key(self.key)}


# --------------------------------------------------------------------------------- helpers
def _topological(parents: Sequence[Layer]) -> list[Layer]:
    """Ancestors of ``parents`` (included), each once, parents before children."""
    order: list[Layer] = []
    seen: set[int] = set()
    for p in parents:
        for layer in p._all_layers:
            if id(layer) not in seen:
                seen.add(id(layer))
                order.append(layer)
    return order


def _dedupe_names(layers: list[Layer]) -> None:
    """Two branches merged here may repeat a name: explicit ones are an error, automatic ones
    are renumbered (they were only ever unique within their branch)."""
    by_name: dict[str, Layer] = {}
    for layer in layers:
        other = by_name.get(layer.name)
        if other is None:
            by_name[layer.name] = layer
            continue
        if _shares_variables(layer, other):
            continue  # TensorLayer's reuse: one set of weights applied twice keeps its name
        if layer._explicit_name and other._explicit_name:
            raise ValueError(f"{who(layer)} and {who(other)} are different layers with the same "
                             f"name in one network; layer names must be unique within a network")
        victim = layer if not layer._explicit_name else other
        keeper = other if victim is layer else layer
        prefix = type(victim).__name__.lower()
        n = 1
        while f"{prefix}_{n}" in by_name or any(x.name == f"{prefix}_{n}" for x in layers):
            n += 1
        victim.name = f"{prefix}_{n}"
        by_name[keeper.name] = keeper
        by_name[victim.name] = victim


def _shares_variables(a: Layer, b: Layer) -> bool:
    """True when ``b`` was built under ``reuse`` on ``a``'s variables (or the reverse)."""
    return (type(a) is type(b) and bool(a._own_params)
            and [id(v) for v in a._own_params] == [id(v) for v in b._own_params])


def _free_name(net: Layer, base: str) -> str:
    names = {layer.name for layer in net._all_layers}
    if base not in names:
        return base
    n = 1
    while f"{base}_{n}" in names:
        n += 1
    return f"{base}_{n}"


def _as_tuple(shape: tf.TensorShape) -> tuple[int | None, ...] | None:
    return None if shape.rank is None else tuple(shape.as_list())


def _as_list(shape: tf.TensorShape) -> list[int | None] | None:
    return None if shape.rank is None else shape.as_list()


def _spec_shapes(spec: Any) -> str:
    if isinstance(spec, tf.TensorSpec):
        return shape_str(spec.shape)
    return str(tf.nest.map_structure(lambda s: _as_tuple(s.shape), spec))


def _init_params(cls: type[Layer]) -> set[str]:
    return set(inspect.signature(cls.__init__).parameters)


def _encode_key(key: Any) -> Any:
    if isinstance(key, tuple):
        return {"tuple": [_encode_key(k) for k in key]}
    if isinstance(key, slice):
        return {"slice": [key.start, key.stop, key.step]}
    if key is Ellipsis:
        return {"ellipsis": True}
    if key is None:
        return {"newaxis": True}
    return key


def _decode_key(key: Any) -> Any:
    if isinstance(key, dict):
        if "tuple" in key:
            return tuple(_decode_key(k) for k in key["tuple"])
        if "slice" in key:
            return slice(*key["slice"])
        if "ellipsis" in key:
            return Ellipsis
        if "newaxis" in key:
            return None
    return key
