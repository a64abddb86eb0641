"""Recurrent cells written from TF ops, and the compiled time loop that runs them.

The TF1 cells (``tf.nn.rnn_cell.*``) no longer exist; these keep their math and variable
layout so that TensorLayer models port with the same numbers:

- :class:`BasicLSTMCell`: one ``kernel`` of shape ``(n_in + n_hidden, 4 * n_hidden)`` with the
  gates in the order i, j, f, o, a zero-initialised ``bias`` and ``forget_bias`` added to f.
  State ``LSTMStateTuple(c, h)``.
- :class:`GRUCell`: ``gates/kernel`` ``(n_in + H, 2H)`` (r, u; bias initialised to 1) and
  ``candidate/kernel`` ``(n_in + H, H)``; ``h' = u * h + (1 - u) * tanh(W [x, r * h] + b)``.
- :class:`BasicRNNCell`: ``h' = tanh(W [x, h] + b)``.

A cell does not own variables: the recurrent layer that uses it creates them through its own
``add_param`` (which also clones an unseeded initializer per variable), so they appear in the
layer's ``all_params`` under ``<layer>/<prefix>kernel``.

The cell math is split so the time loop stays small: ``input_proj`` applies the input half of
the kernel (and the bias) to every step at once, outside the loop; the ``stepper`` adds the
recurrent half inside it. ``cell(x, state)`` runs one step, like a TF1 cell.
"""
from __future__ import annotations

import collections
import inspect
from typing import Any, Callable

import keras
import tensorflow as tf

from tlcore.layers.utils import get_act, who

__all__ = ["BasicLSTMCell", "BasicRNNCell", "GRUCell", "LSTMStateTuple", "RNNCell",
           "resolve_cell", "unroll"]

#: The LSTM state, as TF1's ``LSTMStateTuple``: memory ``c`` and output ``h``.
LSTMStateTuple = collections.namedtuple("LSTMStateTuple", ["c", "h"])

Step = Callable[[tf.Tensor, Any], tuple[tf.Tensor, Any]]


def _matmul(x: tf.Tensor, w: tf.Tensor) -> tf.Tensor:
    """``x @ w`` over the last axis of an input of any rank."""
    if x.shape.rank == 2:
        return tf.matmul(x, w)
    lead = tf.shape(x)[:-1]
    y = tf.matmul(tf.reshape(x, [-1, tf.shape(x)[-1]]), w)
    return tf.reshape(y, tf.concat([lead, tf.shape(w)[-1:]], 0))


class RNNCell:
    """Base of the cells: holds the owner's variables and the cell's options.

    Args:
        owner: the layer whose ``add_param`` creates the variables.
        n_in: input features.
        n_hidden: units (the output and state size).
        initializer: initializer of the kernels (TensorLayer: uniform(-0.1, 0.1)).
        prefix: variable-name prefix inside the owner, e.g. ``"fw/cell_0/"``.
    """

    #: constructor keywords a user may pass through ``cell_init_args``
    options: tuple[str, ...] = ("activation",)

    def __init__(self, owner: Any, n_in: int, n_hidden: int, *, initializer: Any,
                 prefix: str = "", activation: Any = None) -> None:
        self.owner, self.n_in, self.n_hidden, self.prefix = owner, n_in, n_hidden, prefix
        self.activation = get_act(activation) if activation is not None else tf.tanh
        self.initializer = initializer
        self.build()

    def build(self) -> None:
        raise NotImplementedError

    def _param(self, name: str, shape: tuple[int, ...], init: Any) -> tf.Variable:
        # the owner's add_param clones an unseeded initializer per variable (one cloning path)
        return self.owner.add_param(f"{self.prefix}{name}", shape, init)

    @property
    def output_size(self) -> int:
        return self.n_hidden

    @property
    def state_shapes(self) -> Any:
        """The state's structure with a per-example ``tf.TensorShape`` at each leaf."""
        return tf.TensorShape([self.n_hidden])

    def zero_state(self, batch_size: Any, dtype: tf.DType = tf.float32) -> Any:
        """Zeros of the state's structure for ``batch_size`` examples."""
        return tf.nest.map_structure(lambda s: tf.zeros(tf.concat([[batch_size], s], 0), dtype),
                                     self.state_shapes)

    def input_proj(self, x: tf.Tensor) -> tf.Tensor:
        """The input's share of every gate (bias included), for all steps at once."""
        raise NotImplementedError

    def stepper(self) -> Step:
        """``step(projected_input_t, state) -> (output_t, new_state)`` with the recurrent weights
        sliced once, outside the loop."""
        raise NotImplementedError

    def __call__(self, inputs: tf.Tensor, state: Any) -> tuple[tf.Tensor, Any]:
        """One step, as a TF1 cell: ``(output, new_state)``."""
        inputs = tf.convert_to_tensor(inputs, self.owner.dtype)
        state = tf.nest.map_structure(lambda t: tf.convert_to_tensor(t, self.owner.dtype), state)
        return self.stepper()(self.input_proj(inputs), state)


class BasicLSTMCell(RNNCell):
    """TF1's BasicLSTMCell: gates i, j, f, o from one kernel; ``forget_bias`` added to f.

    ``c' = c * sigmoid(f + forget_bias) + sigmoid(i) * act(j)``, ``h' = act(c') * sigmoid(o)``.

    Args:
        forget_bias: added to the forget gate (1.0; the PTB tutorial uses 0.0).
        state_is_tuple: accepted for ported code; the state is always ``LSTMStateTuple``.
        activation: ``tanh`` by default.
    """

    options = ("forget_bias", "state_is_tuple", "activation")

    def __init__(self, owner: Any, n_in: int, n_hidden: int, *, initializer: Any,
                 prefix: str = "", forget_bias: float = 1.0, state_is_tuple: bool = True,
                 activation: Any = None) -> None:
        if isinstance(forget_bias, bool) or not isinstance(forget_bias, (int, float)):
            raise ValueError(f"{who(owner)}: forget_bias must be a number, received "
                             f"{forget_bias!r}")
        self.forget_bias = float(forget_bias)
        self.state_is_tuple = bool(state_is_tuple)
        super().__init__(owner, n_in, n_hidden, initializer=initializer, prefix=prefix,
                         activation=activation)

    def build(self) -> None:
        h = self.n_hidden
        self.kernel = self._param("kernel", (self.n_in + h, 4 * h), self.initializer)
        self.bias = self._param("bias", (4 * h,), keras.initializers.Zeros())

    @property
    def state_shapes(self) -> Any:
        return LSTMStateTuple(tf.TensorShape([self.n_hidden]), tf.TensorShape([self.n_hidden]))

    def input_proj(self, x: tf.Tensor) -> tf.Tensor:
        return _matmul(x, self.kernel[: self.n_in]) + self.bias

    def stepper(self) -> Step:
        w_h, fb, act = self.kernel[self.n_in:], self.forget_bias, self.activation

        def step(xp: tf.Tensor, state: LSTMStateTuple) -> tuple[tf.Tensor, LSTMStateTuple]:
            c, h = state
            i, j, f, o = tf.split(xp + tf.matmul(h, w_h), 4, axis=-1)
            new_c = c * tf.sigmoid(f + fb) + tf.sigmoid(i) * act(j)
            new_h = act(new_c) * tf.sigmoid(o)
            return new_h, LSTMStateTuple(new_c, new_h)

        return step


class GRUCell(RNNCell):
    """TF1's GRUCell: ``r, u = sigmoid(W_g [x, h] + b_g)``, ``c = act(W_c [x, r * h] + b_c)``,
    ``h' = u * h + (1 - u) * c``; ``gates/bias`` starts at 1 (TF1's default)."""

    def build(self) -> None:
        n, h = self.n_in, self.n_hidden
        self.gate_kernel = self._param("gates/kernel", (n + h, 2 * h), self.initializer)
        self.gate_bias = self._param("gates/bias", (2 * h,), keras.initializers.Ones())
        self.cand_kernel = self._param("candidate/kernel", (n + h, h), self.initializer)
        self.cand_bias = self._param("candidate/bias", (h,), keras.initializers.Zeros())

    def input_proj(self, x: tf.Tensor) -> tf.Tensor:
        n = self.n_in
        return tf.concat([_matmul(x, self.gate_kernel[:n]) + self.gate_bias,
                          _matmul(x, self.cand_kernel[:n]) + self.cand_bias], axis=-1)

    def stepper(self) -> Step:
        n, hh, act = self.n_in, self.n_hidden, self.activation
        wg, wc = self.gate_kernel[n:], self.cand_kernel[n:]

        def step(xp: tf.Tensor, h: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
            g = tf.sigmoid(xp[:, : 2 * hh] + tf.matmul(h, wg))
            r, u = tf.split(g, 2, axis=-1)
            c = act(xp[:, 2 * hh:] + tf.matmul(r * h, wc))
            new_h = u * h + (1.0 - u) * c
            return new_h, new_h

        return step


class BasicRNNCell(RNNCell):
    """TF1's BasicRNNCell: ``h' = act(W [x, h] + b)``."""

    def build(self) -> None:
        h = self.n_hidden
        self.kernel = self._param("kernel", (self.n_in + h, h), self.initializer)
        self.bias = self._param("bias", (h,), keras.initializers.Zeros())

    def input_proj(self, x: tf.Tensor) -> tf.Tensor:
        return _matmul(x, self.kernel[: self.n_in]) + self.bias

    def stepper(self) -> Step:
        w_h, act = self.kernel[self.n_in:], self.activation

        def step(xp: tf.Tensor, h: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
            new_h = act(xp + tf.matmul(h, w_h))
            return new_h, new_h

        return step


#: names a ``cell_fn`` string (or a TF1 cell class's ``__name__``) may take
_CELLS: dict[str, type[RNNCell]] = {}
for _cls, _names in ((BasicLSTMCell, ("BasicLSTMCell", "LSTMCell", "LSTM", "basic_lstm", "lstm")),
                     (GRUCell, ("GRUCell", "GRU", "gru")),
                     (BasicRNNCell, ("BasicRNNCell", "RNNCell", "SimpleRNN", "rnn", "basic_rnn",
                                     "vanilla"))):
    for _n in _names:
        _CELLS[_n] = _cls


def resolve_cell(layer: Any, cell_fn: Any, cell_init_args: Any) -> tuple[type, dict[str, Any]]:
    """The cell class named by ``cell_fn`` and its checked ``cell_init_args``.

    ``cell_fn`` is a tlcore cell class, one of the names in ``_CELLS`` (``"lstm"``, ``"gru"``,
    ``"rnn"``, ``"BasicLSTMCell"`` ...), or a TF1 cell class from ported code, matched by name.
    """
    cls = None
    if isinstance(cell_fn, type) and issubclass(cell_fn, RNNCell):
        cls = cell_fn
    elif isinstance(cell_fn, str):
        cls = _CELLS.get(cell_fn)
    elif isinstance(cell_fn, type):
        cls = _CELLS.get(cell_fn.__name__)
    if cls is None:
        raise ValueError(f"{who(layer)}: cell_fn must be a tlcore cell class or one of "
                         f"{sorted(set(_CELLS))}, received {cell_fn!r}")
    if not isinstance(cell_init_args, (dict, type(None))):
        raise ValueError(f"{who(layer)}: cell_init_args must be a dict or None, received "
                         f"{cell_init_args!r}")
    args = dict(cell_init_args or {})
    if "state_is_tuple" not in getattr(cls, "options", ()):
        # TensorLayer 1.11 set it for every cell and dropped it again for GRU: ported code
        # passes it with any cell
        args.pop("state_is_tuple", None)
    allowed = set(getattr(cls, "options", ())) or (
        set(inspect.signature(cls.__init__).parameters) - {"self", "owner", "n_in", "n_hidden",
                                                          "initializer", "prefix"})
    unknown = set(args) - allowed
    if unknown:
        raise ValueError(f"{who(layer)}: cell_init_args {sorted(unknown)} are not options of "
                         f"{cls.__name__} ({sorted(allowed)}), received {args!r}")
    return cls, args


def cell_name(cls: type) -> str:
    """The string ``get_config`` writes for a cell class."""
    for name, c in _CELLS.items():
        if c is cls:
            return name
    raise ValueError(f"cell class {cls.__name__} is not registered and cannot be serialized")


def unroll(step: Step, xp: tf.Tensor, state: Any, lengths: tf.Tensor | None = None
           ) -> tuple[tf.Tensor, Any]:
    """Run ``step`` over the time axis of ``xp`` ``[batch, time, ...]`` with ``tf.while_loop``.

    With ``lengths`` (int ``[batch]``), a sequence's state stops changing after its last real
    step and its outputs there are zero, so padding does not change what it computes.

    Returns:
        ``(outputs [batch, time, ...], final_state)``.
    """
    perm = [1, 0] + list(range(2, xp.shape.rank))
    xs = tf.transpose(xp, perm)
    n_steps = tf.shape(xs)[0]
    inputs = tf.TensorArray(xs.dtype, size=n_steps, element_shape=xs.shape[1:]).unstack(xs)
    out_ta = tf.TensorArray(xs.dtype, size=n_steps)

    def body(t: tf.Tensor, state: Any, out_ta: tf.TensorArray) -> tuple[Any, ...]:
        out, new_state = step(inputs.read(t), state)
        if lengths is not None:
            live = t < lengths

            def keep(new: tf.Tensor, old: tf.Tensor) -> tf.Tensor:
                m = tf.reshape(live, [-1] + [1] * (new.shape.rank - 1))
                return tf.where(m, new, old)

            new_state = tf.nest.map_structure(keep, new_state, state)
            out = keep(out, tf.zeros_like(out))
        return t + 1, new_state, out_ta.write(t, out)

    _, final, out_ta = tf.while_loop(lambda t, *_: t < n_steps, body,
                                     (tf.constant(0), state, out_ta))
    outs = out_ta.stack()
    return tf.transpose(outs, perm), final
