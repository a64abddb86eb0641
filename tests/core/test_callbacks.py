"""Tests for tlcore/training/callbacks.py and the engine's callback hooks, metrics dicts,
eval_freq and the history's JSON/CSV forms. Real MNIST slices, tiny networks.

Where a test needs a monitored value to follow a known course, a callback placed before the
one under test writes it into the epoch's logs (callbacks share the logs dict, in order);
the training itself is real, so the weights of each epoch differ.
"""
from __future__ import annotations

import csv
import gzip
import json
import logging
import os
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest
import tensorflow as tf

import tlcore as tl
from tlcore.training import (Callback, CSVLogger, EarlyStopping, ModelCheckpoint,
                             ReduceLROnPlateau, TensorBoard)

MNIST = Path(tl.__file__).parent / "files" / "data" / "mnist"


@pytest.fixture(scope="module")
def mnist() -> tuple[np.ndarray, ...]:
    with gzip.open(MNIST / "train-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16, count=700 * 784).reshape(-1, 784)
    with gzip.open(MNIST / "train-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8, count=700).astype(np.int64)
    x = (x / 256.0).astype(np.float32)
    return x[:500], y[:500], x[500:], y[500:]


def mlp(seed: int = 0) -> Any:
    keras.utils.set_random_seed(seed)
    net = tl.layers.InputLayer([None, 784], name="input")
    net = tl.layers.DenseLayer(net, n_units=16, act=tf.nn.relu, name="relu1")
    return tl.layers.DenseLayer(net, n_units=10, name="output")


def fit(net: Any, data: tuple, **kw: Any) -> Any:
    X, y, Xv, yv = data
    kw = {"acc": tl.cost.accuracy, "batch_size": 100, "n_epoch": 6, "print_freq": 1,
          "X_val": Xv, "y_val": yv, "eval_train": False, "progress": False, "seed": 0, **kw}
    return tl.utils.fit(net, keras.optimizers.Adam(1e-3), tl.cost.cross_entropy, X, y, **kw)


class Script(Callback):
    """Overwrites logs[key] with a scripted course and snapshots the weights per epoch."""

    def __init__(self, key: str, values: list[float]) -> None:
        self.key, self.values, self.weights = key, values, {}

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs[self.key] = self.values[epoch - 1]
        self.weights[epoch] = [v.numpy().copy() for v in self.run.network.all_params]


def weights(net: Any) -> list[np.ndarray]:
    return [v.numpy() for v in net.all_params]


def test_early_stopping_stops_and_restores_the_best_weights(mnist):
    net = mlp()
    script = Script("val_loss", [3.0, 2.0, 1.0, 1.5, 1.6, 1.7])
    stop = EarlyStopping("val_loss", patience=2, restore_best_weights=True)
    h = fit(net, mnist, callbacks=[script, stop])
    assert h.epochs == [1, 2, 3, 4, 5]  # stopped after 2 epochs without improvement
    assert (stop.best_epoch, stop.stopped_epoch) == (3, 5)
    for a, b in zip(weights(net), script.weights[3]):
        np.testing.assert_array_equal(a, b)
    assert not all(np.array_equal(a, b) for a, b in zip(script.weights[3], script.weights[5]))


def test_early_stopping_min_delta_and_max_mode(mnist):
    script = Script("val_acc", [0.5, 0.505, 0.52, 0.9])
    stop = EarlyStopping("val_acc", mode="auto", patience=1, min_delta=0.01)
    h = fit(mlp(), mnist, n_epoch=4, callbacks=[script, stop])
    assert h.epochs == [1, 2]  # +0.005 is below min_delta: no improvement


def test_model_checkpoint_keeps_the_best_by_val_loss(mnist, tmp_path):
    net = mlp()
    script = Script("val_loss", [3.0, 1.0, 2.0, 1.5])
    path = tmp_path / "best.npz"
    ckpt = ModelCheckpoint(str(path), monitor="val_loss", save_best_only=True)
    fit(net, mnist, n_epoch=4, callbacks=[script, ckpt])
    assert ckpt.saved == [str(path)] * 2  # epochs 1 and 2
    fresh = mlp(seed=5)
    tl.files.load_and_assign_npz_dict(name=str(path), network=fresh)
    for a, b in zip(weights(fresh), script.weights[2]):
        np.testing.assert_array_equal(a, b)


def test_model_checkpoint_every_n_epochs_as_checkpoints(mnist, tmp_path):
    ckpt = ModelCheckpoint(str(tmp_path / "ck-{epoch}"), save_freq=2)
    fit(mlp(), mnist, n_epoch=5, callbacks=[ckpt])
    assert [os.path.basename(p) for p in ckpt.saved] == ["ck-2", "ck-4", "ck-5"]
    assert tl.files.load_ckpt(mlp(), save_dir=str(tmp_path / "ck-4")) == 4


def test_csv_logger_writes_one_row_per_epoch(mnist, tmp_path):
    path = tmp_path / "log.csv"
    h = fit(mlp(), mnist, n_epoch=3, print_freq=2, eval_freq=2, callbacks=[CSVLogger(path)])
    rows = list(csv.DictReader(path.open()))
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3]
    assert {"epoch", "time", "train_loss", "val_loss", "val_acc"} <= set(rows[0])
    assert float(rows[0]["val_acc"]) == pytest.approx(h.val_acc[0])
    assert [r["val_loss"] == "" for r in rows] == [False, False, False]  # 1, 2 and the last


def test_reduce_lr_on_plateau(mnist):
    script = Script("val_loss", [1.0, 1.0, 1.0, 1.0, 1.0])
    opt = keras.optimizers.Adam(1e-3)
    X, y, Xv, yv = mnist
    tl.utils.fit(mlp(), opt, tl.cost.cross_entropy, X, y, batch_size=100, n_epoch=5,
                 X_val=Xv, y_val=yv, eval_train=False, progress=False,
                 callbacks=[script, ReduceLROnPlateau(factor=0.5, patience=2, min_lr=2e-4)])
    # no improvement from epoch 2: reduced after epochs 3 and 5, floored at min_lr
    assert float(opt.learning_rate.numpy()) == pytest.approx(2.5e-4)


def test_a_callback_can_stop_training_and_fit_returns_the_history(mnist):
    class StopAt2(Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            self.run.stop_training = epoch == 2

    h = fit(mlp(), mnist, callbacks=[StopAt2()])
    assert h.epochs == [1, 2]


def test_hooks_run_in_order_and_batch_end_per_compiled_call(mnist):
    events = []

    class Record(Callback):
        def on_train_begin(self, logs=None):
            events.append("begin")

        def on_epoch_begin(self, epoch, logs=None):
            events.append(f"e{epoch}")

        def on_batch_end(self, step, logs=None):
            events.append(step)
            assert np.isfinite(logs["loss"])

        def on_epoch_end(self, epoch, logs=None):
            events.append(f"/e{epoch}")

        def on_train_end(self, logs=None):
            events.append("end")

    plain = []
    fit(mlp(), mnist, n_epoch=2, steps_per_call=2,
        callbacks=[Record(), lambda epoch, history: plain.append((epoch, len(history)))])
    # 500 samples / 100 = 5 steps, 2 per call: calls end at steps 2, 4, 5
    assert events == ["begin", "e1", 2, 4, 5, "/e1", "e2", 2, 4, 5, "/e2", "end"]
    assert plain == [(1, 1), (2, 2)]  # fn(epoch, history) after each epoch


def test_train_end_runs_on_error_and_the_error_wins(mnist):
    ended = []

    class End(Callback):
        def on_train_end(self, logs=None):
            ended.append(logs.get("error"))

    def boom(epoch, history):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fit(mlp(), mnist, callbacks=[End(), boom])
    assert isinstance(ended[0], RuntimeError)


def test_unknown_monitor_fails_before_training(mnist):
    net = mlp()
    before = weights(net)
    with pytest.raises(ValueError, match=r"EarlyStopping: monitor 'val_los' is not measured"):
        fit(net, mnist, callbacks=[EarlyStopping("val_los")])
    for a, b in zip(before, weights(net)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("make, match", [
    (lambda: EarlyStopping(patience=-1), "patience must be an int >= 0"),
    (lambda: EarlyStopping(mode="up"), "mode must be one of"),
    (lambda: ModelCheckpoint("x.npz", save_freq=0), "save_freq must be a positive int"),
    (lambda: ReduceLROnPlateau(factor=1.5), r"factor must be in \(0, 1\)"),
    (lambda: TensorBoard("x", epoch_freq=0), "epoch_freq must be a positive int"),
], ids=["patience", "mode", "save_freq", "factor", "epoch_freq"])
def test_bad_callback_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_not_a_callback_is_a_type_error(mnist):
    with pytest.raises(TypeError, match="a callback must be"):
        fit(mlp(), mnist, callbacks=[42])


def test_tensorboard_callback_writes_events(mnist, tmp_path):
    fit(mlp(), mnist, n_epoch=2, callbacks=[TensorBoard(str(tmp_path), histograms=True)])
    assert any("tfevents" in f for f in os.listdir(tmp_path))


# -------------------------------------------------------------------- metrics, eval_freq
def top3(output: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    hit = tf.math.in_top_k(tf.cast(target, tf.int32), output, 3)
    return tf.reduce_mean(tf.cast(hit, tf.float32))


def test_metric_dict_is_logged_and_recorded(mnist, caplog):
    net = mlp()
    with caplog.at_level(logging.INFO, logger="tlcore"):
        h = fit(net, mnist, n_epoch=2, eval_train=True,
                acc={"acc": tl.cost.accuracy, "top3": top3})
    X, y, Xv, yv = mnist
    out = net(Xv, is_train=False)
    assert h.metrics["val_top3"][-1] == pytest.approx(float(top3(out, yv)), abs=1e-6)
    assert h.val_acc[-1] == pytest.approx(float(tl.cost.accuracy(out, yv)), abs=1e-6)
    assert len(h.metrics["train_top3"]) == 2
    assert "  val top3: " in caplog.text and "  train top3: " in caplog.text
    assert h.last("val_top3") == h.metrics["val_top3"][-1]


def test_eval_freq_evaluates_every_epoch_while_printing_rarely(mnist, caplog):
    with caplog.at_level(logging.INFO, logger="tlcore"):
        h = fit(mlp(), mnist, n_epoch=4, print_freq=3, eval_freq=1)
    assert all(v is not None for v in h.val_loss)
    assert "Epoch 2 of 4" not in caplog.text and "Epoch 3 of 4" in caplog.text


def test_bad_metric_names(mnist):
    with pytest.raises(ValueError, match="metric names must be identifiers"):
        fit(mlp(), mnist, acc={"loss": tl.cost.accuracy})
    with pytest.raises(TypeError, match="metric 'x' must be callable"):
        fit(mlp(), mnist, acc={"x": 3})


def test_history_json_and_csv_with_metrics(mnist, tmp_path):
    h = fit(mlp(), mnist, n_epoch=2, acc={"top3": top3})
    h.save(tmp_path / "h.json")
    back = tl.utils.TrainingHistory.load(tmp_path / "h.json")
    assert back == h and back.metrics["val_top3"] == h.metrics["val_top3"]
    h.save_csv(tmp_path / "h.csv")
    rows = list(csv.DictReader((tmp_path / "h.csv").open()))
    assert len(rows) == 2 and float(rows[1]["val_top3"]) == pytest.approx(
        h.metrics["val_top3"][1])
    assert json.loads((tmp_path / "h.json").read_text())["metrics"]["val_top3"]
