"""Tests for the vision examples (tlcore_vision/examples), run through ``tlcore run`` on a few
hundred samples with the hidden ``--limit`` option; CIFAR-10 on the real images of shared/data
rebuilt into the official batch layout."""
from __future__ import annotations

import numpy as np

import tlcore as tl
from tests.vision._cifar import write_batches
from tlcore.cli import main


def test_examples_are_listed(capsys):
    assert main(["examples"]) == 0
    out = capsys.readouterr().out
    assert "mnist-cnn " in out and "The seed's CNN on MNIST" in out
    assert "cifar10-cnn " in out


def test_seed_cnn_layer_shapes():
    import tensorflow as tf

    from tlcore_vision.examples.mnist_cnn import build

    net = build(tl, tf)
    shapes = {layer.name: layer.output_shape for layer in net.all_layers}
    assert shapes["cnn1"] == (None, 28, 28, 32) and shapes["pool1"] == (None, 14, 14, 32)
    assert shapes["cnn2"] == (None, 14, 14, 64) and shapes["pool2"] == (None, 7, 7, 64)
    assert shapes["flatten"] == (None, 3136) and net.output_shape == (None, 10)
    assert list(net.all_drop) == ["drop1", "drop2"]


def test_run_mnist_cnn_on_a_subset(tmp_path, capsys, caplog):
    code = main(["run", "mnist-cnn", "--epochs", "1", "--limit", "200", "--seed", "1",
                 "--out", str(tmp_path), "--quiet"])
    assert code == 0
    out = capsys.readouterr().out
    assert "mnist-cnn: done in" in out and "test accuracy 0." in out
    for line in ("X_train.shape (200, 28, 28, 1)", "Epoch 1 of 1 took", "   test acc: "):
        assert line in caplog.text, line
    params = tl.files.load_npz(name=str(tmp_path / "mnist-cnn" / "model.npz"))
    assert [p.shape for p in params][:2] == [(5, 5, 1, 32), (32,)]


def test_run_cifar10_cnn_end_to_end_on_real_batches(shared_data, tmp_path, capsys, caplog):
    data = tmp_path / "data"
    write_batches(shared_data, data)
    code = main(["run", "cifar10-cnn", "--epochs", "1", "--batch-size", "50", "--seed", "0",
                 "--data-dir", str(data), "--out", str(tmp_path), "--quiet"])
    assert code == 0
    out = capsys.readouterr().out
    assert "cifar10-cnn: done in" in out and "test accuracy" in out
    text = caplog.text
    for line in ("X_train.shape (200, 32, 32, 3)", "num of params: 1068298",
                 "Epoch 1 : Step 0-4 of 4 took", "   train loss: ", "   test acc: "):
        assert line in text, line
    params = tl.files.load_npz(name=str(tmp_path / "cifar10-cnn" / "model.npz"))
    assert len(params) == 10 and all(np.all(np.isfinite(p)) for p in params)
