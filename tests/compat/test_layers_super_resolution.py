"""TensorLayer 1.11.1 ``tests/test_layers_super_resolution.py``, translated (the fixed-batch
placeholders become InputLayer shapes with batch 10)."""
from __future__ import annotations

import pytest

import tlcore as tl


@pytest.fixture(scope="module")
def nets():
    L = tl.layers
    n = L.InputLayer([10, 100, 4], name="in")
    n = L.Conv1d(n, n_filter=32, filter_size=3, stride=1, padding="SAME", name="conv1d")
    net1 = L.SubpixelConv1d(n, scale=2, name="subpixel")
    net1.print_layers()
    net1.print_params(False)
    x = L.InputLayer([10, 100, 100, 3], name="in")
    n = L.Conv2d(x, n_filter=32, filter_size=(3, 2), strides=(1, 1), padding="SAME",
                 name="conv2d")
    net2 = L.SubpixelConv2d(n, scale=2, name="subpixel2d")
    net2.print_layers()
    net2.print_params(False)
    return net1, net2


def test_net1_shape(nets):
    net1 = nets[0]
    assert list(net1.output_shape) == [10, 200, 16]
    assert len(net1.all_layers) == 3
    assert len(net1.all_params) == 2
    assert net1.count_params() == 416


def test_net2_shape(nets):
    net2 = nets[1]
    assert list(net2.output_shape) == [10, 200, 200, 8]
    assert len(net2.all_layers) == 3
    assert len(net2.all_params) == 2
    assert net2.count_params() == 608
