"""Tests for tlcore/layers/noise.py."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import check_layer, random_inputs
from tlcore.layers.core import InputLayer
from tlcore.layers.dense import DenseLayer
from tlcore.layers.noise import GaussianNoiseLayer


@given(n=st.integers(1, 5), stddev=st.floats(0, 2), batch=st.integers(1, 4))
def test_properties(n, stddev, batch):
    net = GaussianNoiseLayer(DenseLayer(InputLayer([None, 3]), n_units=n), stddev=stddev)
    check_layer(net, batch_sizes=(batch,))


def test_identity_unless_training():
    net = GaussianNoiseLayer(InputLayer([None, 50]), stddev=1.0)
    x = random_inputs(net, 4)
    np.testing.assert_array_equal(net(x, is_train=False), x)
    fixed = GaussianNoiseLayer(InputLayer([None, 50]), stddev=1.0, is_train=False)
    np.testing.assert_array_equal(fixed(x, is_train=True), x)


def test_noise_statistics_when_training():
    net = GaussianNoiseLayer(InputLayer([None, 100]), mean=0.5, stddev=2.0, seed=3)
    x = np.zeros((100, 100), np.float32)
    noise = net(x, is_train=True).numpy()
    # 10,000 draws: standard errors 0.02 (mean) and ~0.015 (std)
    assert abs(noise.mean() - 0.5) < 0.1 and abs(noise.std() - 2.0) < 0.1
    assert not np.array_equal(noise, net(x, is_train=True).numpy())


@pytest.mark.parametrize("kwargs, match", [
    ({"stddev": -1.0}, r"stddev must be >= 0, received -1.0"),
    ({"stddev": "1"}, r"stddev must be a number, received '1'"),
    ({"mean": None}, r"mean must be a number, received None"),
], ids=["negative_stddev", "str_stddev", "none_mean"])
def test_bad_arguments_name_the_layer(kwargs, match):
    with pytest.raises(ValueError, match=r"GaussianNoiseLayer 'g'.*" + match):
        GaussianNoiseLayer(InputLayer([None, 3]), name="g", **kwargs)


def test_integer_input_rejected():
    with pytest.raises(ValueError, match=r"GaussianNoiseLayer 'g'.*floating.*int32"):
        GaussianNoiseLayer(InputLayer([None, 3], tf.int32), name="g")
