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


# ----------------------------------------------------------------- LSTM language models
LM_CFG = dict(init_scale=0.1, learning_rate=1.0, max_grad_norm=0.5, num_layers=2, num_steps=5,
              hidden_size=8, max_epoch=1, lr_decay=0.5, batch_size=4, keep_prob=1.0)


def _lm_reference(net, data, cfg, epochs):
    """The LM examples' loop before fit: per epoch the decayed learning rate and a state reset,
    then one compiled SGD step per ptb_iterator window, gradients clipped by their global norm;
    the per-word perplexity of each epoch."""
    params = net.trainable_params
    opt = keras.optimizers.SGD(learning_rate=cfg["learning_rate"])
    norms = []

    @tf.function(reduce_retracing=True)
    def train_step(x, y):
        with tf.GradientTape() as tape:
            logits = net(x, is_train=True)
            ce = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.reshape(y, [-1]),
                                                                logits=logits)
            cost = tf.reduce_sum(ce) / tf.cast(tf.shape(x)[0], tf.float32)
        grads, norm = tf.clip_by_global_norm(tape.gradient(cost, params), cfg["max_grad_norm"])
        opt.apply_gradients(zip(grads, params))
        return cost, norm

    b, n = cfg["batch_size"], cfg["num_steps"]
    perplexities = []
    for i in range(epochs):
        opt.learning_rate.assign(
            cfg["learning_rate"] * cfg["lr_decay"] ** max(i + 1 - cfg["max_epoch"], 0.0))
        tl.layers.initialize_rnn_state(net)
        costs, iters = 0.0, 0
        for x, y in tl.iterate.ptb_iterator(data, b, n):
            cost, norm = train_step(tf.constant(x, tf.int32), tf.constant(y, tf.int32))
            costs += float(cost)
            norms.append(float(norm))
            iters += n
        perplexities.append(float(np.exp(costs / iters)))
    return perplexities, norms


@pytest.fixture
def lm_net():
    pytest.importorskip("tlcore_nlp.layers.rnn")
    from tlcore_nlp.examples.ptb_lstm import build

    keras.utils.set_random_seed(7)
    return build(tl, tf, 30, LM_CFG)


def _lm_data():
    return [int(i) for i in np.random.default_rng(2).integers(0, 30, 130)]  # 6 windows


def test_generate_text_fit_equals_its_old_loop(lm_net):
    from tlcore_nlp.examples import generate_text
    from tlcore_nlp.examples.ptb_lstm import clipped_sgd

    net, data, epochs = lm_net, _lm_data(), 3
    start = _snapshot(net.trainable_params)
    expected, norms = _lm_reference(net, data, LM_CFG, epochs)
    assert max(norms) > LM_CFG["max_grad_norm"]  # the clipping is exercised
    assert expected[0] != expected[1] != expected[2]
    expected_weights = _snapshot(net.trainable_params)

    _restore(net.trainable_params, start)
    opt = clipped_sgd(keras, tf, LM_CFG["learning_rate"], LM_CFG["max_grad_norm"])
    shown = []
    got = generate_text.train(tl, tf, net, opt, data, LM_CFG, epochs,
                              lambda epoch, ppl, s: shown.append((epoch, ppl)))
    assert shown == list(zip(range(1, epochs + 1), got))
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    assert float(opt.learning_rate) == pytest.approx(0.25)  # decayed twice
    for a, b in zip(_snapshot(net.trainable_params), expected_weights):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def _ptb_reference(net, train_data, valid_data, cfg, epochs):
    """ptb-lstm's loop before fit: per epoch the decayed learning rate, a state reset and the
    clipped SGD steps over the training windows (the running perplexity about every tenth of
    a long epoch), then the validation windows from a reset state."""
    params = net.trainable_params
    opt = keras.optimizers.SGD(learning_rate=cfg["learning_rate"])

    def cost_of(x, y, is_train):
        ce = tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=tf.reshape(y, [-1]), logits=net(x, is_train=is_train))
        return tf.reduce_sum(ce) / tf.cast(tf.shape(x)[0], tf.float32)

    @tf.function(reduce_retracing=True)
    def train_step(x, y):
        with tf.GradientTape() as tape:
            cost = cost_of(x, y, True)
        grads, _ = tf.clip_by_global_norm(tape.gradient(cost, params), cfg["max_grad_norm"])
        opt.apply_gradients(zip(grads, params))
        return cost

    @tf.function(reduce_retracing=True)
    def eval_step(x, y):
        return cost_of(x, y, False)

    b, n = cfg["batch_size"], cfg["num_steps"]
    curves = {"train": [], "validation": [], "progress": []}

    def run_epoch(epoch, data, train):
        epoch_size = ((len(data) // b) - 1) // n
        costs, iters = 0.0, 0
        tl.layers.initialize_rnn_state(net)
        for step, (x, y) in enumerate(tl.iterate.ptb_iterator(data, b, n)):
            costs += float((train_step if train else eval_step)(tf.constant(x, tf.int32),
                                                                 tf.constant(y, tf.int32)))
            iters += n
            if train and epoch_size >= 10 and step % (epoch_size // 10) == 10:
                curves["progress"].append((epoch, step / epoch_size, np.exp(costs / iters)))
        return float(np.exp(costs / iters))

    for i in range(epochs):
        opt.learning_rate.assign(
            cfg["learning_rate"] * cfg["lr_decay"] ** max(i + 1 - cfg["max_epoch"], 0.0))
        curves["train"].append(run_epoch(i + 1, train_data, True))
        curves["validation"].append(run_epoch(i + 1, valid_data, False))
    return curves


def test_ptb_lstm_fit_equals_its_old_loop(lm_net):
    from tlcore_nlp.examples import ptb_lstm

    net, epochs = lm_net, 2
    rng = np.random.default_rng(3)
    # 121 windows: the seed's progress lines need epoch_size // 10 > 10
    train_data = [int(i) for i in rng.integers(0, 30, 4 * (121 * 5 + 1))]
    valid_data = [int(i) for i in rng.integers(0, 30, 4 * (3 * 5 + 1))]
    start = _snapshot(net.trainable_params)
    expected = _ptb_reference(net, train_data, valid_data, LM_CFG, epochs)
    expected_weights = _snapshot(net.trainable_params)
    # windows 10, 22, .., 118 of each epoch (the seed's step % (121 // 10) == 10)
    assert [p[:2] for p in expected["progress"]] == [(e, s / 121) for e in (1, 2)
                                                     for s in range(10, 121, 12)]

    _restore(net.trainable_params, start)
    opt = ptb_lstm.clipped_sgd(keras, tf, LM_CFG["learning_rate"], LM_CFG["max_grad_norm"])
    lines = []
    got = ptb_lstm.train(tl, tf, net, opt, train_data, valid_data, LM_CFG, epochs,
                         lines.append)
    for key in ("train", "validation"):
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-5)
    assert [p[:2] for p in got["progress"]] == [p[:2] for p in expected["progress"]]
    np.testing.assert_allclose([p[2] for p in got["progress"]],
                               [p[2] for p in expected["progress"]], rtol=1e-5)
    for a, b in zip(_snapshot(net.trainable_params), expected_weights):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert [line.split(" ")[1] if line.startswith("Epoch") else "progress" for line in lines] \
        == ["1/2", *["progress"] * 10, "1/2", "1/2", "2/2", *["progress"] * 10, "2/2", "2/2"]
    assert lines[0] == "Epoch: 1/2 Learning rate: 1.000"
    assert lines[13] == "Epoch: 2/2 Learning rate: 0.500"
    # the test pass reads one stream from a reset state; the state carries over between
    # windows, so the window length does not change the perplexity
    np.testing.assert_allclose(ptb_lstm.evaluate(tl, tf, net, valid_data, 1, 7),
                               ptb_lstm.evaluate(tl, tf, net, valid_data, 1, 1), rtol=1e-5)
