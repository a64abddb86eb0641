"""Tests for ``tl.layers.reuse`` (tlcore/layers/core.py): TensorLayer's ``reuse=True`` on a
network object, checked by ``<layer>/<var>`` name, shape and dtype."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import tlcore as tl

from tlcore.layers.core import InputLayer, reuse
from tlcore.layers.dense import DenseLayer
from tlcore.layers.dropout import DropoutLayer
from tlcore.layers.keras_layer import KerasLayer
from tlcore.layers.normalization import BatchNormLayer


def mlp(shape, is_train=True, reuse_from=None):
    with reuse(reuse_from):
        net = InputLayer(shape, name="input")
        net = DropoutLayer(net, keep=0.8, is_fix=True, is_train=is_train, name="drop1")
        net = DenseLayer(net, 16, tf.nn.relu, name="mlp/relu1")
        net = BatchNormLayer(net, is_train=is_train, name="mlp/bn")
        return DenseLayer(net, 3, name="mlp/out")


def ids(net):
    return [id(v) for v in net.all_params]


def test_inference_net_of_another_batch_size_shares_every_variable():
    train = mlp([None, 8])
    infer = mlp([1, 8], is_train=False, reuse_from=train)
    assert ids(infer) == ids(train)  # BatchNorm's moving statistics too
    assert infer.output_shape == (1, 3)
    x = np.random.default_rng(0).standard_normal((1, 8)).astype(np.float32)
    np.testing.assert_allclose(infer(x), train(x, is_train=False), rtol=1e-6)
    train.all_params[0].assign_add(tf.ones_like(train.all_params[0]))  # a training step
    np.testing.assert_allclose(infer(x), train(x, is_train=False), rtol=1e-6)


def test_two_towers_share_one_layer_by_name():
    a = InputLayer([None, 4], name="a")
    shared_a = DenseLayer(a, 5, name="shared")
    tower_a = DenseLayer(shared_a, 2, name="head_a")
    b = InputLayer([None, 4], name="b")
    with reuse(tower_a):
        shared_b = DenseLayer(b, 5, name="shared")
    tower_b = DenseLayer(shared_b, 2, name="head_b")  # outside the block: its own variables
    assert ids(shared_b) == ids(shared_a)
    assert not set(ids(tower_b)[2:]) & set(ids(tower_a))
    assert tower_b.count_params() == 5 * 4 + 5 + 2 * 5 + 2
    x = np.ones((2, 4), np.float32)
    np.testing.assert_allclose(shared_b(x), shared_a(x))


def test_merged_towers_keep_the_shared_layers_name():
    """A chatbot's encoder and decoder share one embedding named alike (TensorLayer's reuse):
    merging both towers keeps the name once and the variables once."""
    a = InputLayer([None, 4], name="a")
    shared_a = DenseLayer(a, 5, name="shared")
    b = InputLayer([None, 4], name="b")
    with reuse(shared_a):
        shared_b = DenseLayer(b, 5, name="shared")
    merged = tl.layers.ConcatLayer([shared_a, shared_b], 1, name="concat")
    assert [layer.name for layer in merged.all_layers].count("shared") == 2
    assert len(merged.all_params) == 2 and merged.count_params() == 25
    x = np.ones((2, 4), np.float32)
    np.testing.assert_allclose(merged([x, 2 * x])[:, 5:], shared_a(2 * x), rtol=1e-6)


def test_distinct_layers_with_one_name_still_clash():
    a = InputLayer([None, 4], name="a")
    b = InputLayer([None, 4], name="b")
    one, two = DenseLayer(a, 5, name="d"), DenseLayer(b, 5, name="d")
    with pytest.raises(ValueError, match=r"different layers with the same name"):
        tl.layers.ConcatLayer([one, two], 1)


def test_missing_name_is_an_error_naming_the_layer_and_variable():
    net = mlp([None, 8])
    with pytest.raises(ValueError, match=r"DenseLayer 'other'.*no variable 'other/W'.*"
                                         r"'mlp/out/W'"):
        with reuse(net):
            DenseLayer(InputLayer([None, 8]), 3, name="other")


def test_shape_mismatch_names_layer_variable_and_both_shapes():
    net = mlp([None, 8])
    with pytest.raises(ValueError, match=r"DenseLayer 'mlp/relu1'.*'mlp/relu1/W' has shape "
                                         r"\(8, 16\).*needs shape \(9, 16\)"):
        with reuse(net):
            DenseLayer(InputLayer([None, 9]), 16, name="mlp/relu1")


def test_the_block_ends_and_nests():
    net = mlp([None, 8])
    with reuse(net):
        DenseLayer(InputLayer([None, 8]), 16, name="mlp/relu1")
    fresh = DenseLayer(InputLayer([None, 8]), 16, name="mlp/relu1")
    assert fresh.all_params[0] is not net.all_params[0]


@pytest.mark.parametrize("flag", [None, False])
def test_none_and_false_do_nothing(flag):
    with reuse(flag):
        a = DenseLayer(InputLayer([None, 2]), 2, name="d")
    assert len(a.all_params) == 2


def test_true_asks_for_the_network():
    with pytest.raises(TypeError, match=r"reuse=True becomes reuse=<the first network>"):
        with reuse(True):
            pass


def test_a_layer_that_makes_its_own_variables_is_refused():
    import keras

    net = KerasLayer(InputLayer([None, 3]), "Dense", {"units": 2}, name="k")
    with pytest.raises(ValueError, match=r"KerasLayer 'k'.*cannot share the variables"):
        with reuse(net):
            KerasLayer(InputLayer([None, 3]), keras.layers.Dense(2), name="k")


def test_layer_norms_reuse_flag_is_honoured_inside_a_reuse_block_only():
    from tlcore.layers.normalization import LayerNormLayer

    net = LayerNormLayer(InputLayer([None, 4]), name="ln")
    with pytest.raises(ValueError, match=r"LayerNormLayer 'ln': reuse=True.*tl\.layers\.reuse"):
        LayerNormLayer(InputLayer([None, 4]), reuse=True, name="ln")
    with reuse(net):
        shared = LayerNormLayer(InputLayer([None, 4]), reuse=True, name="ln")
    assert ids(shared) == ids(net)
    assert len(LayerNormLayer(InputLayer([None, 4]), reuse=False, name="ln").all_params) == 2
