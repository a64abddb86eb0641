"""Run by test_distributed.py in a fresh process (logical devices must be set before TensorFlow
initializes them): the seed's MLP trained by single-device fit and by MirroredStrategy fit on
two logical CPU devices from the same initial weights, same global batch and seed. Writes the
weights after every epoch of both runs, and the histories, to the npz file named by argv[1].
"""
from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main(out: str) -> int:
    from tlcore.training.cluster import make_strategy, split_cpu

    split_cpu(2)
    strategy = make_strategy("mirrored")
    import keras
    import numpy as np
    import tensorflow as tf

    import tlcore as tl
    from _worker import mlp

    rng = np.random.default_rng(0)
    results: dict[str, np.ndarray] = {"replicas": np.array(strategy.num_replicas_in_sync)}
    # Two data sets: n=16 with batch 16 (one step per epoch: weights compared after every
    # step), and n=33 (steps of 16, 16, 1: a ragged last batch leaves one replica empty).
    for tag, n in (("step", 16), ("ragged", 33)):
        X = rng.random((n, 784), dtype=np.float32)
        y = rng.integers(0, 10, n)
        keras.utils.set_random_seed(1)
        single = mlp(tl, tf)
        with strategy.scope():
            mirrored = mlp(tl, tf)
            opt = keras.optimizers.Adam(1e-3)
        for a, b in zip(single.all_params, mirrored.all_params):
            b.assign(a)
        # Dropout off (keep=1): each replica draws its own masks, so with dropout on the two
        # runs drop different units and cannot match; everything else is compared exactly.
        for net in (single, mirrored):
            tl.utils.set_keep(net.all_drop, 1.0)
        for name, net, optimizer, strat in (("single", single, keras.optimizers.Adam(1e-3), None),
                                            ("mirrored", mirrored, opt, strategy)):
            weights = []
            history = tl.utils.fit(
                net, optimizer, tl.cost.cross_entropy, X, y, acc=tl.cost.accuracy,
                batch_size=16, n_epoch=3, print_freq=1, X_val=X, y_val=y, seed=5,
                progress=False, strategy=strat,
                callbacks=[lambda e, h, net=net, weights=weights: weights.append(
                    np.concatenate([v.numpy().ravel() for v in net.all_params]))])
            results[f"{tag}_{name}_weights"] = np.stack(weights)
            results[f"{tag}_{name}_history"] = np.array(json.dumps(history.to_dict()))
    np.savez(out, **results)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
