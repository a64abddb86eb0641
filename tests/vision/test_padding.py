"""Tests for tlcore_vision/layers/padding.py: np.pad and Keras ZeroPadding1D-3D are the oracles."""
from __future__ import annotations

import keras
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import check_layer
from tlcore.layers.core import InputLayer
from tlcore_vision.layers.padding import PadLayer, ZeroPad1d, ZeroPad2d, ZeroPad3d

KERAS = {1: keras.layers.ZeroPadding1D, 2: keras.layers.ZeroPadding2D,
         3: keras.layers.ZeroPadding3D}
pair = st.tuples(st.integers(0, 2), st.integers(0, 2))


@given(n=st.tuples(st.integers(2, 4), st.integers(2, 4)), p=st.tuples(pair, pair),
       mode=st.sampled_from(["CONSTANT", "reflect", "SYMMETRIC"]))
def test_padlayer_matches_numpy_pad(n, p, mode):
    pads = [(0, 0), p[0], p[1], (0, 0)]
    if mode == "reflect":
        pads = [(min(a, d - 1), min(b, d - 1)) for (a, b), d in zip(pads, (9, *n, 9))]
    net = check_layer(PadLayer(InputLayer([None, *n, 2]), pads, mode), batch_sizes=(2,))
    assert net.output_shape == (None, *[d + a + b for d, (a, b) in zip(n, pads[1:3])], 2)
    x = np.random.default_rng(0).standard_normal((2, *n, 2)).astype(np.float32)
    np_mode = {"CONSTANT": "constant", "reflect": "reflect", "SYMMETRIC": "symmetric"}[mode]
    np.testing.assert_array_equal(net(x), np.pad(x, pads, mode=np_mode))


@given(rank=st.integers(1, 3), data=st.data())
def test_zeropad_matches_keras(rank, data):
    form = data.draw(st.sampled_from(["int", "ints", "pairs"]))
    pairs = [data.draw(pair) for _ in range(rank)]
    if form == "int":
        v = data.draw(st.integers(0, 2))
        pad, pairs = v, [(v, v)] * rank
    elif form == "ints" and rank > 1:
        vs = [data.draw(st.integers(0, 2)) for _ in range(rank)]
        pad, pairs = tuple(vs), [(v, v) for v in vs]
    else:
        pad = pairs[0] if rank == 1 else tuple(pairs)
    n = [data.draw(st.integers(1, 3)) for _ in range(rank)]
    cls = {1: ZeroPad1d, 2: ZeroPad2d, 3: ZeroPad3d}[rank]
    net = check_layer(cls(InputLayer([None, *n, 2]), pad), batch_sizes=(2,), n_params=0)
    assert net.output_shape == (None, *[d + a + b for d, (a, b) in zip(n, pairs)], 2)
    x = np.random.default_rng(1).standard_normal((2, *n, 2)).astype(np.float32)
    np.testing.assert_array_equal(net(x), KERAS[rank](pad)(x))


BAD = [
    (lambda i: PadLayer(i, None, name="p"), r"PadLayer 'p'.*padding.*None"),
    (lambda i: PadLayer(i, [[0, 0], [1, 1]], name="p"), r"PadLayer 'p'.*2 pairs.*rank 4"),
    (lambda i: PadLayer(i, [[0, 0], [4, 4], [0, 0], [0, 0]], "REFLECT", name="p"),
     r"PadLayer 'p'.*too large"),
    (lambda i: PadLayer(i, [[0, 0]] * 4, "WRAP", name="p"), r"PadLayer 'p'.*mode"),
    (lambda i: ZeroPad2d(i, (1, 2, 3), name="p"), r"ZeroPad2d 'p'.*padding"),
    (lambda i: ZeroPad2d(i, -1, name="p"), r"ZeroPad2d 'p'.*non-negative"),
    (lambda i: ZeroPad3d(i, 1, name="p"), r"ZeroPad3d 'p'.*5 pairs.*rank 4"),
]


@pytest.mark.parametrize("make,match", BAD, ids=["none", "rank", "reflect_too_large", "mode",
                                                 "zeropad_form", "negative", "zeropad_rank"])
def test_bad_arguments_name_the_layer(make, match):
    with pytest.raises(ValueError, match=match):
        make(InputLayer([None, 4, 4, 2]))
