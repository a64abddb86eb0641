"""Tests for tlcore/layers/recon.py (ReconLayer); numpy is the oracle of the pretraining cost,
small slices of the shipped MNIST files the data of ``pretrain``."""
from __future__ import annotations

import gzip
import logging
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

import tlcore as tl
from tests.helpers import check_layer
from tlcore.layers.recon import ReconLayer

L = tl.layers
MNIST = Path(tl.__file__).parent / "files" / "data" / "mnist"


@pytest.fixture(scope="module")
def pixels() -> np.ndarray:
    """1500 MNIST training images as float32 in [0, 1)."""
    with gzip.open(MNIST / "train-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16, count=1500 * 784).reshape(-1, 784)
    return (x / 256.0).astype(np.float32)


def autoencoder(act=tf.nn.sigmoid, act_recon=tf.nn.sigmoid, n_in=784, n_code=32, seed=0):
    keras.utils.set_random_seed(seed)
    net = L.InputLayer([None, n_in], name="input")
    net = L.DropoutLayer(net, keep=0.5, name="denoising1")
    net = L.DenseLayer(net, n_units=n_code, act=act, name="hidden1")
    return L.ReconLayer(net, n_units=n_in, act=act_recon, name="recon1")


def ref_cost(x, target, W1, b1, W2, b2, kind, enc_act, dec_act):
    """TensorLayer's ReconLayer cost from its formula (dropout off)."""
    code = enc_act(x @ W1 + b1)
    recon = dec_act(code @ W2 + b2)
    mse = np.mean(np.sum((recon - target) ** 2, axis=1))
    l2 = 0.004 * (np.sum(W1 ** 2) / 2 + np.sum(W2 ** 2) / 2)
    if kind == "kl":
        p = np.clip(code.mean(axis=0), 1e-6, 1 - 1e-6)
        rho = 0.15
        kl = rho * np.log(rho / p) + (1 - rho) * np.log((1 - rho) / (1 - p))
        return mse + l2 + 4 * np.sum(kl)
    return mse + l2 + 0.001 * code.mean()


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softplus(z):
    return np.log1p(np.exp(z))


@pytest.mark.parametrize("acts, kind", [
    ((tf.nn.sigmoid, tf.nn.sigmoid, sigmoid, sigmoid), "kl"),
    ((tf.nn.relu, tf.nn.softplus, lambda z: np.maximum(z, 0), softplus), "l1"),
], ids=["sigmoid_kl", "relu_softplus_l1"])
def test_cost_matches_the_formula(acts, kind):
    act, act_recon, enc_np, dec_np = acts
    recon = autoencoder(act, act_recon, n_in=6, n_code=4)
    assert recon.sparsity == kind
    x = np.random.default_rng(0).random((5, 6), dtype=np.float32)
    net_code = recon.encoder(x, is_train=False)
    got = recon.recon_cost(recon(x, is_train=False), x, net_code)
    W1, b1, W2, b2 = (v.numpy().astype(np.float64) for v in recon.train_params)
    want = ref_cost(x.astype(np.float64), x, W1, b1, W2, b2, kind, enc_np, dec_np)
    np.testing.assert_allclose(float(got), want, rtol=1e-5)


@settings(max_examples=4)  # each example traces the layer several times
@given(batch=st.integers(1, 4), n_code=st.integers(1, 5))
def test_layer_properties(batch, n_code):
    recon = autoencoder(n_in=7, n_code=n_code)
    check_layer(recon, batch_sizes=(batch,), n_params=2 * 7 * n_code + n_code + 7)
    assert recon.output_shape == (None, 7)


def test_config_round_trip_keeps_the_target_layer():
    net = L.InputLayer([None, 8], name="input")
    h1 = L.DenseLayer(net, n_units=6, act=tf.nn.relu, name="h1")
    h2 = L.DenseLayer(h1, n_units=4, act=tf.nn.relu, name="h2")
    recon = L.ReconLayer(h2, x_recon=h1, n_units=6, name="recon2")
    config = recon.get_config()
    assert config["x_recon"] == "h1" and config["act"] == "softplus"
    again = ReconLayer.from_config(h2, config)
    assert again.x_recon is h1 and again.output_shape == (None, 6)


@pytest.mark.parametrize("build, match", [
    (lambda net: L.ReconLayer(L.DropoutLayer(net, keep=0.5), n_units=8, name="r"),
     r"ReconLayer 'r': the parent must be the encoder, a DenseLayer"),
    (lambda net: L.ReconLayer(L.DenseLayer(net, n_units=3), n_units=8, act=tf.nn.tanh, name="r"),
     r"ReconLayer 'r': act must be tf.nn.sigmoid .* received 'tanh'"),
    (lambda net: L.ReconLayer(L.DenseLayer(net, n_units=3), n_units=5, name="r"),
     r"ReconLayer 'r': n_units must equal the size of what it reconstructs \(the network "
     r"input, shape \(None, 8\)\), received n_units=5"),
    (lambda net: L.ReconLayer(L.DenseLayer(net, n_units=3), x_recon="nope", n_units=8, name="r"),
     r"ReconLayer 'r': x_recon 'nope' is not a layer of this network"),
    (lambda net: L.ReconLayer(L.DenseLayer(net, n_units=3), x_recon=np.zeros((2, 8)),
                              n_units=8, name="r"),
     r"ReconLayer 'r': x_recon must be None \(the network input\) or a layer"),
], ids=["parent", "act", "n_units", "x_recon_name", "x_recon_array"])
def test_bad_arguments_name_the_layer(build, match):
    with pytest.raises((ValueError, TypeError), match=match):
        build(L.InputLayer([None, 8], name="input"))


def test_pretrain_reduces_the_loss_and_trains_only_its_layers(pixels, tmp_path, caplog):
    keras.utils.set_random_seed(0)
    net = L.InputLayer([None, 784], name="input")
    net = L.DropoutLayer(net, keep=0.5, name="denoising1")
    net = L.DenseLayer(net, n_units=32, act=tf.nn.relu, name="relu1")
    h1 = net
    recon1 = L.ReconLayer(net, n_units=784, act=tf.nn.softplus, name="recon1")
    net = L.DropoutLayer(net, keep=0.5, name="drop2")
    net = L.DenseLayer(net, n_units=16, act=tf.nn.relu, name="relu2")
    recon2 = L.ReconLayer(net, x_recon=h1, n_units=32, act=tf.nn.softplus, name="recon2")

    X, X_val = pixels[:1200], pixels[1200:]
    with caplog.at_level(logging.INFO, logger="tlcore"):
        h = recon1.pretrain(X, X_val, denoise_name="denoising1", n_epoch=3, batch_size=100,
                            print_freq=2, save=True, save_dir=str(tmp_path),
                            optimizer=keras.optimizers.Adam(1e-3), progress=False, seed=0)
    assert h.epochs == [1, 2, 3]
    assert h.train_loss[-1] < h.train_loss[0] and h.val_loss[-1] < h.val_loss[0]
    assert "Epoch 1 of 3 took" in caplog.text and "  val loss: " in caplog.text
    # Saved every print_freq epochs (and on the first): the encoder's W and b.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w1pre_1.npz", "w1pre_2.npz"]
    saved = tl.files.load_npz(name=str(tmp_path / "w1pre_2.npz"))
    assert [a.shape for a in saved] == [(784, 32), (32,)]

    before = {recon2.param_name(v): v.numpy().copy() for v in recon2.all_params}
    h2 = recon2.pretrain(X, X_val, denoise_name="denoising1", n_epoch=2, batch_size=100,
                         save=False, optimizer=keras.optimizers.Adam(1e-3), progress=False)
    assert h2.val_loss[-1] < h2.val_loss[0]
    changed = {k for k, v in before.items()
               if not np.array_equal(v, recon2.all_params[list(before).index(k)].numpy())}
    assert changed == {"relu2/W", "relu2/b", "recon2/W", "recon2/b"}


def test_pretrain_rejects_an_unknown_denoise_layer(pixels):
    recon = autoencoder()
    with pytest.raises(ValueError, match=r"denoise_name 'noise' is not a layer of this network; "
                                         r"its dropout layers are \['denoising1'\]"):
        recon.pretrain(pixels[:10], denoise_name="noise", n_epoch=1, save=False)


def test_registered_as_a_core_layer():
    assert tl.layers.ReconLayer is ReconLayer


def test_x_recon_may_be_what_the_input_layer_was_built_from():
    # TensorLayer 1.11: ReconLayer(net, x_recon=x, ...) with x the network's placeholder
    x = tf.TensorSpec((None, 784), tf.float32)
    net = tl.layers.DenseLayer(tl.layers.InputLayer(x, name="input"), n_units=196,
                               act=tf.nn.sigmoid, name="dense2")
    recon = ReconLayer(net, x_recon=x, n_units=784, act=tf.nn.sigmoid, name="recon")
    assert recon.x_recon is None  # the network input
    assert (len(recon.all_layers), len(recon.all_params), recon.count_params()) == (3, 4, 308308)
