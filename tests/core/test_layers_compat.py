"""Tests for tlcore/layers/compat.py: TensorLayer's get_variables_with_name,
get_layers_with_name, initialize_global_variables and LayersConfig."""
from __future__ import annotations

import logging

import pytest
import tensorflow as tf

import tlcore as tl
from tlcore.layers.core import InputLayer


@pytest.fixture()
def gan_like():
    net = InputLayer([None, 4], name="g/in")
    net = tl.layers.DenseLayer(net, 3, name="g/h0/lin")
    net = tl.layers.BatchNormLayer(net, name="g/h0/bn")
    return tl.layers.DenseLayer(net, 2, name="d/out")


def test_get_variables_with_name_filters_by_layer_and_variable_name(gan_like, caplog):
    net = gan_like
    names = lambda vs: [net.param_name(v) for v in vs]
    assert names(tl.layers.get_variables_with_name("g/", True, False, net=net)) == [
        "g/h0/lin/W", "g/h0/lin/b", "g/h0/bn/beta", "g/h0/bn/gamma"]
    every = names(tl.layers.get_variables_with_name("g/", False, net=net))
    assert "g/h0/bn/moving_mean" in every and len(every) == 6
    with caplog.at_level(logging.INFO, logger="tlcore"):
        found = tl.layers.get_variables_with_name("/W", printable=True, net=net)
    assert names(found) == ["g/h0/lin/W", "d/out/W"]
    assert "got   1: d/out/W" in caplog.text


def test_get_variables_with_name_without_a_network_says_how_to_call_it():
    with pytest.raises(TypeError, match=r"no global graph.*get_variables_with_name\('dense', "
                                        r"True, True, net=network\)"):
        tl.layers.get_variables_with_name("dense", True, True)


def test_get_layers_with_name(gan_like):
    assert [layer.name for layer in tl.layers.get_layers_with_name(gan_like, "g/h0")] == [
        "g/h0/lin", "g/h0/bn"]


def test_initialize_global_variables_changes_nothing(gan_like):
    before = [v.numpy().copy() for v in gan_like.all_params]
    assert tl.layers.initialize_global_variables("a session") is None
    assert all((b == v.numpy()).all() for b, v in zip(before, gan_like.all_params))


def test_layers_config_is_abstract_and_sets_the_input_dtype(monkeypatch):
    with pytest.raises(TypeError):
        tl.layers.LayersConfig()
    assert tl.layers.LayersConfig.set_keep == {}
    monkeypatch.setattr(tl.layers.LayersConfig, "tf_dtype", tf.float64)
    net = tl.layers.DenseLayer(InputLayer([None, 2]), 3)
    assert net.all_params[0].dtype == tf.float64
    assert InputLayer([None, 2], dtype=tf.float16).output_dtype == tf.float16


def test_name_reuse_helpers_are_no_ops_as_in_1_11():
    assert tl.layers.set_name_reuse(True) is None and tl.layers.clear_layers_name() is None
    net = tl.layers.DenseLayer(InputLayer([None, 2]), 3, name="same")
    again = tl.layers.DenseLayer(InputLayer([None, 2]), 3, name="same")  # no global names
    assert net.all_params[0] is not again.all_params[0]
