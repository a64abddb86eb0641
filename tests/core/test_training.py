"""Tests for the training engine through fit, test and predict (tlcore/training), and for
tlcore/utils/_evaluation.py and _history.py.

Data: small slices of the real MNIST files shipped in the package; networks are small
(784-32-10) so that the whole module runs in a few seconds per test.
"""
from __future__ import annotations

import gzip
import logging
import os
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

import tlcore as tl
from tlcore.utils import TrainingHistory
from tlcore.training.steps import fused_apply

MNIST = Path(tl.__file__).parent / "files" / "data" / "mnist"


@pytest.fixture(scope="module")
def mnist() -> tuple[np.ndarray, ...]:
    """3000 training and 1000 validation images (float32 in [0, 1)) with int64 labels."""
    with gzip.open(MNIST / "train-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16, count=4000 * 784).reshape(-1, 784)
    with gzip.open(MNIST / "train-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8, count=4000).astype(np.int64)
    x = (x / 256.0).astype(np.float32)
    return x[:3000], y[:3000], x[3000:], y[3000:]


def ce(output: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.cast(target, tf.int64), logits=output))


def acc(output: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    return tf.reduce_mean(tf.cast(tf.equal(tf.argmax(output, 1), tf.cast(target, tf.int64)),
                                  tf.float32))


def mlp(dropout: bool = True, seed: int = 0, hidden: int = 32):
    keras.utils.set_random_seed(seed)
    L = tl.layers
    net = L.InputLayer([None, 784], name="input")
    if dropout:
        net = L.DropoutLayer(net, keep=0.8, name="drop1")
    net = L.DenseLayer(net, n_units=hidden, act=tf.nn.relu, name="relu1")
    return L.DenseLayer(net, n_units=10, name="output")


def linear(seed: int = 0):
    """Softmax regression: a NaN input reaches the loss (ReLU could hide it)."""
    keras.utils.set_random_seed(seed)
    return tl.layers.DenseLayer(tl.layers.InputLayer([None, 784], name="input"), n_units=10,
                                name="output")


def weights(net) -> list[np.ndarray]:
    return [v.numpy().copy() for v in net.all_params]


def test_fit_learns_logs_and_records_history(mnist, caplog):
    X, y, Xv, yv = mnist
    net = mlp()
    with caplog.at_level(logging.INFO, logger="tlcore"):
        h = tl.utils.fit(net, keras.optimizers.Adam(1e-3), ce, X, y, acc=acc, batch_size=100,
                         n_epoch=4, print_freq=2, X_val=Xv, y_val=yv, eval_train=True,
                         progress=False, seed=0)
    assert isinstance(h, TrainingHistory) and h.epochs == [1, 2, 3, 4]
    assert len(h.times) == len(h.train_loss) == len(h.val_acc) == 4
    assert all(t > 0 for t in h.times)
    # Evaluated epochs: the first, every print_freq-th and the last.
    assert [v is not None for v in h.val_acc] == [True, True, False, True]
    assert [v is not None for v in h.train_acc] == [True, True, False, True]
    assert h.train_loss[-1] < h.train_loss[0]
    assert h.val_loss[-1] < h.val_loss[0]
    assert h.val_acc[-1] > h.val_acc[0] and h.val_acc[-1] > 0.8
    text = caplog.text
    assert "Epoch 1 of 4 took" in text and "Epoch 2 of 4 took" in text
    assert "Epoch 3 of 4" not in text
    for line in ("  train loss: ", "  train acc: ", "  val loss: ", "  val acc: "):
        assert line in text
    # The logged val acc is the recorded one.
    assert f"  val acc: {h.val_acc[-1]:f}" in text


def test_val_metrics_equal_a_direct_evaluation(mnist):
    X, y, Xv, yv = mnist
    net = mlp()
    h = tl.utils.fit(net, keras.optimizers.Adam(1e-3), ce, X[:500], y[:500], acc=acc,
                     batch_size=128, n_epoch=1, X_val=Xv, y_val=yv, eval_train=False,
                     progress=False)
    out = net(Xv, is_train=False)
    assert h.val_loss[0] == pytest.approx(float(ce(out, yv)), rel=1e-5)
    assert h.val_acc[0] == pytest.approx(float(acc(out, yv)), abs=1e-6)
    assert h.train_acc == [None] and h.train_eval_loss == [None]


def test_same_seed_gives_the_same_history_twice(mnist):
    X, y, Xv, yv = mnist
    net = mlp(dropout=True)
    start = weights(net)
    runs = []
    for _ in range(2):
        for v, a in zip(net.all_params, start):
            v.assign(a)
        h = tl.utils.fit(net, keras.optimizers.Adam(1e-3), ce, X[:1000], y[:1000], acc=acc,
                         batch_size=64, n_epoch=2, print_freq=1, X_val=Xv, y_val=yv,
                         eval_train=False, progress=False, seed=7)
        runs.append((h, weights(net)))
    (h1, w1), (h2, w2) = runs
    assert h1.train_loss == h2.train_loss and h1.val_acc == h2.val_acc
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)


def test_step_is_traced_a_bounded_number_of_times(mnist):
    """1050 samples in batches of 100 leave a ragged batch of 50 each epoch; 4 epochs, two
    steps per call, and evaluation sets of other sizes must not retrace."""
    X, y, Xv, yv = mnist
    calls = []

    def counting_cost(output, target):
        calls.append(output.shape[0])  # runs in Python only while tracing
        return ce(output, target)

    tl.utils.fit(mlp(), keras.optimizers.Adam(1e-3), counting_cost, X[:1050], y[:1050],
                 acc=acc, batch_size=100, n_epoch=4, print_freq=1, X_val=Xv[:333],
                 y_val=yv[:333], eval_train=True, steps_per_call=2, progress=False)
    # One trace each: the training step, the train-set and the validation evaluations.
    assert len(calls) <= 3, calls
    assert all(c is None for c in calls)  # traced with an unknown batch dimension


def test_nan_loss_raises_naming_epoch_and_step_and_keeps_weights(mnist):
    X, y, _, _ = mnist
    X = X[:500].copy()
    X[250] = np.nan  # sample 250 falls in step 3 (samples 200-299) without shuffling
    net = linear()
    with pytest.raises(FloatingPointError, match=r"nan at epoch 1, step 3 of 5"):
        tl.utils.fit(net, keras.optimizers.Adam(1e-3), ce, X, y[:500], batch_size=100,
                     n_epoch=2, shuffle=False, progress=False)
    assert all(np.isfinite(w).all() for w in weights(net))  # the bad update was not applied


def test_nan_policy_skip_goes_on_and_warns(mnist, caplog):
    X, y, _, _ = mnist
    X = X[:500].copy()
    X[250] = np.inf
    net = linear()
    with caplog.at_level(logging.WARNING, logger="tlcore"):
        h = tl.utils.fit(net, keras.optimizers.Adam(1e-3), ce, X, y[:500], batch_size=100,
                         n_epoch=2, shuffle=False, progress=False, nan_policy="skip")
    assert len(h) == 2 and all(np.isfinite(h.train_loss))
    assert all(np.isfinite(w).all() for w in weights(net))
    assert "skipped 1 batch(es) with a non-finite loss or gradient in epoch 1" in caplog.text


def test_checkpoint_resume_equals_an_uninterrupted_run(mnist, tmp_path):
    X, y, Xv, yv = mnist
    X, y = X[:800], y[:800]
    kw = dict(acc=acc, batch_size=100, print_freq=1, X_val=Xv[:200], y_val=yv[:200],
              eval_train=False, progress=False, seed=3)

    full = mlp(dropout=False, seed=1)
    h_full = tl.utils.fit(full, keras.optimizers.Adam(1e-3), ce, X, y, n_epoch=4,
                          checkpoint_dir=str(tmp_path / "a"), **kw)

    part = mlp(dropout=False, seed=1)
    tl.utils.fit(part, keras.optimizers.Adam(1e-3), ce, X, y, n_epoch=2,
                 checkpoint_dir=str(tmp_path / "b"), **kw)
    # A new process would rebuild the network (other initial weights) and a new optimizer.
    resumed = mlp(dropout=False, seed=2)
    h_res = tl.utils.fit(resumed, keras.optimizers.Adam(1e-3), ce, X, y, n_epoch=4,
                         checkpoint_dir=str(tmp_path / "b"), **kw)
    assert h_res.epochs == [1, 2, 3, 4]
    np.testing.assert_allclose(h_res.train_loss, h_full.train_loss, rtol=1e-5)
    np.testing.assert_allclose(h_res.val_loss, h_full.val_loss, rtol=1e-5)
    for a, b in zip(weights(full), weights(resumed)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_keyboard_interrupt_leaves_the_last_checkpoint(mnist, tmp_path):
    X, y, _, _ = mnist
    X, y = X[:300], y[:300]

    def interrupt(epoch, history):
        if epoch == 3:
            raise KeyboardInterrupt

    net = mlp(dropout=False)
    with pytest.raises(KeyboardInterrupt):
        tl.utils.fit(net, keras.optimizers.Adam(1e-3), ce, X, y, batch_size=100, n_epoch=5,
                     checkpoint_dir=str(tmp_path), checkpoint_freq=2, progress=False,
                     callbacks=[interrupt])
    assert tl.files.latest_ckpt(str(tmp_path)).endswith("-2")
    h = tl.utils.fit(mlp(dropout=False), keras.optimizers.Adam(1e-3), ce, X, y,
                     batch_size=100, n_epoch=3, checkpoint_dir=str(tmp_path), progress=False)
    assert h.epochs == [1, 2, 3]  # epochs 1-2 restored, epoch 3 trained again


def test_fused_adam_matches_keras_apply_gradients(mnist):
    X, y, _, _ = mnist

    class PlainAdam(keras.optimizers.Adam):  # a subclass takes the generic Keras path
        pass

    results = []
    for opt in (keras.optimizers.Adam(1e-3), PlainAdam(1e-3)):
        net = mlp(dropout=False, seed=4)
        tl.utils.fit(net, opt, ce, X[:400], y[:400], batch_size=64, n_epoch=2,
                     progress=False, seed=0)
        results.append((weights(net), int(opt.iterations.numpy())))
    variables = mlp().trainable_params
    for opt, fused in [(keras.optimizers.Adam(), True), (PlainAdam(), False),
                       (keras.optimizers.Adam(clipnorm=1.0), False),
                       (keras.optimizers.Adam(amsgrad=True), False)]:
        opt.build(variables)
        assert (fused_apply(opt, variables) is not None) == fused
    (w1, it1), (w2, it2) = results
    assert it1 == it2 == 14
    for a, b in zip(w1, w2):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_var_list_trains_only_those_variables(mnist):
    X, y, _, _ = mnist
    net = mlp(dropout=False)
    before = weights(net)
    tl.utils.fit(net, keras.optimizers.SGD(0.1), ce, X[:200], y[:200], batch_size=50,
                 n_epoch=1, var_list=net.all_params[2:], progress=False)
    after = weights(net)
    np.testing.assert_array_equal(before[0], after[0])
    np.testing.assert_array_equal(before[1], after[1])
    assert not np.array_equal(before[2], after[2])


def test_tensorboard_writes_event_files(mnist, tmp_path):
    X, y, Xv, yv = mnist
    tl.utils.fit(mlp(), keras.optimizers.Adam(1e-3), ce, X[:200], y[:200], acc=acc,
                 batch_size=100, n_epoch=2, X_val=Xv[:100], y_val=yv[:100], eval_train=False,
                 tensorboard_dir=str(tmp_path), tensorboard_epoch_freq=1, progress=False)
    events = [f for f in os.listdir(tmp_path) if "tfevents" in f]
    assert events and os.path.getsize(tmp_path / events[0]) > 0


@pytest.mark.parametrize("kwargs, match", [
    ({"nan_policy": "warn"}, r"nan_policy must be one of"),
    ({"batch_size": 0}, r"batch_size must be a positive int, received 0"),
    ({"X_val": np.zeros((2, 784), np.float32)}, r"give both X_val and y_val"),
    ({"n_epoch": -1}, r"n_epoch must be an int >= 0"),
], ids=["nan_policy", "batch_size", "val_half", "n_epoch"])
def test_bad_arguments(mnist, kwargs, match):
    X, y, _, _ = mnist
    with pytest.raises(ValueError, match=match):
        tl.utils.fit(mlp(), keras.optimizers.Adam(), ce, X[:10], y[:10], progress=False,
                     **kwargs)


def test_sample_count_mismatch_is_named(mnist):
    X, y, _, _ = mnist
    with pytest.raises(ValueError, match=r"X_train has 10 samples but y_train has \[9\]"):
        tl.utils.fit(mlp(), keras.optimizers.Adam(), ce, X[:10], y[:9], progress=False)


def test_predict_handles_the_remainder_batch(mnist):
    X, _, _, _ = mnist
    net = mlp()
    expected = net(X[:150], is_train=False).numpy()
    out = tl.utils.predict(net, X[:150], batch_size=64)  # 64 + 64 + 22
    assert out.shape == (150, 10)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    ids = tl.utils.predict(net, X[:150], batch_size=64, y_op=lambda o: tf.argmax(o, 1))
    np.testing.assert_array_equal(ids, expected.argmax(1))
    np.testing.assert_allclose(tl.utils.predict(net, X[:150]), expected, rtol=1e-5, atol=1e-5)


def test_test_logs_and_returns_the_accuracy(mnist, caplog):
    X, y, _, _ = mnist
    net = mlp()
    expected = float(np.mean(net(X[:250], is_train=False).numpy().argmax(1) == y[:250]))
    with caplog.at_level(logging.INFO, logger="tlcore"):
        got = tl.utils.test(net, acc, X[:250], y[:250], batch_size=100, cost=ce)
    assert got == pytest.approx(expected, abs=1e-6)
    assert "   test loss: " in caplog.text and f"   test acc: {got:f}" in caplog.text


def test_evaluation_matches_a_hand_computed_confusion_matrix():
    y_true = [0, 0, 1, 1, 1, 2, 2, 2, 2]
    y_pred = [0, 1, 1, 1, 0, 2, 2, 1, 2]
    c, f1, accuracy, f1_macro = tl.utils.evaluation(y_true, y_pred, n_classes=4)
    np.testing.assert_array_equal(c, [[1, 1, 0, 0], [1, 2, 0, 0], [0, 1, 3, 0], [0, 0, 0, 0]])
    # class 0: tp 1, fp 1, fn 1 -> 0.5; class 1: tp 2, fp 2, fn 1 -> 4/7; class 2: tp 3, fp 0,
    # fn 1 -> 6/7; class 3: absent and never predicted -> 0.
    np.testing.assert_allclose(f1, [0.5, 4 / 7, 6 / 7, 0.0])
    assert accuracy == pytest.approx(6 / 9)
    assert f1_macro == pytest.approx((0.5 + 4 / 7 + 6 / 7) / 4)


def test_evaluation_rejects_bad_labels():
    with pytest.raises(ValueError, match=r"same shape"):
        tl.utils.evaluation([0, 1], [0], n_classes=2)
    with pytest.raises(ValueError, match=r"n_classes must be an int covering every label"):
        tl.utils.evaluation([0, 3], [0, 1], n_classes=2)


def test_history_json_round_trip(tmp_path):
    h = TrainingHistory()
    h.append(epoch=1, time=0.5, train_loss=0.3, val_loss=0.2, val_acc=0.9)
    h.append(epoch=2, time=0.4, train_loss=0.1)
    h.save(tmp_path / "h.json")
    back = TrainingHistory.load(tmp_path / "h.json")
    assert back == h and back.last("val_acc") == 0.9 and back.val_acc == [0.9, None]


class _Terminal:
    """A stand-in for stderr on a terminal (tqdm shows bars only there)."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True


def test_progress_bar_shows_on_short_epochs_with_loss_and_rate(mnist, monkeypatch):
    import sys

    X, y, _, _ = mnist
    term = _Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    tl.utils.fit(mlp(), keras.optimizers.Adam(1e-3), ce, X[:600], y[:600], batch_size=100,
                 n_epoch=2, eval_train=False, progress=True, steps_per_call=2)
    text = "".join(term.parts)
    assert "Epoch 1/2" in text and "Epoch 2/2" in text  # epochs of well under a second
    assert "sample/s" in text and "loss=" in text
    term.parts.clear()
    tl.utils.fit(mlp(), keras.optimizers.Adam(1e-3), ce, X[:600], y[:600], batch_size=100,
                 n_epoch=1, eval_train=False, progress=False)
    assert "Epoch 1/1" not in "".join(term.parts)


def test_progress_bar_is_silent_when_stderr_is_not_a_terminal(mnist, capsys):
    X, y, _, _ = mnist
    tl.utils.fit(mlp(), keras.optimizers.Adam(1e-3), ce, X[:300], y[:300], batch_size=100,
                 n_epoch=1, eval_train=False, progress=True)
    assert "Epoch 1/1" not in capsys.readouterr().err


def test_fit_accepts_tensorlayer_positional_arguments(mnist):
    """TensorLayer 1.x order: network, train_op, cost, X_train, y_train, acc, batch_size,
    n_epoch, print_freq, X_val, y_val, eval_train."""
    X, y, Xv, yv = mnist
    h = tl.utils.fit(mlp(), keras.optimizers.Adam(1e-3), ce, X[:300], y[:300], acc, 100, 2, 1,
                     Xv[:100], yv[:100], False)
    assert h.epochs == [1, 2] and h.val_acc[1] is not None and h.train_acc == [None, None]


@pytest.mark.parametrize("kwargs, match", [
    ({"seed": -1}, r"seed must be an int >= 0"),
    ({"seed": 1.5}, r"seed must be an int >= 0"),
    ({"eval_freq": 0}, r"eval_freq must be a positive int"),
    ({"steps_per_call": True}, r"steps_per_call must be a positive int"),
    ({"batch_size": np.int64(0)}, r"batch_size must be a positive int, received 0"),
], ids=["seed-negative", "seed-float", "eval_freq", "steps_per_call-bool", "numpy-zero"])
def test_options_are_validated_before_anything_runs(mnist, kwargs, match):
    X, y, _, _ = mnist
    net = mlp()
    before = weights(net)
    with pytest.raises(ValueError, match=r"fit: " + match):
        tl.utils.fit(net, keras.optimizers.Adam(1e-3), ce, X[:100], y[:100], n_epoch=1,
                     progress=False, **kwargs)
    for a, b in zip(before, weights(net)):
        np.testing.assert_array_equal(a, b)


def test_recon_pretrain_takes_callbacks_and_stops_when_told(mnist):
    X = mnist[0][:500]
    net = tl.layers.InputLayer([None, 784], name="input")
    net = tl.layers.DenseLayer(net, n_units=16, act=tf.nn.relu, name="relu1")
    recon = tl.layers.ReconLayer(net, n_units=784, act=tf.nn.softplus, name="recon1")
    seen = []

    class StopAtTwo(tl.training.Callback):
        def on_epoch_end(self, epoch, logs):
            seen.append((epoch, logs["train_loss"]))
            if epoch == 2:
                self.run.stop_training = True

    h = recon.pretrain(X, n_epoch=5, batch_size=100, save=False, progress=False,
                       callbacks=[StopAtTwo()])
    assert h.epochs == [1, 2] and [e for e, _ in seen] == [1, 2]
    assert seen[1][1] == pytest.approx(h.train_loss[1])


def test_tl_training_resolves_lazily_without_tensorflow():
    import subprocess
    import sys

    code = ("import sys, tlcore as tl; assert 'training' in dir(tl); "
            "import tlcore.training; print('tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False"]
    assert tl.training.fit is tl.utils.fit


def test_history_files_are_written_atomically_with_the_usual_mode(tmp_path):
    """JSON and CSV histories go through tl.files.atomic_write: 0666 & ~umask, not mkstemp's
    0600, and no temporary file is left."""
    from tlcore.utils import TrainingHistory

    h = TrainingHistory()
    h.append(epoch=1, time=0.5, train_loss=2.0)
    old = os.umask(0o022)
    try:
        h.save(tmp_path / "h.json")
        h.save_csv(tmp_path / "h.csv")
    finally:
        os.umask(old)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.csv", "h.json"]
    for name in ("h.json", "h.csv"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o644
    assert TrainingHistory.load(tmp_path / "h.json").train_loss == [2.0]
