"""Tests for tlcore/layers/dropout.py: keep probabilities live in all_drop as variables."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import check_layer
from tlcore.layers.core import InputLayer
from tlcore.layers.dense import DenseLayer
from tlcore.layers.dropout import DropoutLayer


@given(keep=st.floats(0.1, 1.0), n=st.integers(1, 6), batch=st.integers(1, 4))
def test_properties(keep, n, batch):
    net = DropoutLayer(DenseLayer(InputLayer([None, n]), n_units=3), keep=keep, name="drop")
    check_layer(net, batch_sizes=(batch,))


def test_keep_listed_in_all_drop():
    net = DropoutLayer(InputLayer([None, 4]), keep=0.8, name="drop1")
    assert list(net.all_drop) == ["drop1"]
    assert net.all_drop["drop1"].numpy() == pytest.approx(0.8)
    assert not net.all_drop["drop1"].trainable
    assert net.all_params == []


def test_is_fix_not_listed():
    net = DropoutLayer(InputLayer([None, 4]), keep=0.8, is_fix=True, name="drop1")
    assert dict(net.all_drop) == {}
    x = np.ones((200, 50), np.float32)
    net2 = DropoutLayer(InputLayer([None, 50]), keep=0.5, is_fix=True)
    y = net2(x, is_train=True).numpy()
    assert set(np.unique(y)) <= {0.0, 2.0} and 0 < (y == 0).mean() < 1


def test_identity_when_not_training():
    x = np.random.default_rng(0).standard_normal((4, 10)).astype(np.float32)
    net = DropoutLayer(InputLayer([None, 10]), keep=0.3)
    np.testing.assert_array_equal(net(x, is_train=False), x)


def test_is_train_false_at_construction_is_identity():
    x = np.ones((20, 30), np.float32)
    net = DropoutLayer(InputLayer([None, 30]), keep=0.3, is_train=False)
    np.testing.assert_array_equal(net(x, is_train=True), x)


def test_training_drops_and_scales():
    x = np.ones((100, 100), np.float32)
    net = DropoutLayer(InputLayer([None, 100]), keep=0.5, seed=1)
    y = net(x, is_train=True).numpy()
    assert set(np.unique(y)) <= {0.0, 2.0}
    assert 0.4 < (y == 0).mean() < 0.6  # 10,000 Bernoulli(0.5) draws


def test_keep_one_is_identity_in_training():
    x = np.random.default_rng(0).standard_normal((4, 10)).astype(np.float32)
    net = DropoutLayer(InputLayer([None, 10]), keep=1.0)
    np.testing.assert_array_equal(net(x, is_train=True), x)


def test_assign_keep_changes_behaviour_without_retrace():
    net = DropoutLayer(InputLayer([None, 100]), keep=0.5, name="drop")
    traces = []

    @tf.function
    def run(x):
        traces.append(1)
        return net(x, is_train=True)

    x = tf.ones((50, 100))
    assert 0.3 < (run(x).numpy() == 0).mean() < 0.7
    net.all_drop["drop"].assign(1.0)  # what tl.utils.dict_to_one does
    np.testing.assert_array_equal(run(x), x)
    net.all_drop["drop"].assign(0.1)
    assert (run(x).numpy() == 0).mean() > 0.8
    assert len(traces) == 1


@pytest.mark.parametrize("keep", [0, -0.1, 1.5, "0.5", None, True],
                         ids=["zero", "negative", "above_one", "str", "none", "bool"])
def test_bad_keep_names_layer_and_value(keep):
    with pytest.raises(ValueError, match=r"DropoutLayer 'drop'.*keep.*received"):
        DropoutLayer(InputLayer([None, 4]), keep=keep, name="drop")
