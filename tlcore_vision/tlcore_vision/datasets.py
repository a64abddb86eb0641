"""CIFAR-10 and cropped SVHN loaders (``tl.files.load_cifar10_dataset``,
``tl.files.load_cropped_svhn_dataset``), with TensorLayer 1.x shapes, order and values.

CIFAR-10's official "python version" is a set of pickled batches: the format the dataset is
published in, read here because the caller asked for this dataset. They are unpickled with a
restricted Unpickler that only rebuilds numpy arrays, lists, dicts, strings and numbers, so a
tampered file cannot run code; the archive is also checked against its sha256 on download.
"""
from __future__ import annotations

import logging
import os
import pickle
from typing import Any, Sequence

import numpy as np

from tlcore.files import DatasetSpec, RemoteFile, fetch, get_data_dir

logger = logging.getLogger("tlcore")

#: The python-version archive (170,498,071 bytes; md5 c58f30108f718f92721af3b95e74349a).
#: Its sha256 is the one published by several independent dataset libraries; the value
#: c4a38c50... sometimes quoted for CIFAR-10 is that of cifar-10-binary.tar.gz.
CIFAR10 = DatasetSpec(
    name="cifar10",
    files=[RemoteFile(
        "cifar-10-python.tar.gz",
        urls=["https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"],
        sha256="6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
        size=170498071, extract=True)],
    homepage="https://www.cs.toronto.edu/~kriz/cifar.html",
    license="no explicit license (Krizhevsky 2009); used freely for research",
    description="60000 32x32 colour images in 10 classes (50000 train, 10000 test)")

CIFAR10_BATCHES = "cifar-10-batches-py"
_TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
_TEST_BATCH = "test_batch"

_SVHN_URL = "http://ufldl.stanford.edu/housenumbers/"
_SVHN_FILES = ("train_32x32.mat", "test_32x32.mat", "extra_32x32.mat")
#: The cropped-digits files (no published sha256: sizes are not checked either).
CROPPED_SVHN = DatasetSpec(
    name="cropped_svhn",
    files=[RemoteFile(f, urls=[_SVHN_URL + f]) for f in _SVHN_FILES],
    homepage="http://ufldl.stanford.edu/housenumbers/",
    license="non-commercial use only",
    description="Street View House Numbers, 32x32 digit crops (73257 train, 26032 test, "
                "531131 extra)")


class _BatchUnpickler(pickle.Unpickler):
    """Rebuilds only what a CIFAR batch holds: numpy arrays (and their dtypes) plus builtins
    (dict, list, str, bytes, int) that need no global. Anything else is refused."""

    _ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("_codecs", "encode"),  # how protocol-2 pickles written by Python 3 store bytes
    }

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"CIFAR-10 batch: refusing to load global "
                                     f"{module}.{name} (only numpy arrays are expected)")


def _read_batch(path: str) -> tuple[np.ndarray, np.ndarray]:
    with open(path, "rb") as f:
        d = _BatchUnpickler(f, encoding="latin1").load()
    if not isinstance(d, dict):
        raise ValueError(f"{path}: expected a CIFAR-10 batch (a dict), found {type(d).__name__}")
    d = {k.decode("latin1") if isinstance(k, bytes) else k: v for k, v in d.items()}
    data, labels = np.asarray(d.get("data")), np.asarray(d.get("labels"), dtype=np.int32)
    if data.ndim != 2 or data.shape[1] != 3072 or data.shape[0] != labels.shape[0]:
        raise ValueError(f"{path}: expected 'data' (N, 3072) and N 'labels', found data "
                         f"{data.shape} and {labels.shape[0]} labels")
    return data, labels


def _find_batches(base: str) -> str | None:
    for folder in (os.path.join(base, "cifar10", CIFAR10_BATCHES),
                   os.path.join(base, CIFAR10_BATCHES)):
        if all(os.path.isfile(os.path.join(folder, b)) for b in _TRAIN_BATCHES + (_TEST_BATCH,)):
            return folder
    return None


def _to_shape(data: np.ndarray, shape: Sequence[int]) -> np.ndarray:
    shape = tuple(shape)
    if shape == (-1, 32, 32, 3):
        # rows of R(32x32), G, B planes -> (N, 32, 32, 3); the same as TensorLayer's
        # reshape(order='F') followed by transpose(0, 2, 1, 3)
        return data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return data.reshape(shape)


def load_cifar10_dataset(shape: Sequence[int] = (-1, 32, 32, 3), path: str | None = None,
                         plotable: bool = False) -> tuple[np.ndarray, ...]:
    """CIFAR-10 as TensorLayer 1.x returned it.

    Looks for ``cifar-10-batches-py`` in ``<path>/cifar10/`` (or directly in ``path``);
    otherwise downloads and verifies the archive into ``<data dir>/cifar10/`` and extracts it.

    Args:
        shape: ``(-1, 32, 32, 3)`` (channels last), ``(-1, 3, 32, 32)`` (the file's layout) or
            any reshape of the 3072 values, e.g. ``(-1, 3072)``.
        path: the data directory (default ``$TLCORE_DATA_DIR`` or the user cache).
        plotable: accepted for TensorLayer code; plotting is left to the caller.

    Returns:
        ``X_train (50000, 32, 32, 3) float32`` with values 0-255 (not scaled),
        ``y_train (50000,) int32`` (data_batch_1 to 5 in order), ``X_test (10000, ...)``,
        ``y_test``. There is no validation split.

    >>> X_train, y_train, X_test, y_test = tl.files.load_cifar10_dataset(shape=(-1, 32, 32, 3))
    """
    base = get_data_dir(path)
    folder = _find_batches(base)
    if folder is None:
        folder = os.path.join(fetch(CIFAR10, base), CIFAR10_BATCHES)
    logger.info("Load or Download cifar10 > %s", folder)
    train = [_read_batch(os.path.join(folder, b)) for b in _TRAIN_BATCHES]
    X_test, y_test = _read_batch(os.path.join(folder, _TEST_BATCH))
    X_train = np.concatenate([d for d, _ in train])
    y_train = np.concatenate([y for _, y in train])
    if plotable:
        logger.info("load_cifar10_dataset: plotable=True is ignored; show X_train[i] with "
                    "matplotlib")
    return (np.asarray(_to_shape(X_train, shape), dtype=np.float32), y_train,
            np.asarray(_to_shape(X_test, shape), dtype=np.float32), y_test)


load_cifar10_dataset.spec = CIFAR10  # type: ignore[attr-defined]


def _read_svhn(path: str) -> tuple[np.ndarray, np.ndarray]:
    from scipy.io import loadmat

    mat = loadmat(path)
    X, y = mat.get("X"), mat.get("y")
    if X is None or y is None or X.ndim != 4 or X.shape[:3] != (32, 32, 3):
        raise ValueError(f"{path}: expected 'X' (32, 32, 3, N) and 'y' (N, 1)")
    X = np.transpose(X, (3, 0, 1, 2)).astype(np.float32) / np.float32(255.0)
    y = np.asarray(y, dtype=np.int32).reshape(-1)
    y[y == 10] = 0  # SVHN labels the digit 0 as 10
    return X, y


def load_cropped_svhn(path: str | None = None, include_extra: bool = True
                      ) -> tuple[np.ndarray, ...]:
    """The cropped-digit SVHN (format 2) as TensorLayer 1.x returned it.

    Downloads ``train_32x32.mat``, ``test_32x32.mat`` and, with ``include_extra``,
    ``extra_32x32.mat`` into ``<data dir>/cropped_svhn/`` (no published checksums exist).

    Returns:
        ``X_train (N, 32, 32, 3) float32`` in [0, 1] (extra images appended when
        ``include_extra``), ``y_train (N,) int32`` with the digit 0 as label 0,
        ``X_test``, ``y_test``. (TensorLayer returned float64 and cached npz copies.)
    """
    files: tuple[str, ...] = _SVHN_FILES if include_extra else _SVHN_FILES[:2]
    spec = DatasetSpec(name=CROPPED_SVHN.name,
                       files=[f for f in CROPPED_SVHN.files if f.filename in files])
    folder = fetch(spec, path)
    logger.info("Load or Download Cropped SVHN > %s | include extra images: %s", folder,
                include_extra)
    X_train, y_train = _read_svhn(os.path.join(folder, files[0]))
    X_test, y_test = _read_svhn(os.path.join(folder, files[1]))
    if include_extra:
        X_extra, y_extra = _read_svhn(os.path.join(folder, files[2]))
        X_train = np.concatenate([X_train, X_extra])
        y_train = np.concatenate([y_train, y_extra])
    return X_train, y_train, X_test, y_test


load_cropped_svhn.spec = CROPPED_SVHN  # type: ignore[attr-defined]
