"""The nlp examples train through ``tl.utils.fit``: each is checked against the hand-written
step loop it replaced (kept here as the reference), from the same weights on the same batches:
equal losses and equal weights afterwards."""
from __future__ import annotations

import random

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

import tlcore as tl  # noqa: E402


def _snapshot(variables):
    return [np.array(v.numpy()) for v in variables]


def _restore(variables, values):
    for v, a in zip(variables, values):
        v.assign(a)


# --------------------------------------------------------------------------------- word2vec
def _word2vec_layer(vocab: int, batch: int, num_sampled: int):
    # NCE's negatives come from a stateful sampler whose op seed depends on the op's place in
    # its graph, so two compiled functions need not draw the same; fixed negatives make both
    # paths see the same.
    sampled = tf.constant(np.arange(1, num_sampled + 1), tf.int64)
    sampled_values = (sampled, tf.fill([batch, 1], 0.1), tf.fill([num_sampled], 0.2))
    return tl.layers.Word2vecEmbeddingInputlayer(
        inputs=[batch], vocabulary_size=vocab, embedding_size=6, num_sampled=num_sampled,
        nce_loss_args={"sampled_values": sampled_values},
        E_init=keras.initializers.RandomUniform(-1.0, 1.0, seed=3),
        nce_W_init=keras.initializers.TruncatedNormal(stddev=0.4, seed=4),
        nce_b_init=keras.initializers.Zeros(), name="w2v_fit")


def _word2vec_reference(emb, batches, print_freq):
    """The example's loop before fit: one compiled Adagrad step per batch, the printed average
    over each print_freq steps (and the last)."""
    params = emb.trainable_params
    opt = keras.optimizers.Adagrad(learning_rate=1.0, initial_accumulator_value=0.1)

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = emb.nce_cost(x, y, is_train=True)
        opt.apply_gradients(zip(tape.gradient(loss, params), params))
        return loss

    losses, windows, average = [], [], 0.0
    for step, (x, y) in enumerate(batches):
        losses.append(float(train_step(tf.constant(x), tf.constant(y))))
        average += losses[-1]
        if (step + 1) % print_freq == 0 or step + 1 == len(batches):
            windows.append((step + 1, average / ((step + 1) % print_freq or print_freq)))
            average = 0.0
    return losses, windows


@pytest.mark.parametrize("print_freq", [1, 3])
def test_word2vec_fit_equals_its_old_loop(print_freq):
    from tlcore_nlp.examples import word2vec

    data = [int(i) for i in np.random.default_rng(0).integers(0, 40, 300)]
    num_steps, batch = 7, 8
    batches = list(word2vec.skip_gram_batches(tl, data, batch, num_steps, random.Random(5)))
    again = list(word2vec.skip_gram_batches(tl, data, batch, num_steps, random.Random(5)))
    assert all(np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
               for a, b in zip(batches, again))
    emb = _word2vec_layer(40, batch, 4)
    start = _snapshot(emb.trainable_params)
    losses, windows = _word2vec_reference(emb, batches, print_freq)
    expected = _snapshot(emb.trainable_params)
    assert len(set(losses)) > 1  # it trains

    _restore(emb.trainable_params, start)
    opt = keras.optimizers.Adagrad(learning_rate=1.0, initial_accumulator_value=0.1)
    shown, nearest = [], []
    got = word2vec.train(tl, emb, opt, iter(batches), num_steps, print_freq, 2,
                         lambda step, avg, s: shown.append((step, avg)),
                         lambda: nearest.append(len(shown)))
    assert got == shown
    assert [s for s, _ in got] == [s for s, _ in windows]
    np.testing.assert_allclose([a for _, a in got], [a for _, a in windows], rtol=1e-5)
    # nearest words every eval_freq=2 steps, after that step's loss line
    assert nearest == [sum(1 for s, _ in windows if s <= k) for k in (2, 4, 6)]
    for a, b in zip(_snapshot(emb.trainable_params), expected):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
