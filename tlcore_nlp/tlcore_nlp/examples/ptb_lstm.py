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


def train(tl: Any, tf: Any, net: Any, opt: Any, train_data: list[int], valid_data: list[int],
          cfg: dict[str, Any], epochs: int, show: Callable[[str], None]
          ) -> dict[str, list[Any]]:
    """Truncated backpropagation with ``tl.utils.fit``: each epoch reads ``ptb_iterator``'s
    ``batch_size`` parallel streams in windows of ``num_steps`` words, in order (the LSTM
    state carrying over between windows, reset and the learning rate decayed before each
    epoch), then evaluates the validation text the same way from a reset state.

    ``show(line)`` gets the seed's lines: the learning rate, the running perplexity and speed
    about every tenth of a long epoch, the epoch's train perplexity and words/s, the validation
    perplexity. Returns the per-epoch ``train`` and ``validation`` perplexities and the
    ``progress`` points ``(epoch, fraction of the epoch, running perplexity)``.
    """
    from tlcore.training import Callback

    b, n = int(cfg["batch_size"]), int(cfg["num_steps"])
    epoch_size = ((len(train_data) // b) - 1) // n
    curves: dict[str, list[Any]] = {"train": [], "validation": [], "progress": []}

    def on_begin(epoch: int, lr: float) -> None:
        show("Epoch: %d/%d Learning rate: %.3f" % (epoch, epochs, lr))

    class SeedLines(Callback):
        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self.start = time.time()

        def on_batch_end(self, step: int, logs: Any = None) -> None:
            # one window per call (steps_per_call=1); the seed counts windows from 0
            i = step - 1
            if epoch_size >= 10 and i % (epoch_size // 10) == 10:
                # logs["loss"]: the running mean cost of a window, so per word over n
                point = (i / epoch_size, float(np.exp(logs["loss"] / n)))
                curves["progress"].append((len(curves["train"]) + 1, *point))
                show("%.3f perplexity: %.3f speed: %.0f wps" % (
                    *point, step * n * b / (time.time() - self.start)))

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            curves["train"].append(float(np.exp(logs["train_loss"] / n)))
            curves["validation"].append(float(np.exp(logs["val_loss"] / n)))
            show("Epoch: %d/%d Train Perplexity: %.3f (%.0f wps)" % (
                epoch, epochs, curves["train"][-1], epoch_size * n * b / logs["time"]))
            show("Epoch: %d/%d Valid Perplexity: %.3f" % (epoch, epochs,
                                                          curves["validation"][-1]))

    def validation() -> Any:
        tl.layers.initialize_rnn_state(net)  # runs as the evaluation reads its first window
        yield from tl.iterate.ptb_iterator(valid_data, b, n)

    tl.utils.fit(net, opt, sequence_cost(tf), lambda: tl.iterate.ptb_iterator(train_data, b, n),
                 None, n_epoch=epochs, print_freq=epochs, X_val=validation, eval_freq=1,
                 shuffle=False, eval_train=False, progress=False, steps_per_call=1,
                 callbacks=[epoch_schedule(tl, net, opt, cfg, on_begin), SeedLines()])
    return curves


def evaluate(tl: Any, tf: Any, net: Any, data: list[int], batch_size: int, num_steps: int
             ) -> float:
    """Perplexity of ``data`` read as ``batch_size`` streams in windows of ``num_steps``, from a
    reset LSTM state (dropout off)."""
    cost = sequence_cost(tf)
    step = tf.function(lambda x, y: cost(net(x, is_train=False), y), reduce_retracing=True)
    tl.layers.initialize_rnn_state(net)
    costs, iters = 0.0, 0
    for x, y in tl.iterate.ptb_iterator(data, batch_size, num_steps):
        costs += float(step(tf.constant(x, tf.int32), tf.constant(y, tf.int32)))
        iters += num_steps
    return float(np.exp(costs / max(iters, 1)))


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
    opt = clipped_sgd(keras, tf, cfg["learning_rate"], cfg["max_grad_norm"])
    train_start = time.time()
    curves = train(tl, tf, net, opt, train_data, valid_data, cfg, epochs,
                   lambda line: say(args, line))
    train_time = time.time() - train_start
    train_perplexity = curves["train"][-1] if curves["train"] else float("nan")
    valid_perplexity = curves["validation"][-1] if curves["validation"] else float("nan")
    say(args, "Evaluation")
    start = time.time()
    test_perplexity = evaluate(tl, tf, net, test_data, 1, opts.test_steps)
    say(args, "Test Perplexity: %.3f took %.2fs" % (test_perplexity, time.time() - start))
    path = tl.files.save_npz(net.all_params, name=f"{out_dir(args, NAME)}/model.npz")
    set_result(args, train_perplexity=train_perplexity, valid_perplexity=valid_perplexity,
               test_perplexity=test_perplexity, train_time=train_time, model=path)
    per_epoch = {k: curves[k] for k in ("train", "validation")}
    add_pictures(args, tl.vis.curves(
        per_epoch, title=f"PTB {opts.config}: perplexity per epoch (test {test_perplexity:.1f})",
        ylabel="perplexity", logy=True, name=f"{out_dir(args, NAME)}/perplexity"))
    list_pictures(args)
    return 0
