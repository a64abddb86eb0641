"""TensorLayer 1.11.1 ``tests/test_layers_padding.py``, translated (placeholders become
InputLayer shapes, ``outputs.get_shape()`` becomes ``output_shape``)."""
from __future__ import annotations

import pytest

import tlcore as tl


@pytest.fixture(scope="module")
def shapes():
    n = tl.layers.InputLayer([None, 100, 1])
    out = {1: tl.layers.ZeroPad1d(n, padding=1), 2: tl.layers.ZeroPad1d(n, padding=(2, 3))}
    n = tl.layers.InputLayer([None, 100, 100, 3])
    out[3] = tl.layers.ZeroPad2d(n, padding=2)
    out[4] = tl.layers.ZeroPad2d(n, padding=(2, 3))
    out[5] = tl.layers.ZeroPad2d(n, padding=((3, 3), (4, 4)))
    n = tl.layers.InputLayer([None, 100, 100, 100, 3])
    out[6] = tl.layers.ZeroPad3d(n, padding=2)
    out[7] = tl.layers.ZeroPad3d(n, padding=(2, 3, 4))
    out[8] = tl.layers.ZeroPad3d(n, padding=((3, 3), (4, 4), (5, 5)))
    for layer in out.values():
        layer.print_layers()
    return {k: list(v.output_shape) for k, v in out.items()}


@pytest.mark.parametrize("i, tail", [
    (1, [102, 1]), (2, [105, 1]), (3, [104, 104, 3]), (4, [104, 106, 3]), (5, [106, 108, 3]),
    (6, [104, 104, 104, 3]), (7, [104, 106, 108, 3]), (8, [106, 108, 110, 3]),
], ids=[f"n{i}_shape" for i in range(1, 9)])
def test_shape(shapes, i, tail):
    assert shapes[i][1:] == tail
