"""Training throughput of the seed's MNIST CNN: ``tl.utils.fit`` vs a raw TF loop vs Keras 3.

The three contenders train the same model (conv 5x5x32 relu SAME -> max-pool 2/2 -> conv 5x5x64
-> max-pool -> flatten -> dropout 0.5 -> dense 256 relu -> dropout 0.5 -> dense 10; Adam 1e-4,
sparse softmax cross-entropy) on the same MNIST training images. They run interleaved (round
robin, ``--reps`` rounds, rotating who goes first) so that load from other processes on a shared
machine hits all of them alike. Each round times one epoch after a warm-up epoch in the same
call, so tracing is never counted:

- tlcore: ``tl.utils.fit(..., n_epoch=2)``; the time of epoch 2 from the returned history.
- raw: a ``tf.data`` pipeline (shuffle, batch, prefetch) feeding a ``tf.function`` step with
  ``tf.GradientTape``, ``tf.nn.conv2d``/``max_pool2d`` and the same Keras Adam on plain
  ``tf.Variable``s (traced once, reused).
- keras: ``model.fit(..., epochs=2)``; epoch 2 timed by a callback.

Run: ``python benchmarks/bench_cnn.py [--reps 3] [--samples 10000] [--batch-sizes 128]``.
Not run by CI.
"""
from __future__ import annotations

import argparse
import gzip
import os
import platform
import statistics
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

import tlcore as tl  # noqa: E402

MNIST = Path(tl.__file__).parent / "files" / "data" / "mnist"
LR = 1e-4


def load_mnist(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``n`` training images as float32 (n, 28, 28, 1) in [0, 1) and int64 labels."""
    with gzip.open(MNIST / "train-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28, 1)
    with gzip.open(MNIST / "train-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)
    return (x[:n] / 256.0).astype(np.float32), y[:n].astype(np.int64)


def cross_entropy(logits: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))


# ----------------------------------------------------------------------------- contenders
class Tlcore:
    name = "tlcore"

    def __init__(self, batch_size: int) -> None:
        from tlcore_vision.examples.mnist_cnn import build

        self.net = build(tl, tf)
        self.opt = keras.optimizers.Adam(LR)
        self.batch_size = batch_size

    def epoch_seconds(self, x: np.ndarray, y: np.ndarray) -> float:
        h = tl.utils.fit(self.net, self.opt, cross_entropy, x, y, batch_size=self.batch_size,
                         n_epoch=2, print_freq=1000, eval_train=False, progress=False)
        return h.times[1]


class Raw:
    name = "raw"

    def __init__(self, batch_size: int) -> None:
        init = keras.initializers.TruncatedNormal(stddev=0.02)
        dense = keras.initializers.TruncatedNormal(stddev=0.1)
        self.vars = [tf.Variable(init((5, 5, 1, 32))), tf.Variable(tf.zeros(32)),
                     tf.Variable(init((5, 5, 32, 64))), tf.Variable(tf.zeros(64)),
                     tf.Variable(dense((3136, 256))), tf.Variable(tf.zeros(256)),
                     tf.Variable(dense((256, 10))), tf.Variable(tf.zeros(10))]
        self.opt = keras.optimizers.Adam(LR)
        self.opt.build(self.vars)
        self.batch_size = batch_size
        self.step = tf.function(self._step)

    def _step(self, x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
        k1, c1, k2, c2, w1, b1, w2, b2 = self.vars
        with tf.GradientTape() as tape:
            h = tf.nn.relu(tf.nn.conv2d(x, k1, 1, "SAME") + c1)
            h = tf.nn.max_pool2d(h, 2, 2, "SAME")
            h = tf.nn.relu(tf.nn.conv2d(h, k2, 1, "SAME") + c2)
            h = tf.nn.max_pool2d(h, 2, 2, "SAME")
            h = tf.nn.dropout(tf.reshape(h, [-1, 3136]), rate=0.5)
            h = tf.nn.dropout(tf.nn.relu(h @ w1 + b1), rate=0.5)
            loss = cross_entropy(h @ w2 + b2, y)
        self.opt.apply_gradients(zip(tape.gradient(loss, self.vars), self.vars))
        return loss

    def epoch_seconds(self, x: np.ndarray, y: np.ndarray) -> float:
        ds = (tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x))
              .batch(self.batch_size).prefetch(tf.data.AUTOTUNE))
        for xb, yb in ds:  # warm-up epoch, as the others have
            self.step(xb, yb)
        t0 = time.perf_counter()
        loss = None
        for xb, yb in ds:
            loss = self.step(xb, yb)
        float(loss)
        return time.perf_counter() - t0


class Keras:
    name = "keras"

    def __init__(self, batch_size: int) -> None:
        init = keras.initializers.TruncatedNormal(stddev=0.02)
        dense = keras.initializers.TruncatedNormal(stddev=0.1)
        L = keras.layers
        self.model = keras.Sequential([
            keras.Input((28, 28, 1)),
            L.Conv2D(32, 5, padding="same", activation="relu", kernel_initializer=init),
            L.MaxPooling2D(2, 2, padding="same"),
            L.Conv2D(64, 5, padding="same", activation="relu", kernel_initializer=init),
            L.MaxPooling2D(2, 2, padding="same"),
            L.Flatten(),
            L.Dropout(0.5),
            L.Dense(256, activation="relu", kernel_initializer=dense),
            L.Dropout(0.5),
            L.Dense(10, kernel_initializer=dense),
        ])
        self.model.compile(optimizer=keras.optimizers.Adam(LR),
                           loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        self.batch_size = batch_size

    def epoch_seconds(self, x: np.ndarray, y: np.ndarray) -> float:
        times: list[float] = []

        class Timer(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.t0 = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                times.append(time.perf_counter() - self.t0)

        self.model.fit(x, y, batch_size=self.batch_size, epochs=2, verbose=0, shuffle=True,
                       callbacks=[Timer()])
        return times[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--samples", type=int, default=10000, help="training samples")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[128])
    args = parser.parse_args()
    x, y = load_mnist(args.samples)
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}; "
          f"TensorFlow {tf.__version__}, Keras {keras.__version__}, tlcore {tl.__version__}")
    print(f"model: seed MNIST CNN (2x conv 5x5 + max-pool, dense 256, dropout), Adam {LR:g}; "
          f"{len(x)} MNIST samples; median of {args.reps} interleaved epochs\n")
    rows = []
    for bs in args.batch_sizes:
        contenders = [Tlcore(bs), Raw(bs), Keras(bs)]
        seconds: dict[str, list[float]] = {c.name: [] for c in contenders}
        for rep in range(args.reps):
            order = contenders[rep % 3:] + contenders[:rep % 3]  # rotate who goes first
            for c in order:
                seconds[c.name].append(c.epoch_seconds(x, y))
        rate = {k: len(x) / statistics.median(v) for k, v in seconds.items()}
        rows.append((bs, rate))
        print(f"batch {bs}: " + ", ".join(
            f"{k} {[round(s, 2) for s in v]} s" for k, v in seconds.items()), flush=True)
    print()
    print("| batch | tlcore samples/s | raw TF loop samples/s | Keras fit samples/s "
          "| tlcore/raw | tlcore/Keras |")
    print("|---|---|---|---|---|---|")
    for bs, r in rows:
        print(f"| {bs} | {r['tlcore']:.0f} | {r['raw']:.0f} | {r['keras']:.0f} | "
              f"{r['tlcore'] / r['raw']:.2f} | {r['tlcore'] / r['keras']:.2f} |")


if __name__ == "__main__":
    main()
