"""Seq2Seq: an encoder DynamicRNN whose final state seeds a decoder DynamicRNN.

As in TensorLayer 1.11 the encoder is a layer of its own in ``all_layers`` (1.11 built an inner
``encode`` DynamicRNNLayer), so 1.11's layer counts hold: here it is a :class:`Seq2SeqEncoder`
whose output is the encoder's final state, and :class:`Seq2Seq` is the decoder reading it.
"""
from __future__ import annotations

from typing import Any, cast

import tensorflow as tf

from tlcore.layers.utils import last_dim, who
from tlcore.layers.core import FedValue, Layer
from tlcore_nlp.layers.rnn import _UNIFORM, RecurrentLayer, moved_to_call, run_stack
from tlcore_nlp.layers.seq_ops import retrieve_seq_length_op

__all__ = ["Seq2Seq", "Seq2SeqEncoder"]


def _lengths(x: tf.Tensor, given: Any) -> tf.Tensor:
    if given is None:
        return retrieve_seq_length_op(x)
    return tf.cast(tf.reshape(given, [-1]), tf.int32)


class _Stack(RecurrentLayer):
    def as_list(self, state: Any) -> list[Any]:
        return list(state) if self.n_layer > 1 else [state]

    def as_state(self, finals: list[Any]) -> Any:
        return tuple(finals) if self.n_layer > 1 else finals[0]

    def get_config(self) -> dict[str, Any]:
        cfg = super().get_config()
        cfg.pop("keep_state")
        return {**cfg, **self.serialize("dropout", "n_layer")}


class Seq2SeqEncoder(_Stack):
    """The encoder of :class:`Seq2Seq`: ``n_layer`` stacked cells over ``[batch, T_enc,
    F_enc]`` whose output is their final state (an ``LSTMStateTuple`` per cell for LSTM; a
    tuple of them when ``n_layer > 1``). :class:`Seq2Seq` builds it; build one yourself only to
    share an encoder.

    Call-time: ``encode_sequence_length=`` (int ``[batch]``; from the features when absent) and
    ``initial_state=``.

    >>> enc = Seq2SeqEncoder(InputLayer([None, None, 8]), n_hidden=16)
    >>> enc.output_shape
    LSTMStateTuple(c=(None, 16), h=(None, 16))
    """

    call_args = ("initial_state", "encode_sequence_length")

    def __init__(self, prev_layer: Layer, cell_fn: Any = "BasicLSTMCell",
                 cell_init_args: dict[str, Any] | None = None, n_hidden: int = 256,
                 initializer: Any = _UNIFORM, dropout: Any = None, n_layer: int = 1,
                 name: str | None = None) -> None:
        super().__init__(prev_layer, cell_fn=cell_fn, cell_init_args=cell_init_args,
                         n_hidden=n_hidden, initializer=initializer, keep_state=False, name=name,
                         n_layer=n_layer, dropout=dropout)

    def build(self, input_shape: tf.TensorShape) -> None:
        self.cells = self.make_cells(last_dim(self, input_shape, rank=3))
        self.state_shapes = self.stack_shapes(self.cells)
        self.make_state_store()

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> Any:
        batch = input_spec.shape[0]
        return tf.nest.map_structure(lambda s: tf.TensorSpec([batch, *s.as_list()], self.dtype),
                                     self.state_shapes)

    def run(self, inputs: tf.Tensor, state: Any, *, is_train: bool,
            encode_sequence_length: Any = None) -> tuple[Any, Any]:
        _, finals = run_stack(self.cells, inputs, self.as_list(state),
                              lengths=_lengths(inputs, encode_sequence_length), keep=self.keep,
                              is_train=is_train)
        final = self.as_state(finals)
        return final, final

    def describe(self) -> str:
        return f"n_hidden: {self.n_hidden}, cell: {self.cell_cls.__name__}, output: final state"


class Seq2Seq(_Stack):
    """TensorLayer's Seq2Seq layer: the encoder reads ``[batch, T_enc, F_enc]``; its final
    state is the decoder's initial state; the decoder reads ``[batch, T_dec, F_dec]`` (e.g.
    the target shifted right, starting with GO) and the layer outputs the decoder's outputs.

    Args are TensorLayer 1.11's, in its order:

    Args:
        net_encode_in: the encoder's input layer (or the list ``[net_encode_in,
            net_decode_in]``, with ``net_decode_in`` omitted). A :class:`Seq2SeqEncoder` is
            used as the encoder itself.
        net_decode_in: the decoder's input layer.
        cell_fn, cell_init_args, n_hidden, initializer: as in :class:`RNNLayer`; the encoder
            (layer ``<name>_encode``) and the decoder (``<name>/decode/...``) have their own
            variables.
        encode_sequence_length, decode_sequence_length: ``None`` (passed per call, below), or
            1.11's ``retrieve_seq_length_op2(ids)`` on the spec the encoder's (decoder's)
            input was built from: then computed from the ids fed at every call.
        initial_state_encode, initial_state_decode: must be ``None``: passed per call.
        dropout: keep probability or ``(in, out)`` pair (input dropout at every cell, output
            dropout after the last), when ``is_train``.
        n_layer: stacked cells in the encoder and in the decoder.
        return_seq_2d: output ``[batch * T_dec, n_hidden]`` instead of ``[batch, T_dec,
            n_hidden]``.
        name: layer name.

    Call-time: ``encode_sequence_length=``, ``decode_sequence_length=`` (int ``[batch]``;
    computed with :func:`retrieve_seq_length_op` when absent), ``initial_state=`` (the
    encoder's) and ``initial_state_decode=`` (the decoder starts from it instead of the
    encoder's final state: step-by-step decoding). Afterwards ``final_state`` is the decoder's
    final state and ``final_state_encode`` the encoder's.

    >>> enc, dec = InputLayer([None, None, 8]), InputLayer([None, None, 8])
    >>> Seq2Seq(enc, dec, n_hidden=16, return_seq_2d=True).output_shape
    (None, 16)
    """

    multi_input = True
    call_args = ("decode_sequence_length", "initial_state_decode")

    def __init__(self, net_encode_in: Any, net_decode_in: Layer | None = None,
                 cell_fn: Any = "BasicLSTMCell", cell_init_args: dict[str, Any] | None = None,
                 n_hidden: int = 256, initializer: Any = _UNIFORM,
                 encode_sequence_length: Any = None, decode_sequence_length: Any = None,
                 initial_state_encode: Any = None, initial_state_decode: Any = None,
                 dropout: Any = None, n_layer: int = 1, return_seq_2d: bool = False,
                 name: str | None = None) -> None:
        self.return_seq_2d, self.return_last = bool(return_seq_2d), False
        if net_decode_in is None:
            if not isinstance(net_encode_in, (list, tuple)) or len(net_encode_in) != 2:
                got = (f"{len(net_encode_in)} layers" if isinstance(net_encode_in, (list, tuple))
                       else type(net_encode_in).__name__)
                raise ValueError(f"{who(self)}: expected [net_encode_in, net_decode_in] or "
                                 f"two layers, received {got}")
            net_encode_in, net_decode_in = net_encode_in
        elif isinstance(net_encode_in, (list, tuple)) or not isinstance(net_decode_in, Layer):
            raise TypeError(f"{who(self)}: pass Seq2Seq(net_encode_in, net_decode_in, ...) or "
                            f"Seq2Seq([net_encode_in, net_decode_in], ...), received "
                            f"{type(net_encode_in).__name__} and {type(net_decode_in).__name__}")
        fed = {arg: value for arg, value in (("encode_sequence_length", encode_sequence_length),
                                              ("decode_sequence_length", decode_sequence_length))
               if isinstance(value, FedValue)}
        for arg, value, call in (
                ("encode_sequence_length", encode_sequence_length, "encode_sequence_length=l"),
                ("decode_sequence_length", decode_sequence_length, "decode_sequence_length=l"),
                ("initial_state_encode", initial_state_encode, "initial_state=state")):
            if arg not in fed:
                moved_to_call(self, arg, value, call)
        moved_to_call(self, "initial_state_decode", initial_state_decode,
                      "initial_state_decode=state")
        if isinstance(net_encode_in, Seq2SeqEncoder):
            encoder = net_encode_in
        else:
            encoder = Seq2SeqEncoder(net_encode_in, cell_fn, cell_init_args, n_hidden,
                                     initializer, dropout, n_layer,
                                     name=None if name is None else f"{name}_encode")
        super().__init__([encoder, net_decode_in], cell_fn=cell_fn,
                         cell_init_args=cell_init_args, n_hidden=n_hidden,
                         initializer=initializer, keep_state=False, name=name, n_layer=n_layer,
                         dropout=dropout)
        if (encoder.n_hidden, encoder.n_layer, encoder.cell_cls) != (
                self.n_hidden, self.n_layer, self.cell_cls):
            raise ValueError(f"{who(self)}: the encoder {who(encoder)} has n_hidden "
                             f"{encoder.n_hidden}, n_layer {encoder.n_layer}, cell "
                             f"{encoder.cell_cls.__name__}; the decoder needs the same, received "
                             f"{self.n_hidden}, {self.n_layer}, {self.cell_cls.__name__}")
        self.encoder = encoder
        # 1.11's retrieve_seq_length_op2(encode_seqs) on the ids placeholder: from each batch
        if "encode_sequence_length" in fed:
            encoder.bind_fed_value("encode_sequence_length", fed["encode_sequence_length"])
        if "decode_sequence_length" in fed:
            self.bind_fed_value("decode_sequence_length", fed["decode_sequence_length"])

    def build(self, input_shape: list[Any]) -> None:
        self.decode_cells = self.make_cells(last_dim(self, input_shape[1], rank=3), "decode/")
        self.state_shapes = self.stack_shapes(self.decode_cells)
        self.make_state_store()

    def compute_output_spec(self, input_spec: list[Any]) -> tf.TensorSpec:
        return tf.TensorSpec(self.shape_out(input_spec[1].shape, self.n_hidden), self.dtype)

    @property
    def final_state_encode(self) -> Any:
        """The encoder's final state of the last call (the decoder's initial state)."""
        return cast(RecurrentLayer, self.prev_layers[0]).final_state

    @property
    def initial_state_encode(self) -> Any:
        """The state the encoder started from in the last call."""
        return cast(RecurrentLayer, self.prev_layers[0]).initial_state

    @property
    def initial_state_decode(self) -> Any:
        """The state the decoder started from in the last call (the encoder's final)."""
        return self.initial_state

    @property
    def final_state_decode(self) -> Any:
        """The decoder's final state of the last call (also ``final_state``)."""
        return self.final_state

    # The decoder's call-time keywords replace the base's ``initial_state``.
    def _forward(self, inputs: list[Any], is_train: bool,  # type: ignore[override]
                 decode_sequence_length: Any = None,
                 initial_state_decode: Any = None) -> tf.Tensor:
        enc_final, dec = inputs
        batch = tf.shape(dec)[0]
        # a given decoder state replaces the encoder's (step-by-step decoding, as 1.11's
        # chatbot fed initial_state_decode)
        start = enc_final if initial_state_decode is None else self._start_state(
            batch, initial_state_decode)
        outputs, final = self.run(inputs, start, is_train=is_train,
                                  decode_sequence_length=decode_sequence_length)
        self._record(start, final, batch)
        return outputs

    def run(self, inputs: list[Any], state: Any, *, is_train: bool,
            decode_sequence_length: Any = None) -> tuple[tf.Tensor, Any]:
        dec = inputs[1]
        outputs, finals = run_stack(self.decode_cells, dec, self.as_list(state),
                                    lengths=_lengths(dec, decode_sequence_length),
                                    keep=self.keep, is_train=is_train)
        return self.finish(outputs), self.as_state(finals)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("return_seq_2d")}
