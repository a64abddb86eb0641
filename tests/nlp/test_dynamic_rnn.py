"""Tests for tlcore_nlp/layers/dynamic_rnn.py: variable-length batches, padding invariance."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import example, given, settings
from hypothesis import strategies as st

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
    net = cls(InputLayer([None, None, 2]), cell_fn=cell, n_hidden=3, n_layer=2)
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
    seq = DynamicRNNLayer(InputLayer([None, None, 2]), n_hidden=3)
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
    net = DynamicRNNLayer(InputLayer([None, None, 2]), n_hidden=3, n_layer=2, name="dy")
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
    bw = DynamicRNNLayer(InputLayer([None, None, 2]), cell_fn="rnn", n_hidden=2)
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
