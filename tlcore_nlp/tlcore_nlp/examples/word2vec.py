"""The seed's word2vec (skip-gram with NCE loss, Adagrad): average loss and nearest words.

Config "one" of TensorLayer's ``tutorial_word2vec_basic.py`` (embedding 128, batch 128,
skip_window 1, num_skips 2, 64 negative samples, Adagrad 1.0) on PTB's training text by default,
or on text8 (``--corpus text8``). The vocabulary is the seed's 50000 words, or every distinct
word when the text has fewer.
"""
from __future__ import annotations

import argparse
import math
import os
import random
import time
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from tlcore_nlp.examples._common import (add_pictures, list_pictures, logger, out_dir,
                                         parse_options, say, seed_everything, set_result)

NAME = "word2vec"
VOCABULARY_SIZE, EMBEDDING_SIZE, BATCH_SIZE = 50000, 128, 128
SKIP_WINDOW, NUM_SKIPS, NUM_SAMPLED, LEARNING_RATE = 1, 2, 64, 1.0


def _options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--corpus", choices=("ptb", "text8"), default="ptb",
                   help="training text (default ptb: PTB's 929k training words)")
    p.add_argument("--steps", type=int, default=None,
                   help="training steps (default: --epochs passes over the text)")
    p.add_argument("--print-freq", type=int, default=2000, help="average loss every N steps")
    p.add_argument("--eval-freq", type=int, default=10000, help="nearest words every N steps")


def load_words(tl: Any, corpus: str, data_dir: str | None) -> list[str]:
    if corpus == "ptb":
        path = None
        base = tl.files.get_data_dir(data_dir, create=False)
        for cand in (base, os.path.join(base, "ptb")):
            if os.path.isfile(os.path.join(cand, "ptb.train.txt")):
                path = os.path.join(cand, "ptb.train.txt")
        if path is None:  # let the loader download and verify, then read its file
            tl.files.load_ptb_dataset(path=data_dir)
            path = os.path.join(tl.files.get_data_dir(data_dir), "ptb", "ptb.train.txt")
        return tl.nlp.read_words(path)
    return tl.files.load_matt_mahoney_text8_dataset(path=data_dir)


def nearest(emb: Any, tf: Any, ids: list[int], k: int = 8) -> np.ndarray:
    """Ids of the ``k`` nearest words (cosine) to each of ``ids``, itself excluded."""
    normed = emb.normalized_embeddings
    sim = tf.matmul(tf.gather(normed, ids), normed, transpose_b=True).numpy()
    return (-sim).argsort(axis=1)[:, 1:k + 1]


def skip_gram_batches(tl: Any, data: list[int], batch_size: int, num_steps: int,
                      rng: random.Random) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The seed's ``num_steps`` skip-gram batches ``(center ids, [context id])`` in order,
    each starting where the previous one stopped in the text."""
    data_index = 0
    for _ in range(num_steps):
        batch, labels, data_index = tl.nlp.generate_skip_gram_batch(
            data, batch_size, NUM_SKIPS, SKIP_WINDOW, data_index, rng=rng)
        yield batch, labels


def train(tl: Any, emb: Any, opt: Any, batches: Iterable[tuple[Any, Any]], num_steps: int,
          print_freq: int, eval_freq: int, show_loss: Callable[[int, float, float], None],
          show_nearest: Callable[[], None]) -> list[tuple[int, float]]:
    """Minimise ``emb.nce_cost`` over ``batches`` with ``tl.utils.fit`` (one epoch, in order).

    Every ``print_freq`` steps and at the last one calls ``show_loss(step, average loss of the
    steps since the previous call, seconds)``; every ``eval_freq`` steps ``show_nearest()``
    (after ``show_loss`` when both fall on a step). Returns the ``(step, average)`` pairs.
    """
    from tlcore.training import Callback

    windows: list[tuple[int, float]] = []

    class SeedLines(Callback):
        """fit reports the running mean loss of the epoch every ``steps_per_call`` steps; the
        mean of a window is the difference of two running sums."""

        def on_train_begin(self, logs: Any = None) -> None:
            self.step, self.total, self.start = 0, 0.0, time.time()

        def _window(self, step: int, mean: float) -> None:
            total = mean * step
            windows.append((step, (total - self.total) / (step - self.step)))
            show_loss(step, windows[-1][1], time.time() - self.start)
            self.step, self.total, self.start = step, total, time.time()

        def on_batch_end(self, step: int, logs: Any = None) -> None:
            if step % print_freq == 0 or step == num_steps:
                self._window(step, logs["loss"])
            if step % eval_freq == 0:
                show_nearest()

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            if self.step < num_steps:  # the last window, unless a batch end closed it
                self._window(num_steps, logs["train_loss"])

    def center_ids(x: Any, is_train: bool = True) -> Any:
        return x  # the cost looks the embeddings up itself (nce_cost takes the ids)

    def cost(x: Any, labels: Any) -> Any:
        return emb.nce_cost(x, labels, is_train=True)

    # steps_per_call: fit reports (and syncs) on every step that prints or shows words
    tl.utils.fit(center_ids, opt, cost, batches, None, n_epoch=1, shuffle=False,
                 eval_train=False, var_list=emb.trainable_params, progress=False,
                 steps_per_call=math.gcd(print_freq, eval_freq), callbacks=[SeedLines()])
    return windows


def main(args: argparse.Namespace) -> int:
    """``tlcore run word2vec [--corpus ptb|text8] [--epochs N] [--steps S]``."""
    opts = parse_options(args, NAME, __doc__.splitlines()[0], _options)
    import keras
    import tensorflow as tf

    import tlcore as tl

    seed_everything(args.seed)
    rng = random.Random(args.seed)
    words = load_words(tl, opts.corpus, getattr(args, "data_dir", None))
    if opts.limit:
        words = words[:opts.limit]
    vocabulary_size = min(VOCABULARY_SIZE, len(set(words)))
    data, count, dictionary, reverse_dictionary = tl.nlp.build_words_dataset(
        words, vocabulary_size, True, "UNK")
    say(args, f"Data size {len(data)}; vocabulary size {vocabulary_size}")
    say(args, f"Most 5 common words (+UNK) {count[:5]}")
    say(args, f"Sample data {data[:10]} {[reverse_dictionary[i] for i in data[:10]]}")
    batch_size = args.batch_size or BATCH_SIZE
    epochs = args.epochs or 1
    num_steps = opts.steps or max(1, int(len(data) / batch_size * epochs))

    L = tl.layers
    # TensorLayer 1.x fed the center ids through a placeholder: the layer takes their shape
    emb = L.Word2vecEmbeddingInputlayer(
        inputs=[batch_size], vocabulary_size=vocabulary_size, embedding_size=EMBEDDING_SIZE,
        num_sampled=NUM_SAMPLED, nce_loss_args={},
        E_init=keras.initializers.RandomUniform(-1.0, 1.0),
        nce_W_init=keras.initializers.TruncatedNormal(stddev=float(1 / np.sqrt(EMBEDDING_SIZE))),
        nce_b_init=keras.initializers.Zeros(), name="word2vec")
    emb.print_params()
    opt = keras.optimizers.Adagrad(learning_rate=LEARNING_RATE, initial_accumulator_value=0.1)

    # the seed's check words: 16 drawn from the 100 most frequent (id 0 is UNK)
    top = range(1, min(101, vocabulary_size))
    valid_ids = sorted(rng.sample(top, min(16, len(top))))

    def show_nearest() -> None:
        for i, near in zip(valid_ids, nearest(emb, tf, valid_ids)):
            say(args, "Nearest to %s: %s" % (reverse_dictionary[i],
                                              ", ".join(reverse_dictionary[j] for j in near)))

    def show_loss(step: int, avg: float, seconds: float) -> None:
        say(args, "Average loss at step %d/%d. loss: %f took: %fs" % (step, num_steps, avg,
                                                                     seconds))

    windows = train(tl, emb, opt, skip_gram_batches(tl, data, batch_size, num_steps, rng),
                    num_steps, opts.print_freq, opts.eval_freq, show_loss, show_nearest)
    last_avg = windows[-1][1] if windows else float("nan")
    show_nearest()
    folder = out_dir(args, NAME)
    tl.nlp.save_vocab(count, name=os.path.join(folder, "vocab.txt"))
    path = tl.files.save_npz(emb.all_params, name=os.path.join(folder, "model.npz"))
    set_result(args, loss=last_avg, model=path)
    tsne_picture(tl, emb, reverse_dictionary, args, folder)
    list_pictures(args)
    return 0


def tsne_picture(tl: Any, emb: Any, reverse_dictionary: dict[int, str],
                 args: argparse.Namespace, folder: str, plot_only: int = 500) -> None:
    """TensorLayer's ending: t-SNE of the ``plot_only`` most frequent words' normalized
    embeddings (ids are sorted by count), similar words landing close together."""
    try:
        add_pictures(args, tl.vis.tsne_embedding(
            np.asarray(emb.normalized_embeddings), reverse_dictionary, plot_only=plot_only,
            second=5, saveable=True, name=os.path.join(folder, "tsne")))
    except ImportError as e:  # scikit-learn is the optional extra tlcore[tsne]
        logger.warning("word2vec: no t-SNE picture: %s", e)
