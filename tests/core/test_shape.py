"""Tests for tlcore/layers/shape.py: numpy reshape/transpose/expand_dims/tile are the oracles."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import check_layer, random_inputs
from tlcore.layers.core import InputLayer
from tlcore.layers.dense import DenseLayer
from tlcore.layers.shape import (ExpandDimsLayer, FlattenLayer, ReshapeLayer, TileLayer,
                                 TransposeLayer)

dims = st.lists(st.integers(1, 4), min_size=1, max_size=3)


def _param_input(shape):
    """A network with a trainable layer before the shape layer, so gradients are checked."""
    n = int(np.prod(shape))
    net = DenseLayer(InputLayer([None, 2]), n_units=n)
    return ReshapeLayer(net, shape=(-1, *shape), name="to_shape")


@given(shape=dims, batch=st.integers(1, 4))
def test_flatten_properties(shape, batch):
    net = check_layer(FlattenLayer(_param_input(shape), name="flat"), batch_sizes=(batch,))
    assert net.output_shape == (None, int(np.prod(shape)))


def test_flatten_matches_numpy():
    net = FlattenLayer(InputLayer([None, 2, 3, 4]))
    x = random_inputs(net, 3)
    np.testing.assert_array_equal(net(x), x.reshape(3, -1))


@given(shape=dims, batch=st.integers(1, 4), data=st.data())
def test_reshape_properties(shape, batch, data):
    n = int(np.prod(shape))
    target = data.draw(st.sampled_from([(-1, n), (-1, *shape[::-1]), (-1, 1, n)]))
    net = check_layer(ReshapeLayer(_param_input(shape), shape=target), batch_sizes=(batch,))
    assert net.output_shape == (None, *target[1:])


def test_reshape_matches_numpy():
    net = ReshapeLayer(InputLayer([None, 784]), shape=(-1, 28, 28, 1))
    assert net.output_shape == (None, 28, 28, 1)
    x = random_inputs(net, 2)
    np.testing.assert_array_equal(net(x), x.reshape(-1, 28, 28, 1))


@given(shape=st.lists(st.integers(1, 4), min_size=2, max_size=3), batch=st.integers(1, 3),
       data=st.data())
def test_transpose_properties(shape, batch, data):
    perm = [0] + data.draw(st.permutations(range(1, len(shape) + 1)))
    net = check_layer(TransposeLayer(_param_input(shape), perm=perm), batch_sizes=(batch,))
    assert net.output_shape == (None, *[shape[p - 1] for p in perm[1:]])


def test_transpose_matches_numpy():
    net = TransposeLayer(InputLayer([None, 3, 5]), perm=[0, 2, 1])
    x = random_inputs(net, 2)
    np.testing.assert_array_equal(net(x), x.transpose(0, 2, 1))


@given(shape=dims, batch=st.integers(1, 3), data=st.data())
def test_expand_dims_properties(shape, batch, data):
    axis = data.draw(st.integers(-len(shape) - 2, len(shape) + 1))
    check_layer(ExpandDimsLayer(_param_input(shape), axis=axis), batch_sizes=(batch,))


def test_expand_dims_matches_numpy():
    net = ExpandDimsLayer(InputLayer([None, 3]), axis=-1)
    x = random_inputs(net, 2)
    np.testing.assert_array_equal(net(x), x[..., None])


@given(shape=dims, batch=st.integers(1, 3), data=st.data())
def test_tile_properties(shape, batch, data):
    multiples = [1] + data.draw(st.lists(st.integers(1, 3), min_size=len(shape),
                                         max_size=len(shape)))
    net = check_layer(TileLayer(_param_input(shape), multiples=multiples), batch_sizes=(batch,))
    assert net.output_shape == (None, *[d * m for d, m in zip(shape, multiples[1:])])


def test_tile_matches_numpy():
    net = TileLayer(InputLayer([None, 3, 1]), multiples=[2, 1, 4])
    x = random_inputs(net, 2)
    np.testing.assert_array_equal(net(x), np.tile(x, (2, 1, 4)))


@pytest.mark.parametrize("make, match", [
    (lambda: FlattenLayer(InputLayer([None]), name="f"), r"FlattenLayer 'f'.*rank >= 2.*\(None,\)"),
    (lambda: FlattenLayer(InputLayer([None, None, 3]), name="f"), r"FlattenLayer 'f'.*known"),
    (lambda: ReshapeLayer(InputLayer([3, 5]), shape=(-1, 4), name="r"),
     r"ReshapeLayer 'r'.*cannot be applied to input of shape \(3, 5\)"),
    (lambda: ReshapeLayer(InputLayer([None, 6]), shape=(-1, -1), name="r"),
     r"ReshapeLayer 'r'.*at most one -1"),
    (lambda: ReshapeLayer(InputLayer([None, 6]), shape="6", name="r"),
     r"ReshapeLayer 'r'.*shape.*received '6'"),
    (lambda: TransposeLayer(InputLayer([None, 3]), perm=[0, 2], name="t"),
     r"TransposeLayer 't'.*permutation.*\[0, 2\].*\(None, 3\)"),
    (lambda: ExpandDimsLayer(InputLayer([None, 3]), axis=5, name="e"),
     r"ExpandDimsLayer 'e'.*\[-3, 2\].*received 5"),
    (lambda: ExpandDimsLayer(InputLayer([None, 3]), axis=1.0, name="e"),
     r"ExpandDimsLayer 'e'.*axis must be an int"),
    (lambda: TileLayer(InputLayer([None, 3]), multiples=[1], name="t"),
     r"TileLayer 't'.*one entry per dim.*received \[1\]"),
    (lambda: TileLayer(InputLayer([None, 3]), multiples=[1, 0], name="t"),
     r"TileLayer 't'.*positive"),
], ids=["flatten_rank1", "flatten_unknown", "reshape_size", "reshape_two_minus1", "reshape_str",
        "transpose_perm", "expand_axis", "expand_float", "tile_len", "tile_zero"])
def test_bad_arguments_name_the_layer(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_reshape_may_move_dims_into_the_batch():
    # TensorLayer 1.11 built (-1, 5) on (None, 20, 5): 20 rows per example
    net = ReshapeLayer(InputLayer([None, 20, 5]), (-1, 5))
    assert net.output_shape == (None, 5)
    x = np.arange(2 * 20 * 5, dtype=np.float32).reshape(2, 20, 5)
    np.testing.assert_array_equal(net(x), x.reshape(40, 5))
    # (-1, 4) on (None, 6): valid for an even batch, as tf.reshape decides at run time
    assert ReshapeLayer(InputLayer([None, 6]), (-1, 4))(np.ones((2, 6), np.float32)).shape == (3, 4)


def test_tile_minus_one_keeps_the_dim():
    # 1.11 built TileLayer(net, [-1, 1, 3]); TensorFlow refuses -1 when run, tlcore reads it as 1
    net = TileLayer(InputLayer([None, 4, 1]), [-1, 1, 3])
    assert net.output_shape == (None, 4, 3)
    x = np.arange(8, dtype=np.float32).reshape(2, 4, 1)
    np.testing.assert_array_equal(net(x), np.tile(x, (1, 1, 3)))
