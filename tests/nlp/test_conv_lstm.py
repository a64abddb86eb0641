"""Tests for tlcore_nlp/layers/conv_lstm.py; Keras 3 ConvLSTM2D is the oracle on mapped weights."""
from __future__ import annotations

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import check_layer
from tlcore.layers.core import InputLayer
from tlcore_nlp.layers.conv_lstm import ConvLSTMLayer


@settings(max_examples=1)
@given(f=st.integers(1, 3), mode=st.sampled_from(["seq", "last", "2d"]))
def test_conv_lstm_properties(f, mode):
    net = ConvLSTMLayer(InputLayer([None, 2, 4, 5, 2]), feature_map=f, filter_size=(3, 3),
                        return_last=mode == "last", return_seq_2d=mode == "2d")
    want = {"seq": (None, 2, 4, 5, f), "last": (None, 4, 5, f), "2d": (None, 4 * 5 * f)}[mode]
    assert net.output_shape == want
    check_layer(net, n_params=3 * 3 * (2 + f) * 4 * f + 4 * f)


@settings(max_examples=2)
@given(fb=st.sampled_from([0.0, 1.0]), seed=st.integers(0, 99))
def test_conv_lstm_matches_keras_conv_lstm2d(fb, seed):
    c, f = 2, 3
    net = ConvLSTMLayer(InputLayer([None, None, 4, 4, c]), feature_map=f, filter_size=(3, 2),
                        cell_init_args={"forget_bias": fb})
    rng = np.random.default_rng(seed)
    net.cell.bias.assign(rng.standard_normal(4 * f).astype(np.float32) * 0.1)
    k, b = net.cell.kernel.numpy(), net.cell.bias.numpy()
    order = np.concatenate([np.arange(0, f), np.arange(2 * f, 3 * f), np.arange(f, 2 * f),
                            np.arange(3 * f, 4 * f)])  # i, j, f, o -> Keras i, f, c, o
    kb = b.copy()
    kb[2 * f:3 * f] += fb
    x = rng.standard_normal((2, 3, 4, 4, c)).astype(np.float32)
    layer = keras.layers.ConvLSTM2D(f, (3, 2), padding="same", return_sequences=True,
                                    return_state=True, unit_forget_bias=False)
    layer.build(x.shape)
    layer.set_weights([k[:, :, :c][..., order], k[:, :, c:][..., order], kb[order]])
    seq, kh, kc = (np.asarray(t) for t in layer(x))
    np.testing.assert_allclose(net(x).numpy(), seq, atol=1e-5)
    np.testing.assert_allclose(net.final_state.h.numpy(), kh, atol=1e-5)
    np.testing.assert_allclose(net.final_state.c.numpy(), kc, atol=1e-5)


def test_conv_lstm_step_by_step_with_keep_state():
    net = ConvLSTMLayer(InputLayer([None, None, 3, 3, 1]), feature_map=2, keep_state=True)
    x = np.random.default_rng(0).standard_normal((2, 3, 3, 3, 1)).astype(np.float32)
    whole = net(x).numpy()
    net.reset_state()
    steps = np.concatenate([net(x[:, i:i + 1]).numpy() for i in range(3)], axis=1)
    np.testing.assert_allclose(steps, whole, atol=1e-6)


@pytest.mark.parametrize("kw,match", [
    ({"cell_shape": (5, 5)}, r"cell_shape \(5, 5\) differs from the input's \(H, W\) = \(4, 4\)"),
    ({"filter_size": 3}, r"filter_size must be a pair of positive ints, received 3"),
    ({"feature_map": 0}, r"feature_map must be a positive int"),
    ({"cell_fn": "lstm"}, r"cell_fn must be 'BasicConvLSTMCell'"),
], ids=["cell_shape", "filter_size", "feature_map", "cell_fn"])
def test_bad_args_name_the_layer(kw, match):
    with pytest.raises(ValueError, match=r"ConvLSTMLayer 'c': " + match):
        ConvLSTMLayer(InputLayer([None, 2, 4, 4, 1]), name="c", **kw)


def test_rank_is_checked():
    with pytest.raises(ValueError,
                       match=r"ConvLSTMLayer 'c': expected input \[batch, n_steps, H, W, C\]"):
        ConvLSTMLayer(InputLayer([None, 4, 4, 1]), name="c")
