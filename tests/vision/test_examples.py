"""Tests for the vision examples (tlcore_vision/examples), run through ``tlcore run`` on a few
hundred samples with the hidden ``--limit`` option."""
from __future__ import annotations

import tlcore as tl
from tlcore.cli import main


def test_examples_are_listed(capsys):
    assert main(["examples"]) == 0
    out = capsys.readouterr().out
    assert "mnist-cnn " in out and "The seed's CNN on MNIST" in out


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
