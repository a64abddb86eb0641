"""Tests for tlcore_nlp/layers/embedding.py; Keras Embedding and numpy are the oracles."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
import tlcore as tl
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import check_layer
from tlcore.layers.core import InputLayer
from tlcore.layers.onehot import OneHotInputLayer
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


# ------------------------------------------------ TensorLayer 1.11's inputs= form (the convention)
@pytest.mark.parametrize("inputs,feed_shape", [
    ([None, 5], (None, 5)),
    (tf.TensorSpec([32, 5], tf.int64), (32, 5)),
    (np.zeros((4, 5), np.int32), (None, 5)),
    (InputLayer([None, 5], dtype=tf.int32, name="ids"), (None, 5)),
], ids=["shape", "spec", "array", "inputlayer"])
def test_embedding_starts_the_network_like_1_11(inputs, feed_shape):
    net = EmbeddingInputlayer(inputs=inputs, vocabulary_size=9, embedding_size=3, name="emb")
    assert net.all_layers == [net] and net.input_layers == [net]
    assert tuple(net.feed_spec.shape.as_list()) == feed_shape
    assert net.output_shape == (*feed_shape, 3)
    assert net.dtype.is_integer  # what is fed: tl.utils.fit casts X to it
    x = np.array([[1, 2, 3, 4, 8]] * 32)
    np.testing.assert_array_equal(net(x).numpy(), net.embeddings.numpy()[x])


def test_embedding_positional_order_is_1_11s():
    init = keras.initializers.Constant(0.5)
    net = EmbeddingInputlayer([None], 7, 2, init, None, "e")
    assert (net.name, tuple(net.embeddings.shape)) == ("e", (7, 2))
    assert np.all(net.embeddings.numpy() == 0.5)
    w2v = Word2vecEmbeddingInputlayer([None], None, 11, 3, 2, name="w")
    assert [tuple(v.shape) for v in w2v.all_params] == [(11, 3), (11, 3), (11,)]
    avg = AverageEmbeddingInputlayer([None, 4], 6, 2, 1, name="a")
    assert (avg.pad_value, avg.output_shape) == (1, (None, 2))


def test_one_network_embeds_two_inputs_with_one_table():
    """Weight sharing by calling: an encoder and a decoder batch through the same table."""
    net = EmbeddingInputlayer([None, None], vocabulary_size=12, embedding_size=4, name="emb")
    enc, dec = np.array([[1, 2, 3]]), np.array([[3, 4]])
    table = net.embeddings.numpy()
    np.testing.assert_array_equal(net(enc).numpy(), table[enc])
    np.testing.assert_array_equal(net(dec).numpy(), table[dec])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(net(enc)) + tf.reduce_sum(net(dec))
    grad = tf.convert_to_tensor(tape.gradient(loss, net.embeddings)).numpy()
    np.testing.assert_array_equal(grad[:, 0], [0, 1, 1, 2, 1, 0, 0, 0, 0, 0, 0, 0])


def test_embedding_network_saves_and_loads(tmp_path):
    import tlcore as tl

    net = AverageEmbeddingInputlayer(tf.TensorSpec([None, 3], tf.int64), 8, 2, name="emb")
    net = tl.layers.DenseLayer(net, n_units=2, name="out")
    path = tl.files.save_network(net, str(tmp_path / "n.tlnet.npz"))
    other = tl.files.load_network(path)
    assert [type(layer).__name__ for layer in other.all_layers] == [
        "AverageEmbeddingInputlayer", "DenseLayer"]
    x = np.array([[1, 2, 7]], np.int64)
    np.testing.assert_allclose(other(x).numpy(), net(x).numpy())


@pytest.mark.parametrize("make,match", [
    (lambda: EmbeddingInputlayer(dense_parent(), 5, 2, name="e"),
     r"EmbeddingInputlayer 'e': starts a network, as in TensorLayer 1.x.*received DenseLayer"),
    (lambda: EmbeddingInputlayer(OneHotInputLayer([None], depth=3), 5, 2, name="e"),
     r"EmbeddingInputlayer 'e': starts a network.*received OneHotInputLayer"),
], ids=["dense-parent", "onehot-parent"])
def test_embedding_after_another_layer_says_it_starts_a_network(make, match):
    with pytest.raises(TypeError, match=match):
        make()


def dense_parent():
    from tlcore.layers.dense import DenseLayer

    return DenseLayer(InputLayer([None, 3]), n_units=2, name="d")


@pytest.mark.parametrize("make,match", [
    (lambda: Word2vecEmbeddingInputlayer([None], np.array([[1]]), 5, 2, name="w"),
     r"Word2vecEmbeddingInputlayer 'w': train_labels moved to the loss: .*nce_cost.*"
     r"received ndarray"),
    (lambda: EmbeddingInputlayer([None], 5, 2, E_init_args={"trainable": False}, name="e"),
     r"EmbeddingInputlayer 'e': E_init_args .*not supported.*received \{'trainable': False\}"),
    (lambda: AverageEmbeddingInputlayer([None, 2], 5, 2, embeddings_kwargs={"x": 1}, name="a"),
     r"AverageEmbeddingInputlayer 'a': embeddings_kwargs .*not supported"),
], ids=["train_labels", "E_init_args", "embeddings_kwargs"])
def test_1_11_construction_args_are_refused_with_where_they_went(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_fed_ids_are_checked():
    net = EmbeddingInputlayer([None, 2], 5, 2, name="e")
    with pytest.raises(TypeError, match=r"EmbeddingInputlayer 'e': expected int word ids, "
                                        r"received dtype float32"):
        net(np.zeros((1, 2), np.float32))
    with pytest.raises(ValueError, match=r"EmbeddingInputlayer 'e': expected ids of shape "
                                         r"\(None, 2\), received \(1, 3\)"):
        net(np.zeros((1, 3), np.int32))


def test_word2vec_train_labels_spec_as_1_11_checks_nce_cost_labels():
    """1.11's test_layers_core: Word2vec(inputs=[8] ids, train_labels=[8, 1] ids) is one layer
    of 3 arrays and 401,000 parameters."""
    net = Word2vecEmbeddingInputlayer(inputs=tf.TensorSpec([8], tf.int32),
                                      train_labels=tf.TensorSpec([8, 1], tf.int32),
                                      vocabulary_size=1000, embedding_size=200, num_sampled=64,
                                      name="word2vec")
    assert net.output_shape == (8, 200) and len(net.all_layers) == 1
    assert len(net.all_params) == 3 and net.count_params() == 401000
    x = np.arange(8, dtype=np.int32)
    assert np.isfinite(float(net.nce_cost(x, x[:, None] + 1)))
    assert np.isfinite(float(net.nce_cost(x, x + 1)))  # [batch] labels are [batch, 1]
    with pytest.raises(ValueError, match=r"Word2vecEmbeddingInputlayer 'word2vec': expected "
                                         r"labels of shape \(8, 1\) \(train_labels\), "
                                         r"received \(8, 2\)"):
        net.nce_cost(x, np.zeros((8, 2), np.int32))
    with pytest.raises(TypeError, match=r"expected int context ids as labels, received dtype "
                                        r"float32"):
        net.nce_cost(x, np.zeros((8, 1), np.float32))


def test_shared_embedding_inputs_keep_one_name_and_refuse_a_dict_feed():
    """Encoder and decoder share one embedding named alike, as TensorLayer's chatbot did."""
    enc = tl.layers.EmbeddingInputlayer(inputs=tf.TensorSpec([None, None], tf.int64),
                                        vocabulary_size=7, embedding_size=3, name="seq_embed")
    with tl.layers.reuse(enc):
        dec = tl.layers.EmbeddingInputlayer(inputs=tf.TensorSpec([None, None], tf.int64),
                                            vocabulary_size=7, embedding_size=3, name="seq_embed")
    merged = tl.layers.ConcatLayer([enc, dec], 1, name="both")
    assert len(merged.all_params) == 1
    ids = np.array([[1, 2]], np.int64)
    with pytest.raises(ValueError, match=r"several InputLayers share a name.*pass a list"):
        merged({"seq_embed": ids})
    out = merged([ids, ids[:, ::-1]])
    np.testing.assert_allclose(out[:, 2:], enc(ids[:, ::-1]))
