"""Tests for tlcore_nlp/layers/cells.py: Keras 3 LSTM, GRU and SimpleRNN are the oracles on
mapped weights (through RNNLayer, which runs the cells in the compiled loop)."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from tlcore.layers.core import InputLayer
from tlcore_nlp.layers.cells import BasicLSTMCell, GRUCell, LSTMStateTuple, resolve_cell
from tlcore_nlp.layers.rnn import RNNLayer

dims = dict(b=st.integers(1, 3), t=st.integers(1, 4), f=st.integers(1, 3), h=st.integers(1, 4),
            seed=st.integers(0, 999))
ORACLE = settings(max_examples=3)  # one Keras layer build per example


def _x(b, t, f, seed):
    return np.random.default_rng(seed).standard_normal((b, t, f)).astype(np.float32)


def _keras_run(layer, x, weights):
    layer.build(x.shape)
    layer.set_weights(weights)
    out = layer(x)
    return [np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])]


@ORACLE
@given(fb=st.sampled_from([0.0, 1.0]), **dims)
def test_lstm_matches_keras_lstm(b, t, f, h, seed, fb):
    net = RNNLayer(InputLayer([None, None, f]), cell_fn="BasicLSTMCell", n_hidden=h,
                   cell_init_args={"forget_bias": fb})
    k, bias = net.cell.kernel.numpy(), net.cell.bias.numpy()
    # BasicLSTMCell gates i, j, f, o -> Keras i, f, c, o; forget_bias moves into the bias.
    order = np.concatenate([np.arange(0, h), np.arange(2 * h, 3 * h), np.arange(h, 2 * h),
                            np.arange(3 * h, 4 * h)])
    kb = bias.copy()
    kb[2 * h:3 * h] += fb
    weights = [k[:f][:, order], k[f:][:, order], kb[order]]
    x = _x(b, t, f, seed)
    seq, kh, kc = _keras_run(keras.layers.LSTM(h, return_sequences=True, return_state=True,
                                               unit_forget_bias=False), x, weights)
    np.testing.assert_allclose(net(x).numpy(), seq, atol=1e-5)
    state = net.final_state
    assert isinstance(state, LSTMStateTuple)
    np.testing.assert_allclose(state.h.numpy(), kh, atol=1e-5)
    np.testing.assert_allclose(state.c.numpy(), kc, atol=1e-5)


@ORACLE
@given(**dims)
def test_gru_matches_keras_gru_reset_before(b, t, f, h, seed):
    net = RNNLayer(InputLayer([None, None, f]), cell_fn="GRUCell", n_hidden=h)
    c = net.cell
    wg, bg = c.gate_kernel.numpy(), c.gate_bias.numpy()
    wc, bc = c.cand_kernel.numpy(), c.cand_bias.numpy()
    bg = bg + np.random.default_rng(seed).standard_normal(bg.shape).astype(np.float32) * 0.1
    c.gate_bias.assign(bg)
    # TF1 gates (r, u) + candidate -> Keras (z, r, h) with z = u; reset_after=False is TF1's GRU.
    kernel = np.concatenate([wg[:f, h:], wg[:f, :h], wc[:f]], axis=1)
    recurrent = np.concatenate([wg[f:, h:], wg[f:, :h], wc[f:]], axis=1)
    bias = np.concatenate([bg[h:], bg[:h], bc])
    x = _x(b, t, f, seed)
    seq, kh = _keras_run(keras.layers.GRU(h, return_sequences=True, return_state=True,
                                          reset_after=False), x, [kernel, recurrent, bias])
    np.testing.assert_allclose(net(x).numpy(), seq, atol=1e-5)
    np.testing.assert_allclose(net.final_state.numpy(), kh, atol=1e-5)


@ORACLE
@given(**dims)
def test_vanilla_rnn_matches_keras_simple_rnn(b, t, f, h, seed):
    net = RNNLayer(InputLayer([None, None, f]), cell_fn="BasicRNNCell", n_hidden=h)
    k = net.cell.kernel.numpy()
    bias = np.random.default_rng(seed).standard_normal(h).astype(np.float32) * 0.1
    net.cell.bias.assign(bias)
    x = _x(b, t, f, seed)
    seq, kh = _keras_run(keras.layers.SimpleRNN(h, return_sequences=True, return_state=True), x,
                         [k[:f], k[f:], bias])
    np.testing.assert_allclose(net(x).numpy(), seq, atol=1e-5)
    np.testing.assert_allclose(net.final_state.numpy(), kh, atol=1e-5)


def test_gru_reset_after_true_is_a_different_cell():
    """Keras' default GRU (reset_after=True) is not TF1's GRU: same weights, other numbers."""
    f, h = 2, 3
    net = RNNLayer(InputLayer([None, None, f]), cell_fn="gru", n_hidden=h)
    c = net.cell
    wg, wc = c.gate_kernel.numpy() * 10, c.cand_kernel.numpy() * 10
    c.gate_kernel.assign(wg), c.cand_kernel.assign(wc)
    kernel = np.concatenate([wg[:f, h:], wg[:f, :h], wc[:f]], axis=1)
    recurrent = np.concatenate([wg[f:, h:], wg[f:, :h], wc[f:]], axis=1)
    bias = np.stack([np.concatenate([np.ones(2 * h), np.zeros(h)])] * 2).astype(np.float32)
    x = _x(2, 4, f, 0)
    (seq,) = _keras_run(keras.layers.GRU(h, return_sequences=True), x, [kernel, recurrent, bias])
    assert np.abs(net(x).numpy() - seq).max() > 1e-3


def test_lstm_cell_one_step_formula():
    """BasicLSTMCell's math from its definition, in numpy, for one call of the cell."""
    owner = RNNLayer(InputLayer([None, None, 2]), n_hidden=3, cell_init_args={"forget_bias": 0.5})
    cell = owner.cell
    rng = np.random.default_rng(1)
    cell.bias.assign(rng.standard_normal(12).astype(np.float32))
    x = rng.standard_normal((4, 2)).astype(np.float32)
    c0, h0 = (rng.standard_normal((4, 3)).astype(np.float32) for _ in range(2))
    out, (c1, h1) = cell(x, LSTMStateTuple(c0, h0))
    z = np.concatenate([x, h0], 1) @ cell.kernel.numpy() + cell.bias.numpy()
    i, j, f, o = np.split(z, 4, axis=1)
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    c_want = c0 * sig(f + 0.5) + sig(i) * np.tanh(j)
    h_want = np.tanh(c_want) * sig(o)
    np.testing.assert_allclose(c1.numpy(), c_want, atol=1e-5)
    np.testing.assert_allclose(h1.numpy(), h_want, atol=1e-5)
    np.testing.assert_allclose(out.numpy(), h_want, atol=1e-5)


@pytest.mark.parametrize("cell_fn", ["lstm", "BasicLSTMCell", BasicLSTMCell,
                                     type("BasicLSTMCell", (), {})], ids=["short", "name", "class",
                                                                     "tf1-class-by-name"])
def test_cell_fn_spellings(cell_fn):
    assert resolve_cell(None, cell_fn, None)[0] is BasicLSTMCell


@pytest.mark.parametrize("cell_fn,args,match", [
    ("nope", None, r"cell_fn must be a tlcore cell class or one of .*received 'nope'"),
    ("lstm", {"num_proj": 3}, r"cell_init_args \['num_proj'\] are not options of BasicLSTMCell"),
    ("gru", [1], r"cell_init_args must be a dict or None, received \[1\]"),
    ("lstm", {"forget_bias": "x"}, r"forget_bias must be a number, received 'x'"),
], ids=["unknown-cell", "unknown-arg", "args-not-dict", "bad-forget-bias"])
def test_bad_cells_name_the_layer(cell_fn, args, match):
    with pytest.raises(ValueError, match=r"RNNLayer 'r': " + match):
        RNNLayer(InputLayer([None, 3, 2]), cell_fn=cell_fn, cell_init_args=args, name="r")


def test_cell_weights_are_not_equal_across_cells():
    tf.random.set_seed(3)
    a = RNNLayer(InputLayer([None, None, 2]), n_hidden=3)
    b = RNNLayer(InputLayer([None, None, 2]), n_hidden=3)
    assert not np.allclose(a.cell.kernel.numpy(), b.cell.kernel.numpy())
    assert np.abs(a.cell.kernel.numpy()).max() <= 0.1


def test_state_is_tuple_of_ported_gru_code_is_dropped_as_in_1_11():
    layer = InputLayer([None, 3])
    cls, args = resolve_cell(layer, "GRUCell", {"state_is_tuple": True, "activation": "relu"})
    assert cls is GRUCell and args == {"activation": "relu"}
