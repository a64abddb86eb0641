"""Tests for tlcore_vision/datasets.py on the real CIFAR-10 images of shared/data (rebuilt into
the official python-batch layout) and a tiny synthetic SVHN .mat file."""
from __future__ import annotations

import pickle

import numpy as np
import pytest

from tests.vision._cifar import real_cifar_images, write_batches
from tlcore_vision import datasets


@pytest.fixture(scope="module")
def cifar_dir(shared_data, tmp_path_factory):
    base = tmp_path_factory.mktemp("cifar")
    write_batches(shared_data, base)
    return base


@pytest.fixture(scope="module")
def real(shared_data):
    return real_cifar_images(shared_data)


def test_cifar10_shapes_dtypes_values_and_order(cifar_dir, real):
    X_train, y_train, X_test, y_test = datasets.load_cifar10_dataset(path=str(cifar_dir))
    assert X_train.shape == (200, 32, 32, 3) and X_test.shape == (20, 32, 32, 3)
    assert X_train.dtype == np.float32 and y_train.dtype == np.int32
    assert 0 <= X_train.min() and X_train.max() <= 255 and X_train.max() > 1  # not rescaled
    np.testing.assert_array_equal(X_train, real[0])  # batches 1..5 concatenated in order
    np.testing.assert_array_equal(y_train, real[1])
    np.testing.assert_array_equal(X_test, real[2])
    # facts from shared/data/SOURCES.md
    assert y_train[:10].tolist() == [6, 9, 9, 4, 1, 1, 2, 7, 8, 3]
    assert X_train[0, 0, :3].tolist() == [[59, 62, 63], [43, 46, 45], [50, 48, 43]]
    assert y_test.tolist() == [3, 8, 8, 0, 6, 6, 1, 6, 3, 1, 0, 9, 5, 7, 9, 8, 5, 7, 8, 6]
    assert X_test[0, 0, :3].tolist() == [[158, 112, 49], [159, 111, 47], [165, 116, 51]]


def test_cifar10_other_shapes_follow_tensorlayer(cifar_dir):
    X, *_ = datasets.load_cifar10_dataset(path=str(cifar_dir))
    Xc, *_ = datasets.load_cifar10_dataset(shape=(-1, 3, 32, 32), path=str(cifar_dir))
    np.testing.assert_array_equal(Xc, X.transpose(0, 3, 1, 2))
    Xf, *_ = datasets.load_cifar10_dataset(shape=(-1, 3072), path=str(cifar_dir))
    assert Xf.shape == (200, 3072)
    # TensorLayer's own recipe for channels-last: reshape(order='F') then transpose(0, 2, 1, 3)
    tl_way = Xf.reshape((-1, 32, 32, 3), order="F").transpose(0, 2, 1, 3)
    np.testing.assert_array_equal(X, tl_way)


def test_cifar10_batches_directly_under_path(cifar_dir):
    X, *_ = datasets.load_cifar10_dataset(path=str(cifar_dir / "cifar10"))
    assert X.shape == (200, 32, 32, 3)


def test_restricted_unpickler_refuses_other_globals(tmp_path):
    folder = tmp_path / "cifar10" / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    evil = pickle.dumps({"data": np.zeros((1, 3072), np.uint8), "labels": [0],
                         "x": pickle.Unpickler}, 2)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        (folder / name).write_bytes(evil)
    with pytest.raises(pickle.UnpicklingError, match="refusing to load global"):
        datasets.load_cifar10_dataset(path=str(tmp_path))


def test_cifar10_spec_is_registered_with_the_archive_checksum():
    import tlcore as tl

    assert tl.files.load_cifar10_dataset is datasets.load_cifar10_dataset
    spec = tl.files.get_dataset_spec("cifar10")
    (rf,) = spec.files
    assert rf.filename == "cifar-10-python.tar.gz" and rf.size == 170498071 and rf.extract
    assert rf.sha256.startswith("6d958be0")


def test_cropped_svhn_from_a_synthetic_mat(tmp_path):
    from scipy.io import savemat

    rng = np.random.default_rng(0)
    folder = tmp_path / "cropped_svhn"
    folder.mkdir()
    made = {}
    for name, n in (("train", 5), ("test", 3), ("extra", 2)):
        X = rng.integers(0, 256, (32, 32, 3, n), dtype=np.uint8)
        y = rng.integers(1, 10, (n, 1)).astype(np.uint8)
        y[0] = 10
        savemat(folder / f"{name}_32x32.mat", {"X": X, "y": y})
        made[name] = (X, y)
    X_train, y_train, X_test, y_test = datasets.load_cropped_svhn(path=str(tmp_path))
    assert X_train.shape == (7, 32, 32, 3) and X_test.shape == (3, 32, 32, 3)
    assert X_train.dtype == np.float32 and y_train.dtype == np.int32
    np.testing.assert_allclose(X_test[1], made["test"][0][..., 1] / 255.0, rtol=1e-6)
    assert y_train[0] == 0 and y_train[5] == 0 and 10 not in y_train
    assert y_train[:5].tolist()[1:] == made["train"][1][1:, 0].tolist()
    X_small, y_small, _, _ = datasets.load_cropped_svhn(path=str(tmp_path), include_extra=False)
    assert X_small.shape[0] == 5 and len(y_small) == 5


def test_tensorlayer_name_load_cropped_svhn_resolves_to_the_registered_loader():
    import tlcore as tl

    assert tl.files.load_cropped_svhn is tl.files.load_cropped_svhn_dataset
