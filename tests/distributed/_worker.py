"""A training process for the distributed tests (run as a script, never imported by pytest).

Usage: python _worker.py SPEC_JSON. SPEC_JSON holds ``mode`` ("single", "mirrored",
"multiworker"), ``out`` (a JSON result file), ``n_epoch``, ``batch_size`` and optional
``backup_dir``, ``checkpoint_dir``, ``exit_after_epoch`` (os._exit(3) after that epoch's
backup: the fault injection), ``n_samples``, ``timeout``. For "multiworker" TF_CONFIG is set
by the caller. The result holds the history, the final weights and this task's role.
"""
from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def mlp(tl, tf, hidden=32):  # noqa: ANN001, ANN201
    """The seed's MLP (784-800-800-10 with dropout 0.8/0.5/0.5), hidden layers made small."""
    L = tl.layers
    net = L.InputLayer([None, 784], name="input")
    net = L.DropoutLayer(net, keep=0.8, name="drop1")
    net = L.DenseLayer(net, n_units=hidden, act=tf.nn.relu, name="relu1")
    net = L.DropoutLayer(net, keep=0.5, name="drop2")
    net = L.DenseLayer(net, n_units=hidden, act=tf.nn.relu, name="relu2")
    net = L.DropoutLayer(net, keep=0.5, name="drop3")
    return L.DenseLayer(net, n_units=10, name="output")


def main(spec: dict) -> int:
    from tlcore.training.cluster import make_strategy, split_cpu

    import logging

    logging.basicConfig(level=logging.INFO, format="%(message)s")  # fit's lines, for the test
    mode = spec["mode"]
    if mode == "mirrored":
        split_cpu(2)  # before TensorFlow initializes its devices
    strategy = make_strategy({"single": "none"}.get(mode, mode), timeout=spec.get("timeout"))
    import keras
    import numpy as np
    import tensorflow as tf

    import tlcore as tl
    from tlcore.training.cluster import is_chief, maybe_scope

    n = spec.get("n_samples", 64)
    rng = np.random.default_rng(0)
    X = rng.random((n, 784), dtype=np.float32)
    y = rng.integers(0, 10, n)
    keras.utils.set_random_seed(1)
    with maybe_scope(strategy):
        net = mlp(tl, tf)
        opt = keras.optimizers.Adam(1e-3)
    if spec.get("no_dropout"):
        tl.utils.set_keep(net.all_drop, 1.0)

    def fault(epoch: int, history: object) -> None:
        if epoch == spec.get("exit_after_epoch"):
            with open(spec["out"] + ".partial", "w", encoding="utf-8") as f:
                json.dump(history.to_dict(), f)  # type: ignore[attr-defined]
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(3)

    history = tl.utils.fit(net, opt, tl.cost.cross_entropy, X, y, acc=tl.cost.accuracy,
                           batch_size=spec["batch_size"], n_epoch=spec["n_epoch"], print_freq=1,
                           X_val=X[:20], y_val=y[:20], eval_train=False, seed=spec.get("seed", 7),
                           progress=False, strategy=strategy, backup_dir=spec.get("backup_dir"),
                           checkpoint_dir=spec.get("checkpoint_dir"), callbacks=[fault])
    result = {"history": history.to_dict(), "chief": is_chief(strategy),
              "replicas": 1 if strategy is None else strategy.num_replicas_in_sync,
              "weights": {net.param_name(v): v.numpy().tolist() for v in net.all_params}}
    with open(spec["out"], "w", encoding="utf-8") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(json.loads(sys.argv[1])))
