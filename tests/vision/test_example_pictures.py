"""The vision examples write their pictures under --out and list them (tiny runs)."""
from __future__ import annotations

import logging

import pytest

pytest.importorskip("matplotlib")

from tests.core.test_example_pictures import check_pictures  # noqa: E402
from tests.vision._cifar import write_batches  # noqa: E402
from tlcore.cli import main  # noqa: E402


def test_mnist_cnn_draws_its_first_filters_and_curves(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="tlcore"):
        assert main(["run", "mnist-cnn", "--epochs", "1", "--limit", "100", "--seed", "0",
                     "--out", str(tmp_path), "--quiet"]) == 0
    pixels = check_pictures(caplog, tmp_path / "mnist-cnn", ["cnn1.png", "curves.png"])
    # 32 filters of 5x5: 5 rows x 7 columns, drawn at least 8 screen pixels per weight
    assert pixels["cnn1.png"].shape[1] >= 7 * 5 * 8


def test_cifar10_cnn_draws_filters_and_augmented_images(shared_data, tmp_path, caplog):
    data = tmp_path / "data"
    write_batches(shared_data, data)
    with caplog.at_level(logging.INFO, logger="tlcore"):
        assert main(["run", "cifar10-cnn", "--epochs", "1", "--batch-size", "100", "--seed", "0",
                     "--data-dir", str(data), "--out", str(tmp_path), "--quiet"]) == 0
    check_pictures(caplog, tmp_path / "cifar10-cnn", ["cnn1.png", "augmented.png"])
