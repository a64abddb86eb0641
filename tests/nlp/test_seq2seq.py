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
    assert names[0] == "s2s_encode/cell_0/kernel" and names[-1] == "s2s/decode/cell_1/bias"
    encoder = DynamicRNNLayer(InputLayer([None, None, 3]), n_hidden=4, n_layer=2,
                              return_last=False)
    decoder = DynamicRNNLayer(InputLayer([None, None, 2]), n_hidden=4, n_layer=2,
                              return_last=False)
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


# -------------------------------------------------------- TensorLayer 1.11's signature and counts
def test_1_11_spelling_and_layer_count():
    """Seq2Seq(net_encode_in, net_decode_in, cell_fn, ...) as 1.11 spelled it; the encoder is a
    layer of its own, so emb, emb, Seq2Seq, Dense are 5 layers as in 1.11's test."""
    import tlcore as tl

    enc = tl.layers.EmbeddingInputlayer([None, None], 50, 6, name="enc_emb")
    dec = tl.layers.EmbeddingInputlayer([None, None], 50, 6, name="dec_emb")
    net = Seq2Seq(enc, dec, "BasicLSTMCell", None, 4, n_layer=2, return_seq_2d=True, name="s")
    net = tl.layers.DenseLayer(net, n_units=50, name="oo")
    assert [layer.name for layer in net.all_layers] == ["enc_emb", "s_encode", "dec_emb", "s",
                                                         "oo"]
    lstm = 4 * (6 + 4) * 4 + 16 + 4 * (4 + 4) * 4 + 16  # two stacked cells
    assert len(net.all_params) == 2 + 8 + 2
    assert net.count_params() == 2 * 50 * 6 + 2 * lstm + 4 * 50 + 50
    out = net([np.array([[1, 2, 3]]), np.array([[4, 5]])], encode_sequence_length=[3])
    assert out.shape == (2, 50)


def test_list_form_and_an_existing_encoder():
    enc_in, dec_in = InputLayer([None, None, 3]), InputLayer([None, None, 2])
    a = Seq2Seq([enc_in, dec_in], n_hidden=4, name="a")
    b = Seq2Seq(a.encoder, dec_in, n_hidden=4, name="b")  # shares a's encoder
    assert b.encoder is a.encoder and b.all_params[:2] == a.all_params[:2]
    with pytest.raises(ValueError, match=r"Seq2Seq 'c': the encoder Seq2SeqEncoder 'a_encode' "
                                         r"has n_hidden 4.*received 5"):
        Seq2Seq(a.encoder, dec_in, n_hidden=5, name="c")


@pytest.mark.parametrize("kw,match", [
    ({"encode_sequence_length": [3]}, r"encode_sequence_length moved to the call"),
    ({"decode_sequence_length": [3]}, r"decode_sequence_length moved to the call"),
    ({"initial_state_encode": 0}, r"initial_state_encode moved to the call: pass "
                                  r"net\(x, initial_state=state\)"),
    ({"initial_state_decode": 0}, r"initial_state_decode moved to the call: pass "
                                  r"net\(x, initial_state_decode=state\)"),
], ids=["encode_sequence_length", "decode_sequence_length", "initial_state_encode",
        "initial_state_decode"])
def test_1_11_construction_args_say_where_they_went(kw, match):
    a = InputLayer([None, None, 2])
    with pytest.raises(ValueError, match=r"Seq2Seq 's': " + match):
        Seq2Seq(a, InputLayer([None, None, 2]), name="s", **kw)


def test_mixed_forms_are_refused():
    a, b = InputLayer([None, None, 2]), InputLayer([None, None, 2])
    with pytest.raises(TypeError, match=r"Seq2Seq 's': pass Seq2Seq\(net_encode_in, "
                                        r"net_decode_in, ...\) or Seq2Seq\(\[net_encode_in"):
        Seq2Seq([a, b], "lstm", name="s")


def test_1_11_state_attributes_after_a_call():
    enc_in, dec_in = InputLayer([None, None, 3]), InputLayer([None, None, 2])
    net = Seq2Seq(enc_in, dec_in, n_hidden=4, name="s")
    net([np.ones((2, 3, 3), np.float32), np.ones((2, 2, 2), np.float32)])
    for a, b in [(net.initial_state_decode, net.final_state_encode),
                 (net.final_state_decode, net.final_state)]:
        for x, y in zip(tf.nest.flatten(a), tf.nest.flatten(b)):
            np.testing.assert_array_equal(x.numpy(), y.numpy())
    assert all(np.all(t.numpy() == 0) for t in tf.nest.flatten(net.initial_state_encode))


def test_seq2seq_network_saves_and_loads(tmp_path):
    import tlcore as tl

    enc = tl.layers.EmbeddingInputlayer([None, None], 20, 3, name="enc")
    dec = tl.layers.EmbeddingInputlayer([None, None], 20, 3, name="dec")
    net = Seq2Seq(enc, dec, n_hidden=4, n_layer=2, return_seq_2d=True, name="s")
    path = tl.files.save_network(net, str(tmp_path / "s2s.tlnet.npz"))
    other = tl.files.load_network(path)
    assert [type(layer).__name__ for layer in other.all_layers] == [
        "EmbeddingInputlayer", "Seq2SeqEncoder", "EmbeddingInputlayer", "Seq2Seq"]
    x = [np.array([[1, 2, 3]]), np.array([[4, 5]])]
    np.testing.assert_allclose(other(x).numpy(), net(x).numpy(), atol=1e-6)


def test_step_by_step_decoding_from_a_given_decoder_state():
    """1.11's chatbot: encode once, then decode one token at a time feeding the state back."""
    enc_in, dec_in = InputLayer([None, None, 3]), InputLayer([None, None, 2])
    net = Seq2Seq(enc_in, dec_in, n_hidden=4, n_layer=2, name="s")
    rng = np.random.default_rng(1)
    xe = rng.standard_normal((1, 3, 3)).astype(np.float32)
    xd = rng.standard_normal((1, 2, 2)).astype(np.float32)
    whole = net([xe, xd]).numpy()
    state = net.final_state_encode
    steps = []
    for t in range(2):
        steps.append(net([xe, xd[:, t:t + 1]], initial_state_decode=state).numpy())
        state = net.final_state_decode
    np.testing.assert_allclose(np.concatenate(steps, axis=1), whole, atol=1e-6)


def test_1_11_sequence_lengths_from_the_ids_specs_are_computed_per_batch():
    """1.11's chatbot: ``encode_sequence_length=retrieve_seq_length_op2(encode_seqs)``."""
    import tlcore as tl

    enc_ids = tf.TensorSpec([None, None], tf.int64)
    dec_ids = tf.TensorSpec([None, None], tf.int64)
    enc = tl.layers.EmbeddingInputlayer(inputs=enc_ids, vocabulary_size=9, embedding_size=3,
                                        name="enc")
    dec = tl.layers.EmbeddingInputlayer(inputs=dec_ids, vocabulary_size=9, embedding_size=3,
                                        name="dec")
    net = Seq2Seq(enc, dec, n_hidden=4, name="s",
                  encode_sequence_length=tl.layers.retrieve_seq_length_op2(enc_ids),
                  decode_sequence_length=tl.layers.retrieve_seq_length_op2(dec_ids))
    x, y = np.array([[4, 2, 0], [1, 0, 0]]), np.array([[5, 0], [6, 7]])
    explicit = net([x, y], encode_sequence_length={"s_encode": [2, 1]},
                   decode_sequence_length=[1, 2])
    np.testing.assert_allclose(net([x, y]), explicit, rtol=1e-6)
    np.testing.assert_allclose(net([x[:1, :2], y[:1, :1]]), net([x, y])[:1, :1], rtol=1e-5,
                               atol=1e-6)


def test_lengths_bound_to_the_ids_survive_save_and_load(tmp_path):
    import tlcore as tl

    enc_ids, dec_ids = tf.TensorSpec([None, None], tf.int64), tf.TensorSpec([None, None], tf.int64)
    enc = tl.layers.EmbeddingInputlayer(inputs=enc_ids, vocabulary_size=9, embedding_size=3,
                                        name="enc")
    dec = tl.layers.EmbeddingInputlayer(inputs=dec_ids, vocabulary_size=9, embedding_size=3,
                                        name="dec")
    net = Seq2Seq(enc, dec, n_hidden=4, name="s",
                  encode_sequence_length=tl.layers.retrieve_seq_length_op2(enc_ids),
                  decode_sequence_length=tl.layers.retrieve_seq_length_op2(dec_ids))
    assert net.get_config()["fed_args"] == {"decode_sequence_length": {
        "op": "retrieve_seq_length_op2", "input": "dec", "kwargs": {}}}
    other = tl.files.load_network(tl.files.save_network(net, str(tmp_path / "s.tlnet.npz")))
    x, y = np.array([[4, 2, 0], [1, 0, 0]]), np.array([[5, 0], [6, 7]])
    np.testing.assert_allclose(other([x, y]), net([x, y]), atol=1e-6)
    np.testing.assert_allclose(other([x[:1, :2], y[:1, :1]]), other([x, y])[:1, :1], atol=1e-6)


def test_a_saved_binding_runs_only_a_length_function():
    import tlcore as tl
    from tlcore.layers.core import FedValue

    enc = tl.layers.EmbeddingInputlayer(inputs=[None, None], vocabulary_size=9, embedding_size=3,
                                        name="enc")
    with pytest.raises(ValueError, match=r"a saved value must come from a function such as "
                                         r"retrieve_seq_length_op2 with plain keywords, received "
                                         r"'DenseLayer'"):
        FedValue.from_config(enc, {"op": "DenseLayer", "input": "enc", "kwargs": {}})
    fed = FedValue.from_config(enc, {"op": "retrieve_seq_length_op3", "input": "enc",
                                     "kwargs": {"pad_val": 2}})
    np.testing.assert_array_equal(fed.fn(tf.constant([[1, 2, 2], [2, 2, 2]])), [1, 0])
