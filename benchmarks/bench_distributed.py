"""Throughput of ``tl.utils.fit`` on the seed's MLP (784-800-800-10, dropout 0.8/0.5/0.5, Adam,
batch 500, real MNIST) with one device, with MirroredStrategy on two logical CPU devices, and
with MultiWorkerMirroredStrategy on two worker processes over loopback (127.0.0.1).

Each configuration runs in fresh processes (logical devices and collectives are configured
before TensorFlow starts); the rounds are interleaved. Samples/s counts the training steps of
the epochs after the first (the first includes tracing); evaluation is off.

    python benchmarks/bench_distributed.py [--epochs 3] [--samples 20000] [--rounds 2]

Not run by CI. On a 2-core CPU two replicas share the same cores, so no speed-up is expected:
the numbers show the overhead of splitting the batch and of the all-reduce.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

MODES = ("single", "mirrored", "multiworker")


def child(spec: dict) -> None:
    """One training process; prints ``RESULT {...}``."""
    from tlcore.training.cluster import make_strategy, split_cpu

    if spec["mode"] == "mirrored":
        split_cpu(2)
    strategy = make_strategy({"single": "none"}.get(spec["mode"], spec["mode"]), timeout=600)
    import keras
    import tensorflow as tf

    import tlcore as tl
    from tlcore.training.cluster import is_chief, maybe_scope

    X, y, *_ = tl.files.load_mnist_dataset(shape=(-1, 784))
    X, y = X[:spec["samples"]], y[:spec["samples"]]
    keras.utils.set_random_seed(0)
    with maybe_scope(strategy):
        L = tl.layers
        net = L.InputLayer([None, 784], name="input")
        net = L.DropoutLayer(net, keep=0.8, name="drop1")
        net = L.DenseLayer(net, n_units=800, act=tf.nn.relu, name="relu1")
        net = L.DropoutLayer(net, keep=0.5, name="drop2")
        net = L.DenseLayer(net, n_units=800, act=tf.nn.relu, name="relu2")
        net = L.DropoutLayer(net, keep=0.5, name="drop3")
        net = L.DenseLayer(net, n_units=10, name="output")
        opt = keras.optimizers.Adam(1e-3)
    h = tl.utils.fit(net, opt, tl.cost.cross_entropy, X, y, batch_size=spec["batch_size"],
                     n_epoch=spec["epochs"], print_freq=spec["epochs"], eval_train=False,
                     seed=0, progress=False, strategy=strategy)
    if is_chief(strategy):
        print("RESULT " + json.dumps({"times": h.times, "loss": h.train_loss}), flush=True)


def run_mode(mode: str, args: argparse.Namespace) -> dict:
    from tlcore.training.cluster import free_ports

    spec = {"mode": mode, "epochs": args.epochs, "samples": args.samples,
            "batch_size": args.batch_size}
    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    n_proc = 2 if mode == "multiworker" else 1
    ports = free_ports(2)
    procs = []
    for i in range(n_proc):
        e = dict(env)
        if mode == "multiworker":
            e["TF_CONFIG"] = json.dumps({"cluster": {"worker": [f"127.0.0.1:{p}" for p in ports]},
                                         "task": {"type": "worker", "index": i}})
        procs.append(subprocess.Popen([sys.executable, __file__, "--child", json.dumps(spec)],
                                      env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True))
    outs = []
    try:
        for p in procs:
            out, err = p.communicate(timeout=args.timeout)
            if p.returncode != 0:
                raise RuntimeError(f"{mode} worker failed ({p.returncode}):\n{err[-3000:]}")
            outs.append(out)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    line = next(x for o in outs for x in o.splitlines() if x.startswith("RESULT "))
    result = json.loads(line[len("RESULT "):])
    timed = result["times"][1:]
    result["samples_per_s"] = args.samples * len(timed) / sum(timed)
    return result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--samples", type=int, default=20000)
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--timeout", type=float, default=1200)
    p.add_argument("--modes", default=",".join(MODES))
    p.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(json.loads(args.child))
        return
    modes = args.modes.split(",")
    rates: dict[str, list[float]] = {m: [] for m in modes}
    for r in range(args.rounds):
        for mode in modes:
            t0 = time.perf_counter()
            res = run_mode(mode, args)
            rates[mode].append(res["samples_per_s"])
            print(f"round {r + 1} {mode:12s} {res['samples_per_s']:9.0f} samples/s  "
                  f"(epoch times {[round(t, 2) for t in res['times']]}, "
                  f"process {time.perf_counter() - t0:.0f}s)", flush=True)
    print(f"\nseed MLP 784-800-800-10, batch {args.batch_size}, {args.samples} MNIST samples, "
          f"epochs 2..{args.epochs}; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs")
    base = max(rates[modes[0]])
    print(f"| configuration | samples/s (best of {args.rounds}) | vs {modes[0]} |")
    print("|---|---|---|")
    names = {"single": "one device", "mirrored": "MirroredStrategy, 2 logical CPUs",
             "multiworker": "MultiWorkerMirroredStrategy, 2 workers on 127.0.0.1"}
    for mode in modes:
        best = max(rates[mode])
        print(f"| {names.get(mode, mode)} | {best:.0f} | {best / base:.2f} |")


if __name__ == "__main__":
    main()
