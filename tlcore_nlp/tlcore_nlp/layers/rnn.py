"""RNNLayer and BiRNNLayer, and :class:`RecurrentLayer`, the base every recurrent layer shares.

State, as in TensorLayer's PTB tutorial (truncated backpropagation): every recurrent layer
records the state it started from and the state it ended with in non-trainable variables,
readable as ``layer.initial_state`` and ``layer.final_state`` (these variables are not in
``all_params``, so npz files hold what TensorLayer's hold). With ``keep_state=True`` a call
starts from the previous call's final state, so one network trains on consecutive truncated
windows and evaluates with batch 1; ``tl.layers.initialize_rnn_state(net)`` resets it (to zeros
of any batch size: a stored state of another batch size also counts as zeros). A call-time
``initial_state=`` (a state, or ``{layer_name: state}``) overrides both.

The time loop is a ``tf.while_loop``; called eagerly, a layer runs it through its own
``tf.function``, so no Python loop over steps ever runs per call.
"""
from __future__ import annotations

from typing import Any, Callable, ClassVar, Sequence

import keras
import tensorflow as tf

from tlcore.layers.utils import (act_name, check_positive_int, check_prob, get_init, last_dim,
                                  who)
from tlcore.layers.core import Layer
from tlcore_nlp.layers.cells import RNNCell, cell_name, resolve_cell, unroll

__all__ = ["BiRNNLayer", "RNNLayer", "RecurrentLayer"]

_UNIFORM = keras.initializers.RandomUniform(-0.1, 0.1)


def _reverse(x: tf.Tensor, lengths: tf.Tensor | None) -> tf.Tensor:
    """Reverse the time axis (only the first ``lengths[b]`` steps when given)."""
    if lengths is None:
        return tf.reverse(x, axis=[1])
    return tf.reverse_sequence(x, tf.cast(lengths, tf.int64), seq_axis=1, batch_axis=0)


def keep_dropout(x: tf.Tensor, keep: tuple[float, float] | None, which: int,
                 is_train: bool) -> tf.Tensor:
    """Dropout with keep probability ``keep[which]`` (0: a cell's input, 1: its output), only
    when training."""
    if keep is None or not is_train or keep[which] >= 1.0:
        return x
    return tf.nn.dropout(x, rate=1.0 - keep[which])


def moved_to_call(layer: Any, arg: str, value: Any, call: str, hint: str = "") -> None:
    """Refuse a 1.11 construction-time tensor argument that tlcore takes per call."""
    if value is not None:
        raise ValueError(
            f"{who(layer)}: {arg} moved to the call: pass net(x, {call}){hint} (or a dict "
            f"keyed by layer name); TensorLayer 1.x bound it to a placeholder at construction, "
            f"a value given here would fix one batch's, received {type(value).__name__}")


def run_stack(cells: Sequence[RNNCell], x: tf.Tensor, states: list[Any], *, lengths: Any = None,
              keep: tuple[float, float] | None = None, is_train: bool = False,
              reverse: bool = False) -> tuple[tf.Tensor, list[Any]]:
    """Run stacked cells layer after layer (the same numbers as TF1's ``MultiRNNCell`` of
    TensorLayer 1.11's cells: ``DropoutWrapper(input_keep_prob)`` around each cell and
    ``output_keep_prob`` around the last one only)."""
    if reverse:
        x = _reverse(x, lengths)
    finals = []
    for i, (cell, state) in enumerate(zip(cells, states)):
        x = keep_dropout(x, keep, 0, is_train)
        x, final = unroll(cell.stepper(), cell.input_proj(x), state, lengths)
        if i == len(cells) - 1:
            x = keep_dropout(x, keep, 1, is_train)
        finals.append(final)
    if reverse:
        x = _reverse(x, lengths)
    return x, finals


class RecurrentLayer(Layer):
    """Base of the recurrent layers: cells, the kept state, the compiled forward.

    A subclass sets ``self.state_shapes`` (the state's structure with per-example
    ``tf.TensorShape`` leaves) in ``build`` and calls :meth:`make_state_store`, then
    implements ``run(inputs, state, *, is_train, **call_args) -> (outputs, final_state)``.
    """

    call_args: ClassVar[tuple[str, ...]] = ("initial_state",)
    #: The state's structure with per-example ``tf.TensorShape`` leaves (set in ``build``).
    state_shapes: Any
    #: Output options of the subclasses that offer them (read by :meth:`shape_out`, :meth:`finish`).
    return_last: bool
    return_seq_2d: bool
    #: The forward and backward cell stacks of the bidirectional layers (:func:`bidirectional`).
    fw_cells: list[RNNCell]
    bw_cells: list[RNNCell]

    def __init__(self, prev_layer: Any, *, cell_fn: Any,
                 cell_init_args: dict[str, Any] | None,
                 n_hidden: int, initializer: Any, keep_state: bool, name: str | None,
                 n_layer: int = 1, dropout: Any = None) -> None:
        self.n_hidden = check_positive_int(self, "n_hidden", n_hidden)
        self.n_layer = check_positive_int(self, "n_layer", n_layer)
        self.cell_cls, self.cell_init_args = resolve_cell(self, cell_fn, cell_init_args)
        self.initializer = get_init(initializer)
        self.keep_state = bool(keep_state)
        self.dropout = dropout
        self.keep = self._keep_pair(dropout)
        self._compiled: Callable[..., Any] | None = None
        super().__init__(prev_layer, name=name)

    # ------------------------------------------------------------------------- construction
    def _keep_pair(self, dropout: Any) -> tuple[float, float] | None:
        if dropout is None:
            return None
        if isinstance(dropout, (list, tuple)):
            if len(dropout) != 2:
                raise ValueError(f"{who(self)}: dropout must be a keep probability or an (in, out) "
                                 f"pair, received {dropout!r}")
            return (check_prob(self, "dropout", dropout[0]),
                    check_prob(self, "dropout", dropout[1]))
        k = check_prob(self, "dropout", dropout)
        return (k, k)

    def make_cells(self, n_in: int, prefix: str = "") -> list[RNNCell]:
        """``n_layer`` stacked cells; variables ``<prefix>[cell_<i>/]kernel`` ..."""
        cells = []
        for i in range(self.n_layer):
            p = prefix + (f"cell_{i}/" if self.n_layer > 1 else "")
            cells.append(self.cell_cls(self, n_in if i == 0 else self.n_hidden, self.n_hidden,
                                       initializer=self.initializer, prefix=p,
                                       **self.cell_init_args))
        return cells

    def stack_shapes(self, cells: list[RNNCell]) -> Any:
        """A stack's state structure: one cell's state, or a tuple of them (MultiRNNCell)."""
        shapes = tuple(c.state_shapes for c in cells)
        return shapes[0] if len(shapes) == 1 else shapes

    def make_state_store(self) -> None:
        """Create the non-trainable variables of the initial and final state (not listed in
        ``all_params``). Their batch dim is free: ``[None, ...]``."""
        self._final_vars = self.state_vars("final")
        self._init_vars = self.state_vars("initial")
        # The batch size of the stored final state (0: none). Compared by value, never through
        # the variables' shapes: grappler folds a captured variable's shape to the one it had
        # when the function was first run.
        self._state_batch = tf.Variable(0, trainable=False, name=f"{self.name}/state_batch")

    def state_vars(self, tag: str) -> list[tf.Variable]:
        """One variable ``[None, ...]`` per leaf of ``state_shapes``, starting empty."""
        return [tf.Variable(tf.zeros([0, *s.as_list()], self.dtype), trainable=False,
                            shape=tf.TensorShape([None, *s.as_list()]),
                            name=f"{self.name}/{tag}_state_{i}")
                for i, s in enumerate(tf.nest.flatten(self.state_shapes))]

    # ---------------------------------------------------------------------------- the state
    def _pack(self, flat: list[Any]) -> Any:
        return tf.nest.pack_sequence_as(self.state_shapes, flat)

    def zero_state(self, batch_size: Any) -> Any:
        """Zeros of this layer's state structure for ``batch_size`` examples."""
        return tf.nest.map_structure(
            lambda s: tf.zeros(tf.concat([[batch_size], tf.constant(s.as_list(), tf.int32)], 0),
                               self.dtype), self.state_shapes)

    @property
    def state_variables(self) -> list[tf.Variable]:
        """The non-trainable variables holding the state (not parameters): what an exporter
        such as ``tf.saved_model.save`` must track besides ``all_params``."""
        return [*self._init_vars, *self._final_vars, self._state_batch,
                *getattr(self, "_encode_vars", ())]

    @property
    def initial_state(self) -> Any:
        """The state the last call started from (empty before the first call)."""
        return self._pack([v.read_value() for v in self._init_vars])

    @property
    def final_state(self) -> Any:
        """The state the last call ended with: with ``keep_state``, where the next call starts."""
        return self._pack([v.read_value() for v in self._final_vars])

    def reset_state(self, batch_size: int | None = None) -> None:
        """Forget the kept state: the next call starts from zeros."""
        n = int(batch_size or 0)
        for v in self._final_vars:
            v.assign(tf.zeros([n, *v.shape.as_list()[1:]], v.dtype))
        self._state_batch.assign(n)

    def set_state(self, state: Any) -> None:
        """Store ``state`` as the kept state (used by the next call when ``keep_state``)."""
        flat = [tf.convert_to_tensor(t, self.dtype) for t in tf.nest.flatten(state)]
        if len(flat) != len(self._final_vars):
            raise ValueError(f"{who(self)}: expected a state with {len(self._final_vars)} "
                             f"tensors, received {len(flat)}")
        for v, t in zip(self._final_vars, flat):
            v.assign(t)
        self._state_batch.assign(tf.shape(flat[0])[0])

    def _start_state(self, batch: tf.Tensor, given: Any) -> Any:
        if given is not None:
            flat = [tf.convert_to_tensor(t, self.dtype) for t in tf.nest.flatten(given)]
            if len(flat) != len(self._final_vars):
                raise ValueError(f"{who(self)}: initial_state must have the structure of "
                                 f"{self.state_shapes}, received {len(flat)} tensors")
            return self._pack(flat)
        if not self.keep_state:
            return self.zero_state(batch)
        return tf.cond(tf.equal(self._state_batch, batch),
                       lambda: self._pack([v.read_value() for v in self._final_vars]),
                       lambda: self.zero_state(batch))

    def _record(self, start: Any, final: Any, batch: tf.Tensor) -> None:
        for v, t in zip(self._init_vars, tf.nest.flatten(start)):
            v.assign(t)
        for v, t in zip(self._final_vars, tf.nest.flatten(final)):
            v.assign(t)
        self._state_batch.assign(batch)

    # ----------------------------------------------------------------------------- running
    def batch_size(self, inputs: Any) -> tf.Tensor:
        return tf.shape(inputs)[0]

    def forward(self, inputs: Any, *, is_train: bool, **call_kw: Any) -> Any:
        # ``{layer_name: value}`` addresses one recurrent layer of a network.
        call_kw = {k: (v.get(self.name) if isinstance(v, dict) else v) for k, v in call_kw.items()}
        if tf.executing_eagerly():
            if self._compiled is None:
                self._compiled = tf.function(self._forward, reduce_retracing=True,
                                             autograph=False)
            return self._compiled(inputs, is_train, **call_kw)
        return self._forward(inputs, is_train, **call_kw)

    def _forward(self, inputs: Any, is_train: bool, initial_state: Any = None,
                 **call_kw: Any) -> Any:
        batch = self.batch_size(inputs)
        start = self._start_state(batch, initial_state)
        out, final = self.run(inputs, start, is_train=is_train, **call_kw)
        self._record(start, final, batch)
        return out

    def run(self, inputs: Any, state: Any, *, is_train: bool) -> tuple[Any, Any]:
        # Subclasses add their call-time keywords (``sequence_length=``, ...) after is_train.
        raise NotImplementedError

    def shape_out(self, shape: tf.TensorShape, width: int) -> tf.TensorShape:
        """The output shape from a ``[batch, time, ...]`` input shape and the output width."""
        b, t = shape[0], shape[1]
        feat = [width] if shape.rank == 3 else [*shape[2:-1], width]
        if self.return_last:
            return tf.TensorShape([b, *feat])
        if self.return_seq_2d:
            bt = b * t if b is not None and t is not None else None
            return tf.TensorShape([bt, *feat])
        return tf.TensorShape([b, t, *feat])

    def finish(self, outputs: tf.Tensor, last: Any = None) -> tf.Tensor:
        """Apply ``return_last`` (``last``: precomputed last outputs) or ``return_seq_2d``."""
        if self.return_last:
            return outputs[:, -1] if last is None else last
        if self.return_seq_2d:
            return tf.reshape(outputs, tf.concat([[-1], tf.shape(outputs)[2:]], 0))
        return outputs

    def describe(self) -> str:
        return (f"n_hidden: {self.n_hidden}, cell: {self.cell_cls.__name__}, output: "
                f"{self.output_shape}")

    def get_config(self) -> dict[str, Any]:
        args = {k: (act_name(v) if callable(v) else v) for k, v in self.cell_init_args.items()}
        return {**super().get_config(), "cell_fn": cell_name(self.cell_cls),
                "cell_init_args": args, **self.serialize("n_hidden", "initializer", "keep_state")}


class RNNLayer(RecurrentLayer):
    """A recurrent layer over ``[batch, n_steps, n_features]`` (TensorLayer's static RNNLayer).

    Args are TensorLayer 1.11's, in its order (new ones are keyword-only):

    Args:
        prev_layer: parent with output ``[batch, n_steps, n_features]`` (``n_steps`` may be
            None).
        cell_fn: ``"BasicLSTMCell"`` (default), ``"GRUCell"``, ``"BasicRNNCell"`` (or short
            ``"lstm"``, ``"gru"``, ``"rnn"``), or a tlcore cell class.
        cell_init_args: options of the cell, e.g. ``{"forget_bias": 0.0}``.
        n_hidden: units.
        initializer: of the kernels; TensorLayer's uniform(-0.1, 0.1).
        n_steps: if given, the parent's known time dim must equal it; calls may use any length.
        initial_state: must be ``None``: the start state is passed per call (see below).
        return_last: output only the last step ``[batch, n_hidden]``.
        return_seq_2d: output ``[batch * n_steps, n_hidden]`` (for a DenseLayer on top).
        keep_state: start each call from the previous call's final state (truncated BPTT).
        name: layer name.

    Call-time: ``initial_state=`` a state (``LSTMStateTuple(c, h)`` for LSTM) or
    ``{layer_name: state}``.

    >>> net = InputLayer([None, 5, 8])
    >>> RNNLayer(net, cell_fn="lstm", n_hidden=16, return_seq_2d=True).output_shape
    (None, 16)
    """

    def __init__(self, prev_layer: Layer, cell_fn: Any = "BasicLSTMCell",
                 cell_init_args: dict[str, Any] | None = None, n_hidden: int = 100,
                 initializer: Any = _UNIFORM, n_steps: int | None = None,
                 initial_state: Any = None, return_last: bool = False,
                 return_seq_2d: bool = False, name: str | None = None, *,
                 keep_state: bool = False) -> None:
        moved_to_call(self, "initial_state", initial_state, "initial_state=state")
        self.n_steps = None if n_steps is None else check_positive_int(self, "n_steps", n_steps)
        self.return_last, self.return_seq_2d = bool(return_last), bool(return_seq_2d)
        super().__init__(prev_layer, cell_fn=cell_fn, cell_init_args=cell_init_args,
                         n_hidden=n_hidden, initializer=initializer, keep_state=keep_state,
                         name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        n_in = last_dim(self, input_shape, rank=3)
        if self.n_steps is not None and input_shape[1] is not None and \
                input_shape[1] != self.n_steps:
            raise ValueError(f"{who(self)}: n_steps={self.n_steps} but the input has "
                             f"{input_shape[1]} steps, received shape {tuple(input_shape)}")
        self.cell = self.make_cells(n_in)[0]
        self.state_shapes = self.cell.state_shapes
        self.make_state_store()

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        return tf.TensorSpec(self.shape_out(input_spec.shape, self.n_hidden), self.dtype)

    def run(self, inputs: tf.Tensor, state: Any, *, is_train: bool) -> tuple[tf.Tensor, Any]:
        outputs, final = unroll(self.cell.stepper(), self.cell.input_proj(inputs), state)
        return self.finish(outputs), final

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("n_steps", "return_last", "return_seq_2d")}


class BiRNNLayer(RecurrentLayer):
    """Bidirectional RNN: a forward and a backward stack of ``n_layer`` cells; their outputs
    are concatenated, ``[batch, n_steps, 2 * n_hidden]``.

    Args are those of :class:`RNNLayer` in 1.11's order (``fw_initial_state`` and
    ``bw_initial_state`` must be ``None``: pass ``initial_state=(fw, bw)`` to the call), plus
    ``dropout`` (a keep probability or an ``(in, out)`` pair: input dropout at every cell,
    output dropout after the last one, when ``is_train``) and ``n_layer``. As in 1.11 each
    direction stacks its own ``n_layer`` cells (a ``MultiRNNCell`` per direction: cell ``i > 0``
    reads only its own direction's outputs). The state is ``(fw_state, bw_state)``;
    ``return_last`` takes the last time step of the concatenation.

    >>> BiRNNLayer(InputLayer([None, 5, 8]), n_hidden=16).output_shape
    (None, 5, 32)
    """

    def __init__(self, prev_layer: Layer, cell_fn: Any = "BasicLSTMCell",
                 cell_init_args: dict[str, Any] | None = None, n_hidden: int = 100,
                 initializer: Any = _UNIFORM, n_steps: int | None = None,
                 fw_initial_state: Any = None, bw_initial_state: Any = None,
                 dropout: Any = None, n_layer: int = 1, return_last: bool = False,
                 return_seq_2d: bool = False, name: str | None = None, *,
                 keep_state: bool = False) -> None:
        for arg, value in (("fw_initial_state", fw_initial_state),
                           ("bw_initial_state", bw_initial_state)):
            moved_to_call(self, arg, value, "initial_state=(fw_state, bw_state)")
        self.n_steps = None if n_steps is None else check_positive_int(self, "n_steps", n_steps)
        self.return_last, self.return_seq_2d = bool(return_last), bool(return_seq_2d)
        super().__init__(prev_layer, cell_fn=cell_fn, cell_init_args=cell_init_args,
                         n_hidden=n_hidden, initializer=initializer, keep_state=keep_state,
                         name=name, n_layer=n_layer, dropout=dropout)

    def build(self, input_shape: tf.TensorShape) -> None:
        n_in = last_dim(self, input_shape, rank=3)
        if self.n_steps is not None and input_shape[1] is not None and \
                input_shape[1] != self.n_steps:
            raise ValueError(f"{who(self)}: n_steps={self.n_steps} but the input has "
                             f"{input_shape[1]} steps, received shape {tuple(input_shape)}")
        self.fw_cells = self.make_cells(n_in, "fw/")
        self.bw_cells = self.make_cells(n_in, "bw/")
        self.state_shapes = (self.stack_shapes(self.fw_cells), self.stack_shapes(self.bw_cells))
        self.make_state_store()

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        return tf.TensorSpec(self.shape_out(input_spec.shape, 2 * self.n_hidden), self.dtype)

    @property
    def fw_final_state(self) -> Any:
        """The forward direction's final state of the last call (1.11's attribute)."""
        return self.final_state[0]

    @property
    def bw_final_state(self) -> Any:
        """The backward direction's final state of the last call (1.11's attribute)."""
        return self.final_state[1]

    def run(self, inputs: tf.Tensor, state: Any, *, is_train: bool) -> tuple[tf.Tensor, Any]:
        outputs, final = bidirectional(self, inputs, state, None, is_train)
        return self.finish(outputs), final

    def get_config(self) -> dict[str, Any]:
        cfg = self.serialize("n_steps", "dropout", "n_layer", "return_last", "return_seq_2d")
        return {**super().get_config(), **cfg}


def bidirectional(layer: RecurrentLayer, inputs: tf.Tensor, state: Any, lengths: Any,
                  is_train: bool) -> tuple[tf.Tensor, Any]:
    """Run ``layer.fw_cells`` forward and ``layer.bw_cells`` backward; concat the outputs."""
    def as_list(s: Any) -> list[Any]:
        return list(s) if layer.n_layer > 1 else [s]

    def as_state(finals: list[Any]) -> Any:
        return tuple(finals) if layer.n_layer > 1 else finals[0]

    fw_state, bw_state = state
    fw, fw_final = run_stack(layer.fw_cells, inputs, as_list(fw_state), lengths=lengths,
                             keep=layer.keep, is_train=is_train)
    bw, bw_final = run_stack(layer.bw_cells, inputs, as_list(bw_state), lengths=lengths,
                             keep=layer.keep, is_train=is_train, reverse=True)
    return tf.concat([fw, bw], axis=-1), (as_state(fw_final), as_state(bw_final))
