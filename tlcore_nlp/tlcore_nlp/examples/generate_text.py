"""The seed's text generation: an LSTM language model, then sample_top with k = 1, 3, 5, 10.

TensorLayer's ``tutorial_generate_text.py`` trained on a speech text; this trains on the first
``--words`` words of PTB's training text (offline), builds its vocabulary with
``tl.nlp.create_vocab``/``Vocabulary`` as the seed does, and continues the seed phrase word by
word, the LSTM keeping its state between calls.
"""
from __future__ import annotations

import argparse
import os
import time
from typing import Any

import numpy as np

from tlcore_nlp.examples._common import (add_pictures, list_pictures, out_dir, parse_options,
                                         say, seed_everything, set_result)
from tlcore_nlp.examples.word2vec import load_words

NAME = "generate-text"
CONFIG = dict(init_scale=0.1, learning_rate=1.0, max_grad_norm=5.0, num_layers=1,
              num_steps=20, hidden_size=200, max_epoch=4, lr_decay=0.9, batch_size=20,
              keep_prob=1.0)
EPOCHS, TOP_K = 10, (1, 3, 5, 10)


def _options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--words", type=int, default=100000,
                   help="train on the first N words of PTB's training text (default 100000)")
    p.add_argument("--seed-text", default="it is a", help='start of each sample ("it is a")')
    p.add_argument("--length", type=int, default=30, help="words to generate (default 30)")
    p.add_argument("--hidden-size", type=int, default=None, help="LSTM units (default 200)")


def main(args: argparse.Namespace) -> int:
    """``tlcore run generate-text [--epochs N] [--words W] [--seed-text TEXT]``."""
    opts = parse_options(args, NAME, __doc__.splitlines()[0], _options)
    import keras
    import tensorflow as tf

    import tlcore as tl
    from tlcore_nlp.examples.ptb_lstm import build

    seed_everything(args.seed)
    rng = np.random.default_rng(args.seed)
    cfg = dict(CONFIG)
    if opts.hidden_size:
        cfg["hidden_size"] = opts.hidden_size
    if args.batch_size:
        cfg["batch_size"] = args.batch_size
    words = load_words(tl, "ptb", getattr(args, "data_dir", None))[:opts.limit or opts.words]
    folder = out_dir(args, NAME)
    vocab_file = os.path.join(folder, "vocab.txt")
    tl.nlp.create_vocab([words], vocab_file, min_word_count=1)
    vocab = tl.nlp.Vocabulary(vocab_file, unk_word="<UNK>")
    vocab_size = len(vocab.vocab)
    train_data = [vocab.word_to_id(w) for w in words]
    seed_words = tl.nlp.process_sentence(opts.seed_text, start_word=None, end_word=None)
    say(args, f"Train words {len(train_data)}; vocabulary size {vocab_size}; "
              f"seed {seed_words}")

    net = build(tl, tf, vocab_size, cfg)
    net.print_params()
    params = net.trainable_params
    opt = keras.optimizers.SGD(learning_rate=cfg["learning_rate"])

    @tf.function(reduce_retracing=True)
    def train_step(x: Any, y: Any) -> Any:
        with tf.GradientTape() as tape:
            logits = net(x, is_train=True)
            ce = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.reshape(y, [-1]),
                                                                logits=logits)
            cost = tf.reduce_sum(ce) / tf.cast(tf.shape(x)[0], tf.float32)
        grads, _ = tf.clip_by_global_norm(tape.gradient(cost, params), cfg["max_grad_norm"])
        opt.apply_gradients(zip(grads, params))
        return cost

    @tf.function(reduce_retracing=True)
    def next_probs(x: Any) -> Any:
        return tf.nn.softmax(net(x, is_train=False)[-1])

    epochs = args.epochs or EPOCHS
    b, n = int(cfg["batch_size"]), int(cfg["num_steps"])
    perplexity = float("nan")
    perplexities: list[float] = []
    for i in range(epochs):
        lr = cfg["learning_rate"] * cfg["lr_decay"] ** max(i + 1 - cfg["max_epoch"], 0.0)
        opt.learning_rate.assign(lr)
        tl.layers.initialize_rnn_state(net)
        start, costs, iters = time.time(), 0.0, 0
        for x, y in tl.iterate.ptb_iterator(train_data, b, n):
            costs += float(train_step(tf.constant(x, tf.int32), tf.constant(y, tf.int32)))
            iters += n
        perplexity = float(np.exp(costs / max(iters, 1)))
        perplexities.append(perplexity)
        say(args, "Epoch: %d/%d Train Perplexity: %.3f took %.1fs" % (
            i + 1, epochs, perplexity, time.time() - start))

    samples = {}
    for top_k in TOP_K:
        tl.layers.initialize_rnn_state(net)
        out = list(seed_words)
        probs = next_probs(tf.constant([[vocab.word_to_id(w) for w in seed_words]], tf.int32))
        for _ in range(opts.length):
            word_id = tl.nlp.sample_top(probs.numpy(), top_k=min(top_k, vocab_size), rng=rng)
            out.append(vocab.id_to_word(word_id))
            probs = next_probs(tf.constant([[word_id]], tf.int32))
        samples[top_k] = " ".join(out)
        say(args, "%s : %s" % (top_k, samples[top_k]))
    path = tl.files.save_npz(net.all_params, name=os.path.join(folder, "model.npz"))
    set_result(args, train_perplexity=perplexity, samples=samples, model=path)
    add_pictures(args, tl.vis.curves({"train": perplexities}, title="train perplexity per epoch",
                                     ylabel="perplexity", logy=True,
                                     name=os.path.join(folder, "perplexity")))
    list_pictures(args)
    return 0
