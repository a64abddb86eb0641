"""The rl examples draw reward curves (and Pong its preprocessed frame) and list them."""
from __future__ import annotations

import argparse
import logging

import pytest

pytest.importorskip("matplotlib")

from tests.core.test_example_pictures import check_pictures  # noqa: E402
from tlcore.plugins import get_registry  # noqa: E402


def test_cartpole_draws_its_reward_curve(tmp_path, caplog):
    main = get_registry().get("examples", "cartpole")
    args = argparse.Namespace(epochs=None, batch_size=None, seed=0, data_dir=None,
                              out=str(tmp_path), quiet=True, extra=["--episodes", "4"],
                              result={})
    with caplog.at_level(logging.INFO, logger="tlcore"):
        assert main(args) == 1  # four episodes do not solve it
    check_pictures(caplog, tmp_path, ["rewards_cartpole.png"])


def test_pong_frame_shows_the_80x80_network_input(tmp_path):
    import numpy as np
    from PIL import Image

    from tlcore_rl import pong

    try:
        pong.make_env().close()
    except Exception as e:
        pytest.skip(f"ALE/Pong-v5 unavailable: {e}")
    args = argparse.Namespace(result={})
    path = pong.frame_picture(args, argparse.Namespace(out=str(tmp_path), seed=0))
    assert args.result["pictures"] == [path] and path == str(tmp_path / "frame_pong.png")
    with Image.open(path) as im:
        assert im.format == "PNG" and min(im.size) >= 300
        # paddles and ball (white) on the background (black), axes and title around them
        assert len(np.unique(np.asarray(im.convert("L")))) > 2
