"""The seed's PTB language model: 2-layer LSTM, truncated backpropagation, perplexity and wps.

Zaremba et al. (2014) configs, as in TensorLayer's ``tutorial_ptb_lstm.py``; one network trains
on ``batch_size`` parallel streams and evaluates the test set as one stream (batch 1), its LSTM
layers keeping their state across calls.
"""
from __future__ import annotations

import argparse
import time
from typing import Any, Callable

import numpy as np

from tlcore_nlp.examples._common import (add_pictures, list_pictures, out_dir, parse_options,
                                         say, seed_everything, set_result)

NAME = "ptb-lstm"

#: Zaremba et al. (2014) / TensorFlow PTB tutorial settings (TensorLayer's copy).
CONFIGS: dict[str, dict[str, Any]] = {
    "small": dict(init_scale=0.1, learning_rate=1.0, max_grad_norm=5.0, num_layers=2,
                  num_steps=20, hidden_size=200, max_epoch=4, max_max_epoch=13, keep_prob=1.0,
                  lr_decay=0.5, batch_size=20),
    "medium": dict(init_scale=0.05, learning_rate=1.0, max_grad_norm=5.0, num_layers=2,
                   num_steps=35, hidden_size=650, max_epoch=6, max_max_epoch=39, keep_prob=0.5,
                   lr_decay=0.8, batch_size=20),
    "large": dict(init_scale=0.04, learning_rate=1.0, max_grad_norm=10.0, num_layers=2,
                  num_steps=35, hidden_size=1500, max_epoch=14, max_max_epoch=55,
                  keep_prob=0.35, lr_decay=1 / 1.15, batch_size=20),
}


def build(tl: Any, tf: Any, vocab_size: int, cfg: dict[str, Any]) -> Any:
    """Embedding -> dropout -> (LSTM -> dropout) x num_layers -> dense, LSTMs keeping state."""
    import keras

    L = tl.layers
    init = keras.initializers.RandomUniform(-cfg["init_scale"], cfg["init_scale"])
    keep = cfg["keep_prob"]
    net = L.EmbeddingInputlayer(inputs=[None, None], vocabulary_size=vocab_size,
                                embedding_size=cfg["hidden_size"], E_init=init, name="embedding")
    if keep < 1:
        net = L.DropoutLayer(net, keep=keep, is_fix=True, name="drop1")
    for i in range(cfg["num_layers"]):
        last = i == cfg["num_layers"] - 1
        net = L.RNNLayer(net, cell_fn="BasicLSTMCell", cell_init_args={"forget_bias": 0.0},
                         n_hidden=cfg["hidden_size"], initializer=init, return_seq_2d=last,
                         keep_state=True, name=f"lstm{i + 1}")
        if keep < 1:
            net = L.DropoutLayer(net, keep=keep, is_fix=True, name=f"drop{i + 2}")
    return L.DenseLayer(net, n_units=vocab_size, W_init=init, b_init=init, name="output")


def sequence_cost(tf: Any) -> Callable[[Any, Any], Any]:
    """``cost(logits, y)``: softmax cross-entropy summed over the steps and averaged over the
    batch (the seed's ``sequence_loss_by_example`` / batch_size)."""

    def cost(logits: Any, y: Any) -> Any:
        ce = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.reshape(y, [-1]),
                                                            logits=logits)
        return tf.reduce_sum(ce) / tf.cast(tf.shape(y)[0], tf.float32)

    return cost


def clipped_sgd(keras: Any, tf: Any, learning_rate: float, max_grad_norm: float) -> Any:
    """SGD on gradients clipped with ``tf.clip_by_global_norm`` (the seed's clipping).

    Not ``SGD(global_clipnorm=...)``: Keras measures the embedding's sparse gradient after
    densifying it (a word repeated in a batch counts once, its rows summed), while
    ``tf.clip_by_global_norm`` measures the ``IndexedSlices`` values (each occurrence), so the
    two clip by different factors whenever a batch repeats a word.
    """

    class ClippedSGD(keras.optimizers.SGD):
        def apply_gradients(self, grads_and_vars: Any) -> Any:
            grads, variables = zip(*grads_and_vars)
            clipped, _ = tf.clip_by_global_norm(list(grads), max_grad_norm)
            return super().apply_gradients(zip(clipped, variables))

    return ClippedSGD(learning_rate=learning_rate)


def epoch_schedule(tl: Any, net: Any, opt: Any, cfg: dict[str, Any],
                   on_begin: Callable[[int, float], None] | None = None) -> Any:
    """A ``fit`` callback doing the seed's per-epoch bookkeeping before each epoch: the learning
    rate ``learning_rate * lr_decay ** max(epoch - max_epoch, 0)`` and the LSTM state reset
    (each epoch reads the streams from their start); then ``on_begin(epoch, lr)``."""
    from tlcore.training import Callback

    class EpochSchedule(Callback):
        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            lr = cfg["learning_rate"] * cfg["lr_decay"] ** max(epoch - cfg["max_epoch"], 0.0)
            opt.learning_rate.assign(lr)
            tl.layers.initialize_rnn_state(net)
            if on_begin is not None:
                on_begin(epoch, lr)

    return EpochSchedule()


def _options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", choices=sorted(CONFIGS), default="small",
                   help="model size (default small: 13 epochs, 2 x 200 LSTM)")
    p.add_argument("--hidden-size", type=int, default=None, help="override the config's")
    p.add_argument("--num-steps", type=int, default=None, help="override the config's")
    p.add_argument("--test-steps", type=int, default=35,
                   help="window of the batch-1 test pass (the state carries over, so any "
                        "window gives the seed's num_steps=1 result; default 35)")


def main(args: argparse.Namespace) -> int:
    """``tlcore run ptb-lstm [--config small|medium|large] [--epochs N]``."""
    opts = parse_options(args, NAME, __doc__.splitlines()[0], _options)
    import keras
    import tensorflow as tf

    import tlcore as tl

    cfg = dict(CONFIGS[opts.config])
    for key in ("hidden_size", "num_steps"):
        if getattr(opts, key) is not None:
            cfg[key] = getattr(opts, key)
    if args.batch_size:
        cfg["batch_size"] = args.batch_size
    epochs = args.epochs or cfg["max_max_epoch"]
    seed_everything(args.seed)
    train_data, valid_data, test_data, vocab_size = tl.files.load_ptb_dataset(
        path=getattr(args, "data_dir", None))
    if opts.limit:
        train_data, valid_data, test_data = (d[:opts.limit] for d in
                                             (train_data, valid_data, test_data))
    say(args, f"len(train_data) {len(train_data)} len(valid_data) {len(valid_data)} "
              f"len(test_data) {len(test_data)} vocab_size {vocab_size}")
    net = build(tl, tf, vocab_size, cfg)
    net.print_params()
    net.print_layers()
    params = net.trainable_params
    opt = keras.optimizers.SGD(learning_rate=cfg["learning_rate"])
    clip = cfg["max_grad_norm"]

    def cost_of(x: Any, y: Any, is_train: bool) -> Any:
        logits = net(x, is_train=is_train)
        ce = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.reshape(y, [-1]),
                                                            logits=logits)
        # sequence_loss_by_example summed over steps and averaged over the batch
        return tf.reduce_sum(ce) / tf.cast(tf.shape(x)[0], tf.float32)

    @tf.function(reduce_retracing=True)
    def train_step(x: Any, y: Any) -> Any:
        with tf.GradientTape() as tape:
            cost = cost_of(x, y, True)
        grads, _ = tf.clip_by_global_norm(tape.gradient(cost, params), clip)
        opt.apply_gradients(zip(grads, params))
        return cost

    @tf.function(reduce_retracing=True)
    def eval_step(x: Any, y: Any) -> Any:
        return cost_of(x, y, False)

    def run_epoch(data: list[int], batch_size: int, num_steps: int, train: bool,
                  verbose: bool) -> float:
        epoch_size = ((len(data) // batch_size) - 1) // num_steps
        start, costs, iters = time.time(), 0.0, 0
        tl.layers.initialize_rnn_state(net)
        for step, (x, y) in enumerate(tl.iterate.ptb_iterator(data, batch_size, num_steps)):
            x, y = tf.constant(x, tf.int32), tf.constant(y, tf.int32)
            cost = (train_step if train else eval_step)(x, y)
            costs += float(cost)
            iters += num_steps
            if verbose and epoch_size >= 10 and step % (epoch_size // 10) == 10:
                say(args, "%.3f perplexity: %.3f speed: %.0f wps" % (
                    step * 1.0 / epoch_size, np.exp(costs / iters),
                    iters * batch_size / (time.time() - start)))
        return float(np.exp(costs / max(iters, 1)))

    b, n = cfg["batch_size"], cfg["num_steps"]
    valid_perplexity = train_perplexity = float("nan")
    curves: dict[str, list[float]] = {"train": [], "validation": []}
    train_start = time.time()
    for i in range(epochs):
        lr = cfg["learning_rate"] * cfg["lr_decay"] ** max(i + 1 - cfg["max_epoch"], 0.0)
        opt.learning_rate.assign(lr)
        say(args, "Epoch: %d/%d Learning rate: %.3f" % (i + 1, epochs, lr))
        t0 = time.time()
        train_perplexity = run_epoch(train_data, b, n, True, True)
        words = ((len(train_data) // b - 1) // n) * n * b
        say(args, "Epoch: %d/%d Train Perplexity: %.3f (%.0f wps)" % (
            i + 1, epochs, train_perplexity, words / (time.time() - t0)))
        valid_perplexity = run_epoch(valid_data, b, n, False, False)
        say(args, "Epoch: %d/%d Valid Perplexity: %.3f" % (i + 1, epochs, valid_perplexity))
        curves["train"].append(train_perplexity)
        curves["validation"].append(valid_perplexity)
    train_time = time.time() - train_start
    say(args, "Evaluation")
    start = time.time()
    test_perplexity = run_epoch(test_data, 1, opts.test_steps, False, False)
    say(args, "Test Perplexity: %.3f took %.2fs" % (test_perplexity, time.time() - start))
    path = tl.files.save_npz(net.all_params, name=f"{out_dir(args, NAME)}/model.npz")
    set_result(args, train_perplexity=train_perplexity, valid_perplexity=valid_perplexity,
               test_perplexity=test_perplexity, train_time=train_time, model=path)
    add_pictures(args, tl.vis.curves(
        curves, title=f"PTB {opts.config}: perplexity per epoch (test {test_perplexity:.1f})",
        ylabel="perplexity", logy=True, name=f"{out_dir(args, NAME)}/perplexity"))
    list_pictures(args)
    return 0
