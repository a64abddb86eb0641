"""Training throughput of the seed MLP: ``tl.utils.fit`` vs a raw TF loop vs Keras 3 ``fit``.

The three contenders train the same model (784-800-800-10, dropout 0.8/0.5/0.5, ReLU, Adam 1e-4,
sparse softmax cross-entropy) on the same MNIST training images, at batch sizes 128 and 500. They
run interleaved (round robin, ``--reps`` rounds) so that load from other processes on a shared
machine hits all of them alike. Each round times one epoch after a warm-up epoch in the same
call, so tracing is never counted:

- tlcore: ``tl.utils.fit(..., n_epoch=2)``; the time of epoch 2 from the returned history.
- raw: a ``tf.data`` pipeline (shuffle, batch, prefetch) feeding a ``tf.function`` step with
  ``tf.GradientTape`` and the same Keras Adam on plain ``tf.Variable``s (traced once, reused).
- keras: ``model.fit(..., epochs=2)``; epoch 2 timed by a callback.

Both wall-clock and process CPU time are reported: on a shared machine the CPU time (work done)
is the steadier comparison.

``--tfdata`` adds tlcore and Keras ``fit`` fed by the same ``tf.data`` pipeline (shuffle, batch,
prefetch). The last lines give the machine's fp32 peak (independent matmuls, all cores) and the
GFLOP/s of tlcore's array path.

``--precision`` instead compares tlcore at float32 with ``precision="mixed_bfloat16"`` and
``"mixed_float16"`` (same interleaved rounds), then trains one fresh network in each precision
for ``--acc-epochs`` epochs and reports its accuracy on the 10,000 MNIST test images.

Run: ``python benchmarks/bench_mlp.py [--reps 3] [--samples 50000] [--tfdata | --precision]``.
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


def load_mnist(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``n`` training images as float32 in [0, 1) and their int64 labels."""
    with gzip.open(MNIST / "train-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(MNIST / "train-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)
    return (x[:n] / 256.0).astype(np.float32), y[:n].astype(np.int64)


def cross_entropy(logits: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))


# ----------------------------------------------------------------------------- contenders
class Tlcore:
    name = "tlcore"

    precision = "float32"

    def __init__(self, batch_size: int) -> None:
        L = tl.layers
        net = L.InputLayer([None, 784], name="input")
        net = L.DropoutLayer(net, keep=0.8, name="drop1")
        net = L.DenseLayer(net, n_units=800, act=tf.nn.relu, name="relu1")
        net = L.DropoutLayer(net, keep=0.5, name="drop2")
        net = L.DenseLayer(net, n_units=800, act=tf.nn.relu, name="relu2")
        net = L.DropoutLayer(net, keep=0.5, name="drop3")
        self.net = L.DenseLayer(net, n_units=10, name="output")
        self.opt = keras.optimizers.Adam(1e-4)
        self.batch_size = batch_size

    def epoch_seconds(self, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        cpu: list[float] = []
        h = tl.utils.fit(self.net, self.opt, cross_entropy, x, y, batch_size=self.batch_size,
                         n_epoch=2, print_freq=1000, eval_train=False, progress=False,
                         callbacks=[lambda epoch, history: cpu.append(time.process_time())],
                         precision=self.precision)
        return h.times[1], cpu[1] - cpu[0]


class TlcoreMixed(Tlcore):
    """tl.utils.fit with precision="mixed_bfloat16" (float32 master weights)."""

    name = "tlcore-bf16"
    precision = "mixed_bfloat16"


class TlcoreHalf(Tlcore):
    """tl.utils.fit with precision="mixed_float16" (float32 master weights, loss scaling)."""

    name = "tlcore-f16"
    precision = "mixed_float16"


def load_mnist_test() -> tuple[np.ndarray, np.ndarray]:
    with gzip.open(MNIST / "t10k-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(MNIST / "t10k-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)
    return (x / 256.0).astype(np.float32), y.astype(np.int64)


def accuracy(logits: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
    return tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))


def precision_accuracy(x: np.ndarray, y: np.ndarray, batch_size: int, epochs: int) -> None:
    """Test accuracy after ``epochs`` epochs from the same initial weights, per precision."""
    xt, yt = load_mnist_test()
    print(f"\nTest accuracy after {epochs} epochs (batch {batch_size}, same seed):")
    print("| precision | test acc | train loss (last epoch) | s/epoch (median) |")
    print("|---|---|---|---|")
    for c in (Tlcore, TlcoreMixed, TlcoreHalf):
        keras.utils.set_random_seed(0)
        model = c(batch_size)
        h = tl.utils.fit(model.net, model.opt, cross_entropy, x, y, batch_size=batch_size,
                         n_epoch=epochs, print_freq=1000, eval_train=False, progress=False,
                         seed=0, precision=c.precision)
        acc = tl.utils.test(model.net, accuracy, xt, yt, batch_size=1000)  # float32 inference
        print(f"| {c.precision} | {acc:.4f} | {h.train_loss[-1]:.4f} | "
              f"{statistics.median(h.times):.2f} |", flush=True)


class Raw:
    name = "raw"

    def __init__(self, batch_size: int) -> None:
        init = keras.initializers.TruncatedNormal(stddev=0.1)
        shapes = [(784, 800), (800,), (800, 800), (800,), (800, 10), (10,)]
        self.vars = [tf.Variable(init(s) if len(s) == 2 else tf.zeros(s)) for s in shapes]
        self.opt = keras.optimizers.Adam(1e-4)
        self.opt.build(self.vars)
        self.batch_size = batch_size
        self.step = tf.function(self._step)

    def _step(self, x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
        w1, b1, w2, b2, w3, b3 = self.vars
        with tf.GradientTape() as tape:
            h = tf.nn.dropout(x, rate=0.2)
            h = tf.nn.dropout(tf.nn.relu(h @ w1 + b1), rate=0.5)
            h = tf.nn.dropout(tf.nn.relu(h @ w2 + b2), rate=0.5)
            loss = cross_entropy(h @ w3 + b3, y)
        self.opt.apply_gradients(zip(tape.gradient(loss, self.vars), self.vars))
        return loss

    def epoch_seconds(self, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        ds = (tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x))
              .batch(self.batch_size).prefetch(tf.data.AUTOTUNE))
        for xb, yb in ds.take(1):  # warm-up (traces once, then also the ragged last batch)
            self.step(xb, yb)
        t0, c0 = time.perf_counter(), time.process_time()
        loss = None
        for xb, yb in ds:
            loss = self.step(xb, yb)
        float(loss)
        return time.perf_counter() - t0, time.process_time() - c0


def pipeline(x: np.ndarray, y: np.ndarray, batch_size: int) -> tf.data.Dataset:
    """The same input pipeline for every tf.data contender: shuffle, batch, prefetch."""
    return (tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x))
            .batch(batch_size).prefetch(tf.data.AUTOTUNE))


class TlcoreData(Tlcore):
    """tl.utils.fit fed by the tf.data pipeline (a batch source) instead of arrays."""

    name = "tlcore-tfdata"

    def epoch_seconds(self, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        cpu: list[float] = []
        h = tl.utils.fit(self.net, self.opt, cross_entropy, pipeline(x, y, self.batch_size),
                         None, batch_size=self.batch_size, n_epoch=2, print_freq=1000,
                         eval_train=False, progress=False,
                         callbacks=[lambda epoch, history: cpu.append(time.process_time())])
        return h.times[1], cpu[1] - cpu[0]


class Keras:
    name = "keras"

    def __init__(self, batch_size: int) -> None:
        init = keras.initializers.TruncatedNormal(stddev=0.1)
        self.model = keras.Sequential([
            keras.Input((784,)),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(800, activation="relu", kernel_initializer=init),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(800, activation="relu", kernel_initializer=init),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(10, kernel_initializer=init),
        ])
        self.model.compile(optimizer=keras.optimizers.Adam(1e-4),
                           loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        self.batch_size = batch_size

    def epoch_seconds(self, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        times: list[tuple[float, float]] = []

        class Timer(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.t0, self.c0 = time.perf_counter(), time.process_time()

            def on_epoch_end(self, epoch, logs=None):
                times.append((time.perf_counter() - self.t0, time.process_time() - self.c0))

        args, kwargs = self.data(x, y)
        self.model.fit(*args, epochs=2, verbose=0, callbacks=[Timer()], **kwargs)
        return times[1]

    def data(self, x: np.ndarray, y: np.ndarray) -> tuple:
        return (x, y), {"batch_size": self.batch_size, "shuffle": True}


class KerasData(Keras):
    """Keras fit on the same tf.data pipeline as tlcore-tfdata."""

    name = "keras-tfdata"

    def epoch_seconds(self, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        times: list[tuple[float, float]] = []

        class Timer(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.t0, self.c0 = time.perf_counter(), time.process_time()

            def on_epoch_end(self, epoch, logs=None):
                times.append((time.perf_counter() - self.t0, time.process_time() - self.c0))

        self.model.fit(pipeline(x, y, self.batch_size), epochs=2, verbose=0, shuffle=False,
                       callbacks=[Timer()])  # the pipeline shuffles
        return times[1]


#: training FLOPs per sample of the seed MLP: forward 2*(784*800 + 800*800 + 800*10), and the
#: backward pass about twice that (input and weight gradients)
FLOPS_PER_SAMPLE = 3 * 2 * (784 * 800 + 800 * 800 + 800 * 10)


def peak_gflops(n: int = 1024, k: int = 4, reps: int = 5) -> float:
    """fp32 GFLOP/s of ``k`` independent n x n matmuls per call (all cores busy)."""
    a = [tf.random.normal((n, n)) for _ in range(k)]
    fn = tf.function(lambda: [m @ m for m in a])
    fn()
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        [t.numpy() for t in fn()]
        best = min(best, time.perf_counter() - t0)
    return k * 2 * n ** 3 / best / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--samples", type=int, default=50000, help="training samples")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[128, 500])
    parser.add_argument("--tfdata", action="store_true",
                        help="also tlcore and Keras fit on the same tf.data pipeline")
    parser.add_argument("--precision", action="store_true",
                        help="tlcore float32 vs mixed_bfloat16 (speed and test accuracy)")
    parser.add_argument("--acc-epochs", type=int, default=5,
                        help="epochs of the --precision accuracy runs")
    args = parser.parse_args()
    x, y = load_mnist(args.samples)
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}; "
          f"TensorFlow {tf.__version__}, Keras {keras.__version__}, tlcore {tl.__version__}")
    print(f"model: seed MLP 784-800-800-10 with dropout, Adam 1e-4; {len(x)} MNIST samples; "
          f"median of {args.reps} interleaved epochs\n")
    rows = []
    for bs in args.batch_sizes:
        contenders = [Tlcore(bs), Raw(bs), Keras(bs)]
        if args.precision:
            contenders = [Tlcore(bs), TlcoreMixed(bs), TlcoreHalf(bs)]
        elif args.tfdata:
            contenders += [TlcoreData(bs), KerasData(bs)]
        wall: dict[str, list[float]] = {c.name: [] for c in contenders}
        cpu: dict[str, list[float]] = {c.name: [] for c in contenders}
        for rep in range(args.reps):
            k = rep % len(contenders)
            order = contenders[k:] + contenders[:k]  # rotate who goes first
            for c in order:
                w, p = c.epoch_seconds(x, y)
                wall[c.name].append(w)
                cpu[c.name].append(p)
        rate = {k: len(x) / statistics.median(v) for k, v in wall.items()}
        cpu_rate = {k: len(x) / statistics.median(v) for k, v in cpu.items()}
        rows.append((bs, rate, cpu_rate))
        print(f"batch {bs}: wall s " + ", ".join(
            f"{k} {[round(s, 2) for s in v]}" for k, v in wall.items()) + "; CPU s " + ", ".join(
            f"{k} {[round(s, 2) for s in v]}" for k, v in cpu.items()), flush=True)
    if args.precision:
        print()
        print("tlcore by precision (samples/s, wall; CPU-time ratio in brackets):")
        print("| batch | float32 | mixed_bfloat16 | mixed_float16 | bf16/fp32 | f16/fp32 |")
        print("|---|---|---|---|---|---|")
        for bs, r, c in rows:
            print(f"| {bs} | {r['tlcore']:.0f} | {r['tlcore-bf16']:.0f} | "
                  f"{r['tlcore-f16']:.0f} | {r['tlcore-bf16'] / r['tlcore']:.2f} "
                  f"({c['tlcore-bf16'] / c['tlcore']:.2f}) | "
                  f"{r['tlcore-f16'] / r['tlcore']:.2f} ({c['tlcore-f16'] / c['tlcore']:.2f}) |")
        precision_accuracy(x, y, args.batch_sizes[0], args.acc_epochs)
        return
    print()
    print("Wall clock (samples/s; what a user waits for):")
    print("| batch | tlcore | raw TF loop | Keras fit | tlcore/raw | tlcore/Keras |")
    print("|---|---|---|---|---|---|")
    for bs, r, _ in rows:
        print(f"| {bs} | {r['tlcore']:.0f} | {r['raw']:.0f} | {r['keras']:.0f} | "
              f"{r['tlcore'] / r['raw']:.2f} | {r['tlcore'] / r['keras']:.2f} |")
    if args.tfdata:
        print()
        print("tf.data pipeline (wall samples/s; CPU-time ratio in brackets):")
        print("| batch | tlcore tf.data | Keras fit tf.data | tlcore/Keras |")
        print("|---|---|---|---|")
        for bs, r, c in rows:
            print(f"| {bs} | {r['tlcore-tfdata']:.0f} | {r['keras-tfdata']:.0f} | "
                  f"{r['tlcore-tfdata'] / r['keras-tfdata']:.2f} "
                  f"({c['tlcore-tfdata'] / c['keras-tfdata']:.2f}) |")
    peak = peak_gflops()
    print()
    print(f"Peak fp32 (4 independent 1024^3 matmuls per call): {peak:.0f} GFLOP/s; tlcore "
          f"arrays: " + ", ".join(f"batch {bs} {r['tlcore'] * FLOPS_PER_SAMPLE / 1e9:.0f} "
                                  f"GFLOP/s ({r['tlcore'] * FLOPS_PER_SAMPLE / 1e9 / peak:.0%})"
                                  for bs, r, _ in rows))
    print()
    print("Process CPU time (samples per CPU-second; less sensitive to other processes):")
    print("| batch | tlcore | raw TF loop | Keras fit | tlcore/raw | tlcore/Keras |")
    print("|---|---|---|---|---|---|")
    for bs, _, r in rows:
        print(f"| {bs} | {r['tlcore']:.0f} | {r['raw']:.0f} | {r['keras']:.0f} | "
              f"{r['tlcore'] / r['raw']:.2f} | {r['tlcore'] / r['keras']:.2f} |")


if __name__ == "__main__":
    main()
