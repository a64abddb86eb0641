"""TensorLayer 1.11's ways of building layers, in tlcore/layers/core.py and the core layers:
positional arguments in 1.11's order, ``prev_layer=``/``layer=``/``layers=``, names with '/',
the read-only ``outputs``, ``UnStackLayer.outputs`` and ``from tlcore.layers import *``."""
from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest
import tensorflow as tf

import tlcore as tl
from tlcore.files import load_and_assign_npz_dict, save_npz_dict
from tlcore.layers.core import InputLayer, Layer

# layer -> its first parameters in TensorLayer 1.11's order (read from 1.11.1's signatures)
TL_ORDER = {
    "DenseLayer": ["prev_layer", "n_units", "act", "W_init", "b_init"],
    "DropoutLayer": ["prev_layer", "keep", "is_fix", "is_train", "seed", "name"],
    "DropconnectDenseLayer": ["prev_layer", "keep", "n_units", "act", "W_init", "b_init"],
    "ConcatLayer": ["prev_layer", "concat_dim", "name"],
    "ElementwiseLayer": ["prev_layer", "combine_fn", "act", "name"],
    "ElementwiseLambdaLayer": ["layers", "fn", "fn_args", "act", "name"],
    "StackLayer": ["layers", "axis", "name"],
    "UnStackLayer": ["prev_layer", "num", "axis", "name"],
    "MultiplexerLayer": ["layers", "name"],
    "FlattenLayer": ["prev_layer", "name"],
    "ReshapeLayer": ["prev_layer", "shape", "name"],
    "TransposeLayer": ["prev_layer", "perm", "name"],
    "ExpandDimsLayer": ["prev_layer", "axis", "name"],
    "TileLayer": ["prev_layer", "multiples", "name"],
    "GaussianNoiseLayer": ["prev_layer", "mean", "stddev", "is_train", "seed", "name"],
    "BatchNormLayer": ["prev_layer", "decay", "epsilon", "act", "is_train", "beta_init",
                       "gamma_init", "moving_mean_init"],
    "LayerNormLayer": ["prev_layer", "center", "scale", "act"],
    "PReluLayer": ["prev_layer", "channel_shared", "a_init"],
    "PRelu6Layer": ["prev_layer", "channel_shared", "a_init"],
    "PTRelu6Layer": ["prev_layer", "channel_shared", "a_init"],
    "ScaleLayer": ["prev_layer", "init_scale", "name"],
    "SignLayer": ["prev_layer", "name"],
    "LambdaLayer": ["prev_layer", "fn", "fn_args", "name"],
    "KerasLayer": ["prev_layer", "keras_layer", "keras_args", "name"],
    "TimeDistributedLayer": ["prev_layer", "layer_class", "layer_args", "name"],
    "ReconLayer": ["prev_layer", "x_recon", "n_units", "act", "name"],
    "OneHotInputLayer": ["inputs", "depth", "on_value", "off_value", "axis", "dtype", "name"],
    "InputLayer": ["inputs"],
}


@pytest.mark.parametrize("name", sorted(TL_ORDER))
def test_positional_order_is_tensorlayers(name):
    params = inspect.signature(getattr(tl.layers, name).__init__).parameters
    positional = [p for p, v in params.items() if p != "self" and v.kind in (
        v.POSITIONAL_ONLY, v.POSITIONAL_OR_KEYWORD)]
    assert positional[:len(TL_ORDER[name])] == TL_ORDER[name]


def test_positional_calls_build_as_in_tensorlayer():
    net = InputLayer([None, 784])
    net = tl.layers.DenseLayer(net, 800, tf.nn.relu, name="relu1")
    assert net.output_shape == (None, 800) and net.act is tf.nn.relu
    a = tl.layers.DenseLayer(net, 10, name="a")
    b = tl.layers.DenseLayer(net, 10, name="b")
    add = tl.layers.ElementwiseLayer([a, b], tf.add, name="add")
    x = np.ones((2, 784), np.float32)
    np.testing.assert_allclose(add(x), a(x) + b(x), rtol=1e-6)
    assert tl.layers.ConcatLayer([a, b], 1, "cat").output_shape == (None, 20)


def test_layer_and_layers_keywords_are_accepted_with_a_deprecation_warning():
    net = InputLayer([None, 4], name="in")
    with pytest.warns(DeprecationWarning, match=r"DenseLayer\(layer=\.\.\.\).*prev_layer="):
        d = tl.layers.DenseLayer(layer=net, n_units=3, name="d")
    assert d.prev_layers == (net,)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tl.layers.DenseLayer(prev_layer=net, n_units=3, name="e").prev_layers == (net,)
        tl.layers.StackLayer(layers=[d, d], name="s")
    with pytest.warns(DeprecationWarning):
        assert tl.layers.ConcatLayer(layers=[d, d], name="c").output_shape == (None, 6)
    with pytest.raises(TypeError, match=r"DenseLayer 'f'.*prev_layer is given twice"):
        tl.layers.DenseLayer(prev_layer=net, layer=net, name="f")


def test_the_alias_reaches_every_subclass_with_prev_layer_first():
    class Twice(Layer):
        def __init__(self, prev_layer, name=None):
            super().__init__(prev_layer, name=name)

        def forward(self, inputs, *, is_train):
            return 2 * inputs

    with pytest.warns(DeprecationWarning):
        assert Twice(layer=InputLayer([None, 2])).output_shape == (None, 2)


def test_names_may_contain_slashes_and_npz_keys_round_trip(tmp_path):
    net = InputLayer([None, 3], name="g/in")
    net = tl.layers.DenseLayer(net, 4, name="g/h0/lin")
    net = tl.layers.DenseLayer(net, 2, name="g/h1/lin")
    assert [net.param_name(v) for v in net.all_params] == [
        "g/h0/lin/W", "g/h0/lin/b", "g/h1/lin/W", "g/h1/lin/b"]
    path = save_npz_dict(net.all_params, name=str(tmp_path / "g.npz"), network=net)
    keys = set(np.load(path, allow_pickle=False).files)
    assert {net.param_name(v) for v in net.all_params} <= keys
    saved = [v.numpy() for v in net.all_params]
    for v in net.all_params:
        v.assign(tf.zeros_like(v))
    load_and_assign_npz_dict(name=path, network=net)
    for v, want in zip(net.all_params, saved):
        np.testing.assert_array_equal(v.numpy(), want)


def test_outputs_reads_the_static_shape_and_refuses_assignment():
    net = tl.layers.DenseLayer(InputLayer([None, 3]), 5, name="d")
    assert net.outputs.get_shape().as_list() == [None, 5]
    assert net.outputs.dtype == tf.float32
    with pytest.raises(AttributeError, match=r"DenseLayer 'd': outputs is read-only.*LambdaLayer"
                                             r".*net\(x, is_train=False\)"):
        net.outputs = tf.zeros((1, 5))
    with pytest.raises(TypeError, match=r"call the network for values"):
        tf.nn.softmax(net.outputs)


def test_unstack_outputs_is_a_list_of_layers():
    net = tl.layers.UnStackLayer(InputLayer([None, 3, 4]), axis=1, name="u")
    pieces = net.outputs
    assert [p.name for p in pieces] == ["u0", "u1", "u2"]
    assert pieces == net.outputs  # made once
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    for i, p in enumerate(pieces):
        assert p.output_shape == (None, 4)
        np.testing.assert_array_equal(p(x), x[:, i])
    with pytest.raises(AttributeError, match="read-only"):
        net.outputs = []


def test_import_star_binds_every_registered_layer():
    scope: dict = {}
    exec("from tlcore.layers import *", scope)
    for name in ("DenseLayer", "InputLayer", "ConcatLayer", "reuse", "get_variables_with_name",
                 "Conv2d", "EmbeddingInputlayer"):
        assert name in scope, name
    assert scope["DenseLayer"] is tl.layers.DenseLayer


def test_a_name_in_acts_position_gets_a_hint():
    a, b = InputLayer([None, 2], name="a"), InputLayer([None, 2], name="b")
    with pytest.raises(ValueError, match=r"unknown activation 'res/add'.*pass name="):
        tl.layers.ElementwiseLayer([a, b], tf.add, "res/add")
