"""Tests for tlcore_vision/prepro/_tf.py: tf.image wrappers inside tf.data; numpy oracles."""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from tlcore_vision import prepro


def images(n=4, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, (n, 32, 32, 3)).astype(np.float32)


def test_cifar10_augment_test_branch_is_central_crop_and_standardization():
    x = images(1)[0]
    out = prepro.cifar10_augment(x, is_train=False).numpy()
    crop = x[4:28, 4:28]
    ref = (crop - crop.mean()) / max(crop.std(), 1 / np.sqrt(crop.size))
    np.testing.assert_allclose(out, ref, atol=1e-4)
    np.testing.assert_array_equal(prepro.central_crop(x, 24).numpy(), crop)
    np.testing.assert_array_equal(prepro.central_crop(x, 0.5).numpy(), x[8:24, 8:24])


def test_cifar10_augment_in_tf_data_is_standardized_and_stateless_seeds_reproduce():
    X = images()
    ds = tf.data.Dataset.from_tensor_slices(X).enumerate().map(
        lambda i, x: prepro.cifar10_augment(x, True, seed=tf.stack([i, tf.constant(7, tf.int64)])))
    a = np.stack(list(ds.as_numpy_iterator()))
    b = np.stack(list(ds.as_numpy_iterator()))
    assert a.shape == (4, 24, 24, 3) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a.reshape(4, -1).mean(1), 0, atol=1e-4)
    np.testing.assert_allclose(a.reshape(4, -1).std(1), 1, atol=1e-3)
    other = np.stack([prepro.cifar10_augment(x, True, seed=(9, 9)).numpy() for x in X])
    assert not np.allclose(a, other)


def test_stateful_op_seeds_reproduce_after_set_seed():
    x = images(1)[0]

    def run():
        tf.random.set_seed(3)
        return [prepro.random_crop(x, [8, 8, 3], seed=1).numpy() for _ in range(3)]

    first, second = run(), run()
    for u, v in zip(first, second):
        np.testing.assert_array_equal(u, v)


def test_wrappers_match_their_definitions():
    x = images(1)[0]
    seed = (1, 2)
    crop = prepro.random_crop(x, [24, 24, 3], seed=seed).numpy()
    hits = [(i, j) for i in range(9) for j in range(9)
            if np.array_equal(x[i:i + 24, j:j + 24], crop)]
    assert len(hits) == 1  # a window of the image
    flips = {prepro.random_flip_left_right(x, seed=(s, 0)).numpy().tobytes() for s in range(8)}
    assert flips == {x.tobytes(), x[:, ::-1].tobytes()}
    flips = {prepro.random_flip_up_down(x, seed=(s, 0)).numpy().tobytes() for s in range(8)}
    assert flips == {x.tobytes(), x[::-1].tobytes()}
    delta = prepro.random_brightness(x, 63, seed=seed).numpy() - x
    assert np.ptp(delta) < 1e-3 and abs(delta.mean()) <= 63
    c = prepro.random_contrast(x, 0.2, 1.8, seed=seed).numpy()
    mean = x.mean(axis=(0, 1))
    factor = (c - mean) / (x - mean)
    assert 0.2 <= np.median(factor) <= 1.8 and np.ptp(np.median(factor, axis=(0, 1))) < 1e-3
