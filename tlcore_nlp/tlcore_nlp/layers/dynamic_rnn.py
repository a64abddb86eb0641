"""DynamicRNNLayer and BiDynamicRNNLayer: recurrent layers over padded variable-length batches.

Each sequence runs for its own length: its outputs past the length are zero and its final
state is the state at its last real step, so padding a batch does not change what the shorter
sequences compute. The lengths are passed when the network is called
(``net(x, sequence_length=lengths)``, or ``{layer_name: lengths}``); without them they are
computed from the input with :func:`retrieve_seq_length_op` (steps whose features are not all
zero), as in TensorLayer.
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from tlcore.layers.utils import last_dim, who
from tlcore.layers.core import Layer
from tlcore_nlp.layers.cells import unroll
from tlcore_nlp.layers.rnn import (_UNIFORM, RecurrentLayer, _reverse, bidirectional,
                                   keep_dropout, moved_to_call, run_stack)
from tlcore_nlp.layers.seq_ops import advanced_indexing_op, retrieve_seq_length_op

__all__ = ["BiDynamicRNNLayer", "DynamicRNNLayer"]


class _Dynamic(RecurrentLayer):
    call_args = ("initial_state", "sequence_length")
    width = 1  # output width in units of n_hidden

    def __init__(self, prev_layer: Layer, *, cell_fn: Any,
                 cell_init_args: dict[str, Any] | None, n_hidden: int, initializer: Any,
                 sequence_length: Any, dropout: Any, n_layer: int, return_last: bool,
                 return_seq_2d: bool, dynamic_rnn_init_args: dict[str, Any] | None,
                 keep_state: bool, name: str | None) -> None:
        moved_to_call(self, "sequence_length", sequence_length, "sequence_length=lengths",
                      ", e.g. lengths = tl.layers.retrieve_seq_length_op2(ids)")
        if dynamic_rnn_init_args:
            raise ValueError(f"{who(self)}: dynamic_rnn_init_args (keywords of TF1's "
                             f"tf.nn.dynamic_rnn) are not supported, received "
                             f"{dynamic_rnn_init_args!r}")
        self.return_last, self.return_seq_2d = bool(return_last), bool(return_seq_2d)
        super().__init__(prev_layer, cell_fn=cell_fn, cell_init_args=cell_init_args,
                         n_hidden=n_hidden, initializer=initializer, keep_state=keep_state,
                         name=name, n_layer=n_layer, dropout=dropout)

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        return tf.TensorSpec(self.shape_out(input_spec.shape, self.width * self.n_hidden),
                             self.dtype)

    def lengths(self, inputs: tf.Tensor, sequence_length: Any) -> tf.Tensor:
        if sequence_length is None:
            return retrieve_seq_length_op(inputs)
        return tf.cast(tf.reshape(sequence_length, [-1]), tf.int32)

    def finish_dynamic(self, outputs: tf.Tensor, lengths: tf.Tensor) -> tf.Tensor:
        last = advanced_indexing_op(outputs, tf.maximum(lengths - 1, 0)) if self.return_last \
            else None
        return self.finish(outputs, last)

    def get_config(self) -> dict[str, Any]:
        cfg = self.serialize("dropout", "n_layer", "return_last", "return_seq_2d")
        return {**super().get_config(), **cfg}


class DynamicRNNLayer(_Dynamic):
    """A stack of ``n_layer`` cells over ``[batch, max_steps, n_features]`` with per-sequence
    lengths.

    Args are TensorLayer 1.11's, in its order (``keep_state`` is keyword-only):

    Args:
        prev_layer: parent with output ``[batch, max_steps, n_features]``.
        cell_fn, cell_init_args, n_hidden, initializer: as in :class:`RNNLayer`.
        sequence_length, initial_state: must be ``None``: both are passed per call (below).
        dropout: keep probability, or an ``(in, out)`` pair (TF1's ``DropoutWrapper``: input
            dropout at every cell, output dropout after the last); only when ``is_train``.
        n_layer: stacked cells; the state is then a tuple with one state per cell.
        return_last: output the last real step of each sequence, ``[batch, n_hidden]``;
            ``None`` (the default) means True, as in 1.11.
        return_seq_2d: output ``[batch * max_steps, n_hidden]``.
        dynamic_rnn_init_args: TF1's ``tf.nn.dynamic_rnn`` keywords; only ``None``/``{}``.
        name: layer name.
        keep_state: start each call from the previous call's final state.

    Call-time: ``sequence_length=`` int ``[batch]`` and ``initial_state=``, each a value or
    ``{layer_name: value}``.

    >>> net = DynamicRNNLayer(InputLayer([None, None, 8]), n_hidden=16, n_layer=2,
    ...                       return_last=False)
    >>> net.output_shape
    (None, None, 16)
    """

    def __init__(self, prev_layer: Layer, cell_fn: Any = "BasicLSTMCell",
                 cell_init_args: dict[str, Any] | None = None, n_hidden: int = 256,
                 initializer: Any = _UNIFORM, sequence_length: Any = None,
                 initial_state: Any = None, dropout: Any = None, n_layer: int = 1,
                 return_last: bool | None = None, return_seq_2d: bool = False,
                 dynamic_rnn_init_args: dict[str, Any] | None = None,
                 name: str | None = None, *, keep_state: bool = False) -> None:
        moved_to_call(self, "initial_state", initial_state, "initial_state=state")
        super().__init__(prev_layer, cell_fn=cell_fn, cell_init_args=cell_init_args,
                         n_hidden=n_hidden, initializer=initializer,
                         sequence_length=sequence_length, dropout=dropout, n_layer=n_layer,
                         return_last=True if return_last is None else return_last,
                         return_seq_2d=return_seq_2d,
                         dynamic_rnn_init_args=dynamic_rnn_init_args, keep_state=keep_state,
                         name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        self.cells = self.make_cells(last_dim(self, input_shape, rank=3))
        self.state_shapes = self.stack_shapes(self.cells)
        self.make_state_store()

    def run(self, inputs: tf.Tensor, state: Any, *, is_train: bool,
            sequence_length: Any = None) -> tuple[tf.Tensor, Any]:
        lengths = self.lengths(inputs, sequence_length)
        states = list(state) if self.n_layer > 1 else [state]
        outputs, finals = run_stack(self.cells, inputs, states, lengths=lengths, keep=self.keep,
                                    is_train=is_train)
        final = tuple(finals) if self.n_layer > 1 else finals[0]
        return self.finish_dynamic(outputs, lengths), final


class BiDynamicRNNLayer(_Dynamic):
    """Bidirectional :class:`DynamicRNNLayer`: the backward cells read each sequence from its
    own last real step; outputs are concatenated, ``[batch, max_steps, 2 * n_hidden]``; the
    state is ``(fw_state, bw_state)`` (with ``n_layer > 1``, tuples of one state per layer).

    Args are :class:`DynamicRNNLayer`'s in 1.11's order, with ``fw_initial_state`` and
    ``bw_initial_state`` (must be ``None``: pass ``initial_state=(fw, bw)`` to the call) in place
    of ``initial_state``, and ``return_last=False`` by default. With ``n_layer > 1`` the layers
    stack as 1.11's ``stack_bidirectional_dynamic_rnn``: layer ``i`` of both directions reads
    the concatenated ``2 * n_hidden`` outputs of layer ``i - 1``; variables ``cell_<i>/fw/...``,
    ``cell_<i>/bw/...`` in that order, so 1.11's weight files load.

    >>> BiDynamicRNNLayer(InputLayer([None, None, 8]), n_hidden=16).output_shape
    (None, None, 32)
    """

    width = 2

    def __init__(self, prev_layer: Layer, cell_fn: Any = "BasicLSTMCell",
                 cell_init_args: dict[str, Any] | None = None, n_hidden: int = 256,
                 initializer: Any = _UNIFORM, sequence_length: Any = None,
                 fw_initial_state: Any = None, bw_initial_state: Any = None,
                 dropout: Any = None, n_layer: int = 1, return_last: bool = False,
                 return_seq_2d: bool = False,
                 dynamic_rnn_init_args: dict[str, Any] | None = None,
                 name: str | None = None, *, keep_state: bool = False) -> None:
        for arg, value in (("fw_initial_state", fw_initial_state),
                           ("bw_initial_state", bw_initial_state)):
            moved_to_call(self, arg, value, "initial_state=(fw_states, bw_states)")
        super().__init__(prev_layer, cell_fn=cell_fn, cell_init_args=cell_init_args,
                         n_hidden=n_hidden, initializer=initializer,
                         sequence_length=sequence_length, dropout=dropout, n_layer=n_layer,
                         return_last=return_last, return_seq_2d=return_seq_2d,
                         dynamic_rnn_init_args=dynamic_rnn_init_args, keep_state=keep_state,
                         name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        n_in = last_dim(self, input_shape, rank=3)
        if self.n_layer == 1:
            self.fw_cells = self.make_cells(n_in, "fw/")
            self.bw_cells = self.make_cells(n_in, "bw/")
        else:  # 1.11's stack_bidirectional_dynamic_rnn: cell_i's fw then bw variables
            self.fw_cells, self.bw_cells = [], []
            for i in range(self.n_layer):
                width = n_in if i == 0 else 2 * self.n_hidden
                for cells, d in ((self.fw_cells, "fw"), (self.bw_cells, "bw")):
                    cells.append(self.cell_cls(self, width, self.n_hidden,
                                               initializer=self.initializer,
                                               prefix=f"cell_{i}/{d}/", **self.cell_init_args))
        self.state_shapes = (self.stack_shapes(self.fw_cells), self.stack_shapes(self.bw_cells))
        self.make_state_store()

    @property
    def fw_final_states(self) -> Any:
        """The forward cells' final state of the last call (1.11's attribute)."""
        return self.final_state[0]

    @property
    def bw_final_states(self) -> Any:
        """The backward cells' final state of the last call (1.11's attribute)."""
        return self.final_state[1]

    def run(self, inputs: tf.Tensor, state: Any, *, is_train: bool,
            sequence_length: Any = None) -> tuple[tf.Tensor, Any]:
        lengths = self.lengths(inputs, sequence_length)
        if self.n_layer == 1:
            outputs, final = bidirectional(self, inputs, state, lengths, is_train)
        else:
            outputs, final = self._stacked(inputs, state, lengths, is_train)
        return self.finish_dynamic(outputs, lengths), final

    def _stacked(self, x: tf.Tensor, state: Any, lengths: tf.Tensor,
                 is_train: bool) -> tuple[tf.Tensor, Any]:
        """Layer ``i`` of both directions reads the concatenated outputs of layer ``i - 1``
        (TF1's ``stack_bidirectional_dynamic_rnn``)."""
        fw_states, bw_states = state
        fw_finals, bw_finals = [], []
        last = self.n_layer - 1
        for i, (fw_cell, bw_cell) in enumerate(zip(self.fw_cells, self.bw_cells)):
            # each direction's DropoutWrapper draws its own input mask
            xf = keep_dropout(x, self.keep, 0, is_train)
            xb = _reverse(keep_dropout(x, self.keep, 0, is_train), lengths)
            fw, fw_final = unroll(fw_cell.stepper(), fw_cell.input_proj(xf), fw_states[i],
                                  lengths)
            bw, bw_final = unroll(bw_cell.stepper(), bw_cell.input_proj(xb), bw_states[i],
                                  lengths)
            bw = _reverse(bw, lengths)
            if i == last:
                fw = keep_dropout(fw, self.keep, 1, is_train)
                bw = keep_dropout(bw, self.keep, 1, is_train)
            x = tf.concat([fw, bw], axis=-1)
            fw_finals.append(fw_final)
            bw_finals.append(bw_final)
        return x, (tuple(fw_finals), tuple(bw_finals))
