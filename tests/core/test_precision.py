"""Tests for mixed precision: ``fit(..., precision=...)`` (tlcore/training/options.py, api.py)
and the compute dtype of the core layers (``compute_dtype`` and ``Layer.autocast`` in
tlcore/layers/core.py). Data: slices of the MNIST files shipped in the package."""
from __future__ import annotations

import contextlib
import gzip
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

import tlcore as tl
from tlcore.layers.core import Layer, compute_dtype

MNIST = Path(tl.__file__).parent / "files" / "data" / "mnist"


@pytest.fixture(scope="module")
def mnist() -> tuple[np.ndarray, ...]:
    """2000 training and 500 validation images (float32 in [0, 1)) with int64 labels."""
    with gzip.open(MNIST / "train-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16, count=2500 * 784).reshape(-1, 784)
    with gzip.open(MNIST / "train-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8, count=2500).astype(np.int64)
    x = (x / 256.0).astype(np.float32)
    return x[:2000], y[:2000], x[2000:], y[2000:]


def ce(output: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    assert output.dtype == tf.float32  # the cost always sees float32 logits
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.cast(target, tf.int64), logits=output))


def acc(output: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    return tf.reduce_mean(tf.cast(tf.equal(tf.argmax(output, 1), tf.cast(target, tf.int64)),
                                  tf.float32))


class SpyDense(tl.layers.DenseLayer):
    """A DenseLayer that records the dtypes its forward sees (at trace time)."""

    seen: list[tuple[str, str]] = []

    def forward(self, inputs, *, is_train):
        SpyDense.seen.append((inputs.dtype.name, self.W.dtype.name))
        return super().forward(inputs, is_train=is_train)


class SpyPlain(Layer):
    """A layer without autocast: must get float32 inputs even in a bfloat16 network."""

    seen: list[str] = []

    def forward(self, inputs, *, is_train):
        SpyPlain.seen.append(inputs.dtype.name)
        return inputs * 1.0


def mlp(seed: int = 0, spy: bool = False):
    keras.utils.set_random_seed(seed)
    L = tl.layers
    net = L.InputLayer([None, 784], name="input")
    net = L.DropoutLayer(net, keep=0.8, name="drop1")
    net = (SpyDense if spy else L.DenseLayer)(net, n_units=32, act=tf.nn.relu, name="relu1")
    return L.DenseLayer(net, n_units=10, name="output")


@pytest.mark.parametrize("value", ["bfloat16", "float16", "mixed_float32", 16, None])
def test_precision_is_validated_before_anything_changes(mnist, value):
    X, y, _, _ = mnist
    net = mlp()
    before = [v.numpy().copy() for v in net.all_params]
    with pytest.raises(ValueError, match=r"fit: precision must be one of \('float32', "
                                         r"'mixed_bfloat16', 'mixed_float16'\), received"):
        tl.utils.fit(net, keras.optimizers.Adam(1e-3), ce, X[:100], y[:100], n_epoch=1,
                     progress=False, precision=value)
    assert all(np.array_equal(b, v.numpy()) for b, v in zip(before, net.all_params))


def test_mixed_bfloat16_fit_trains_with_float32_master_weights(mnist):
    X, y, Xv, yv = mnist
    net = mlp(spy=True)
    x = Xv[:7]
    before = net(x).numpy()
    SpyDense.seen.clear()
    h = tl.utils.fit(net, keras.optimizers.Adam(1e-3), ce, X, y, acc=acc, batch_size=100,
                     n_epoch=3, print_freq=1, X_val=Xv, y_val=yv, eval_train=False,
                     progress=False, seed=0, precision="mixed_bfloat16")
    assert h.train_loss[-1] < 0.7 * h.train_loss[0]
    assert h.val_acc[-1] > 0.8
    # The step computed in bfloat16 on bfloat16 reads of the weights ...
    assert SpyDense.seen and set(SpyDense.seen) == {("bfloat16", "bfloat16")}
    # ... while the variables (and the optimizer's slots) stay float32 and were updated.
    assert all(v.dtype == tf.float32 for v in net.all_params)
    assert not np.allclose(before, net(x).numpy())
    # Outside fit the network computes as built.
    SpyDense.seen.clear()
    out = net(x)
    assert out.dtype == tf.float32 and SpyDense.seen == [("float32", "float32")]


def test_mixed_bfloat16_from_a_tf_data_pipeline(mnist):
    X, y, _, _ = mnist
    net = mlp()
    ds = tf.data.Dataset.from_tensor_slices((X, y)).batch(100)
    h = tl.utils.fit(net, keras.optimizers.Adam(1e-3), ce, ds, None, n_epoch=2,
                     eval_train=False, progress=False, precision="mixed_bfloat16")
    assert h.train_loss[-1] < h.train_loss[0]
    assert all(v.dtype == tf.float32 for v in net.all_params)


def test_nan_guard_refuses_a_non_finite_update_under_mixed_precision(mnist):
    X, y, _, _ = mnist
    X = X[:500].copy()
    X[250] = np.nan  # in step 3 without shuffling
    keras.utils.set_random_seed(0)
    net = tl.layers.DenseLayer(tl.layers.InputLayer([None, 784], name="input"), n_units=10,
                               name="output")
    with pytest.raises(FloatingPointError, match=r"at epoch 1, step 3 of 5"):
        tl.utils.fit(net, keras.optimizers.Adam(1e-3), ce, X, y[:500], batch_size=100,
                     n_epoch=1, shuffle=False, progress=False, precision="mixed_bfloat16")
    assert all(np.isfinite(v.numpy()).all() for v in net.all_params)


def test_compute_dtype_casts_only_autocast_layers():
    keras.utils.set_random_seed(0)
    net = tl.layers.InputLayer([None, 4], name="input")
    net = tl.layers.DenseLayer(net, n_units=3, name="d1")
    net = SpyPlain(net, name="plain")
    net = tl.layers.DenseLayer(net, n_units=2, name="d2")
    x = np.ones((2, 4), np.float32)
    SpyPlain.seen.clear()
    with compute_dtype("bfloat16"):
        out = net(x)
    assert out.dtype == tf.bfloat16 and SpyPlain.seen == ["float32"]
    np.testing.assert_allclose(tf.cast(out, tf.float32).numpy(), net(x).numpy(), rtol=0.05,
                               atol=0.05)
    with pytest.raises(ValueError, match="expected a float dtype, received int32"):
        with compute_dtype(tf.int32):
            pass


def test_mixed_float16_trains_with_loss_scaling(mnist):
    X, y, Xv, yv = mnist
    net = mlp(spy=True)
    SpyDense.seen.clear()
    h = tl.utils.fit(net, keras.optimizers.Adam(1e-3), ce, X, y, acc=acc, batch_size=100,
                     n_epoch=3, print_freq=1, X_val=Xv, y_val=yv, eval_train=False,
                     progress=False, seed=0, precision="mixed_float16")
    assert h.train_loss[-1] < h.train_loss[0] and h.val_acc[-1] > 0.75
    assert set(SpyDense.seen) == {("float16", "float16")}
    assert all(v.dtype == tf.float32 for v in net.all_params)


def test_float16_overflow_halves_the_scale_and_skips_the_step(mnist, monkeypatch):
    from tlcore.training import engine, steps

    made = []

    def huge_scale() -> steps.LossScale:
        made.append(steps.LossScale(initial=2.0 ** 60))  # float16 gradients overflow at first
        return made[-1]

    monkeypatch.setattr(engine, "LossScale", huge_scale)
    X, y, _, _ = mnist
    net = mlp()
    h = tl.utils.fit(net, keras.optimizers.Adam(1e-3), ce, X, y, batch_size=40, n_epoch=1,
                     eval_train=False, progress=False, seed=0, precision="mixed_float16")
    scale = float(made[0].scale.numpy())
    assert 1.0 < scale <= 2.0 ** 30  # halved on every overflow, not an error
    assert np.isfinite(h.train_loss[0])
    assert all(np.isfinite(v.numpy()).all() for v in net.all_params)


def test_nan_guard_under_float16_raises_for_a_nan_loss(mnist):
    X, y, _, _ = mnist
    X = X[:500].copy()
    X[250] = np.nan
    keras.utils.set_random_seed(0)
    net = tl.layers.DenseLayer(tl.layers.InputLayer([None, 784], name="input"), n_units=10,
                               name="output")
    with pytest.raises(FloatingPointError, match=r"at epoch 1, step 3 of 5"):
        tl.utils.fit(net, keras.optimizers.Adam(1e-3), ce, X, y[:500], batch_size=100,
                     n_epoch=1, shuffle=False, progress=False, precision="mixed_float16")
    assert all(np.isfinite(v.numpy()).all() for v in net.all_params)


def test_mixed_float16_is_refused_under_a_strategy(mnist):
    X, y, _, _ = mnist
    strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
    with strategy.scope():
        net = mlp()
        opt = keras.optimizers.Adam(1e-3)
    with pytest.raises(ValueError, match=r"precision='mixed_float16' \(loss scaling\) trains "
                                         r"on one device"):
        tl.utils.fit(net, opt, ce, X[:200], y[:200], n_epoch=1, progress=False,
                     strategy=strategy, precision="mixed_float16")


def test_mixed_bfloat16_through_the_replicated_runner_matches_one_device(mnist):
    X, y, _, _ = mnist
    losses = []
    for strategy in (None, tf.distribute.OneDeviceStrategy("/cpu:0")):
        with strategy.scope() if strategy is not None else contextlib.nullcontext():
            net = tl.layers.DenseLayer(tl.layers.InputLayer([None, 784], name="input"),
                                       n_units=10, name="output")
            opt = keras.optimizers.SGD(0.1)
        net.all_params[0].assign(np.zeros((784, 10), np.float32))
        h = tl.utils.fit(net, opt, ce, X[:400], y[:400], batch_size=100, n_epoch=2,
                         shuffle=False, eval_train=False, progress=False, strategy=strategy,
                         precision="mixed_bfloat16")
        assert all(v.dtype == tf.float32 for v in net.all_params)
        losses.append(h.train_loss)
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-3)
    assert losses[0][1] < losses[0][0]
