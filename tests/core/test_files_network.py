"""Tests for tlcore/files/_network.py and _ckpt.py: network files through the registry,
checkpoints that resume exactly, and a SavedModel that serves without tlcore."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import types

import keras
import numpy as np
import pytest
import tensorflow as tf

import tlcore as tl
from tlcore.files._atomic import META_KEY
from tlcore.layers.core import InputLayer
from tlcore.layers.dense import DenseLayer
from tlcore.layers.dropout import DropoutLayer
from tlcore.plugins import UnknownNameError, hookimpl, registered
from tlcore.plugins import _known


def mlp(seed: int = 0, n_out: int = 3):
    tf.random.set_seed(seed)
    net = InputLayer([None, 6], name="input")
    net = DropoutLayer(net, keep=0.8, name="drop1")
    net = DenseLayer(net, n_units=5, act=tf.nn.relu, name="relu1")
    net = DropoutLayer(net, keep=0.5, name="drop2")
    return DenseLayer(net, n_units=n_out, name="output")


def x_batch(n: int = 4) -> np.ndarray:
    return np.random.default_rng(0).standard_normal((n, 6)).astype(np.float32)


# ------------------------------------------------------------------------- network files
def test_network_round_trip(tmp_path):
    net = mlp(seed=1)
    net.all_drop["drop2"].assign(0.5)
    path = tl.files.save_network(net, str(tmp_path / "net.npz"))
    with np.load(path, allow_pickle=False) as raw:
        arch = json.loads(str(raw[META_KEY]))
    assert [(d["class"], d["name"], d["parents"]) for d in arch["layers"]] == [
        ("InputLayer", "input", []), ("DropoutLayer", "drop1", ["input"]),
        ("DenseLayer", "relu1", ["drop1"]), ("DropoutLayer", "drop2", ["relu1"]),
        ("DenseLayer", "output", ["drop2"])]
    back = tl.files.load_network(path)
    assert [type(la) for la in back.all_layers] == [type(la) for la in net.all_layers]
    assert [la.get_config() for la in back.all_layers] == [la.get_config() for la in net.all_layers]
    assert back.output_shape == net.output_shape
    np.testing.assert_array_equal(back(x_batch(), is_train=False), net(x_batch(), is_train=False))
    assert set(back.all_drop) == {"drop1", "drop2"}


def test_network_file_truncated(tmp_path):
    path = tl.files.save_network(mlp(), str(tmp_path / "net.npz"))
    data = open(path, "rb").read()
    open(path, "wb").write(data[:-100])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        tl.files.load_network(path)


def test_unregistered_layer_class_cannot_be_saved(tmp_path):
    class Private(DenseLayer):
        pass

    net = Private(InputLayer([None, 2]), n_units=2, name="p")
    with pytest.raises(ValueError, match="Private 'p'.*not registered"):
        tl.files.save_network(net, str(tmp_path / "p.npz"))
    assert not os.path.exists(tmp_path / "p.npz")


class ScaledDense(DenseLayer):
    """A layer that only an in-process test plugin provides."""


def _plugin() -> types.SimpleNamespace:
    @hookimpl
    def register_layers(register):
        register("ScaledDense", ScaledDense)

    return types.SimpleNamespace(register_layers=register_layers)


def test_missing_plugin_gives_registry_error(tmp_path, monkeypatch):
    path = str(tmp_path / "net.npz")
    with registered(_plugin(), name="scaling"):
        net = ScaledDense(InputLayer([None, 6], name="input"), n_units=2, name="scaled")
        tl.files.save_network(net, path)
        back = tl.files.load_network(path)  # with the plugin it loads
        np.testing.assert_array_equal(back(x_batch()), net(x_batch()))
    # Without the plugin: the registry's error, plus which layer of the file needs it.
    with pytest.raises(UnknownNameError, match=r"layer entry 1 \('scaled'\) needs layer class "
                                               r"'ScaledDense' \(saved from plugin 'scaling'\).*"
                                               r"no plugin "
                                               r"registers a layer named 'ScaledDense'"):
        tl.files.load_network(path)
    # For a name an official plugin provides, the hint says what to install.
    monkeypatch.setitem(_known.KNOWN["layers"], "ScaledDense", "tlcore-scaling")
    with pytest.raises(UnknownNameError, match="pip install tlcore-scaling"):
        tl.files.load_network(path)


def test_load_network_never_imports_from_file(tmp_path):
    path = str(tmp_path / "net.npz")
    tl.files.save_network(mlp(), path)
    with np.load(path, allow_pickle=False) as raw:
        arrays = {k: raw[k] for k in raw.files if k != META_KEY}
        arch = json.loads(str(raw[META_KEY]))
    arch["layers"][2]["class"] = "os.path:join"  # a module path is not a registered name
    np.savez(path, **arrays, **{META_KEY: np.array(json.dumps(arch))})
    with pytest.raises(UnknownNameError, match="os.path:join"):
        tl.files.load_network(path)


# ------------------------------------------------------------------------------ checkpoints
def _train(net, opt, steps: int) -> None:
    x, y = x_batch(8), np.arange(8) % 3
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(
                y, net(x, is_train=False), from_logits=True))
        grads = tape.gradient(loss, net.trainable_params)
        opt.apply_gradients(zip(grads, net.trainable_params))


def test_checkpoint_resume_equals_uninterrupted_run(tmp_path):
    ckdir = str(tmp_path / "ck")
    net, opt = mlp(seed=3), keras.optimizers.Adam(0.05)
    _train(net, opt, 2)
    path = tl.files.save_ckpt(net, opt, save_dir=ckdir, global_step=2)
    assert os.path.basename(path) == "model.ckpt-2"
    _train(net, opt, 2)  # the uninterrupted run
    expected = [v.numpy() for v in net.all_params]

    net2, opt2 = mlp(seed=9), keras.optimizers.Adam(0.05)  # a new process, other init
    assert tl.files.load_ckpt(net2, opt2, save_dir=ckdir) == 2
    assert int(opt2.iterations.numpy()) == 2
    _train(net2, opt2, 2)
    for a, b in zip(net2.all_params, expected):
        np.testing.assert_allclose(a.numpy(), b, rtol=1e-6, atol=1e-7)


def test_checkpoint_latest_and_missing(tmp_path):
    ckdir = str(tmp_path / "ck")
    assert tl.files.load_ckpt(mlp(), save_dir=ckdir) is None
    net = mlp(seed=1)
    tl.files.save_ckpt(net, save_dir=ckdir, global_step=1)
    net.all_params[0].assign(net.all_params[0] + 1.0)
    tl.files.save_ckpt(net, save_dir=ckdir, global_step=5)
    other = mlp(seed=2)
    assert tl.files.load_ckpt(other, save_dir=ckdir) == 5
    np.testing.assert_array_equal(other.all_params[0].numpy(), net.all_params[0].numpy())
    assert tl.files.load_ckpt(other, save_dir=ckdir, is_latest=False, mode_name="model.ckpt-1") == 1


def test_checkpoint_of_other_architecture_is_refused(tmp_path):
    ckdir = str(tmp_path / "ck")
    tl.files.save_ckpt(mlp(), save_dir=ckdir, global_step=1)
    small = DenseLayer(InputLayer([None, 6], name="input"), n_units=3, name="other")
    with pytest.raises(ValueError, match="does not match"):
        tl.files.load_ckpt(small, save_dir=ckdir)


# ------------------------------------------------------------------------------ SavedModel
_SERVE_WITHOUT_TLCORE = """
import sys
sys.modules["tlcore"] = None  # any import of tlcore now fails
import numpy as np, tensorflow as tf
m = tf.saved_model.load(sys.argv[1])
x = np.load(sys.argv[2])
np.save(sys.argv[3], m(x).numpy())
np.save(sys.argv[4], m.signatures["serving_default"](tf.constant(x))["output_0"].numpy())
assert not any(k == "tlcore" or k.startswith("tlcore.") for k in sys.modules if sys.modules[k])
"""


def test_saved_model_serves_without_tlcore(tmp_path):
    net = mlp(seed=4)
    tl.files.export_saved_model(mlp(seed=5), str(tmp_path / "sm"))
    export = tl.files.export_saved_model(net, str(tmp_path / "sm"))  # replaces the old export
    x = x_batch(5)
    expected = net(x, is_train=False).numpy()
    np.testing.assert_allclose(tf.saved_model.load(export)(x).numpy(), expected, rtol=1e-6)
    np.save(tmp_path / "x.npy", x)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run([sys.executable, "-c", _SERVE_WITHOUT_TLCORE, export,
                          str(tmp_path / "x.npy"), str(tmp_path / "y.npy"),
                          str(tmp_path / "s.npy")], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), expected, rtol=1e-6)
    np.testing.assert_allclose(np.load(tmp_path / "s.npy"), expected, rtol=1e-6)


def test_saved_model_never_replaces_a_foreign_directory(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(ValueError, match="exists and is not a SavedModel"):
        tl.files.export_saved_model(mlp(), str(tmp_path))
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_a_third_party_layer_names_its_distribution_when_missing():
    with registered(_plugin(), name="scaling", distribution="acme-scaling"):
        net = ScaledDense(InputLayer([None, 6], name="input"), n_units=2, name="scaled")
        config = tl.files.network_to_config(net)
    assert config["layers"][1]["distribution"] == "acme-scaling"
    with pytest.raises(UnknownNameError, match=r"no plugin registers a layer named 'ScaledDense'"
                                               r".*saved with distribution 'acme-scaling' "
                                               r"installed: pip install acme-scaling"):
        tl.files.network_from_config(config)


@pytest.mark.parametrize("dist", ["acme\nrm -rf /", "-e git+evil", "", 7, None],
                         ids=["newline", "option", "empty", "int", "none"])
def test_an_implausible_saved_distribution_gives_no_install_hint(dist):
    with registered(_plugin(), name="scaling", distribution="acme-scaling"):
        config = tl.files.network_to_config(
            ScaledDense(InputLayer([None, 6], name="input"), n_units=2, name="scaled"))
    config["layers"][1]["distribution"] = dist
    with pytest.raises(UnknownNameError) as info:
        tl.files.network_from_config(config)
    assert "pip install" not in str(info.value)
