"""The core examples write their pictures under --out and list them at the end of the run
(short runs on a few hundred MNIST samples through the hidden ``--limit`` option)."""
from __future__ import annotations

import logging

import numpy as np
import pytest

pytest.importorskip("matplotlib")
from PIL import Image  # noqa: E402

from tlcore.cli import main  # noqa: E402


def listed_pictures(caplog) -> list[str]:
    """The paths the run listed after its ``pictures written (N):`` line."""
    lines = [r.getMessage() for r in caplog.records]
    start = next(i for i, m in enumerate(lines) if m.startswith("pictures written ("))
    n = int(lines[start].split("(")[1].split(")")[0])
    return [m.strip() for m in lines[start + 1:start + 1 + n]]


def check_pictures(caplog, folder, names) -> dict[str, np.ndarray]:
    """Every listed picture is in ``folder``, they are exactly ``names``, none is blank."""
    listed = listed_pictures(caplog)
    assert sorted(p.rsplit("/", 1)[-1] for p in listed) == sorted(names)
    pixels = {}
    for path in listed:
        assert path.startswith(str(folder))
        with Image.open(path) as im:
            assert im.format == "PNG" and min(im.size) >= 100
            pixels[path.rsplit("/", 1)[-1]] = np.asarray(im.convert("L"), dtype=float)
        assert pixels[path.rsplit("/", 1)[-1]].std() > 10, path
    return pixels


def test_mnist_mlp_draws_its_800_features_and_curves(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="tlcore"):
        assert main(["run", "mnist-mlp", "--epochs", "1", "--limit", "200", "--seed", "0",
                     "--out", str(tmp_path), "--quiet"]) == 0
    pixels = check_pictures(caplog, tmp_path / "mnist-mlp", ["w1.png", "curves.png"])
    # 800 tiles: 28 rows of 29 columns of 28x28 pixels (plus 1 px gaps and a title)
    assert pixels["w1.png"].shape[1] >= 29 * 28 and pixels["w1.png"].shape[0] >= 28 * 28
    # the curves redraw from the saved history
    assert (tmp_path / "mnist-mlp" / "history.json").exists()


def test_mnist_dae_draws_pretraining_features_and_a_denoising_row(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="tlcore"):
        assert main(["run", "mnist-dae", "--epochs", "3", "--limit", "200", "--n-units", "16",
                     "--print-freq", "2", "--seed", "0", "--out", str(tmp_path),
                     "--quiet"]) == 0
    # TensorLayer's w1pre_<epoch> at epoch 1 and every print_freq-th epoch, beside the .npz,
    # and the last epoch's features
    check_pictures(caplog, tmp_path / "mnist-dae",
                   ["w1pre_1.png", "w1pre_2.png", "w1pre_3.png", "denoise.png", "curves.png"])
    assert (tmp_path / "mnist-dae" / "w1pre_2.npz").exists()
