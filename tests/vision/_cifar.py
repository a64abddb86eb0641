"""Builds CIFAR-10's python-batch layout (``cifar-10-batches-py``) from the real CIFAR-10 images
in shared/data/cifar10: the first 200 training images (data_batch_1 order) split over five
train batches of 40, and test images 0-19 as ``test_batch``. Pickled with protocol 2 like the
official files.

Also runnable: ``python -m tests.vision._cifar DEST`` writes ``DEST/cifar10/cifar-10-batches-py``
(for ``tlcore run cifar10-cnn --data-dir DEST``).
"""
from __future__ import annotations

import csv
import os
import pickle
import sys
from pathlib import Path

import numpy as np

CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
           "truck"]


def _png(path: Path) -> np.ndarray:
    import tensorflow as tf

    return tf.io.decode_png(tf.io.read_file(str(path)), channels=3).numpy()


def real_cifar_images(shared_data: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(X_train (200, 32, 32, 3) uint8, y_train, X_test (20, ...), y_test)`` from the PNGs."""
    root = Path(shared_data) / "cifar10"
    with open(root / "kaggle_train_first200" / "trainLabels.csv", encoding="utf-8") as f:
        rows = [r for r in csv.reader(f) if r and r[0].endswith(".png")]
    rows.sort(key=lambda r: int(r[0].split(".")[0]))
    X_train = np.stack([_png(root / "kaggle_train_first200" / "train" / r[0]) for r in rows])
    y_train = np.array([CLASSES.index(r[1]) for r in rows], dtype=np.int32)
    tests = sorted((root / "foolbox_test_samples").glob("cifar10_*.png"),
                   key=lambda p: int(p.stem.split("_")[1]))
    X_test = np.stack([_png(p) for p in tests])
    y_test = np.array([int(p.stem.split("_")[2]) for p in tests], dtype=np.int32)
    return X_train, y_train, X_test, y_test


def _batch(X: np.ndarray, y: np.ndarray, label: str) -> dict:
    data = X.transpose(0, 3, 1, 2).reshape(len(X), 3072)  # R plane, G plane, B plane per row
    return {b"batch_label": label.encode(), b"labels": [int(v) for v in y], b"data": data,
            b"filenames": [f"img_{i}.png".encode() for i in range(len(X))]}


def write_batches(shared_data: Path, dest: Path, n_batches: int = 5) -> Path:
    """Write ``dest/cifar10/cifar-10-batches-py`` and return that folder."""
    X_train, y_train, X_test, y_test = real_cifar_images(shared_data)
    folder = Path(dest) / "cifar10" / "cifar-10-batches-py"
    folder.mkdir(parents=True, exist_ok=True)
    for i, idx in enumerate(np.array_split(np.arange(len(X_train)), n_batches), start=1):
        with open(folder / f"data_batch_{i}", "wb") as f:
            pickle.dump(_batch(X_train[idx], y_train[idx], f"training batch {i} of 5"), f, 2)
    with open(folder / "test_batch", "wb") as f:
        pickle.dump(_batch(X_test, y_test, "testing batch 1 of 1"), f, 2)
    return folder


if __name__ == "__main__":  # pragma: no cover
    shared = Path(os.environ.get("TLCORE_SHARED_DATA", Path(__file__).resolve().parents[3]
                                 / "shared" / "data"))
    print(write_batches(shared, Path(sys.argv[1])))
