"""Tests for tlcore_nlp/layers/dynamic_rnn.py: variable-length batches, padding invariance."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import example, given, settings
from hypothesis import strategies as st

import tlcore as tl
from tests.helpers import check_layer
from tlcore.layers.core import InputLayer
from tlcore_nlp.layers.cells import LSTMStateTuple
from tlcore_nlp.layers.dynamic_rnn import BiDynamicRNNLayer, DynamicRNNLayer

CELLS = st.sampled_from(["lstm", "gru", "rnn"])


@settings(max_examples=1)
@example(cls=BiDynamicRNNLayer, cell="lstm", n_layer=2, mode="last")
@given(cls=st.sampled_from([DynamicRNNLayer, BiDynamicRNNLayer]), cell=CELLS,
       n_layer=st.integers(1, 2), mode=st.sampled_from(["seq", "last", "2d"]))
def test_dynamic_layers_properties(cls, cell, n_layer, mode):
    net = cls(InputLayer([None, None, 2]), cell_fn=cell, n_hidden=3, n_layer=n_layer,
              dropout=0.9, return_last=mode == "last", return_seq_2d=mode == "2d")
    w = 3 * (2 if cls is BiDynamicRNNLayer else 1)
    assert net.output_shape == {"seq": (None, None, w), "last": (None, w), "2d": (None, w)}[mode]
    check_layer(net)


@settings(max_examples=4)
@given(cls=st.sampled_from([DynamicRNNLayer, BiDynamicRNNLayer]), cell=CELLS,
       lengths=st.lists(st.integers(1, 5), min_size=1, max_size=3), extra=st.integers(0, 2),
       seed=st.integers(0, 99))
def test_padding_does_not_change_shorter_sequences(cls, cell, lengths, extra, seed):
    net = cls(InputLayer([None, None, 2]), cell_fn=cell, n_hidden=3, n_layer=2,
              return_last=False)
    rng = np.random.default_rng(seed)
    t_max = max(lengths) + extra
    x = rng.standard_normal((len(lengths), t_max, 2)).astype(np.float32)
    for i, n in enumerate(lengths):
        x[i, n:] = rng.standard_normal((t_max - n, 2))  # garbage in the padding
    out = net(x, sequence_length=np.array(lengths)).numpy()
    finals = [s.numpy() for s in tf.nest.flatten(net.final_state)]
    for i, n in enumerate(lengths):
        alone = net(x[i:i + 1, :n], sequence_length=[n]).numpy()
        np.testing.assert_allclose(out[i, :n], alone[0], atol=1e-5)
        np.testing.assert_array_equal(out[i, n:], 0.0)
        for f, s in zip(finals, tf.nest.flatten(net.final_state)):
            np.testing.assert_allclose(f[i], s.numpy()[0], atol=1e-5)


def test_lengths_default_to_nonzero_steps_and_return_last_is_last_real_step():
    net = DynamicRNNLayer(InputLayer([None, None, 2]), n_hidden=3, return_last=True)
    seq = DynamicRNNLayer(InputLayer([None, None, 2]), n_hidden=3, return_last=False)
    for a, b in zip(seq.all_params, net.all_params):
        a.assign(b)
    x = np.random.default_rng(0).standard_normal((2, 4, 2)).astype(np.float32)
    x[0, 2:] = 0.0
    full = seq(x).numpy()
    np.testing.assert_array_equal(full[0, 2:], 0.0)
    np.testing.assert_allclose(net(x).numpy(), np.stack([full[0, 1], full[1, 3]]), atol=1e-6)
    np.testing.assert_allclose(net.final_state.h.numpy(), np.stack([full[0, 1], full[1, 3]]),
                               atol=1e-6)


def test_per_layer_sequence_length_dict_and_state_structure():
    net = DynamicRNNLayer(InputLayer([None, None, 2]), n_hidden=3, n_layer=2, name="dy",
                          return_last=False)
    x = np.ones((2, 3, 2), np.float32)
    out = net(x, sequence_length={"dy": [1, 3]}).numpy()
    np.testing.assert_array_equal(out[0, 1:], 0.0)
    assert np.all(out[1] != 0)
    state = net.final_state
    assert isinstance(state, tuple) and len(state) == 2
    assert all(isinstance(s, LSTMStateTuple) for s in state)


def test_dropout_only_when_training():
    tf.random.set_seed(1)
    net = DynamicRNNLayer(InputLayer([None, None, 4]), n_hidden=8, dropout=(0.5, 0.5))
    x = np.ones((2, 3, 4), np.float32)
    np.testing.assert_array_equal(net(x).numpy(), net(x).numpy())
    assert not np.allclose(net(x, is_train=True).numpy(), net(x).numpy())
    assert net.all_drop == {}


def test_bi_dynamic_backward_reads_from_each_sequences_own_end():
    bi = BiDynamicRNNLayer(InputLayer([None, None, 2]), cell_fn="rnn", n_hidden=2)
    bw = DynamicRNNLayer(InputLayer([None, None, 2]), cell_fn="rnn", n_hidden=2,
                         return_last=False)
    for a, b in zip(bw.all_params, bi.all_params[2:]):
        a.assign(b)
    x = np.random.default_rng(2).standard_normal((1, 4, 2)).astype(np.float32)
    out = bi(x, sequence_length=[3]).numpy()
    rev = bw(x[:, 2::-1]).numpy()[:, ::-1]
    np.testing.assert_allclose(out[:, :3, 2:], rev, atol=1e-6)
    np.testing.assert_array_equal(out[:, 3], 0.0)


@pytest.mark.parametrize("kw,match", [
    ({"n_layer": 0}, r"n_layer must be a positive int"),
    ({"dropout": 0.0}, r"dropout must be a number in \(0, 1\]"),
    ({"dropout": (0.5, 2)}, r"dropout must be a number in \(0, 1\], received 2"),
], ids=["n_layer", "zero-keep", "bad-out-keep"])
def test_bad_args_name_the_layer(kw, match):
    with pytest.raises(ValueError, match=r"DynamicRNNLayer 'd': " + match):
        DynamicRNNLayer(InputLayer([None, None, 2]), name="d", **kw)


# -------------------------------------------------------- TensorLayer 1.11's signatures and counts
def test_return_last_defaults_to_true_as_in_1_11():
    assert DynamicRNNLayer(InputLayer([None, None, 2]), n_hidden=3).output_shape == (None, 3)
    assert BiDynamicRNNLayer(InputLayer([None, None, 2]), n_hidden=3).output_shape == (
        None, None, 6)


def test_positional_order_is_1_11s():
    net = DynamicRNNLayer(InputLayer([None, None, 2]), "gru", None, 3, "glorot_uniform", None,
                          None, 0.8, 2, False, True, None, "d")
    assert (net.name, net.n_layer, net.keep, net.output_shape) == ("d", 2, (0.8, 0.8), (None, 3))
    bi = BiDynamicRNNLayer(InputLayer([None, None, 2]), "rnn", None, 3, "glorot_uniform", None,
                           None, None, None, 2, False, False, {}, "b")
    assert (bi.name, bi.n_layer, bi.output_shape) == ("b", 2, (None, None, 6))


def test_bi_dynamic_n_layer_2_stacks_as_1_11():
    """1.11 (stack_bidirectional_dynamic_rnn): Emb(30, 20) -> BiDynamicRNN(LSTM, 20,
    n_layer=2) -> Dense(30) is 11 arrays and 18,150 parameters, cell_i fw then bw."""
    net = tl.layers.EmbeddingInputlayer([None, None], vocabulary_size=30, embedding_size=20)
    rnn = BiDynamicRNNLayer(net, "BasicLSTMCell", n_hidden=20, n_layer=2, return_seq_2d=True,
                            name="bd")
    net = tl.layers.DenseLayer(rnn, n_units=30)
    assert len(net.all_params) == 11 and net.count_params() == 18150
    assert [rnn.param_name(v) for v in rnn.all_params[1:]] == [
        f"bd/cell_{i}/{d}/{v}" for i in (0, 1) for d in ("fw", "bw") for v in ("kernel", "bias")]
    assert tuple(rnn.fw_cells[1].kernel.shape) == (40 + 20, 80)


def test_bi_dynamic_second_layer_reads_both_directions():
    """n_layer=2 equals two chained one-layer BiDynamicRNNLayers with the same weights."""
    stacked = BiDynamicRNNLayer(InputLayer([None, None, 2]), "gru", n_hidden=3, n_layer=2)
    one = BiDynamicRNNLayer(InputLayer([None, None, 2]), "gru", n_hidden=3)
    two = BiDynamicRNNLayer(one, "gru", n_hidden=3)
    for a, b in zip(two.all_params, stacked.all_params):
        a.assign(b)
    x = np.random.default_rng(3).standard_normal((2, 4, 2)).astype(np.float32)
    lengths = [4, 2]
    want = two(x, sequence_length=lengths).numpy()
    np.testing.assert_allclose(stacked(x, sequence_length=lengths).numpy(), want, atol=1e-6)
    for a, b in zip(tf.nest.flatten(stacked.final_state),
                    tf.nest.flatten((one.final_state[0], two.final_state[0],
                                     one.final_state[1], two.final_state[1]))):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-6)


@pytest.mark.parametrize("kw,match", [
    ({"sequence_length": [2, 3]},
     r"sequence_length moved to the call: pass net\(x, sequence_length=lengths\), e\.g\. "
     r"lengths = tl\.layers\.retrieve_seq_length_op2\(ids\)"),
    ({"initial_state": 0}, r"initial_state moved to the call"),
    ({"dynamic_rnn_init_args": {"swap_memory": True}},
     r"dynamic_rnn_init_args \(keywords of TF1's tf.nn.dynamic_rnn\) are not supported"),
], ids=["sequence_length", "initial_state", "dynamic_rnn_init_args"])
def test_1_11_construction_args_say_where_they_went(kw, match):
    with pytest.raises(ValueError, match=r"DynamicRNNLayer 'd': " + match):
        DynamicRNNLayer(InputLayer([None, None, 2]), name="d", **kw)


def test_1_11_direction_state_attributes():
    bi = BiDynamicRNNLayer(InputLayer([None, None, 2]), "gru", n_hidden=2, n_layer=2)
    bi(np.ones((1, 3, 2), np.float32))
    assert len(bi.fw_final_states) == 2 and len(bi.bw_final_states) == 2
    np.testing.assert_array_equal(bi.bw_final_states[1].numpy(), bi.final_state[1][1].numpy())
