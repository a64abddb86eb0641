"""TensorLayer 1.11.1 ``tests/test_tf_layers.py``, translated.

1.11 built each network twice, the second time with ``reuse=True`` on a second placeholder.
tlcore has no variable scopes: the second network is built again (with its own variables); to
share weights, a tlcore network is called on the second input instead.
"""
from __future__ import annotations

import pytest

import tlcore as tl


def get_network_1d(shape, reuse=None):
    with tl.layers.reuse(reuse):
        return _network_1d(shape)


def _network_1d(shape):
    L = tl.layers
    net = L.InputLayer(shape)
    net1 = L.Conv1d(net, name="Conv1d")
    net2 = L.SeparableConv1d(net1, name="SeparableConv1d")
    net3 = L.MaxPool1d(net2, (1, ), name="MaxPool1d")
    net4 = L.MeanPool1d(net3, (1, ), name="MeanPool1d")
    net5 = L.Conv1d(net4, name="Conv1d1")
    net6 = L.SeparableConv1d(net5, name="SeparableConv1d1")
    net7 = L.SeparableConv1d(net6, name="SeparableConv1d2")
    return [net, net1, net2, net3, net4, net5, net6, net7]


def get_network_2d(shape, reuse=None):
    with tl.layers.reuse(reuse):
        return _network_2d(shape)


def _network_2d(shape):
    L = tl.layers
    net = L.InputLayer(shape)
    net1 = L.Conv2d(net, name="Conv2d")
    net2 = L.DeConv2d(net1, name="DeConv2d")
    net3 = L.SeparableConv2d(net2, name="SeparableConv2d")
    net4 = L.MaxPool2d(net3, (1, 1), name="MaxPool2d")
    net5 = L.MeanPool2d(net4, (1, 1), name="MeanPool2d")
    net6 = L.Conv2d(net5, name="Conv2d1")
    net7 = L.DeConv2d(net6, name="DeConv2d1")
    net8 = L.DeConv2d(net7, name="DeConv2d2")
    net9 = L.SeparableConv2d(net8, name="SeparableConv2d1")
    return [net, net1, net2, net3, net4, net5, net6, net7, net8, net9]


def get_network_3d(shape, reuse=None):
    with tl.layers.reuse(reuse):
        return _network_3d(shape)


def _network_3d(shape):
    L = tl.layers
    net = L.InputLayer(shape)
    net1 = L.Conv3dLayer(net, shape=(2, 2, 2, 3, 32), strides=(1, 2, 2, 2, 1),
                         name="Conv3dLayer")
    net2 = L.DeConv3d(net1, name="DeConv3d")
    net3 = L.MaxPool3d(net2, (1, 1, 1), name="MaxPool3d")
    net4 = L.MeanPool3d(net3, (1, 1, 1), name="MeanPool3d")
    net5 = L.DeConv3d(net4, name="DeConv3d1")
    return [net, net1, net2, net3, net4, net5]


@pytest.fixture(scope="module")
def nets_1d():
    first = get_network_1d([None, 32, 3])
    second = get_network_1d([None, 32, 3], reuse=first[-1])
    assert all(a is b for a, b in zip(first[-1].all_params, second[-1].all_params))
    return first, second


@pytest.fixture(scope="module")
def nets_2d():
    first = get_network_2d([None, 32, 32, 3])
    second = get_network_2d([None, 32, 32, 3], reuse=first[-1])
    assert all(a is b for a, b in zip(first[-1].all_params, second[-1].all_params))
    return first, second


@pytest.fixture(scope="module")
def nets_3d():
    first = get_network_3d([None, 32, 32, 32, 3])
    second = get_network_3d([None, 32, 32, 32, 3], reuse=first[-1])
    assert all(a is b for a, b in zip(first[-1].all_params, second[-1].all_params))
    return first, second


@pytest.mark.parametrize("i, n", list(enumerate([0, 2, 5, 5, 5, 7, 10, 13])),
                         ids=[f"net{i}" for i in range(8)])
def test_layer_1d(nets_1d, i, n):
    assert len(nets_1d[0][i].all_params) == n
    assert len(nets_1d[1][i].all_params) == n


@pytest.mark.parametrize("i, n", list(enumerate([0, 2, 4, 7, 7, 7, 9, 11, 13, 16])),
                         ids=[f"net{i}" for i in range(10)])
def test_layer_2d(nets_2d, i, n):
    assert len(nets_2d[0][i].all_params) == n
    assert len(nets_2d[1][i].all_params) == n


@pytest.mark.parametrize("i, n", list(enumerate([0, 2, 4, 4, 4, 6])),
                         ids=[f"net{i}" for i in range(6)])
def test_layer_3d(nets_3d, i, n):
    assert len(nets_3d[0][i].all_params) == n
    assert len(nets_3d[1][i].all_params) == n

