"""TensorLayer 1.11.1 ``tests/test_layers_pooling.py``, translated (placeholders become
InputLayer shapes, ``outputs.get_shape()`` becomes ``output_shape``)."""
from __future__ import annotations

import pytest

import tlcore as tl


@pytest.fixture(scope="module")
def shapes():
    L = tl.layers
    n = {}
    nin_1 = L.InputLayer([None, 100, 1], name="in1")
    n[1] = L.Conv1d(nin_1, n_filter=32, filter_size=5, stride=2, name="conv1d")
    n[2] = L.MaxPool1d(n[1], filter_size=3, strides=2, padding="same", name="maxpool1d")
    n[3] = L.MeanPool1d(n[1], filter_size=3, strides=2, padding="same", name="meanpool1d")
    n[4] = L.GlobalMaxPool1d(n[1], name="maxpool1d")
    n[5] = L.GlobalMeanPool1d(n[1], name="meanpool1d")
    nin_2 = L.InputLayer([None, 100, 100, 3], name="in2")
    n[6] = L.Conv2d(nin_2, n_filter=32, filter_size=(3, 3), strides=(2, 2), name="conv2d")
    n[7] = L.MaxPool2d(n[6], filter_size=(3, 3), strides=(2, 2), padding="SAME",
                       name="maxpool2d")
    n[8] = L.MeanPool2d(n[6], filter_size=(3, 3), strides=(2, 2), padding="SAME",
                        name="meanpool2d")
    n[9] = L.GlobalMaxPool2d(n[6], name="maxpool2d")
    n[10] = L.GlobalMeanPool2d(n[6], name="meanpool2d")
    nin_3 = L.InputLayer([None, 100, 100, 100, 3], name="in")
    n[11] = L.MeanPool3d(nin_3, filter_size=(3, 3, 3), strides=(2, 2, 2), padding="SAME",
                         name="meanpool3d")
    n[12] = L.GlobalMaxPool3d(nin_3)
    n[13] = L.GlobalMeanPool3d(nin_3)
    return {k: list(v.output_shape) for k, v in n.items()}


@pytest.mark.parametrize("i, part, expected", [
    (1, slice(1, 3), [50, 32]), (2, slice(1, 3), [25, 32]), (3, slice(1, 3), [25, 32]),
    (4, -1, 32), (5, -1, 32),
    (6, slice(1, 4), [50, 50, 32]), (7, slice(1, 4), [25, 25, 32]),
    (8, slice(1, 4), [25, 25, 32]), (9, -1, 32), (10, -1, 32),
    (11, slice(None), [None, 50, 50, 50, 3]), (12, slice(None), [None, 3]),
    (13, slice(None), [None, 3]),
], ids=[f"n{i}_shape" for i in range(1, 14)])
def test_shape(shapes, i, part, expected):
    assert shapes[i][part] == expected
