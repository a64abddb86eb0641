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

from tlcore.layers._utils import last_dim
from tlcore.layers.core import Layer
from tlcore_nlp.layers.rnn import _UNIFORM, RecurrentLayer, bidirectional, run_stack
from tlcore_nlp.layers.seq_ops import advanced_indexing_op, retrieve_seq_length_op

__all__ = ["BiDynamicRNNLayer", "DynamicRNNLayer"]


class _Dynamic(RecurrentLayer):
    call_args = ("initial_state", "sequence_length")
    width = 1  # output width in units of n_hidden

    def __init__(self, prev: Layer, *, cell_fn: Any, cell_init_args: dict[str, Any] | None,
                 n_hidden: int, initializer: Any, dropout: Any, n_layer: int,
                 return_last: bool | None, return_seq_2d: bool, keep_state: bool,
                 name: str | None) -> None:
        self.return_last, self.return_seq_2d = bool(return_last), bool(return_seq_2d)
        super().__init__(prev, cell_fn=cell_fn, cell_init_args=cell_init_args, n_hidden=n_hidden,
                         initializer=initializer, keep_state=keep_state, name=name,
                         n_layer=n_layer, dropout=dropout)

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

    Args:
        prev: parent with output ``[batch, max_steps, n_features]``.
        cell_fn, cell_init_args, n_hidden, initializer: as in :class:`RNNLayer`.
        dropout: keep probability, or an ``(in, out)`` pair, around every cell (TF1's
            ``DropoutWrapper``); active only when called with ``is_train=True``.
        n_layer: stacked cells; the state is then a tuple with one state per cell.
        return_last: output the last real step of each sequence, ``[batch, n_hidden]``.
        return_seq_2d: output ``[batch * max_steps, n_hidden]``.
        keep_state: start each call from the previous call's final state.
        name: layer name.

    Call-time: ``sequence_length=`` int ``[batch]`` and ``initial_state=``, each a value or
    ``{layer_name: value}``.

    >>> net = DynamicRNNLayer(InputLayer([None, None, 8]), n_hidden=16, n_layer=2)
    >>> net.output_shape
    (None, None, 16)
    """

    def __init__(self, prev: Layer, *, cell_fn: Any = "BasicLSTMCell",
                 cell_init_args: dict[str, Any] | None = None, n_hidden: int = 256,
                 initializer: Any = _UNIFORM, dropout: Any = None, n_layer: int = 1,
                 return_last: bool | None = False, return_seq_2d: bool = False,
                 keep_state: bool = False, name: str | None = None) -> None:
        super().__init__(prev, cell_fn=cell_fn, cell_init_args=cell_init_args, n_hidden=n_hidden,
                         initializer=initializer, dropout=dropout, n_layer=n_layer,
                         return_last=return_last, return_seq_2d=return_seq_2d,
                         keep_state=keep_state, name=name)

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
    """Bidirectional :class:`DynamicRNNLayer`: the backward stack reads each sequence from its
    own last real step; outputs are concatenated, ``[batch, max_steps, 2 * n_hidden]``; the
    state is ``(fw_state, bw_state)``.

    >>> BiDynamicRNNLayer(InputLayer([None, None, 8]), n_hidden=16).output_shape
    (None, None, 32)
    """

    width = 2

    def __init__(self, prev: Layer, *, cell_fn: Any = "BasicLSTMCell",
                 cell_init_args: dict[str, Any] | None = None, n_hidden: int = 256,
                 initializer: Any = _UNIFORM, dropout: Any = None, n_layer: int = 1,
                 return_last: bool | None = False, return_seq_2d: bool = False,
                 keep_state: bool = False, name: str | None = None) -> None:
        super().__init__(prev, cell_fn=cell_fn, cell_init_args=cell_init_args, n_hidden=n_hidden,
                         initializer=initializer, dropout=dropout, n_layer=n_layer,
                         return_last=return_last, return_seq_2d=return_seq_2d,
                         keep_state=keep_state, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        n_in = last_dim(self, input_shape, rank=3)
        self.fw_cells = self.make_cells(n_in, "fw/")
        self.bw_cells = self.make_cells(n_in, "bw/")
        self.state_shapes = (self.stack_shapes(self.fw_cells), self.stack_shapes(self.bw_cells))
        self.make_state_store()

    def run(self, inputs: tf.Tensor, state: Any, *, is_train: bool,
            sequence_length: Any = None) -> tuple[tf.Tensor, Any]:
        lengths = self.lengths(inputs, sequence_length)
        outputs, final = bidirectional(self, inputs, state, lengths, is_train)
        return self.finish_dynamic(outputs, lengths), final
