"""Seq2Seq: an encoder DynamicRNN whose final state seeds a decoder DynamicRNN."""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from tlcore.layers._utils import last_dim, who
from tlcore.layers.core import Layer
from tlcore_nlp.layers.rnn import _UNIFORM, RecurrentLayer, run_stack
from tlcore_nlp.layers.seq_ops import retrieve_seq_length_op

__all__ = ["Seq2Seq"]


class Seq2Seq(RecurrentLayer):
    """TensorLayer's Seq2Seq layer: the encoder reads ``[batch, T_enc, F_enc]``; its final
    state is the decoder's initial state; the decoder reads ``[batch, T_dec, F_dec]`` (e.g.
    the target shifted right, starting with GO) and the layer outputs the decoder's outputs.

    Args:
        prev: ``[net_encode_in, net_decode_in]``.
        cell_fn, cell_init_args, n_hidden, initializer: as in :class:`RNNLayer`; the encoder
            and decoder have their own variables (``encode/...``, ``decode/...``).
        dropout: keep probability or ``(in, out)`` pair around every cell, when ``is_train``.
        n_layer: stacked cells in the encoder and in the decoder.
        return_seq_2d: output ``[batch * T_dec, n_hidden]`` instead of ``[batch, T_dec,
            n_hidden]``.
        name: layer name.

    Call-time: ``encode_sequence_length=``, ``decode_sequence_length=`` (int ``[batch]``;
    computed with :func:`retrieve_seq_length_op` when absent) and ``initial_state=`` (the
    encoder's). Afterwards ``final_state`` is the decoder's final state and
    ``final_state_encode`` the encoder's (the decoder's initial state).

    >>> enc, dec = InputLayer([None, None, 8]), InputLayer([None, None, 8])
    >>> Seq2Seq([enc, dec], n_hidden=16, return_seq_2d=True).output_shape
    (None, 16)
    """

    multi_input = True
    call_args = ("initial_state", "encode_sequence_length", "decode_sequence_length")

    def __init__(self, prev: list[Layer], *, cell_fn: Any = "BasicLSTMCell",
                 cell_init_args: dict[str, Any] | None = None, n_hidden: int = 256,
                 initializer: Any = _UNIFORM, dropout: Any = None, n_layer: int = 1,
                 return_seq_2d: bool = False, name: str | None = None) -> None:
        self.return_seq_2d, self.return_last = bool(return_seq_2d), False
        if isinstance(prev, (list, tuple)) and len(prev) != 2:
            raise ValueError(f"{who(self)}: expected [net_encode_in, net_decode_in], received "
                             f"{len(prev)} layers")
        super().__init__(prev, cell_fn=cell_fn, cell_init_args=cell_init_args, n_hidden=n_hidden,
                         initializer=initializer, keep_state=False, name=name, n_layer=n_layer,
                         dropout=dropout)

    def build(self, input_shape: list[tf.TensorShape]) -> None:
        enc_shape, dec_shape = input_shape
        self.encode_cells = self.make_cells(last_dim(self, enc_shape, rank=3), "encode/")
        self.decode_cells = self.make_cells(last_dim(self, dec_shape, rank=3), "decode/")
        self.state_shapes = self.stack_shapes(self.encode_cells)
        self.make_state_store()
        self._encode_vars = self.state_vars("encode_final")

    def compute_output_spec(self, input_spec: list[tf.TensorSpec]) -> tf.TensorSpec:
        return tf.TensorSpec(self.shape_out(input_spec[1].shape, self.n_hidden), self.dtype)

    def batch_size(self, inputs: Any) -> tf.Tensor:
        return tf.shape(inputs[0])[0]

    @property
    def final_state_encode(self) -> Any:
        """The encoder's final state of the last call (the decoder's initial state)."""
        return self._pack([v.read_value() for v in self._encode_vars])

    def run(self, inputs: list[tf.Tensor], state: Any, *, is_train: bool,
            encode_sequence_length: Any = None, decode_sequence_length: Any = None
            ) -> tuple[tf.Tensor, Any]:
        enc, dec = inputs

        def lengths(x: tf.Tensor, given: Any) -> tf.Tensor:
            if given is None:
                return retrieve_seq_length_op(x)
            return tf.cast(tf.reshape(given, [-1]), tf.int32)

        def as_list(s: Any) -> list[Any]:
            return list(s) if self.n_layer > 1 else [s]

        def as_state(finals: list[Any]) -> Any:
            return tuple(finals) if self.n_layer > 1 else finals[0]

        _, enc_final = run_stack(self.encode_cells, enc, as_list(state),
                                 lengths=lengths(enc, encode_sequence_length), keep=self.keep,
                                 is_train=is_train)
        for v, t in zip(self._encode_vars, tf.nest.flatten(as_state(enc_final))):
            v.assign(t)
        outputs, dec_final = run_stack(self.decode_cells, dec, enc_final,
                                       lengths=lengths(dec, decode_sequence_length),
                                       keep=self.keep, is_train=is_train)
        return self.finish(outputs), as_state(dec_final)

    def get_config(self) -> dict[str, Any]:
        cfg = super().get_config()
        cfg.pop("keep_state")
        return {**cfg, **self.serialize("dropout", "n_layer", "return_seq_2d")}
