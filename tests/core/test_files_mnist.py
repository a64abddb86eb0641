"""Tests for tlcore/files/_mnist.py: the shipped MNIST files and the Fashion-MNIST download."""
from __future__ import annotations

import gzip
import hashlib
import os
import struct

import numpy as np
import pytest

import tlcore as tl
from tlcore.files import _mnist
from tlcore.files._datasets import DatasetSpec, RemoteFile
from tests.core.test_files_download import FileServer

_FILES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
          "t10k-labels-idx1-ubyte.gz"]


@pytest.fixture(scope="module")
def mnist():
    return tl.files.load_mnist_dataset(shape=(-1, 784))


def test_loader_resolves_through_the_registry():
    from tlcore.plugins import get_registry

    assert tl.files.load_mnist_dataset is _mnist.load_mnist_dataset
    assert tl.files.load_fashion_mnist_dataset is _mnist.load_fashion_mnist_dataset
    assert {"mnist", "fashion_mnist"} <= set(get_registry().names("datasets"))
    assert tl.files.get_dataset_spec("mnist").name == "mnist"


def test_shapes_dtypes_split(mnist):
    X_train, y_train, X_val, y_val, X_test, y_test = mnist
    assert [a.shape for a in mnist] == [(50000, 784), (50000,), (10000, 784), (10000,),
                                        (10000, 784), (10000,)]
    assert {a.dtype for a in (X_train, X_val, X_test)} == {np.dtype(np.float32)}
    assert {a.dtype for a in (y_train, y_val, y_test)} == {np.dtype(np.int32)}


def test_value_range_and_scaling(mnist):
    X_train, _, X_val, _, X_test, _ = mnist
    for X in (X_train, X_val, X_test):
        assert X.min() == 0.0 and X.max() == np.float32(255 / 256)
        # uint8 / 256 exactly: every value times 256 is an integer
        np.testing.assert_array_equal(X[:100] * 256, np.round(X[:100] * 256))


def test_label_histograms(mnist):
    _, y_train, _, y_val, _, y_test = mnist
    np.testing.assert_array_equal(np.bincount(y_test), [980, 1135, 1032, 1010, 982, 892, 958, 1028,
                                                        974, 1009])
    # the 60000 training labels, split 50000/10000 with validation at the end
    np.testing.assert_array_equal(np.bincount(np.concatenate([y_train, y_val])),
                                  [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])


def test_shipped_files_match_their_sha256sums():
    sums = {}
    for line in open(os.path.join(_mnist.SHIPPED_MNIST_DIR, "SHA256SUMS")):
        digest, name = line.split()
        sums[name] = digest
    assert sorted(sums) == sorted(_FILES)
    for name, digest in sums.items():
        with open(os.path.join(_mnist.SHIPPED_MNIST_DIR, name), "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == digest


def test_path_with_real_files_is_used_and_verified(shared_data, tmp_path):
    # reads <path>/mnist
    X_a, *_ = tl.files.load_mnist_dataset(shape=(-1, 28, 28, 1), path=str(shared_data))
    assert X_a.shape == (50000, 28, 28, 1)
    for name in _FILES:  # a copy with one corrupted file is refused, naming it
        os.symlink(shared_data / "mnist" / name, tmp_path / name)
    os.remove(tmp_path / _FILES[3])
    with gzip.open(shared_data / "mnist" / _FILES[3]) as f:
        raw = bytearray(f.read())
    raw[-1] = (raw[-1] + 1) % 10
    with gzip.open(tmp_path / _FILES[3], "wb") as f:
        f.write(bytes(raw))
    with pytest.raises(tl.files.ChecksumError,
                       match=r"t10k-labels-idx1-ubyte\.gz: expected sha256"):
        tl.files.load_mnist_dataset(path=str(tmp_path))


# ----------------------------------------------------------------------- fashion download
def _idx(arr: np.ndarray) -> bytes:
    magic = 2051 if arr.ndim == 3 else 2049
    raw = struct.pack(f">i{arr.ndim}i", magic, *arr.shape) + arr.astype(np.uint8).tobytes()
    return gzip.compress(raw, mtime=0)


def test_fashion_mnist_downloads_verifies_and_splits(tmp_path, monkeypatch):
    monkeypatch.setenv("TLCORE_PROGRESS", "0")
    rng = np.random.default_rng(0)
    arrays = [rng.integers(0, 256, (10003, 28, 28)), rng.integers(0, 10, 10003),
              rng.integers(0, 256, (7, 28, 28)), rng.integers(0, 10, 7)]
    srv = FileServer()
    try:
        files = []
        for name, arr in zip(_FILES, arrays):
            data = _idx(arr)
            srv.files[f"/fm/{name}"] = data
            files.append(RemoteFile(name, urls=[f"{srv.url}/fm/{name}"],
                                    sha256=hashlib.sha256(data).hexdigest(), size=len(data)))
        spec = DatasetSpec("fashion_mnist", files)
        monkeypatch.setattr(_mnist, "FASHION_MNIST", spec)
        X_train, y_train, X_val, y_val, X_test, y_test = tl.files.load_fashion_mnist_dataset(
            shape=(-1, 28, 28, 1), path=str(tmp_path))
        assert X_train.shape == (3, 28, 28, 1) and X_val.shape == (10000, 28, 28, 1)
        np.testing.assert_array_equal(X_test[..., 0] * 256, arrays[2])
        np.testing.assert_array_equal(np.concatenate([y_train, y_val]), arrays[1])
        assert y_test.dtype == np.int32 and X_test.dtype == np.float32
        assert sorted(os.listdir(tmp_path / "fashion_mnist")) == sorted(_FILES)
        n = len(srv.requests)
        tl.files.load_fashion_mnist_dataset(path=str(tmp_path))
        assert len(srv.requests) == n == 4  # second call: files present and valid
    finally:
        srv.close()


def test_fashion_mnist_spec_has_published_checksums():
    spec = tl.files.get_dataset_spec("fashion_mnist")
    assert [f.size for f in spec.files] == [26421880, 29515, 4422102, 5148]
    assert all(len(f.sha256) == 64 and len(f.urls) >= 2 for f in spec.files)


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_path_that_is_not_a_folder_is_an_error_not_the_shipped_copy(tmp_path, kind):
    path = tmp_path / "mnist-typo"
    if kind == "file":
        path.write_text("x")
    with pytest.raises(FileNotFoundError, match=r"mnist-typo' (does not exist|is not a direc)"):
        tl.files.load_mnist_dataset(path=str(path))
