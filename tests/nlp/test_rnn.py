"""Tests for tlcore_nlp/layers/rnn.py: RNNLayer, BiRNNLayer and the state kept across calls."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import example, given, settings
from hypothesis import strategies as st

import tlcore as tl
from tests.helpers import check_layer
from tlcore.layers.core import InputLayer
from tlcore.layers.dense import DenseLayer
from tlcore_nlp.layers.cells import LSTMStateTuple
from tlcore_nlp.layers.rnn import BiRNNLayer, RNNLayer
from tlcore_nlp.layers.seq_ops import initialize_rnn_state

CELLS = st.sampled_from(["lstm", "gru", "rnn"])
# Every example builds and traces new while-loops (forward, gradient, graph): keep them few.
FEW = settings(max_examples=2)
N_PARAMS = {"lstm": lambda f, h: (f + h) * 4 * h + 4 * h,
            "gru": lambda f, h: (f + h) * 3 * h + 3 * h,
            "rnn": lambda f, h: (f + h) * h + h}


def _x(b, t, f, seed=0):
    return np.random.default_rng(seed).standard_normal((b, t, f)).astype(np.float32)


@FEW
@given(cell=CELLS, t=st.sampled_from([None, 3]), f=st.integers(1, 3), h=st.integers(1, 4),
       mode=st.sampled_from(["seq", "last", "2d"]))
def test_rnn_layer_properties(cell, t, f, h, mode):
    net = RNNLayer(InputLayer([None, t, f]), cell_fn=cell, n_hidden=h, n_steps=t,
                   return_last=mode == "last", return_seq_2d=mode == "2d")
    want = {"seq": (None, t, h), "last": (None, h), "2d": (None, h)}[mode]
    assert net.output_shape == want
    check_layer(net, n_params=N_PARAMS[cell](f, h))


@settings(max_examples=1)
@example(cell="gru", n_layer=2, h=2, mode="last")
@given(cell=CELLS, n_layer=st.integers(1, 2), h=st.integers(1, 3),
       mode=st.sampled_from(["seq", "last", "2d"]))
def test_birnn_layer_properties(cell, n_layer, h, mode):
    net = BiRNNLayer(InputLayer([None, 3, 2]), cell_fn=cell, n_hidden=h, n_layer=n_layer,
                     dropout=(0.9, 0.8), return_last=mode == "last", return_seq_2d=mode == "2d")
    want = {"seq": (None, 3, 2 * h), "last": (None, 2 * h), "2d": (None, 2 * h)}[mode]
    assert net.output_shape == want
    per_stack = N_PARAMS[cell](2, h) + (n_layer - 1) * N_PARAMS[cell](h, h)
    check_layer(net, n_params=2 * per_stack)


@FEW
@given(cell=CELLS, b=st.integers(1, 3), t=st.integers(1, 5), seed=st.integers(0, 99))
def test_whole_sequence_equals_step_by_step_carrying_state(cell, b, t, seed):
    net = RNNLayer(InputLayer([None, None, 2]), cell_fn=cell, n_hidden=3, keep_state=True)
    x = _x(b, t, 2, seed)
    whole = net(x).numpy()
    final = [a.numpy() for a in tf.nest.flatten(net.final_state)]
    initialize_rnn_state(net)
    steps = np.concatenate([net(x[:, i:i + 1]).numpy() for i in range(t)], axis=1)
    np.testing.assert_allclose(steps, whole, atol=1e-6)
    for a, c in zip(final, tf.nest.flatten(net.final_state)):
        np.testing.assert_allclose(c.numpy(), a, atol=1e-6)


def test_explicit_initial_state_carries_like_keep_state():
    net = RNNLayer(InputLayer([None, None, 2]), n_hidden=3, name="lstm")
    x = _x(2, 4, 2)
    whole = net(x).numpy()
    first = net(x[:, :2]).numpy()
    state = net.final_state
    second = net(x[:, 2:], initial_state={"lstm": state}).numpy()
    np.testing.assert_allclose(np.concatenate([first, second], 1), whole, atol=1e-6)
    np.testing.assert_allclose(net.initial_state.h.numpy(), state.h.numpy())
    # without keep_state every call starts from zeros
    np.testing.assert_allclose(net(x[:, 2:]).numpy(), whole[:, :2] * 0 + net(x[:, 2:]).numpy())
    assert not np.allclose(net(x[:, 2:]).numpy(), second)


def test_state_is_not_a_parameter_and_resets_to_zero():
    net = RNNLayer(InputLayer([None, None, 2]), n_hidden=3, keep_state=True)
    assert len(net.all_params) == 2
    x = _x(2, 3, 2)
    a = net(x).numpy()
    assert not np.allclose(net(x).numpy(), a)  # continues from the stored state
    initialize_rnn_state(net)
    np.testing.assert_allclose(net(x).numpy(), a, atol=1e-6)
    initialize_rnn_state(net, batch_size=2)
    np.testing.assert_array_equal(net.final_state.c.numpy(), np.zeros((2, 3)))
    np.testing.assert_allclose(net(x).numpy(), a, atol=1e-6)


def test_batch_one_evaluation_with_the_training_network_in_tf_function():
    """PTB: train with batch 3 x 4 steps, evaluate with batch 1 x 1 step, same network."""
    inp = InputLayer([None, None], dtype=tf.int32)
    net = tl.layers.EmbeddingInputlayer(inp, vocabulary_size=10, embedding_size=4)
    lstm = RNNLayer(net, n_hidden=5, keep_state=True, cell_init_args={"forget_bias": 0.0},
                    name="lstm1")
    net = DenseLayer(lstm[:, -1], n_units=10)
    step = tf.function(lambda x: net(x, is_train=True))
    ids = np.random.default_rng(0).integers(0, 10, (3, 8)).astype(np.int32)
    for i in range(2):
        step(ids[:, 4 * i:4 * i + 4])
    assert lstm.final_state.h.shape == (3, 5)
    initialize_rnn_state(net)
    seq = ids[:1]
    outs = [step(seq[:, i:i + 1]).numpy() for i in range(8)]
    assert lstm.final_state.h.shape == (1, 5)
    initialize_rnn_state(net)
    np.testing.assert_allclose(step(seq).numpy(), outs[-1], atol=1e-5)
    # back to batch 3: a stored state of another batch size counts as zeros
    initialize_rnn_state(net)
    want = step(ids[:, :4]).numpy()
    step(seq)
    np.testing.assert_allclose(step(ids[:, :4]).numpy(), want, atol=1e-6)


def test_birnn_backward_half_reads_the_sequence_reversed():
    x = _x(2, 4, 2)
    bi = BiRNNLayer(InputLayer([None, None, 2]), cell_fn="gru", n_hidden=3)
    fw = RNNLayer(InputLayer([None, None, 2]), cell_fn="gru", n_hidden=3)
    bw = RNNLayer(InputLayer([None, None, 2]), cell_fn="gru", n_hidden=3)
    for v, w in zip(fw.all_params + bw.all_params, bi.all_params):
        v.assign(w)
    out = bi(x).numpy()
    np.testing.assert_allclose(out[..., :3], fw(x).numpy(), atol=1e-6)
    np.testing.assert_allclose(out[..., 3:], bw(x[:, ::-1]).numpy()[:, ::-1], atol=1e-6)
    fw_state, bw_state = bi.final_state
    np.testing.assert_allclose(bw_state.numpy(), bw.final_state.numpy(), atol=1e-6)


def test_seed_ptb_model_builds_with_tl_names():
    inp = InputLayer([None, None], dtype=tf.int32, name="input")
    net = tl.layers.EmbeddingInputlayer(inp, vocabulary_size=50, embedding_size=8,
                                        name="embedding_layer")
    net = tl.layers.DropoutLayer(net, keep=0.9, is_fix=True, name="drop1")
    net = tl.layers.RNNLayer(net, cell_fn="BasicLSTMCell", cell_init_args={"forget_bias": 0.0},
                             n_hidden=8, n_steps=None, return_last=False, name="basic_lstm_layer1")
    net = tl.layers.RNNLayer(net, cell_fn="BasicLSTMCell", cell_init_args={"forget_bias": 0.0},
                             n_hidden=8, return_seq_2d=True, name="basic_lstm_layer2")
    net = tl.layers.DenseLayer(net, n_units=50, name="output_layer")
    assert [net.param_name(v) for v in net.all_params] == [
        "embedding_layer/embeddings", "basic_lstm_layer1/kernel", "basic_lstm_layer1/bias",
        "basic_lstm_layer2/kernel", "basic_lstm_layer2/bias", "output_layer/W", "output_layer/b"]
    assert net(np.zeros((2, 5), np.int32)).shape == (10, 50)


@pytest.mark.parametrize("kw,match", [
    ({"n_hidden": 0}, r"n_hidden must be a positive int, received 0"),
    ({"n_steps": 4}, r"n_steps=4 but the input has 3 steps"),
], ids=["n_hidden", "n_steps"])
def test_bad_args_name_the_layer(kw, match):
    with pytest.raises(ValueError, match=r"RNNLayer 'r': " + match):
        RNNLayer(InputLayer([None, 3, 2]), name="r", **kw)


@pytest.mark.parametrize("dropout", [1.5, (0.5,), "x"])
def test_bad_dropout(dropout):
    with pytest.raises(ValueError, match=r"BiRNNLayer 'b': dropout must be"):
        BiRNNLayer(InputLayer([None, 3, 2]), dropout=dropout, name="b")


def test_rank_two_input_is_rejected():
    with pytest.raises(ValueError, match=r"RNNLayer 'r': expected rank-3 input.*\(None, 4\)"):
        RNNLayer(InputLayer([None, 4]), name="r")


def test_initial_state_structure_is_checked():
    net = RNNLayer(InputLayer([None, None, 2]), n_hidden=3, name="r")
    with pytest.raises(ValueError, match=r"RNNLayer 'r': initial_state must have the structure"):
        net(_x(1, 2, 2), initial_state=np.zeros((1, 3), np.float32))
    out = net(_x(1, 2, 2), initial_state=LSTMStateTuple(np.zeros((1, 3), np.float32),
                                                        np.zeros((1, 3), np.float32)))
    assert out.shape == (1, 2, 3)


def test_state_variables_are_listed_apart_from_params():
    net = BiRNNLayer(InputLayer([None, None, 2]), n_hidden=3)
    params = {id(v) for v in net.all_params}
    # (c, h) per direction, initial and final, plus the stored batch size
    assert len(net.state_variables) == 2 * 4 + 1
    assert not params & {id(v) for v in net.state_variables}
    assert all(not v.trainable for v in net.state_variables)


# -------------------------------------------------------- TensorLayer 1.11's signatures and counts
def test_positional_order_is_1_11s():
    init = tf.keras.initializers.Constant(0.01)
    net = RNNLayer(InputLayer([None, 5, 2]), "lstm", {"forget_bias": 0.0}, 3, init, 5, None,
                   False, True, "r")
    assert (net.name, net.n_hidden, net.n_steps, net.return_seq_2d) == ("r", 3, 5, True)
    assert net.cell.forget_bias == 0.0 and net.output_shape == (None, 3)
    bi = BiRNNLayer(InputLayer([None, 5, 2]), "gru", None, 3, init, 5, None, None, 0.9, 2,
                    False, False, "b")
    assert (bi.name, bi.n_layer, bi.keep, bi.output_shape) == ("b", 2, (0.9, 0.9), (None, 5, 6))


def test_bi_rnn_n_layer_2_stacks_per_direction_as_1_11():
    """1.11 (MultiRNNCell per direction): Emb(30, 20) -> BiRNN(LSTM, 20, n_layer=2) is 9
    arrays and 13,720 parameters; the second cell of a direction reads its own 20 outputs."""
    net = tl.layers.EmbeddingInputlayer([10, 5], vocabulary_size=30, embedding_size=20)
    net = BiRNNLayer(net, "BasicLSTMCell", n_hidden=20, n_steps=5, n_layer=2, name="birnn2")
    assert len(net.all_params) == 9 and net.count_params() == 13720
    assert [net.param_name(v) for v in net.all_params[1:]] == [
        f"birnn2/{d}/cell_{i}/{v}" for d in ("fw", "bw") for i in (0, 1)
        for v in ("kernel", "bias")]
    assert tuple(net.fw_cells[1].kernel.shape) == (40, 80)


@pytest.mark.parametrize("make,match", [
    (lambda: RNNLayer(InputLayer([None, 3, 2]), initial_state=tf.zeros([1, 4]), name="r"),
     r"RNNLayer 'r': initial_state moved to the call: pass net\(x, initial_state=state\)"),
    (lambda: BiRNNLayer(InputLayer([None, 3, 2]), bw_initial_state=0, name="r"),
     r"BiRNNLayer 'r': bw_initial_state moved to the call: .*initial_state=\(fw_state, "),
], ids=["rnn", "birnn"])
def test_construction_time_state_says_where_it_moved(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_1_11_direction_state_attributes():
    bi = BiRNNLayer(InputLayer([None, 3, 2]), "gru", n_hidden=2)
    bi(np.ones((1, 3, 2), np.float32))
    np.testing.assert_array_equal(bi.fw_final_state.numpy(), bi.final_state[0].numpy())
    np.testing.assert_array_equal(bi.bw_final_state.numpy(), bi.final_state[1].numpy())
