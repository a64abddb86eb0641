"""Tests for the batch sources of fit/test/predict (tlcore/training/data.py Stream and the
stream runner): a tf.data.Dataset, a Keras PyDataset, a list of batches, a generator function
and a one-shot generator train exactly as the same batches given as arrays (no dropout, no
shuffling: the same steps in the same order). Real MNIST slices, tiny networks.
"""
from __future__ import annotations

import gzip
import math
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest
import tensorflow as tf

import tlcore as tl

MNIST = Path(tl.__file__).parent / "files" / "data" / "mnist"
BS = 64


@pytest.fixture(scope="module")
def mnist() -> tuple[np.ndarray, ...]:
    with gzip.open(MNIST / "train-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16, count=600 * 784).reshape(-1, 784)
    with gzip.open(MNIST / "train-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8, count=600).astype(np.int64)
    x = (x / 256.0).astype(np.float32)
    return x[:400], y[:400], x[400:], y[400:]  # 400 = 6 batches of 64 + 16


_INIT: list[np.ndarray] = []


def mlp() -> Any:
    """The same small MLP with the same initial weights every time."""
    net = tl.layers.InputLayer([None, 784], name="input")
    net = tl.layers.DenseLayer(net, n_units=16, act=tf.nn.relu, name="relu1")
    net = tl.layers.DenseLayer(net, n_units=10, name="output")
    if not _INIT:
        _INIT.extend(v.numpy() for v in net.all_params)
    for v, w in zip(net.all_params, _INIT):
        v.assign(w)
    return net


def batches(X: np.ndarray, y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(X[i:i + BS], y[i:i + BS]) for i in range(0, len(X), BS)]


class Pages(keras.utils.PyDataset):
    def __init__(self, X: np.ndarray, y: np.ndarray) -> None:
        super().__init__()
        self.X, self.y, self.ends = X, y, 0

    def __len__(self) -> int:
        return math.ceil(len(self.X) / BS)

    def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        return self.X[i * BS:(i + 1) * BS], self.y[i * BS:(i + 1) * BS]

    def on_epoch_end(self) -> None:
        self.ends += 1


def sources(X: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    return {
        "tf.data": tf.data.Dataset.from_tensor_slices((X, y)).batch(BS).prefetch(2),
        "tf.data-unknown-length": tf.data.Dataset.from_tensor_slices((X, y)).batch(BS)
        .filter(lambda a, b: True),
        "PyDataset": Pages(X, y),
        "list": batches(X, y),
        "generator-function": lambda: iter(batches(X, y)),
    }


def run(source: Any, data: tuple, n_epoch: int = 2, **kw: Any) -> tuple[Any, Any]:
    X, y, Xv, yv = data
    net = mlp()
    args = (source, None) if source is not None else (X, y)
    kw = {"acc": tl.cost.accuracy, "batch_size": BS, "n_epoch": n_epoch, "print_freq": 1,
          "shuffle": False, "progress": False, "eval_train": True, **kw}
    h = tl.utils.fit(net, keras.optimizers.Adam(1e-3), tl.cost.cross_entropy, *args, **kw)
    return net, h


@pytest.fixture(scope="module")
def reference(mnist):
    X, y, Xv, yv = mnist
    return run(None, mnist, X_val=Xv, y_val=yv)


@pytest.mark.parametrize("kind", ["tf.data", "tf.data-unknown-length", "PyDataset", "list",
                                  "generator-function"])
def test_each_source_trains_as_the_same_arrays(mnist, reference, kind):
    X, y, Xv, yv = mnist
    source = sources(X, y)[kind]
    val = tf.data.Dataset.from_tensor_slices((Xv, yv)).batch(50)
    net, h = run(source, mnist, X_val=val)
    ref_net, ref_h = reference
    np.testing.assert_allclose(h.train_loss, ref_h.train_loss, rtol=1e-5)
    np.testing.assert_allclose(h.val_loss, ref_h.val_loss, rtol=1e-5)
    np.testing.assert_allclose(h.val_acc, ref_h.val_acc, atol=1e-6)
    np.testing.assert_allclose(h.train_acc, ref_h.train_acc, atol=1e-6)
    for a, b in zip(net.all_params, ref_net.all_params):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)
    if kind == "PyDataset":
        assert source.ends >= 2  # on_epoch_end after each epoch


def test_a_stream_with_array_validation_validates(mnist, reference):
    """Training batches from tf.data, validation as X_val/y_val arrays (the seed's form)."""
    X, y, Xv, yv = mnist
    net, h = run(sources(X, y)["tf.data"], mnist, X_val=Xv, y_val=yv)
    ref_net, ref_h = reference
    assert len(h.val_loss) == 2
    np.testing.assert_allclose(h.val_loss, ref_h.val_loss, rtol=1e-5)
    np.testing.assert_allclose(h.val_acc, ref_h.val_acc, atol=1e-6)


def test_one_shot_generator_trains_one_epoch_and_says_why_not_two(mnist, reference):
    X, y, _, _ = mnist
    net, h = run(iter(batches(X, y)), mnist, n_epoch=1)
    assert h.train_acc == [None]  # a one-shot source is not read twice for eval_train
    with pytest.raises(ValueError, match=r"one-shot generator, used up after one epoch"):
        run(iter(batches(X, y)), mnist, n_epoch=2)


def test_endless_generator_with_steps_per_epoch(mnist):
    X, y, _, _ = mnist

    def endless():
        while True:
            yield from batches(X, y)

    net, h = run(endless(), mnist, n_epoch=3, steps_per_epoch=7)
    ref_net, ref_h = run(None, mnist, n_epoch=3, eval_train=False)
    np.testing.assert_allclose(h.train_loss, ref_h.train_loss, rtol=1e-5)


def test_stream_step_is_traced_once_across_epochs(mnist):
    X, y, _, _ = mnist
    shapes = []

    def counting_cost(output, target):
        shapes.append(output.shape[0])  # Python runs only while tracing
        return tl.cost.cross_entropy(output, target)

    tl.utils.fit(mlp(), keras.optimizers.Adam(1e-3), counting_cost,
                 tf.data.Dataset.from_tensor_slices((X, y)).batch(BS), None, batch_size=BS,
                 n_epoch=3, eval_train=False, progress=False)
    assert len(shapes) == 1 and shapes[0] is None  # the ragged last batch did not retrace


def test_nan_in_a_stream_raises_naming_epoch_and_step_and_changes_nothing(mnist):
    X, y, _, _ = mnist
    X = X.copy()
    X[3, 100] = np.nan  # first batch: no update may happen
    net, opt = mlp(), keras.optimizers.Adam(1e-3)
    opt.build(net.trainable_params)
    before = [v.numpy().copy() for v in net.all_params]
    with pytest.raises(FloatingPointError, match=r"epoch 1, step 1 of 7;"):
        tl.utils.fit(net, opt, tl.cost.cross_entropy, batches(X, y), None, n_epoch=1,
                     progress=False)
    for a, v in zip(before, net.all_params):
        np.testing.assert_array_equal(a, v.numpy())
    assert int(opt.iterations.numpy()) == 0


def test_stream_skip_policy(mnist):
    X, y, _, _ = mnist
    X = X.copy()
    X[70, 100] = np.nan  # the second batch
    net, opt = mlp(), keras.optimizers.Adam(1e-3)
    tl.utils.fit(net, opt, tl.cost.cross_entropy, batches(X, y), None, n_epoch=1,
                 progress=False, nan_policy="skip")
    assert int(opt.iterations.numpy()) == 6
    assert all(np.isfinite(v.numpy()).all() for v in net.all_params)


@pytest.mark.parametrize("bad, match", [
    ([(np.zeros((4, 784), np.float32),)], r"batch 0 of X_train must be a pair \(x, y\)"),
    ([(np.zeros((4, 784), np.float32), np.zeros(3, np.int64))],
     r"batch 0 of X_train: x and y need the same number of samples, received \[3, 4\]"),
    ([], r"X_train yields no batches"),
], ids=["not-a-pair", "size-mismatch", "empty"])
def test_malformed_batches_are_named(mnist, bad, match):
    with pytest.raises(ValueError, match=match):
        tl.utils.fit(mlp(), keras.optimizers.Adam(1e-3), tl.cost.cross_entropy, bad, None,
                     n_epoch=1, progress=False)


def test_test_and_predict_take_sources(mnist):
    X, y, Xv, yv = mnist
    net = mlp()
    ds = tf.data.Dataset.from_tensor_slices((Xv, yv)).batch(30)
    a_stream = tl.utils.test(net, tl.cost.accuracy, ds, None)
    a_array = tl.utils.test(net, tl.cost.accuracy, Xv, yv, batch_size=30)
    assert a_stream == pytest.approx(a_array, abs=1e-6)
    p_stream = tl.utils.predict(net, tf.data.Dataset.from_tensor_slices(Xv).batch(30))
    p_pairs = tl.utils.predict(net, ds)
    p_array = tl.utils.predict(net, Xv, batch_size=30)
    np.testing.assert_allclose(p_stream, p_array, atol=1e-6)
    np.testing.assert_allclose(p_pairs, p_array, atol=1e-6)


def test_a_strategy_with_a_stream_is_a_clear_error(mnist):
    X, y, _, _ = mnist
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    with strategy.scope():
        net = mlp()
        opt = keras.optimizers.Adam(1e-3)
    with pytest.raises(ValueError, match=r"in-memory arrays; a list stream trains on one"):
        tl.utils.fit(net, opt, tl.cost.cross_entropy, batches(X, y), None, n_epoch=1,
                     progress=False, strategy=strategy)


# --------------------------------------------------- predict with a fixed batch dimension
def test_predict_feeds_a_fixed_batch_size_exactly():
    """TensorLayer 1.11's tests/test_utils_predict.py: an input of fixed batch 8 takes 128
    samples in batches of exactly 8; 7 samples (or batch_size 5) are a clear error."""
    seen = []
    net = tl.layers.InputLayer([8, 5, 5, 3], name="x")
    net = tl.layers.LambdaLayer(net, fn=lambda t: (seen.append(t.shape[0]), t * 2.0)[1],
                                name="double")
    X = np.random.default_rng(0).random((128, 5, 5, 3)).astype(np.float32)
    out = tl.utils.predict(net, X, batch_size=8, y_op=tf.nn.softmax)
    np.testing.assert_allclose(out, tf.nn.softmax(X * 2.0).numpy(), atol=1e-6)
    assert set(seen) == {8}
    with pytest.raises(ValueError, match=r"fixed batch size of 8, but X holds 7 samples"):
        tl.utils.predict(net, X[:7], batch_size=8)
    with pytest.raises(ValueError, match=r"fixed batch size of 8, received batch_size=5"):
        tl.utils.predict(net, X, batch_size=5)


def test_steps_per_epoch_with_arrays_is_refused(mnist):
    X, y, _, _ = mnist
    with pytest.raises(ValueError, match=r"steps_per_epoch applies to a batch source"):
        tl.utils.fit(mlp(), keras.optimizers.Adam(1e-3), tl.cost.cross_entropy, X, y,
                     n_epoch=1, progress=False, steps_per_epoch=3)
