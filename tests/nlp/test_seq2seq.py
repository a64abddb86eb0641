"""Tests for tlcore_nlp/layers/seq2seq.py: the encoder's final state seeds the decoder."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import check_layer
from tlcore.layers.core import InputLayer
from tlcore_nlp.layers.dynamic_rnn import DynamicRNNLayer
from tlcore_nlp.layers.seq2seq import Seq2Seq


# one example: tracing 4 while-loops (and their gradients) is the cost; n_layer=2 is covered by
# test_encoder_final_state_seeds_the_decoder
@settings(max_examples=1)
@given(cell=st.sampled_from(["lstm", "gru"]), n_layer=st.integers(1, 2), two_d=st.booleans())
def test_seq2seq_properties(cell, n_layer, two_d):
    enc, dec = InputLayer([None, None, 3], name="enc"), InputLayer([None, None, 2], name="dec")
    net = Seq2Seq([enc, dec], cell_fn=cell, n_hidden=4, n_layer=n_layer, dropout=0.9,
                  return_seq_2d=two_d)
    assert net.output_shape == ((None, 4) if two_d else (None, None, 4))
    check_layer(net)


def test_encoder_final_state_seeds_the_decoder():
    enc_in, dec_in = InputLayer([None, None, 3]), InputLayer([None, None, 2])
    net = Seq2Seq([enc_in, dec_in], n_hidden=4, n_layer=2, name="s2s")
    names = [net.param_name(v) for v in net.all_params]
    assert names[0] == "s2s/encode/cell_0/kernel" and names[-1] == "s2s/decode/cell_1/bias"
    encoder = DynamicRNNLayer(InputLayer([None, None, 3]), n_hidden=4, n_layer=2)
    decoder = DynamicRNNLayer(InputLayer([None, None, 2]), n_hidden=4, n_layer=2)
    for a, b in zip(encoder.all_params + decoder.all_params, net.all_params):
        a.assign(b)
    rng = np.random.default_rng(0)
    xe = rng.standard_normal((2, 5, 3)).astype(np.float32)
    xd = rng.standard_normal((2, 4, 2)).astype(np.float32)
    out = net([xe, xd], encode_sequence_length=[5, 2], decode_sequence_length=[4, 3]).numpy()
    encoder(xe, sequence_length=[5, 2])
    want = decoder(xd, sequence_length=[4, 3], initial_state=encoder.final_state).numpy()
    np.testing.assert_allclose(out, want, atol=1e-6)
    for a, b in zip(tf.nest.flatten(net.final_state_encode), tf.nest.flatten(encoder.final_state)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-6)
    for a, b in zip(tf.nest.flatten(net.final_state), tf.nest.flatten(decoder.final_state)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-6)


def test_needs_two_parents():
    a = InputLayer([None, None, 2])
    with pytest.raises(ValueError, match=r"Seq2Seq 's': expected \[net_encode_in, net_decode_in\]"):
        Seq2Seq([a, a, a], name="s")
