"""Hostile and mistaken inputs to training (tlcore/utils): each case asserts the exact error and
that nothing changed - weights, optimizer state, and the files of checkpoint/backup folders.

Data: real MNIST images from the package (a small slice); networks are tiny so that every case
runs well under a second after the first trace.
"""
from __future__ import annotations

import gzip
import hashlib
import logging
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest
import tensorflow as tf

import tlcore as tl

MNIST = Path(tl.__file__).parent / "files" / "data" / "mnist"


@pytest.fixture(scope="module")
def mnist() -> tuple[np.ndarray, np.ndarray]:
    """400 training images (float32 in [0, 1)) and their int64 labels."""
    with gzip.open(MNIST / "train-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16, count=400 * 784).reshape(-1, 784)
    with gzip.open(MNIST / "train-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8, count=400).astype(np.int64)
    return (x / 256.0).astype(np.float32), y


@pytest.fixture(autouse=True)
def quiet(caplog: Any) -> None:
    caplog.set_level(logging.WARNING, logger="tlcore")


def relu_mlp(hidden: int = 16, seed: int = 0) -> Any:
    """ReLU first layer: with oneDNN's fused MatMul+BiasAdd+ReLU a NaN input gives a finite
    loss and a NaN weight gradient - the case a loss-only guard misses."""
    keras.utils.set_random_seed(seed)
    net = tl.layers.InputLayer([None, 784], name="input")
    net = tl.layers.DenseLayer(net, n_units=hidden, act=tf.nn.relu, name="relu1")
    return tl.layers.DenseLayer(net, n_units=10, name="output")


def snapshot(net: Any, opt: Any = None) -> list[np.ndarray]:
    values = [v.numpy().copy() for v in net.all_params]
    if opt is not None:
        values += [np.array(v.numpy()).copy() for v in opt.variables]
    return values


def assert_same(before: list[np.ndarray], after: list[np.ndarray]) -> None:
    assert len(before) == len(after)
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)


def tree(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under ``folder``."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def fit(net: Any, opt: Any, X: Any, y: Any, **kw: Any) -> Any:
    kw = {"batch_size": 100, "n_epoch": 1, "shuffle": False, "progress": False, **kw}
    return tl.utils.fit(net, opt, tl.cost.cross_entropy, X, y, **kw)


# ------------------------------------------------------------------------ the NaN guard
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
def test_non_finite_input_with_a_finite_loss_raises_and_changes_nothing(mnist, bad):
    X, y = mnist
    X = X.copy()
    X[7, 300] = bad  # in step 1: no update may happen at all
    net, opt = relu_mlp(), keras.optimizers.Adam(1e-3)
    opt.build(net.trainable_params)
    before = snapshot(net, opt)
    with pytest.raises(FloatingPointError, match=r"at epoch 1, step 1 of 4 .*not applied"):
        fit(net, opt, X, y)
    assert_same(before, snapshot(net, opt))
    assert int(opt.iterations.numpy()) == 0


def test_the_loss_of_that_input_is_finite_in_the_compiled_step(mnist):
    """Guards the premise of the case above: if oneDNN ever propagated the NaN to the loss,
    the test above would no longer exercise the gradient check."""
    X, y = mnist
    X = X[:100].copy()
    X[7, 300] = np.nan
    net = relu_mlp()
    loss = tf.function(lambda x, t: tl.cost.cross_entropy(net(x, is_train=True), t))(X, y[:100])
    grads_finite = tf.function(lambda x, t: _grads_finite(net, x, t))(X, y[:100])
    if not np.isfinite(float(loss)):
        pytest.skip("these TensorFlow kernels propagate the NaN to the loss")
    assert not bool(grads_finite)


def _grads_finite(net: Any, x: Any, t: Any) -> tf.Tensor:
    with tf.GradientTape() as tape:
        loss = tl.cost.cross_entropy(net(x, is_train=True), t)
    grads = tape.gradient(loss, net.trainable_params)
    return tf.reduce_all([tf.reduce_all(tf.math.is_finite(g)) for g in grads])


def test_message_says_the_gradient_not_the_loss_was_non_finite(mnist):
    X, y = mnist
    X = X.copy()
    X[150, 10] = np.nan  # step 2
    with pytest.raises(FloatingPointError,
                       match=r"loss is finite .* but a gradient holds NaN or Inf.*step 2 of 4"):
        fit(relu_mlp(), keras.optimizers.Adam(1e-3), X, y)


def test_skip_policy_never_applies_a_non_finite_update(mnist):
    X, y = mnist
    X = X.copy()
    X[150, 10] = np.nan
    net, opt = relu_mlp(), keras.optimizers.Adam(1e-3)
    h = fit(net, opt, X, y, n_epoch=2, nan_policy="skip")
    assert all(np.isfinite(w).all() for w in snapshot(net))
    assert np.isfinite(h.train_loss).all()
    assert int(opt.iterations.numpy()) == 6  # 2 epochs x (4 steps - 1 skipped)
    out = net(X[:5], is_train=False).numpy()
    assert np.isfinite(out).all()


def test_skip_policy_with_the_generic_optimizer_path(mnist):
    X, y = mnist
    X = X.copy()
    X[50, 10] = np.nan
    net, opt = relu_mlp(), keras.optimizers.SGD(0.1, momentum=0.9)  # not the fused Adam
    fit(net, opt, X, y, nan_policy="skip")
    assert all(np.isfinite(w).all() for w in snapshot(net, opt))


def test_nan_target_of_a_regression_raises(mnist):
    X, _ = mnist
    keras.utils.set_random_seed(0)
    net = tl.layers.DenseLayer(tl.layers.InputLayer([None, 784]), n_units=1, name="reg")
    t = np.zeros((400, 1), np.float32)
    t[3, 0] = np.nan
    before = snapshot(net)
    with pytest.raises(FloatingPointError, match=r"step 1 of 4"):
        tl.utils.fit(net, keras.optimizers.Adam(1e-3), tl.cost.mean_squared_error, X, t,
                     batch_size=100, n_epoch=1, shuffle=False, progress=False)
    assert_same(before, snapshot(net))


# ------------------------------------------------------------------------------- labels
@pytest.mark.parametrize("label, match", [
    (0.5, r"y_train\[3\] = 0.5 is not a whole number"),
    (np.nan, r"y_train\[3\] = nan is not a whole number"),
    (np.inf, r"y_train\[3\] = inf is not a whole number"),
    (-1.0, r"must be in \[0, 10\); received y_train\[3\] = -1"),
    (10.0, r"must be in \[0, 10\); received y_train\[3\] = 10"),
], ids=["fraction", "nan", "inf", "negative-float", "too-large-float"])
def test_bad_float_labels_are_named_before_training(mnist, label, match):
    X, y = mnist
    y = y.astype(np.float32)
    y[3] = label
    net, opt = relu_mlp(), keras.optimizers.Adam(1e-3)
    before = snapshot(net)
    with pytest.raises(ValueError, match=r"fit: y_train holds class ids .*" + match):
        fit(net, opt, X, y)
    assert_same(before, snapshot(net))
    assert int(opt.iterations.numpy()) == 0


@pytest.mark.parametrize("label", [-1, 10, 2**40], ids=["negative", "n_classes", "huge"])
def test_out_of_range_integer_labels_are_named_before_training(mnist, label):
    X, y = mnist
    y = y.copy()
    y[7] = label
    net = relu_mlp()
    before = snapshot(net)
    with pytest.raises(ValueError, match=rf"in \[0, 10\); received y_train\[7\] = {label}"):
        fit(net, keras.optimizers.Adam(1e-3), X, y)
    assert_same(before, snapshot(net))


def test_bad_validation_labels_are_named_before_training(mnist):
    X, y = mnist
    yv = y[:50].copy()
    yv[1] = 11
    net = relu_mlp()
    before = snapshot(net)
    with pytest.raises(ValueError, match=r"y_val holds class ids .*y_val\[1\] = 11"):
        fit(net, keras.optimizers.Adam(1e-3), X, y, X_val=X[:50], y_val=yv)
    assert_same(before, snapshot(net))


def test_whole_float_labels_are_accepted(mnist):
    X, y = mnist
    h = fit(relu_mlp(), keras.optimizers.Adam(1e-3), X, y.astype(np.float32))
    assert len(h) == 1 and np.isfinite(h.train_loss[0])


# ------------------------------------------------------------------- checkpoint resume
def _checkpointed(tmp: Path, X: Any, y: Any, hidden: int = 16) -> Path:
    folder = tmp / "ckpt"
    fit(relu_mlp(hidden, seed=1), keras.optimizers.Adam(1e-3), X[:200], y[:200], n_epoch=1,
        checkpoint_dir=str(folder))
    return folder


def _resume_fails(net: Any, folder: Path, X: Any, y: Any, match: str) -> None:
    opt = keras.optimizers.Adam(1e-3)
    opt.build(net.trainable_params)
    before, files = snapshot(net, opt), tree(folder)
    with pytest.raises(ValueError, match=match):
        fit(net, opt, X[:200], y[:200], n_epoch=3, checkpoint_dir=str(folder))
    assert_same(before, snapshot(net, opt))
    assert tree(folder) == files


def test_resume_into_another_architecture_changes_nothing(mnist, tmp_path):
    X, y = mnist
    folder = _checkpointed(tmp_path, X, y, hidden=16)
    _resume_fails(relu_mlp(hidden=12), folder, X, y,
                  r"holds 'relu1/W' with shape \(784, 16\) float32, but the network's is "
                  r"\(784, 12\).*nothing was restored")


def test_resume_into_a_network_with_another_layer_name_changes_nothing(mnist, tmp_path):
    X, y = mnist
    folder = _checkpointed(tmp_path, X, y)
    keras.utils.set_random_seed(0)
    net = tl.layers.InputLayer([None, 784], name="input")
    net = tl.layers.DenseLayer(net, n_units=16, act=tf.nn.relu, name="hidden")
    net = tl.layers.DenseLayer(net, n_units=10, name="output")
    _resume_fails(net, folder, X, y, r"no value for the parameter 'hidden/W'")


def test_resume_into_a_smaller_network_changes_nothing(mnist, tmp_path):
    X, y = mnist
    folder = _checkpointed(tmp_path, X, y)
    keras.utils.set_random_seed(0)
    net = tl.layers.DenseLayer(tl.layers.InputLayer([None, 784], name="input"), n_units=16,
                               act=tf.nn.relu, name="relu1")  # the first layer only
    _resume_fails(net, folder, X, y, r"holds parameters this network lacks \('output/W', "
                                     r"'output/b'\)")


@pytest.mark.parametrize("content", [b"garbage {{{", b"\xff\xfe\x00",
                                     b'model_checkpoint_path: "model.ckpt-99"\n'],
                         ids=["not-a-state", "binary", "names-a-missing-checkpoint"])
def test_garbage_checkpoint_state_file_is_an_error_not_a_fresh_start(mnist, tmp_path, content):
    X, y = mnist
    folder = _checkpointed(tmp_path, X, y)
    (folder / "checkpoint").write_bytes(content)
    _resume_fails(relu_mlp(), folder, X, y, r"checkpoint state file .*checkpoint")


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b'{"epochs": ["a"]}',
                                     b"[" * 5000 + b"]" * 5000],
                         ids=["not-json", "not-object", "strings", "deep"])
def test_garbage_history_file_is_an_error_and_restores_nothing(mnist, tmp_path, content):
    X, y = mnist
    folder = _checkpointed(tmp_path, X, y)
    (folder / "history.json").write_bytes(content)
    _resume_fails(relu_mlp(), folder, X, y, r"history")


# ------------------------------------------------------------------------- backup_dir
def _backed_up(tmp: Path, X: Any, y: Any, hidden: int = 16) -> Path:
    folder = tmp / "backup"

    def crash(epoch: int, history: Any) -> None:
        raise RuntimeError("crash")

    with pytest.raises(RuntimeError):
        fit(relu_mlp(hidden, seed=1), keras.optimizers.Adam(1e-3), X[:200], y[:200],
            n_epoch=3, backup_dir=str(folder), callbacks=[crash])
    assert (folder / "state.json").exists()
    return folder


def _restore_fails(net: Any, folder: Path, X: Any, y: Any, match: str) -> None:
    opt = keras.optimizers.Adam(1e-3)
    opt.build(net.trainable_params)
    before, files = snapshot(net, opt), tree(folder)
    with pytest.raises(ValueError, match=match):
        fit(net, opt, X[:200], y[:200], n_epoch=3, backup_dir=str(folder))
    assert_same(before, snapshot(net, opt))
    assert tree(folder) == files


def test_backup_of_another_network_restores_nothing(mnist, tmp_path):
    X, y = mnist
    folder = _backed_up(tmp_path, X, y, hidden=16)
    _restore_fails(relu_mlp(hidden=12), folder, X, y,
                   r"does not match this network.*'relu1/W' with shape \(784, 16\)")


@pytest.mark.parametrize("state, match", [
    (b"{oops", r"state.json is unreadable"),
    (b"[]", r"expected a JSON object"),
    (b'{"epoch": "1", "checkpoint": "epoch-000001/ckpt"}', r"'epoch' an int"),
    (b'{"epoch": -3, "checkpoint": "epoch-000001/ckpt"}', r"'epoch' an int >= 0"),
    (b'{"epoch": 1, "checkpoint": "../../../etc/passwd"}', r"'checkpoint' 'epoch-NNNNNN/ckpt'"),
    (b'{"epoch": 1, "checkpoint": "/tmp/x/ckpt"}', r"'checkpoint' 'epoch-NNNNNN/ckpt'"),
    (b'{"epoch": 1, "checkpoint": "epoch-000001/ckpt", "seed": "7"}', r"'seed' an int"),
    (b'{"epoch": 1, "checkpoint": "epoch-000001/ckpt", "history": {"epochs": [[1]]}}',
     r"'epochs' must be a list of numbers"),
    (b'{"epoch": 1, "checkpoint": "epoch-000001/ckpt", "history": 5}', r"history .*JSON object"),
    (b"[" * 5000 + b"]" * 5000, r"unreadable|expected a JSON object"),
], ids=["not-json", "not-object", "epoch-str", "epoch-negative", "path-escape", "absolute",
        "seed-str", "history-nested", "history-int", "deep"])
def test_garbage_backup_state_is_an_error_and_restores_nothing(mnist, tmp_path, state, match):
    X, y = mnist
    folder = _backed_up(tmp_path, X, y)
    (folder / "state.json").write_bytes(state)
    _restore_fails(relu_mlp(), folder, X, y, match)
