"""Hostile and mistaken command lines: one line on stderr, exit 2 (usage) or 1 (failure), no
traceback, and nothing written (the folder tree compared before and after); saved files get
the usual permissions."""
from __future__ import annotations

import gzip
import os
import stat
import subprocess
import sys

import numpy as np
import pytest

import tlcore as tl
from tlcore.cli import main
from tlcore.plugins import hookimpl, registered

from tests.security.conftest import tree


@pytest.fixture
def place(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # cmd_run sets these for the run; keep them from leaking into other tests.
    monkeypatch.setenv("TLCORE_PROGRESS", "0")
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    (tmp_path / "afile").write_text("x")
    (tmp_path / "data").mkdir()
    return tmp_path


def run_cli(place, capsys, *argv, out=True):
    args = list(argv) + (["--out", str(place / "out")] if out else [])
    before = tree(place)
    code = main(args)
    err = capsys.readouterr().err
    assert tree(place) == before, "something was written"
    return code, err


def assert_one_line(err: str, *needles: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for n in needles:
        assert n in lines[0], (n, lines[0])


USAGE = {
    "epochs-zero": (["--epochs", "0"], "--epochs must be >= 1, received 0"),
    "epochs-negative": (["--epochs", "-3"], "--epochs must be >= 1, received -3"),
    "epochs-text": (["--epochs", "ten"], "argument --epochs: invalid int value: 'ten'"),
    "batch-zero": (["--batch-size", "0"], "--batch-size must be >= 1"),
    "batch-float": (["--batch-size", "2.5"], "invalid int value: '2.5'"),
    "seed-negative": (["--seed", "-1"], "--seed must be in [0, 4294967295], received -1"),
    "seed-huge": (["--seed", str(2**32)], "--seed must be in [0, 4294967295]"),
    "seed-text": (["--seed", "abc"], "invalid int value: 'abc'"),
    "lr-zero": (["--lr", "0"], "--lr must be a finite number > 0, received 0.0"),
    "lr-negative": (["--lr", "-0.1"], "--lr must be a finite number > 0, received -0.1"),
    "lr-nan": (["--lr", "nan"], "--lr must be a finite number > 0, received nan"),
    "lr-inf": (["--lr", "inf"], "--lr must be a finite number > 0, received inf"),
    "lr-minus-inf": (["--lr=-inf"], "--lr must be a finite number > 0, received -inf"),
    "lr-text": (["--lr", "fast"], "invalid float value: 'fast'"),
    "print-freq-zero": (["--print-freq", "0"], "--print-freq must be >= 1, received 0"),
    "print-freq-negative": (["--print-freq", "-2"], "--print-freq must be >= 1, received -2"),
    "limit-zero": (["--limit", "0"], "--limit must be >= 1"),
    "unknown-option": (["--bogus", "1"], "unrecognized arguments: --bogus 1"),
    "data-dir-missing": (["--data-dir", "nowhere"], "--data-dir 'nowhere' does not exist"),
    "data-dir-file": (["--data-dir", "afile"], "--data-dir 'afile' is not a directory"),
    "strategy-bogus": (["--strategy", "gpu9"], "argument --strategy: invalid choice: 'gpu9'"),
}


@pytest.mark.parametrize("extra, message", USAGE.values(), ids=USAGE.keys())
def test_bad_options_are_one_line_usage_errors(place, capsys, extra, message):
    code, err = run_cli(place, capsys, "run", "mnist-mlp", *extra)
    assert code == 2
    assert_one_line(err, message)


@pytest.mark.parametrize("out, message", [
    ("afile", "afile' is a file, not a directory"),
    ("afile/sub", "is a file, not a directory"),
    ("/proc/tlcore-out", "is not writable"),
], ids=["out-is-file", "out-under-file", "out-read-only"])
def test_out_must_be_writable_before_the_run(place, capsys, out, message):
    code, err = run_cli(place, capsys, "run", "mnist-mlp", "--out", out, out=False)
    assert code == 2
    assert_one_line(err, f"--out {out!r}", message)


def test_data_dir_env_pointing_at_a_file(place, capsys, monkeypatch):
    monkeypatch.setenv("TLCORE_DATA_DIR", str(place / "afile"))
    code, err = run_cli(place, capsys, "run", "mnist-mlp")
    assert code == 2
    assert_one_line(err, "$TLCORE_DATA_DIR", "is a file, not a directory")


def test_info_survives_a_data_dir_env_that_is_a_file(place, capsys, monkeypatch):
    monkeypatch.setenv("TLCORE_DATA_DIR", str(place / "afile"))
    code, out = main(["info"]), capsys.readouterr().out
    assert code == 0
    assert "data dir unusable: " in out and "is a file, not a directory" in out


@pytest.mark.parametrize("argv, message", [
    (["run", "mnist-mpl"], "mnist-mlp"),
    ([], "the following arguments are required: command"),
    (["bogus"], "invalid choice: 'bogus'"),
    (["layers", "--bogus"], "unrecognized arguments: --bogus"),
], ids=["unknown-example", "no-command", "unknown-command", "unknown-flag"])
def test_other_usage_errors(place, capsys, argv, message):
    code, err = run_cli(place, capsys, *argv, out=False)
    assert code == 2
    assert_one_line(err, message)


def test_corrupt_data_file_is_one_line_failure(place, capsys):
    from tlcore.files._mnist import _FILES

    for name in _FILES:  # well-formed gzip files with the wrong content
        (place / "data" / name).write_bytes(gzip.compress(b"not mnist"))
    code, err = run_cli(place, capsys, "run", "mnist-mlp", "--data-dir", "data", "--epochs", "1")
    assert code == 1
    assert_one_line(err, "ChecksumError", "train-images-idx3-ubyte.gz: expected sha256")


class _Failing:
    """An in-process plugin whose example fails the way a user's run can fail."""

    def __init__(self, exc):
        self.exc = exc

    @hookimpl
    def register_examples(self, register):
        exc = self.exc

        def example(args):
            if exc == "offline":
                spec = tl.files.DatasetSpec("toy", [tl.files.RemoteFile(
                    "f.bin", urls=["http://127.0.0.1:9/f.bin"], size=3)])
                tl.files.fetch(spec, os.path.join(os.getcwd(), "data"), retries=1)
            raise exc

        register("failing", example)


@pytest.mark.parametrize("exc, code, needles", [
    ("offline", 1, ["DownloadError", "could not download f.bin", "127.0.0.1:9"]),
    (OSError(28, "No space left on device"), 1, ["OSError", "No space left on device"]),
    (ValueError("bad\nmulti-line\nmessage"), 1, ["ValueError: bad multi-line message"]),
    (KeyboardInterrupt(), 130, ["interrupted"]),
], ids=["offline-download", "disk-full", "multi-line", "ctrl-c"])
def test_failures_in_a_run_are_one_line(place, capsys, exc, code, needles):
    with registered(_Failing(exc), name="failing"):
        got, err = run_cli(place, capsys, "run", "failing", out=False)
    assert got == code
    assert_one_line(err, *needles)


def test_debug_shows_the_traceback(place, monkeypatch):
    monkeypatch.setenv("TLCORE_DEBUG", "1")
    with registered(_Failing(ValueError("boom")), name="failing"):
        with pytest.raises(ValueError, match="boom"):
            main(["run", "failing", "--out", str(place / "out")])


@pytest.mark.parametrize("argv, message", [
    (["run", "mnist-mlp", "--epochs", "0"], "--epochs must be >= 1"),
    (["run", "mnist-mlp", "--data-dir", "/nonexistent/tlcore"], "does not exist"),
], ids=["epochs", "data-dir"])
def test_real_process_exit_code_and_no_traceback(tmp_path, argv, message):
    proc = subprocess.run([sys.executable, "-m", "tlcore", *argv, "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 2
    assert_one_line(proc.stderr, message)
    assert os.listdir(tmp_path) == []


# ------------------------------------------------------------------------- permissions
def _savers(folder):
    arrays = [np.zeros((2, 3), np.float32)]
    return {
        "save_npz": lambda: tl.files.save_npz(arrays, name=str(folder / "a.npz")),
        "save_any_to_npy": lambda: tl.files.save_any_to_npy({"x": 1}, name=str(folder / "b.npy")),
        "atomic_write": lambda: _write(folder / "c.txt"),
    }


def _write(path):
    with tl.files.atomic_write(path, "w") as f:
        f.write("x")
    return str(path)


@pytest.mark.parametrize("saver", ["save_npz", "save_any_to_npy", "atomic_write"])
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_saved_files_get_the_usual_permissions(tmp_path, saver, umask, mode):
    old = os.umask(umask)
    try:
        path = _savers(tmp_path)[saver]()
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(path).st_mode) == mode


def test_replacing_a_file_keeps_its_mode(tmp_path):
    path = tmp_path / "private.npz"
    path.write_bytes(b"old")
    path.chmod(0o600)
    tl.files.save_npz([np.ones(2)], name=str(path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
