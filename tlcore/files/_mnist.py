"""MNIST (shipped inside tlcore, works offline) and Fashion-MNIST (downloaded) loaders."""
from __future__ import annotations

import gzip
import logging
import os
import struct
from typing import Sequence

import numpy as np

from tlcore.files._datasets import DatasetSpec, RemoteFile, fetch
from tlcore.files._download import ChecksumError, sha256sum

logger = logging.getLogger("tlcore")

_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
          "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
SHIPPED_MNIST_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "mnist")

_MNIST_MIRRORS = ("https://storage.googleapis.com/cvdf-datasets/mnist/",
                  "https://ossci-datasets.s3.amazonaws.com/mnist/")
_MNIST_SIZES = (9912422, 28881, 1648877, 4542)

_FASHION_MIRRORS = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
                    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/")
_FASHION_SHA256 = ("3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
                   "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
                   "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
                   "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5")
_FASHION_SIZES = (26421880, 29515, 4422102, 5148)


def _shipped_sums() -> dict[str, str]:
    sums = {}
    with open(os.path.join(SHIPPED_MNIST_DIR, "SHA256SUMS"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                digest, name = line.split()
                sums[name.lstrip("*")] = digest
    return sums


#: MNIST's four files with their mirrors (the shipped copies make downloading unnecessary).
MNIST = DatasetSpec(
    name="mnist",
    files=tuple(RemoteFile(f, urls=[m + f for m in _MNIST_MIRRORS], sha256=_shipped_sums()[f],
                           size=s) for f, s in zip(_FILES, _MNIST_SIZES)),
    homepage="http://yann.lecun.com/exdb/mnist/", license="CC BY-SA 3.0",
    description="70000 28x28 handwritten digits (shipped inside tlcore)")

#: Fashion-MNIST's four files (Zalando Research), downloaded on first use.
FASHION_MNIST = DatasetSpec(
    name="fashion_mnist",
    files=tuple(RemoteFile(f, urls=[m + f for m in _FASHION_MIRRORS], sha256=h, size=s)
                for f, h, s in zip(_FILES, _FASHION_SHA256, _FASHION_SIZES)),
    homepage="https://github.com/zalandoresearch/fashion-mnist", license="MIT",
    description="70000 28x28 grayscale images of 10 kinds of clothing")


def _read_idx(path: str, magic: int) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    got_magic = struct.unpack(">i", data[:4])[0]
    if got_magic != magic:
        raise ValueError(f"{path}: IDX magic number {got_magic}, expected {magic}")
    dims = struct.unpack(f">{ndim}i", data[4:header])
    arr = np.frombuffer(data, dtype=np.uint8, offset=header)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f"{path}: {arr.size} values for dims {dims}")
    return arr.reshape(dims)


def _load_idx_folder(folder: str, shape: Sequence[int]):
    paths = [os.path.join(folder, f) for f in _FILES]
    X_train = _read_idx(paths[0], 2051)
    y_train = _read_idx(paths[1], 2049)
    X_test = _read_idx(paths[2], 2051)
    y_test = _read_idx(paths[3], 2049)
    # TensorLayer's scaling and split: uint8 / 256, the last 10000 training images validate.
    scale = np.float32(256.0)
    X_train = (X_train.astype(np.float32) / scale).reshape(shape)
    X_test = (X_test.astype(np.float32) / scale).reshape(shape)
    y_train, y_test = y_train.astype(np.int32), y_test.astype(np.int32)
    X_train, X_val = X_train[:-10000], X_train[-10000:]
    y_train, y_val = y_train[:-10000], y_train[-10000:]
    return X_train, y_train, X_val, y_val, X_test, y_test


def _verified_folder(folder: str, sums: dict[str, str]) -> str:
    for f in _FILES:
        got = sha256sum(os.path.join(folder, f))
        if got != sums[f]:
            raise ChecksumError(f"{os.path.join(folder, f)}: expected sha256 {sums[f]}, got {got}")
    return folder


def load_mnist_dataset(shape: Sequence[int] = (-1, 784), path: str | None = None):
    """MNIST with TensorLayer's 50000/10000/10000 split, from the copy shipped in tlcore.

    Args:
        shape: shape of each X array, e.g. ``(-1, 784)`` or ``(-1, 28, 28, 1)``.
        path: a directory holding the four ``*-ubyte.gz`` files (directly or in ``mnist/``)
            to use instead of the shipped copy; they must verify against the published sha256.
            A folder without them falls back to the shipped copy; a missing folder is an error.

    Returns:
        ``X_train, y_train, X_val, y_val, X_test, y_test``; X float32 ``uint8 / 256`` (values in
        [0, 255/256]) reshaped to ``shape``, y int32.
    """
    sums = _shipped_sums()
    folder = SHIPPED_MNIST_DIR
    if path is not None:
        if not os.path.isdir(path):  # a typo must not silently fall back to the shipped copy
            raise FileNotFoundError(f"load_mnist_dataset: path {os.fspath(path)!r} "
                                    + ("is not a directory" if os.path.exists(path)
                                       else "does not exist"))
        for cand in (os.fspath(path), os.path.join(os.fspath(path), "mnist")):
            if all(os.path.isfile(os.path.join(cand, f)) for f in _FILES):
                folder = cand
                break
        else:
            logger.info("MNIST files not found under %s; using the copy shipped with tlcore", path)
    logger.info("Load or Download MNIST > %s", folder)
    return _load_idx_folder(_verified_folder(folder, sums), shape)


load_mnist_dataset.spec = MNIST  # type: ignore[attr-defined]


def load_fashion_mnist_dataset(shape: Sequence[int] = (-1, 784), path: str | None = None):
    """Fashion-MNIST with MNIST's split and scaling, downloaded (and verified) on first use.

    Args:
        shape: shape of each X array.
        path: base data directory (files go to ``<path>/fashion_mnist``); default
            ``$TLCORE_DATA_DIR`` or the user cache.

    Returns:
        ``X_train, y_train, X_val, y_val, X_test, y_test`` as :func:`load_mnist_dataset`.
    """
    folder = fetch(FASHION_MNIST, path)
    logger.info("Load or Download Fashion-MNIST > %s", folder)
    return _load_idx_folder(folder, shape)


load_fashion_mnist_dataset.spec = FASHION_MNIST  # type: ignore[attr-defined]
