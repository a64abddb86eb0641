"""Tests for tlcore/_cli_run.py (tlcore run / examples / info) and the MNIST examples, run on a
few hundred samples through the hidden ``--limit`` option."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tlcore.cli import main

EXAMPLES = ("mnist-mlp", "mnist-dropconnect", "mnist-dae", "mnist-sdae")


def test_examples_lists_the_core_examples(capsys):
    assert main(["examples"]) == 0
    out = capsys.readouterr().out
    for name in EXAMPLES:
        assert f"{name} " in out
    assert "The seed's MLP on MNIST" in out


def test_run_mlp_prints_the_seed_lines_and_saves_the_model(tmp_path, capsys, caplog):
    code = main(["run", "mnist-mlp", "--epochs", "2", "--limit", "300", "--seed", "1",
                 "--out", str(tmp_path), "--quiet", "--print-freq", "1"])
    assert code == 0
    out = capsys.readouterr().out
    assert "mnist-mlp: done in" in out and "test accuracy 0." in out
    text = caplog.text
    for line in ("X_train.shape (300, 784)", "num of params: 1276810", "Epoch 1 of 2 took",
                 "Epoch 2 of 2 took", "  val acc: ", "   test acc: ", "learning_rate: "):
        assert line in text, line
    model = tmp_path / "mnist-mlp" / "model.npz"
    assert model.exists()
    import tlcore as tl

    params = tl.files.load_npz(name=str(model))
    assert [p.shape for p in params] == [(784, 800), (800,), (800, 800), (800,), (800, 10), (10,)]


def test_options_before_the_name_work_too(tmp_path, capsys):
    code = main(["run", "--epochs", "1", "--out", str(tmp_path), "mnist-dae", "--limit", "200",
                 "--n-units", "16", "--quiet"])
    assert code == 0
    assert "mnist-dae: done in" in capsys.readouterr().out
    assert (tmp_path / "mnist-dae" / "relu.npz").exists()
    assert (tmp_path / "mnist-dae" / "w1pre_1.npz").exists()


def test_dropconnect_runs(tmp_path, capsys, caplog):
    assert main(["run", "mnist-dropconnect", "--epochs", "1", "--limit", "100", "--out",
                 str(tmp_path), "--quiet"]) == 0
    assert "mnist-dropconnect: done in" in capsys.readouterr().out
    assert "Instantiate DropconnectDenseLayer dropconnect1" in caplog.text
    assert (tmp_path / "mnist-dropconnect" / "model.npz").exists()


def test_sdae_pretrains_and_fine_tunes(tmp_path, capsys, caplog):
    code = main(["run", "mnist-sdae", "--epochs", "1", "--limit", "200", "--pretrain-epochs",
                 "1", "--out", str(tmp_path), "--quiet"])
    assert code == 0
    assert "test accuracy" in capsys.readouterr().out
    for line in ("Pre-train layer 1", "Pre-train layer 2", "Fine-tune", "   test acc: "):
        assert line in caplog.text
    assert (tmp_path / "mnist-sdae" / "model.npz").exists()


def test_unknown_example_suggests_a_name(capsys):
    assert main(["run", "mnist-mpl"]) == 2
    err = capsys.readouterr().err
    assert "mnist-mpl" in err and "mnist-mlp" in err


def test_bad_common_option_is_rejected(capsys):
    assert main(["run", "mnist-mlp", "--epochs", "0"]) == 2
    assert "--epochs must be >= 1" in capsys.readouterr().err


def test_example_help_lists_its_options_but_not_the_hidden_ones(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", "mnist-mlp", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "--lr" in out and "--limit" not in out


def test_run_help_does_not_import_tensorflow():
    code = ("import sys; from tlcore.cli import build_parser\n"
            "try:\n    build_parser().parse_args(['run', '--help'])\nexcept SystemExit:\n    pass\n"
            "assert 'tensorflow' not in sys.modules, 'tensorflow imported'\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "usage: tlcore run" in proc.stdout


def test_info_prints_versions_plugins_and_data_dir(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("TLCORE_DATA_DIR", str(tmp_path))
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    for word in ("tlcore ", "tensorflow ", "keras ", "numpy ", "devices ", "plugins:",
                 "  core ", f"data dir {tmp_path}"):
        assert word in out, word
