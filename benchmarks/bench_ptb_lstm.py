"""Training throughput of the seed's PTB small LSTM: tlcore vs a hand-written TF2 loop vs Keras 3.

All three train the same model (embedding 10000 x 200 -> LSTM 200 -> LSTM 200 -> dense 10000;
uniform(-0.1, 0.1) init, forget bias 0; SGD 1.0 with gradient clipping to global norm 5;
``sum(cross-entropy) / batch``) on the same PTB windows (batch 20, 20 steps), each carrying its
LSTM state from window to window (truncated backpropagation):

- tlcore: the ``ptb-lstm`` example's network (``RNNLayer(keep_state=True)``) and its compiled
  train step.
- raw: ``tf.Variable``s and a ``tf.function`` step with the 20 time steps unrolled in Python at
  trace time (one fused kernel ``[x, h] @ W`` per cell and step), state in variables.
- keras: ``keras.layers.LSTM(stateful=True)`` x 2 in a functional model with a fixed batch,
  ``keras.optimizers.SGD(global_clipnorm=5)`` in a ``tf.function`` step.

They run interleaved (``--reps`` rounds, rotating who goes first) so that load from other
processes hits all alike; every round times ``--steps`` windows after 3 warm-up windows.
Words per second = steps * 20 * 20 / time. Prints the medians and the ratios.

Run: ``python benchmarks/bench_ptb_lstm.py [--reps 3] [--steps 50] [--data-dir ../shared/data]``.
Not run by CI.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from typing import Any, Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

import tlcore as tl  # noqa: E402

V, H, B, T, LR, CLIP = 10000, 200, 20, 20, 1.0, 5.0
INIT = keras.initializers.RandomUniform(-0.1, 0.1)


def windows(data: list[int]) -> list[tuple[tf.Tensor, tf.Tensor]]:
    return [(tf.constant(x, tf.int32), tf.constant(y, tf.int32))
            for x, y in tl.iterate.ptb_iterator(data, B, T)]


def loss_of(logits: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
    ce = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.reshape(y, [-1]),
                                                        logits=tf.reshape(logits, [-1, V]))
    return tf.reduce_sum(ce) / B


def make_tlcore() -> Callable[[Any, Any], Any]:
    from tlcore_nlp.examples.ptb_lstm import CONFIGS, build

    net = build(tl, tf, V, CONFIGS["small"])
    params = net.trainable_params
    opt = keras.optimizers.SGD(LR)

    @tf.function
    def step(x: Any, y: Any) -> Any:
        with tf.GradientTape() as tape:
            loss = loss_of(net(x, is_train=True), y)
        grads, _ = tf.clip_by_global_norm(tape.gradient(loss, params), CLIP)
        opt.apply_gradients(zip(grads, params))
        return loss
    return step


def make_raw() -> Callable[[Any, Any], Any]:
    emb = tf.Variable(INIT((V, H)))
    cells = [(tf.Variable(INIT((2 * H, 4 * H))), tf.Variable(tf.zeros(4 * H))) for _ in range(2)]
    W, b = tf.Variable(INIT((H, V))), tf.Variable(INIT((V,)))
    state = [(tf.Variable(tf.zeros((B, H)), trainable=False),
              tf.Variable(tf.zeros((B, H)), trainable=False)) for _ in range(2)]
    params = [emb] + [v for c in cells for v in c] + [W, b]
    opt = keras.optimizers.SGD(LR)

    @tf.function
    def step(x: Any, y: Any) -> Any:
        with tf.GradientTape() as tape:
            inputs = tf.unstack(tf.nn.embedding_lookup(emb, x), axis=1)
            for (kernel, bias), (c_var, h_var) in zip(cells, state):
                c, h, outs = c_var.read_value(), h_var.read_value(), []
                for xt in inputs:
                    i, j, f, o = tf.split(tf.concat([xt, h], 1) @ kernel + bias, 4, axis=1)
                    c = c * tf.sigmoid(f) + tf.sigmoid(i) * tf.tanh(j)
                    h = tf.tanh(c) * tf.sigmoid(o)
                    outs.append(h)
                c_var.assign(c)
                h_var.assign(h)
                inputs = outs
            logits = tf.reshape(tf.stack(inputs, 1), [-1, H]) @ W + b
            loss = loss_of(logits, y)
        grads, _ = tf.clip_by_global_norm(tape.gradient(loss, params), CLIP)
        opt.apply_gradients(zip(grads, params))
        return loss
    return step


def make_keras() -> Callable[[Any, Any], Any]:
    inp = keras.Input(batch_shape=(B, T), dtype="int32")
    z = keras.layers.Embedding(V, H, embeddings_initializer=INIT)(inp)
    for _ in range(2):
        z = keras.layers.LSTM(H, return_sequences=True, stateful=True, kernel_initializer=INIT,
                              recurrent_initializer=INIT, unit_forget_bias=False)(z)
    model = keras.Model(inp, keras.layers.Dense(V, kernel_initializer=INIT,
                                                bias_initializer=INIT)(z))
    opt = keras.optimizers.SGD(LR, global_clipnorm=CLIP)
    params = model.trainable_variables

    @tf.function
    def step(x: Any, y: Any) -> Any:
        with tf.GradientTape() as tape:
            loss = loss_of(model(x, training=True), y)
        opt.apply_gradients(zip(tape.gradient(loss, params), params))
        return loss
    return step


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--data-dir", default=None)
    a = p.parse_args()
    train, _, _, _ = tl.files.load_ptb_dataset(path=a.data_dir)
    wins = windows(train[: B * T * (a.steps + 4) + 1])
    steps = {"tlcore": make_tlcore(), "raw": make_raw(), "keras": make_keras()}
    wps: dict[str, list[float]] = {k: [] for k in steps}
    names = list(steps)
    for rep in range(a.reps):
        order = names[rep % 3:] + names[:rep % 3]
        for name in order:
            for x, y in wins[:3]:
                float(steps[name](x, y))
            t0 = time.perf_counter()
            for x, y in wins[3:3 + a.steps]:
                loss = steps[name](x, y)
            float(loss)
            wps[name].append(a.steps * B * T / (time.perf_counter() - t0))
        print(f"round {rep + 1}: " + ", ".join(f"{n} {wps[n][-1]:.0f} wps" for n in names),
              flush=True)
    med = {n: statistics.median(v) for n, v in wps.items()}
    cpu = platform.processor() or platform.machine()
    print(f"TF {tf.__version__}, Keras {keras.__version__}, {cpu}, "
          f"{os.cpu_count()} CPUs; PTB small (2 x 200 LSTM, batch {B}, {T} steps)")
    for n in names:
        print(f"{n:7s} median {med[n]:8.0f} words/s")
    print(f"tlcore / raw   = {med['tlcore'] / med['raw']:.2f}")
    print(f"tlcore / keras = {med['tlcore'] / med['keras']:.2f}")


if __name__ == "__main__":
    main()
