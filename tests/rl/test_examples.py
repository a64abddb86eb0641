"""The rl examples run end to end through their ``main(args)`` (short runs only)."""
from __future__ import annotations

import argparse
import logging
import subprocess
import sys

import numpy as np
import pytest

from tlcore.plugins import get_registry


def ns(tmp_path, *extra):
    return argparse.Namespace(epochs=None, batch_size=None, seed=0, data_dir=None,
                              out=str(tmp_path), quiet=False, extra=list(extra), result={})


def test_examples_are_registered():
    names = get_registry().names("examples")
    assert {"cartpole", "cartpole-dqn", "pong"} <= set(names)


@pytest.mark.parametrize("name, model", [("cartpole", "model_cartpole.npz"),
                                         ("cartpole-dqn", "model_cartpole_dqn.npz")])
def test_cartpole_examples_save_and_report(tmp_path, caplog, name, model):
    main = get_registry().get("examples", name)
    args = ns(tmp_path, "--episodes", "3")
    with caplog.at_level(logging.INFO, logger="tlcore"):
        code = main(args)
    assert code == 0  # three episodes do not solve CartPole: a finished run, not a failure
    assert (tmp_path / model).exists() and args.result["model"] == str(tmp_path / model)
    assert any("did not reach the solved threshold (mean return >= 195 over 100 consecutive "
               "episodes) after 3 episodes" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("name", ["cartpole", "cartpole-dqn", "pong"])
def test_help_and_usage_errors_come_before_tensorflow_is_imported(name):
    # a fresh interpreter: this one has TensorFlow loaded already
    code = ("import argparse, sys\n"
            "from tlcore.plugins import get_registry\n"
            "main = get_registry().get('examples', sys.argv[1])\n"
            "args = argparse.Namespace(seed=None, out='out', epochs=None, batch_size=None,\n"
            "                          quiet=True, extra=sys.argv[2:], result={})\n"
            "try:\n"
            "    main(args)\n"
            "except SystemExit as e:\n"
            "    print('exit', e.code)\n"
            "print(sorted(m for m in ('tensorflow', 'keras', 'gymnasium') if m in sys.modules))\n")
    for extra, exit_code, shown in ((["--help"], 0, "--episodes"),
                                    (["--episodes", "x"], 2, "invalid int value")):
        run = subprocess.run([sys.executable, "-c", code, name, *extra], capture_output=True,
                             text=True, timeout=60)
        assert f"exit {exit_code}\n[]" in run.stdout, run.stdout + run.stderr
        assert shown in run.stdout + run.stderr


def test_pong_example_one_episode(tmp_path, caplog):
    from tlcore_rl import pong

    try:
        pong.make_env().close()
    except Exception as e:
        pytest.skip(f"ALE/Pong-v5 unavailable: {e}")
    args = ns(tmp_path, "--episodes", "1")
    with caplog.at_level(logging.INFO, logger="tlcore"):
        assert pong.main(args) == 0
    lines = [r.getMessage() for r in caplog.records]
    games = [m for m in lines if m.startswith("episode 0: game ")]
    assert len(games) >= 21  # a Pong game ends when one side reaches 21 points
    assert any(m.startswith("resetting env. episode reward total was -") for m in lines)
    assert (tmp_path / "model_pong.npz").exists()
    # resume loads it back and continues the episode count
    net = pong.build_network()
    pg = pong.make_trainer(net, pong.make_env(), seed=0)
    assert pg.load(str(tmp_path / "model_pong.npz")) and pg.episode == 1
    saved = np.load(tmp_path / "model_pong.npz")
    assert saved["arr_0"].shape == (6400, 200)
