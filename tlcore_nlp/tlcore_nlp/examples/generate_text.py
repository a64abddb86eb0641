"""The seed's text generation: an LSTM language model, then sample_top with k = 1, 3, 5, 10.

TensorLayer's ``tutorial_generate_text.py`` trained on a speech text; this trains on the first
``--words`` words of PTB's training text (offline), builds its vocabulary with
``tl.nlp.create_vocab``/``Vocabulary`` as the seed does, and continues the seed phrase word by
word, the LSTM keeping its state between calls.
"""
from __future__ import annotations

import argparse
import os
from typing import Any, Callable

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


def train(tl: Any, tf: Any, net: Any, opt: Any, train_data: list[int], cfg: dict[str, Any],
          epochs: int, show: Callable[[int, float, float], None]) -> list[float]:
    """Train the language model with ``tl.utils.fit``: each epoch reads ``ptb_iterator``'s
    ``(x, y)`` windows in order (the LSTM state carrying over between them, reset and the
    learning rate decayed before each epoch). ``show(epoch, train perplexity, seconds)``
    after each; returns the perplexities."""
    from tlcore.training import Callback
    from tlcore_nlp.examples.ptb_lstm import epoch_schedule, sequence_cost

    b, n = int(cfg["batch_size"]), int(cfg["num_steps"])
    perplexities: list[float] = []

    class SeedLine(Callback):
        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            # train_loss: the mean cost of a window; perplexity is per word
            perplexities.append(float(np.exp(logs["train_loss"] / n)))
            show(epoch, perplexities[-1], logs["time"])

    tl.utils.fit(net, opt, sequence_cost(tf), lambda: tl.iterate.ptb_iterator(train_data, b, n),
                 None, n_epoch=epochs, print_freq=epochs, shuffle=False, eval_train=False,
                 progress=False, callbacks=[epoch_schedule(tl, net, opt, cfg), SeedLine()])
    return perplexities


def main(args: argparse.Namespace) -> int:
    """``tlcore run generate-text [--epochs N] [--words W] [--seed-text TEXT]``."""
    opts = parse_options(args, NAME, __doc__.splitlines()[0], _options)
    import keras
    import tensorflow as tf

    import tlcore as tl
    from tlcore_nlp.examples.ptb_lstm import build, clipped_sgd

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
    opt = clipped_sgd(keras, tf, cfg["learning_rate"], cfg["max_grad_norm"])

    @tf.function(reduce_retracing=True)
    def next_probs(x: Any) -> Any:
        return tf.nn.softmax(net(x, is_train=False)[-1])

    epochs = args.epochs or EPOCHS

    def show(epoch: int, perplexity: float, seconds: float) -> None:
        say(args, "Epoch: %d/%d Train Perplexity: %.3f took %.1fs" % (epoch, epochs, perplexity,
                                                                     seconds))

    perplexities = train(tl, tf, net, opt, train_data, cfg, epochs, show)
    perplexity = perplexities[-1] if perplexities else float("nan")

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
