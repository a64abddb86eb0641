"""Tests for tlcore/layers/dropconnect.py: numpy is the oracle at inference."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import check_layer, random_inputs
from tlcore.layers.core import InputLayer
from tlcore.layers.dropconnect import DropconnectDenseLayer


@given(n_in=st.integers(1, 5), n_units=st.integers(1, 5), keep=st.floats(0.2, 1.0),
       batch=st.integers(1, 4))
def test_properties(n_in, n_units, keep, batch):
    net = DropconnectDenseLayer(InputLayer([None, n_in]), keep=keep, n_units=n_units, act="tanh")
    check_layer(net, n_params=n_in * n_units + n_units, batch_sizes=(batch,))


def test_inference_is_dense_and_keep_in_all_drop():
    net = DropconnectDenseLayer(InputLayer([None, 4]), keep=0.8, n_units=3, name="dc")
    assert list(net.all_drop) == ["dc"] and net.all_drop["dc"].numpy() == pytest.approx(0.8)
    assert [net.param_name(v) for v in net.all_params] == ["dc/W", "dc/b"]
    net.b.assign([0.1, 0.2, 0.3])
    x = random_inputs(net, 5)
    np.testing.assert_allclose(net(x), x @ net.W.numpy() + net.b.numpy(), rtol=1e-5, atol=1e-6)


def test_training_drops_weights():
    net = DropconnectDenseLayer(InputLayer([None, 1]), keep=0.5, n_units=2000, b_init=None,
                                W_init=1.0, name="dc")
    y = net(np.ones((1, 1), np.float32), is_train=True).numpy()
    assert set(np.unique(y)) <= {0.0, 2.0} and 0.4 < (y == 0).mean() < 0.6
    net.all_drop["dc"].assign(1.0)
    np.testing.assert_array_equal(net(np.ones((1, 1), np.float32), is_train=True), 1.0)


def test_distinct_layers_get_distinct_initial_weights():
    x = InputLayer([None, 4])
    a = DropconnectDenseLayer(x, n_units=3)
    b = DropconnectDenseLayer(x, n_units=3)  # same shape, default initializer
    assert a.W.shape == b.W.shape and not np.array_equal(a.W.numpy(), b.W.numpy())


@pytest.mark.parametrize("kwargs, match", [
    ({"keep": 0}, r"keep must be a number in \(0, 1\], received 0"),
    ({"keep": 1.2}, r"keep.*received 1.2"),
    ({"n_units": 0}, r"n_units must be a positive int, received 0"),
], ids=["keep_zero", "keep_above_one", "n_units_zero"])
def test_bad_arguments_name_the_layer(kwargs, match):
    with pytest.raises(ValueError, match=r"DropconnectDenseLayer 'dc'.*" + match):
        DropconnectDenseLayer(InputLayer([None, 3]), name="dc", **kwargs)


def test_bad_input_rank():
    with pytest.raises(ValueError, match=r"DropconnectDenseLayer 'dc'.*rank-2.*\(None, 3, 3\)"):
        DropconnectDenseLayer(InputLayer([None, 3, 3]), name="dc")
