"""Tests for tlcore/owner.py: the parameter-owner protocols and the OwnsParams mixin."""
from __future__ import annotations

import logging

import keras
import numpy as np
import pytest
import tensorflow as tf

import tlcore as tl
from tlcore.layers.core import InputLayer
from tlcore.layers.dense import DenseLayer
from tlcore.owner import Network, OwnsParams, ParamOwner, count_params

SHARED = keras.initializers.GlorotUniform()  # one unseeded instance for every variable


class Toy(OwnsParams):
    """A model that is not a layer: two matrices from one shared initializer, a frozen bias."""

    def __init__(self, name: str = "toy") -> None:
        self.init_params(name)
        self.A = self.add_param("enc/A", (3, 4), SHARED)
        self.B = self.add_param("dec/B", (3, 4), SHARED)
        self.b = self.add_param("dec/b", (4,), "zeros", trainable=False)


def test_a_layer_and_a_mixin_model_are_owners_and_only_a_layer_is_a_network():
    net = DenseLayer(InputLayer([None, 3]), n_units=2)
    assert isinstance(net, ParamOwner) and isinstance(net, Network)
    assert isinstance(Toy(), ParamOwner) and not isinstance(Toy(), Network)
    assert not isinstance([tf.Variable(1.0)], ParamOwner)


def test_names_order_trainable_and_count():
    m = Toy()
    assert [m.param_name(v) for v in m.all_params] == ["toy/enc/A", "toy/dec/B", "toy/dec/b"]
    assert m.trainable_params == [m.A, m.B]
    assert m.count_params() == 12 + 12 + 4 == count_params(m.all_params)
    with pytest.raises(KeyError, match=r"is not a parameter of Toy 'toy'"):
        m.param_name(tf.Variable(0.0, name="stranger"))


def test_shared_unseeded_initializer_is_cloned_per_variable_and_seeded_by_keras():
    keras.utils.set_random_seed(3)
    m1 = Toy()
    assert not np.array_equal(m1.A.numpy(), m1.B.numpy())  # not one repeated draw
    keras.utils.set_random_seed(3)
    m2 = Toy()
    for a, b in zip(m1.all_params, m2.all_params):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_bad_use_is_named():
    m = Toy()
    with pytest.raises(ValueError, match=r"Toy 'toy': a parameter named 'toy/enc/A' already"):
        m.add_param("enc/A", (1,), "zeros")
    with pytest.raises(ValueError, match=r"Toy 'toy': parameter 'c' needs an initializer"):
        m.add_param("c", (1,), None)

    class Forgot(OwnsParams):
        pass

    with pytest.raises(RuntimeError, match=r"Forgot: call init_params\(prefix\) before"):
        Forgot().add_param("w", (1,), "zeros")


def test_print_params_logs_like_a_layer(caplog):
    m = Toy()
    with caplog.at_level(logging.INFO, logger="tlcore"):
        m.print_params(details=False)
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0].split() == ["param", "0:", "toy/enc/A", "(3,", "4)", "float32"]
    assert lines[-1] == "  num of params: 28"


def test_tl_files_saves_and_restores_any_owner_all_or_nothing(tmp_path):
    src, dst = Toy(), Toy()
    path = tl.files.save_npz_dict(src, name=str(tmp_path / "toy.npz"))
    tl.files.load_and_assign_npz_dict(path, dst)
    for a, b in zip(src.all_params, dst.all_params):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    other = Toy(name="other")
    before = [v.numpy().copy() for v in other.all_params]
    with pytest.raises(ValueError, match=r"keys not in the network: \['toy/dec/B'.*nothing"):
        tl.files.load_and_assign_npz_dict(path, other)
    for v, b in zip(other.all_params, before):
        np.testing.assert_array_equal(v.numpy(), b)
