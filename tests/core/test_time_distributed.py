"""Tests for tlcore/layers/time_distributed.py: the inner layer applied step by step is the
oracle."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import check_layer, random_inputs
from tlcore.layers.core import InputLayer, Layer
from tlcore.layers.dense import DenseLayer
from tlcore.layers.dropout import DropoutLayer
from tlcore.layers.time_distributed import TimeDistributedLayer


@given(t=st.integers(1, 4), n_in=st.integers(1, 4), n_units=st.integers(1, 4),
       batch=st.integers(1, 3), unknown_t=st.booleans())
def test_dense_properties(t, n_in, n_units, batch, unknown_t):
    seq = InputLayer([None, None if unknown_t else t, n_in])
    net = TimeDistributedLayer(seq, layer_class=DenseLayer,
                               layer_args={"n_units": n_units, "act": "tanh"})
    x = random_inputs(net, batch, fill=t)
    check_layer(net, x=x, n_params=n_in * n_units + n_units)
    assert net.output_shape == (None, None if unknown_t else t, n_units)


def test_matches_inner_layer_per_step_and_shares_weights():
    net = TimeDistributedLayer(InputLayer([None, 5, 3]), layer_class="DenseLayer",
                               layer_args={"n_units": 2, "act": tf.nn.relu}, name="td")
    assert [net.param_name(v) for v in net.all_params] == ["td/W", "td/b"]
    net.all_params[1].assign([0.5, -0.5])
    x = random_inputs(net, 4)
    W, b = (v.numpy() for v in net.all_params)
    ref = np.stack([np.maximum(x[:, i] @ W + b, 0) for i in range(5)], axis=1)
    np.testing.assert_allclose(net(x), ref, rtol=1e-5, atol=1e-6)
    assert net.get_config() == {"name": "td", "layer_class": "DenseLayer", "layer_args": {
        "act": "relu", "n_units": 2, "W_init": keras.initializers.serialize(net.inner.W_init),
        "b_init": keras.initializers.serialize(net.inner.b_init)}}


def test_rank4_steps_and_dropout_keep_in_all_drop():
    from tlcore.layers.shape import FlattenLayer

    flat = TimeDistributedLayer(InputLayer([None, 3, 2, 4]), layer_class=FlattenLayer)
    assert flat.output_shape == (None, 3, 8)
    x = random_inputs(flat, 2)
    np.testing.assert_array_equal(flat(x), x.reshape(2, 3, 8))
    drop = TimeDistributedLayer(InputLayer([None, 3, 4]), layer_class=DropoutLayer,
                                layer_args={"keep": 0.7}, name="tdrop")
    assert list(drop.all_drop) == ["tdrop"]
    assert drop.all_drop["tdrop"].numpy() == pytest.approx(0.7)


class _Sel(Layer):
    call_args = ("sel",)

    def __init__(self, prev, *, name=None):
        super().__init__(prev, name=name)

    def forward(self, inputs, *, is_train, sel=0):
        return inputs


@pytest.mark.parametrize("kwargs, shape, match", [
    ({"layer_class": DenseLayer}, [None, 4], r"rank >= 3.*\(None, 4\)"),
    ({"layer_class": "NoSuchLayer"}, [None, 3, 4], r"unknown layer_class 'NoSuchLayer'"),
    ({"layer_class": int}, [None, 3, 4], r"single-input tlcore Layer class"),
    ({"layer_class": DenseLayer, "layer_args": {"n_units": 2, "prev_layer": None}}, [None, 3, 4],
     r"must not contain the parent \(prev_layer\)"),
    ({"layer_class": DenseLayer, "layer_args": {"n_unitz": 2}}, [None, 3, 4],
     r"cannot build DenseLayer with layer_args"),
    ({"layer_class": DenseLayer, "layer_args": {"n_units": 0}}, [None, 3, 4],
     r"n_units must be a positive int"),
    ({"layer_class": _Sel}, [None, 3, 4], r"call arguments \('sel',\)"),
], ids=["rank2", "unknown_name", "not_a_layer", "parent_in_args", "bad_kwarg", "bad_value",
        "call_args"])
def test_bad_arguments_name_the_layer(kwargs, shape, match):
    with pytest.raises(ValueError, match=r"'td'.*" + match):
        TimeDistributedLayer(InputLayer(shape), name="td", **kwargs)


def test_inner_name_in_layer_args_names_the_variables_as_tensorlayer():
    # TensorLayer 1.11: TimeDistributedLayer(net, DenseLayer, args={'n_units': 5, 'name': 'dense'},
    # name='td') made variables td/dense/W and td/dense/b
    with pytest.warns(DeprecationWarning, match="args="):
        net = TimeDistributedLayer(InputLayer([None, 3, 4]), DenseLayer,
                                   args={"n_units": 5, "name": "dense"}, name="td")
    assert [net.param_name(v) for v in net.all_params] == ["td/dense/W", "td/dense/b"]
    assert net.get_config()["layer_args"]["name"] == "dense"
    assert net.output_shape == (None, 3, 5)
