"""Tests for plugins/tlcore-maxout (tlcore_maxout/maxout.py); numpy is the oracle.

Keras 3 has no maxout layer, so the reference is the formula of Goodfellow et al. (2013):
``h_i = max_j (x @ W[:, i, j] + b[i, j])``.
"""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from tlcore.testing import check_layer
from tlcore.layers.core import InputLayer
from tlcore.layers.dense import DenseLayer
from tlcore_maxout.maxout import MaxoutLayer


def ref_maxout(x: np.ndarray, W: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    """The formula with explicit loops over units and pieces (not the layer's tensordot)."""
    n_units, n_pieces = W.shape[1], W.shape[2]
    out = np.empty(x.shape[:-1] + (n_units,), np.float64)
    for i in range(n_units):
        pieces = [x @ W[:, i, j] + (b[i, j] if b is not None else 0.0) for j in range(n_pieces)]
        out[..., i] = np.max(np.stack(pieces, axis=-1), axis=-1)
    return out


@given(n_in=st.integers(1, 5), n_units=st.integers(1, 4), n_pieces=st.integers(1, 4),
       batch=st.integers(1, 4), inner=st.lists(st.integers(1, 3), max_size=2),
       bias=st.booleans(), seed=st.integers(0, 2**16))
def test_properties_and_numpy_oracle(n_in, n_units, n_pieces, batch, inner, bias, seed):
    shape = [None, *inner, n_in]
    net = MaxoutLayer(InputLayer(shape), n_units=n_units, n_pieces=n_pieces,
                      b_init=tf.keras.initializers.RandomNormal(seed=seed) if bias else None,
                      name="m")
    n_params = n_in * n_units * n_pieces + (n_units * n_pieces if bias else 0)
    check_layer(net, n_params=n_params, batch_sizes=(batch,))
    assert net.output_shape == (None, *inner, n_units)
    x = np.random.default_rng(seed).standard_normal((batch, *inner, n_in)).astype(np.float32)
    W = net.W.numpy().astype(np.float64)
    b = net.b.numpy().astype(np.float64) if bias else None
    np.testing.assert_allclose(net(x), ref_maxout(x.astype(np.float64), W, b),
                               rtol=1e-5, atol=1e-5)


def test_hand_set_weights_give_literal_answer():
    # Two units with pieces (x, -x) and (x, 2x): |x| and max(x, 2x).
    net = MaxoutLayer(InputLayer([None, 1]), n_units=2, n_pieces=2, name="m")
    net.W.assign([[[1.0, -1.0], [1.0, 2.0]]])
    x = np.array([[-3.0], [0.5]], np.float32)
    np.testing.assert_allclose(net(x), [[3.0, -3.0], [0.5, 1.0]])


def test_one_piece_is_a_dense_layer():
    inp = InputLayer([None, 4])
    m = MaxoutLayer(inp, n_units=3, n_pieces=1, name="m")
    d = DenseLayer(inp, n_units=3, name="d")
    d.W.assign(m.W[:, :, 0])
    d.b.assign(m.b[:, 0])
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(m(x), d(x), rtol=1e-6, atol=1e-6)


def test_activation_applies_after_the_max():
    net = MaxoutLayer(InputLayer([None, 1]), n_units=1, n_pieces=2, act=tf.nn.relu, name="m")
    net.W.assign([[[1.0, 2.0]]])
    np.testing.assert_allclose(net(np.array([[-1.0], [1.0]], np.float32)), [[0.0], [2.0]])
    assert net.get_config()["act"] == "relu"


def test_in_a_network_and_param_names():
    net = InputLayer([None, 784], name="input")
    net = MaxoutLayer(net, n_units=240, n_pieces=5, name="maxout1")
    net = DenseLayer(net, n_units=10, name="output")
    assert [net.param_name(v) for v in net.all_params] == [
        "maxout1/W", "maxout1/b", "output/W", "output/b"]
    assert net.count_params() == 784 * 240 * 5 + 240 * 5 + 240 * 10 + 10
    assert net(np.zeros((2, 784), np.float32)).shape == (2, 10)


@pytest.mark.parametrize("kwargs, match", [
    ({"n_units": 0}, r"MaxoutLayer 'm'.*n_units.*received 0"),
    ({"n_units": 3, "n_pieces": 0}, r"MaxoutLayer 'm'.*n_pieces.*received 0"),
    ({"n_units": 3, "n_pieces": 2.5}, r"MaxoutLayer 'm'.*n_pieces.*received 2.5"),
    ({"n_units": 3, "W_init": None}, r"MaxoutLayer 'm'.*W_init"),
], ids=["n_units_zero", "n_pieces_zero", "n_pieces_float", "no_W_init"])
def test_bad_arguments_name_layer_and_value(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MaxoutLayer(InputLayer([None, 4]), name="m", **kwargs)


@pytest.mark.parametrize("shape", [[None], [None, None], [None, 3, None]],
                         ids=["rank1", "unknown_last", "rank3_unknown_last"])
def test_bad_input_shape_names_layer_and_shape(shape):
    with pytest.raises(ValueError, match=r"MaxoutLayer 'm': expected input of rank >= 2 .*"
                                         r"received shape \(None"):
        MaxoutLayer(InputLayer(shape), n_units=2, name="m")
