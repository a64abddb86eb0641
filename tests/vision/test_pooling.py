"""Tests for tlcore_vision/layers/pooling.py: Keras pooling layers are the oracles."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import check_layer
from tests.vision._shapes import conv_len, paddings
from tlcore.layers.core import InputLayer
from tlcore_vision.layers import pooling as P

RNG = np.random.default_rng(0)
KERAS_POOL = {("MAX", 1): keras.layers.MaxPooling1D, ("AVG", 1): keras.layers.AveragePooling1D,
              ("MAX", 2): keras.layers.MaxPooling2D, ("AVG", 2): keras.layers.AveragePooling2D,
              ("MAX", 3): keras.layers.MaxPooling3D, ("AVG", 3): keras.layers.AveragePooling3D}
KERAS_GLOBAL = {("MAX", 1): keras.layers.GlobalMaxPooling1D,
                ("AVG", 1): keras.layers.GlobalAveragePooling1D,
                ("MAX", 2): keras.layers.GlobalMaxPooling2D,
                ("AVG", 2): keras.layers.GlobalAveragePooling2D,
                ("MAX", 3): keras.layers.GlobalMaxPooling3D,
                ("AVG", 3): keras.layers.GlobalAveragePooling3D}
POOLS = [P.MaxPool1d, P.MeanPool1d, P.MaxPool2d, P.MeanPool2d, P.MaxPool3d, P.MeanPool3d]
GLOBALS = [P.GlobalMaxPool1d, P.GlobalMeanPool1d, P.GlobalMaxPool2d, P.GlobalMeanPool2d,
           P.GlobalMaxPool3d, P.GlobalMeanPool3d]


def _x(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


@given(cls=st.sampled_from(POOLS), data=st.data(), pad=paddings, first=st.booleans(),
       c=st.integers(1, 3))
def test_pool_properties_shape_formula_and_keras(cls, data, pad, first, c):
    r = cls.rank
    k = tuple(data.draw(st.integers(1, 3)) for _ in range(r))
    s = tuple(data.draw(st.integers(1, 3)) for _ in range(r))
    n = tuple(data.draw(st.integers(k_ if pad.upper() == "VALID" else 1, 5)) for k_ in k)
    shape = [None, c, *n] if first else [None, *n, c]
    net = cls(InputLayer(shape), k, s, pad, "channels_first" if first else "channels_last")
    out = tuple(conv_len(a, b, d, 1, pad) for a, b, d in zip(n, k, s))
    assert net.output_shape == ((None, c, *out) if first else (None, *out, c))
    check_layer(net, batch_sizes=(2,), n_params=0)
    kl = KERAS_POOL[(cls.kind, r)](k, s, pad.lower(),
                                   data_format="channels_first" if first else "channels_last")
    x = _x(2, *shape[1:])
    if first:  # Keras' channels-first pools do not run on CPU: compare on transposed data
        kl = KERAS_POOL[(cls.kind, r)](k, s, pad.lower())
        want = np.moveaxis(kl(np.moveaxis(x, 1, -1)), -1, 1)
    else:
        want = kl(x)
    np.testing.assert_allclose(net(x), want, rtol=1e-5, atol=1e-6)


@given(cls=st.sampled_from(GLOBALS), first=st.booleans(), n=st.integers(1, 4),
       c=st.integers(1, 3))
def test_global_pools_match_keras(cls, first, n, c):
    shape = [None, c, *(n,) * cls.rank] if first else [None, *(n,) * cls.rank, c]
    net = check_layer(cls(InputLayer(shape), "channels_first" if first else "channels_last"),
                      batch_sizes=(2,), n_params=0)
    assert net.output_shape == (None, c)
    kl = KERAS_GLOBAL[(cls.kind, cls.rank)](
        data_format="channels_first" if first else "channels_last")
    x = _x(2, *shape[1:])
    np.testing.assert_allclose(net(x), kl(x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("pool,kind", [(tf.nn.max_pool, "MAX"), (tf.nn.avg_pool, "AVG"),
                                       ("max_pool", "MAX"), ("avg_pool", "AVG")])
def test_poollayer_matches_keras_and_round_trips_pool_name(pool, kind):
    net = check_layer(PoolLayer2(pool), batch_sizes=(2,))
    assert net.output_shape == (None, 3, 3, 2)
    x = _x(2, 6, 5, 2)
    want = KERAS_POOL[(kind, 2)]((2, 2), (2, 2), "same")(x)
    np.testing.assert_allclose(net(x), want, rtol=1e-5, atol=1e-6)
    assert net.get_config()["pool"] == ("max_pool" if kind == "MAX" else "avg_pool")


def PoolLayer2(pool):
    return P.PoolLayer(InputLayer([None, 6, 5, 2]), (1, 2, 2, 1), (1, 2, 2, 1), "SAME", pool)


def test_poollayer_3d_and_defaults():
    net = P.PoolLayer(InputLayer([None, 4, 4, 4, 2]), (1, 2, 2, 2, 1), (1, 2, 2, 2, 1),
                      pool=tf.nn.max_pool3d)
    assert net.output_shape == (None, 2, 2, 2, 2)
    assert P.MaxPool2d(InputLayer([None, 28, 28, 32]), (2, 2), None).output_shape == \
        (None, 14, 14, 32)  # strides=None is filter_size, as in TensorLayer


BAD = [
    (lambda i: P.MaxPool2d(i, (2, 2), padding="full", name="p"), r"MaxPool2d 'p'.*padding"),
    (lambda i: P.MeanPool2d(i, (0, 2), name="p"), r"MeanPool2d 'p'.*filter_size"),
    (lambda i: P.MaxPool2d(i, (9, 9), padding="valid", name="p"), r"MaxPool2d 'p'.*smaller"),
    (lambda i: P.MaxPool1d(i, name="p"), r"MaxPool1d 'p'.*rank-3"),
    (lambda i: P.GlobalMeanPool3d(i, name="p"), r"GlobalMeanPool3d 'p'.*rank-5"),
    (lambda i: P.PoolLayer(i, (1, 2, 2, 2, 1), (1, 1, 1, 1, 1), name="p"),
     r"PoolLayer 'p'.*rank-5"),
    (lambda i: P.PoolLayer(i, pool="sum_pool", name="p"), r"PoolLayer 'p'.*pool"),
]


@pytest.mark.parametrize("make,match", BAD, ids=["padding", "filter", "too_small", "rank1",
                                                 "rank_global", "ksize_rank", "pool_name"])
def test_bad_arguments_name_the_layer(make, match):
    with pytest.raises(ValueError, match=match):
        make(InputLayer([None, 6, 6, 2]))


def test_seed_mnist_cnn_shapes_and_params():
    from tlcore.layers.dense import DenseLayer
    from tlcore.layers.dropout import DropoutLayer
    from tlcore.layers.shape import FlattenLayer
    from tlcore_vision.layers.conv import Conv2d

    net = InputLayer([None, 28, 28, 1], name="input")
    net = Conv2d(net, 32, (5, 5), (1, 1), act=tf.nn.relu, padding="SAME", name="cnn1")
    assert net.output_shape == (None, 28, 28, 32)
    net = P.MaxPool2d(net, (2, 2), (2, 2), padding="SAME", name="pool1")
    assert net.output_shape == (None, 14, 14, 32)
    net = Conv2d(net, 64, (5, 5), (1, 1), act=tf.nn.relu, padding="SAME", name="cnn2")
    net = P.MaxPool2d(net, (2, 2), (2, 2), padding="SAME", name="pool2")
    assert net.output_shape == (None, 7, 7, 64)
    net = FlattenLayer(net, name="flatten")
    assert net.output_shape == (None, 3136)
    net = DropoutLayer(net, keep=0.5, name="drop1")
    net = DenseLayer(net, n_units=256, act=tf.nn.relu, name="relu1")
    net = DropoutLayer(net, keep=0.5, name="drop2")
    net = DenseLayer(net, n_units=10, name="output")
    # 832 + 51264 + 3136*256+256 + 2570, TensorLayer's count for this model
    assert net.count_params() == 832 + 51264 + 803072 + 2570
    assert net(_x(3, 28, 28, 1)).shape == (3, 10)
