"""Tests for the network side of tlcore/layers/core.py: bookkeeping, names, calling, slicing."""
from __future__ import annotations

import logging

import numpy as np
import pytest
import tensorflow as tf

from tests.helpers import check_layer
from tlcore.layers.core import IndexingLayer, InputLayer, Layer
from tlcore.layers.dense import DenseLayer
from tlcore.layers.dropout import DropoutLayer


class _Sum(Layer):
    """A minimal merge layer local to these tests (the real ones live in merge.py)."""

    multi_input = True

    def __init__(self, prev, *, name=None):
        super().__init__(prev, name=name)

    def forward(self, inputs, *, is_train):
        return tf.add_n(inputs)


def seed_mlp():
    """The seed's MLP of DESIGN §1."""
    net = InputLayer([None, 784], name="input")
    net = DropoutLayer(net, keep=0.8, name="drop1")
    net = DenseLayer(net, n_units=800, act=tf.nn.relu, name="relu1")
    net = DropoutLayer(net, keep=0.5, name="drop2")
    net = DenseLayer(net, n_units=800, act=tf.nn.relu, name="relu2")
    net = DropoutLayer(net, keep=0.5, name="drop3")
    return DenseLayer(net, n_units=10, name="output")


def test_seed_mlp_bookkeeping():
    net = seed_mlp()
    assert net.count_params() == 1_276_810
    assert len(net.all_params) == 6
    assert [net.param_name(v) for v in net.all_params] == [
        "relu1/W", "relu1/b", "relu2/W", "relu2/b", "output/W", "output/b"]
    assert list(net.all_drop) == ["drop1", "drop2", "drop3"]
    assert [float(v.numpy()) for v in net.all_drop.values()] == pytest.approx([0.8, 0.5, 0.5])
    assert [layer.name for layer in net.all_layers] == [
        "input", "drop1", "relu1", "drop2", "relu2", "drop3", "output"]
    assert net.trainable_params == net.all_params
    assert net.output_shape == (None, 10)
    assert net.output_dtype == tf.float32


def test_building_twice_works():
    a, b = seed_mlp(), seed_mlp()
    assert a.count_params() == b.count_params()
    assert not set(map(id, a.all_params)) & set(map(id, b.all_params))


def test_duplicate_explicit_name_raises_naming_both():
    net = DenseLayer(InputLayer([None, 4], name="input"), n_units=3, name="dense")
    with pytest.raises(ValueError, match=r"DenseLayer 'dense'.*already used by DenseLayer 'dense'"):
        DenseLayer(net, n_units=3, name="dense")
    with pytest.raises(ValueError, match=r"DropoutLayer 'input'.*InputLayer 'input'"):
        DropoutLayer(net, name="input")


def test_automatic_names():
    net = InputLayer([None, 4])
    net = DenseLayer(net, n_units=3)
    net = DenseLayer(net, n_units=3)
    net = DropoutLayer(net)
    assert [layer.name for layer in net] == [
        "inputlayer_1", "denselayer_1", "denselayer_2", "dropoutlayer_1"]
    assert [net.param_name(v) for v in net.all_params] == [
        "denselayer_1/W", "denselayer_1/b", "denselayer_2/W", "denselayer_2/b"]


def test_merging_independent_branches_renames_automatic_names():
    a = DenseLayer(InputLayer([None, 4], name="xa"), n_units=3)
    b = DenseLayer(InputLayer([None, 5], name="xb"), n_units=3)
    assert a.name == b.name == "denselayer_1"
    net = _Sum([a, b], name="sum")
    names = [layer.name for layer in net]
    assert len(set(names)) == len(names) == 5
    assert sorted(n for n in names if n.startswith("dense")) == ["denselayer_1", "denselayer_2"]


def test_merging_branches_with_same_explicit_name_raises():
    a = DenseLayer(InputLayer([None, 4], name="xa"), n_units=3, name="d")
    b = DenseLayer(InputLayer([None, 5], name="xb"), n_units=3, name="d")
    with pytest.raises(ValueError, match=r"DenseLayer 'd' and DenseLayer 'd'"):
        _Sum([a, b])


def test_multi_input_list_and_dict():
    xa, xb = InputLayer([None, 4], name="xa"), InputLayer([None, 4], name="xb")
    net = _Sum([DenseLayer(xa, n_units=2, name="da"), DenseLayer(xb, n_units=2, name="db")])
    assert [layer.name for layer in net.input_layers] == ["xa", "xb"]
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4)).astype(np.float32)
    b = rng.standard_normal((3, 4)).astype(np.float32)
    by_list = net([a, b])
    by_dict = net({"xb": b, "xa": a})
    np.testing.assert_allclose(by_list, by_dict)
    W = [v.numpy() for v in net.all_params]
    np.testing.assert_allclose(by_list, a @ W[0] + W[1] + b @ W[2] + W[3], rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"2 InputLayers.*'xa', 'xb'"):
        net(a)
    with pytest.raises(ValueError, match=r"expected inputs for InputLayers.*received keys"):
        net({"xa": a})
    check_layer(net)


def test_slicing_makes_a_layer():
    net = DenseLayer(InputLayer([None, 4]), n_units=3, name="d")
    col = net[:, 0]
    assert isinstance(col, IndexingLayer) and col.name == "d_indexing"
    assert col.output_shape == (None,)
    x = np.ones((2, 4), np.float32)
    np.testing.assert_allclose(col(x), net(x)[:, 0])
    assert net[:, 1:3].output_shape == (None, 2)
    check_layer(net[:, 1:3])
    with pytest.raises(TypeError, match="immutable"):
        net[0] = 1


def test_len_and_iter():
    net = seed_mlp()
    assert len(net) == 7
    assert list(net) == net.all_layers
    assert isinstance(next(iter(net)), InputLayer)


def test_print_params_and_layers_log(caplog):
    net = seed_mlp()
    with caplog.at_level(logging.INFO, logger="tlcore"):
        net.print_params()
        net.print_layers()
    text = caplog.text
    assert "relu1/W" in text and "(784, 800)" in text and "num of params: 1276810" in text
    assert "mean:" in text
    assert "layer   6: output" in text
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="tlcore"):
        net.print_params(details=False)
    assert "mean:" not in caplog.text and "output/b" in caplog.text


def test_build_log_line(caplog):
    with caplog.at_level(logging.INFO, logger="tlcore"):
        DenseLayer(InputLayer([None, 784]), n_units=800, act=tf.nn.relu, name="relu1")
    assert "Instantiate DenseLayer relu1: 800, relu" in caplog.text


def test_works_inside_tf_function():
    net = seed_mlp()
    x = np.random.default_rng(0).standard_normal((5, 784)).astype(np.float32)
    f = tf.function(lambda t: net(t, is_train=False))
    np.testing.assert_allclose(f(x), net(x), rtol=1e-5, atol=1e-5)
    f_train = tf.function(lambda t: net(t, is_train=True))
    assert f_train(x).shape == (5, 10)


def test_bad_input_shape_names_layer_expected_received():
    net = seed_mlp()
    with pytest.raises(ValueError, match=r"InputLayer 'input'.*expected shape \(None, 784\).*"
                                         r"received \(5, 100\)"):
        net(np.zeros((5, 100), np.float32))


def test_bad_input_dtype_names_layer_expected_received():
    net = seed_mlp()
    with pytest.raises(TypeError, match=r"InputLayer 'input'.*expected dtype float32.*received "
                                        r"string"):
        net(tf.constant([["a"] * 784]))


def test_is_train_must_be_bool_and_unknown_kwargs_raise():
    net = seed_mlp()
    x = np.zeros((1, 784), np.float32)
    with pytest.raises(TypeError, match=r"DenseLayer 'output'.*is_train"):
        net(x, is_train=1)
    with pytest.raises(TypeError, match=r"unexpected call arguments \['sel'\]"):
        net(x, sel=1)


def test_input_layer_from_array_and_spec():
    a = InputLayer(np.zeros((7, 3, 2), np.int32))
    assert a.output_shape == (None, 3, 2) and a.output_dtype == tf.int32
    b = InputLayer(tf.TensorSpec([None, 5], tf.float16))
    assert b.output_shape == (None, 5) and b.output_dtype == tf.float16
    with pytest.raises(TypeError, match=r"InputLayer 'x'.*received int"):
        InputLayer(5, name="x")


def test_core_layers_network_saves_as_json_and_rebuilds():
    """Every serializable core layer in one network, through tl.files' JSON architecture."""
    import json

    from tests.helpers import copy_weights, random_inputs
    from tlcore.files._network import network_from_config, network_to_config
    from tlcore.layers.activation_layers import PReluLayer, ScaleLayer, SignLayer
    from tlcore.layers.dropconnect import DropconnectDenseLayer
    from tlcore.layers.merge import ConcatLayer, ElementwiseLayer, StackLayer, UnStackLayer
    from tlcore.layers.noise import GaussianNoiseLayer
    from tlcore.layers.normalization import BatchNormLayer, LayerNormLayer
    from tlcore.layers.onehot import OneHotInputLayer
    from tlcore.layers.shape import ExpandDimsLayer, FlattenLayer, ReshapeLayer, TileLayer
    from tlcore.layers.time_distributed import TimeDistributedLayer

    x = InputLayer([None, 6], name="x")
    ids = OneHotInputLayer([None], depth=6, name="ids")
    a = DenseLayer(ElementwiseLayer([x, ids], combine_fn="add"), n_units=8, act="relu", name="a")
    a = BatchNormLayer(GaussianNoiseLayer(a, stddev=0.1), name="bn")
    b = DropconnectDenseLayer(x, keep=0.9, n_units=8, name="b")
    seq = ReshapeLayer(StackLayer([a, b], axis=1), shape=(-1, 2, 8), name="seq")
    seq = TimeDistributedLayer(seq, layer_class=DenseLayer, layer_args={"n_units": 4}, name="td")
    seq = LayerNormLayer(seq, name="ln")
    steps = UnStackLayer(seq, axis=1, name="un")
    # explicit names: steps[0] and steps[1] are both named 'un_indexing', which a merge rejects
    net = ConcatLayer([IndexingLayer(steps, key=i, name=f"step{i}") for i in (0, 1)], name="cat")
    net = PReluLayer(ScaleLayer(net, name="scale"), name="prelu")
    net = TileLayer(ExpandDimsLayer(net, axis=1, name="ed"), multiples=[1, 2, 1], name="tile")
    net = SignLayer(FlattenLayer(net, name="flat"), name="sign")
    config = json.loads(json.dumps(network_to_config(net)))
    other = network_from_config(config)
    assert [layer.name for layer in other] == [layer.name for layer in net]
    assert other.output_shape == net.output_shape == (None, 16)
    copy_weights(net, other)
    xs = random_inputs(net, 3)
    np.testing.assert_array_equal(net(xs), other(xs))
    assert list(other.all_drop) == ["b"]


def test_info_lines_are_shown_by_show_logs_and_the_cli_not_by_the_library():
    """TensorLayer printed its build and print_params lines. tlcore, a library, adds only a
    NullHandler; ``tl.show_logs()`` (what the ``tlcore`` command calls) shows them in one
    format, which a root handler added later (``logging.basicConfig``) does not change."""
    import subprocess
    import sys

    code = ("import tlcore as tl\n"
            "net = tl.layers.InputLayer([None, 4], name='input')\n"
            "net = tl.layers.DenseLayer(net, n_units=3, name='d')\n"
            "import logging; logging.basicConfig()\n"
            "net = tl.layers.DenseLayer(net, n_units=2, name='e')\n"
            "net.print_params(False)\n")

    def run(prefix: str) -> str:
        return subprocess.run([sys.executable, "-c", prefix + code], capture_output=True,
                              text=True, timeout=120).stderr

    silent = run("")
    assert "Instantiate" not in silent and "num of params" not in silent
    shown = run("import tlcore; tlcore.show_logs()\n").splitlines()
    assert "Instantiate DenseLayer d: 3, identity" in shown
    assert "Instantiate DenseLayer e: 2, identity" in shown  # same format after basicConfig
    assert "  num of params: 23" in shown
    assert not [line for line in shown if "INFO:tlcore" in line]
    configured = run("import logging; logging.basicConfig(level=logging.INFO)\n")
    # The application's handler formats the line; tlcore adds none of its own.
    assert configured.count("Instantiate DenseLayer d: 3, identity") == 1
    assert "INFO:tlcore:Instantiate DenseLayer d" in configured
