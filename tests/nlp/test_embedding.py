"""Tests for tlcore_nlp/layers/embedding.py; Keras Embedding and numpy are the oracles."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import check_layer
from tlcore.layers.core import InputLayer
from tlcore_nlp.layers.embedding import (AverageEmbeddingInputlayer, EmbeddingInputlayer,
                                         Word2vecEmbeddingInputlayer)


def ids(shape):
    return InputLayer(shape, dtype=tf.int32, name="ids")


@given(v=st.integers(5, 9), e=st.integers(1, 5), t=st.sampled_from([None, 1, 4]))
def test_embedding_layer_properties(v, e, t):
    net = EmbeddingInputlayer(ids([None, t]), vocabulary_size=v, embedding_size=e, name="emb")
    assert net.output_shape == (None, t, e)
    assert net.param_name(net.all_params[0]) == "emb/embeddings"
    # gradients of a lookup are zero for unused rows: only require that one reaches the table
    check_layer(net, n_params=v * e, nonzero_grads=False)


@given(b=st.integers(1, 4), t=st.integers(1, 5), seed=st.integers(0, 99))
def test_embedding_matches_keras_embedding(b, t, seed):
    net = EmbeddingInputlayer(ids([None, None]), vocabulary_size=7, embedding_size=3)
    keras_emb = keras.layers.Embedding(7, 3)
    keras_emb.build((None, None))
    keras_emb.set_weights([net.embeddings.numpy()])
    x = np.random.default_rng(seed).integers(0, 7, (b, t)).astype(np.int32)
    np.testing.assert_allclose(net(x).numpy(), keras_emb(x).numpy(), rtol=0, atol=0)


def test_embedding_init_is_uniform_point_one_and_differs_per_layer():
    a = EmbeddingInputlayer(ids([None]), vocabulary_size=50, embedding_size=20)
    b = EmbeddingInputlayer(ids([None]), vocabulary_size=50, embedding_size=20)
    w = a.embeddings.numpy()
    assert -0.1 <= w.min() and w.max() <= 0.1 and w.std() > 0.04
    assert not np.allclose(w, b.embeddings.numpy())


def test_embedding_rejects_float_ids():
    with pytest.raises(ValueError,
                       match=r"EmbeddingInputlayer 'e': expected int word ids.*float32"):
        EmbeddingInputlayer(InputLayer([None, 3]), vocabulary_size=5, embedding_size=2, name="e")


@pytest.mark.parametrize("arg", ["vocabulary_size", "embedding_size"])
def test_bad_sizes_name_layer(arg):
    kw = {"vocabulary_size": 5, "embedding_size": 2, arg: 0}
    with pytest.raises(ValueError, match=rf"EmbeddingInputlayer 'e': {arg} must be a positive int"):
        EmbeddingInputlayer(ids([None]), name="e", **kw)


@given(b=st.integers(1, 4), t=st.integers(1, 6), pad=st.sampled_from([0, 2]),
       seed=st.integers(0, 99))
def test_average_embedding_ignores_pads(b, t, pad, seed):
    net = AverageEmbeddingInputlayer(ids([None, None]), vocabulary_size=6, embedding_size=3,
                                     pad_value=pad)
    x = np.random.default_rng(seed).integers(0, 6, (b, t)).astype(np.int32)
    table = net.embeddings.numpy()
    want = np.stack([table[[i for i in row if i != pad]].mean(0) if (row != pad).any()
                     else np.zeros(3) for row in x])
    np.testing.assert_allclose(net(x).numpy(), want, atol=1e-6)
    # appending pads changes nothing
    padded = np.concatenate([x, np.full((b, 2), pad, np.int32)], axis=1)
    np.testing.assert_allclose(net(padded).numpy(), net(x).numpy(), atol=1e-6)


def test_average_embedding_properties():
    net = AverageEmbeddingInputlayer(ids([None, 4]), vocabulary_size=5, embedding_size=3)
    assert net.output_shape == (None, 3)
    check_layer(net, n_params=15, nonzero_grads=False)


def test_average_embedding_needs_rank_2():
    with pytest.raises(ValueError, match=r"AverageEmbeddingInputlayer 'a': expected ids of rank 2"):
        AverageEmbeddingInputlayer(ids([None]), vocabulary_size=5, embedding_size=3, name="a")


def test_word2vec_params_output_and_normalized_embeddings():
    net = Word2vecEmbeddingInputlayer(ids([None]), vocabulary_size=30, embedding_size=4,
                                      num_sampled=5, name="w2v")
    assert [net.param_name(v) for v in net.all_params] == [
        "w2v/embeddings", "w2v/nce_weights", "w2v/nce_biases"]
    assert [tuple(v.shape) for v in net.all_params] == [(30, 4), (30, 4), (30,)]
    x = np.array([3, 7], np.int32)
    np.testing.assert_array_equal(net(x).numpy(), net.embeddings.numpy()[x])
    norms = np.linalg.norm(net.normalized_embeddings.numpy(), axis=1)
    np.testing.assert_allclose(norms, 1.0, rtol=1e-5)
    check_layer(net, n_params=30 * 4 * 2 + 30, gradients=False)


def test_word2vec_nce_cost_matches_formula_with_fixed_samples():
    net = Word2vecEmbeddingInputlayer(ids([None]), vocabulary_size=10, embedding_size=3,
                                      num_sampled=2)
    sampled = (tf.constant([4, 5], tf.int64), tf.constant([[0.1]] * 2), tf.constant([0.2, 0.3]))
    net.nce_loss_args = {"sampled_values": sampled, "remove_accidental_hits": False}
    x, y = np.array([1, 2], np.int32), np.array([[6], [7]])
    got = float(net.nce_cost(x, y))
    e, w, bias = (v.numpy().astype(np.float64) for v in net.all_params)
    emb = e[x]
    true_logit = (emb * w[y[:, 0]]).sum(1) + bias[y[:, 0]] - np.log(0.1)
    samp_logit = emb @ w[[4, 5]].T + bias[[4, 5]] - np.log([0.2, 0.3])

    def xent(logit, label):  # sigmoid cross-entropy
        return np.maximum(logit, 0) - logit * label + np.log1p(np.exp(-np.abs(logit)))

    want = (xent(true_logit, 1) + xent(samp_logit, 0).sum(1)).mean()
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_word2vec_training_lowers_nce_cost_and_reaches_all_params():
    tf.random.set_seed(0)
    net = Word2vecEmbeddingInputlayer(ids([None]), vocabulary_size=20, embedding_size=8,
                                      num_sampled=4)
    x = np.arange(20, dtype=np.int32)
    y = ((x + 1) % 20)[:, None]  # each word's context is its successor
    opt = keras.optimizers.Adam(0.1)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = net.nce_cost(x, y)
        grads = tape.gradient(loss, net.trainable_params)
        opt.apply_gradients(zip(grads, net.trainable_params))
        return loss, grads

    first, grads = step()
    assert all(g is not None for g in grads)
    for _ in range(60):
        last, _ = step()
    assert float(last) < 0.5 * float(first)
