"""Tests for tlcore_nlp/layers/seq_ops.py on hand cases; and their registration in tl.layers."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import tlcore as tl
from tlcore_nlp.layers.seq_ops import (advanced_indexing_op, initialize_rnn_state,
                                       retrieve_seq_length_op, retrieve_seq_length_op2,
                                       retrieve_seq_length_op3, target_mask_op)


def test_retrieve_seq_length_op_counts_nonzero_feature_rows():
    data = np.zeros((3, 4, 2), np.float32)
    data[0, :2] = 1.0
    data[1, :4, 1] = -2.0
    data[2, 0, 0] = 0.5
    assert retrieve_seq_length_op(data).numpy().tolist() == [2, 4, 1]
    assert retrieve_seq_length_op(data).dtype == tf.int32


def test_retrieve_seq_length_op2_counts_positive_ids():
    assert retrieve_seq_length_op2([[1, 2, 0, 0], [1, 2, 3, 0], [0, 0, 0, 0]]).numpy().tolist() \
        == [2, 3, 0]


def test_retrieve_seq_length_op3_uses_pad_val_for_2d_and_3d():
    assert retrieve_seq_length_op3([[5, 6, 7, 1], [5, 1, 1, 1]], pad_val=1).numpy().tolist() \
        == [3, 1]
    data = np.array([[[1, 0], [0, 2], [0, 0]], [[0, 0], [0, 0], [0, 0]]])
    assert retrieve_seq_length_op3(data).numpy().tolist() == [2, 0]


def test_target_mask_op():
    assert target_mask_op([[1, 2, 0], [3, 0, 0]]).numpy().tolist() == [[1, 1, 0], [1, 0, 0]]
    data = np.array([[[9, 9], [1, 9]], [[9, 9], [9, 9]]])
    assert target_mask_op(data, pad_val=9).numpy().tolist() == [[0, 1], [0, 0]]


def test_advanced_indexing_op_picks_one_step_per_sequence():
    x = np.arange(2 * 3 * 2, dtype=np.float32).reshape(2, 3, 2)
    out = advanced_indexing_op(x, [2, 0]).numpy()
    np.testing.assert_array_equal(out, [x[0, 2], x[1, 0]])


@pytest.mark.parametrize("fn", [retrieve_seq_length_op, retrieve_seq_length_op2])
def test_wrong_rank_names_function_and_shape(fn):
    with pytest.raises(ValueError, match=rf"{fn.__name__}: expected rank-.*received shape \(2,\)"):
        fn([1, 2])


def test_initialize_rnn_state_of_a_value_gives_zeros():
    state = (tf.ones((2, 3)), tf.ones((2, 3)))
    out = initialize_rnn_state(state)
    assert [a.tolist() for a in out] == [np.zeros((2, 3)).tolist()] * 2


def test_registered_in_tl_layers():
    for name in ["retrieve_seq_length_op", "retrieve_seq_length_op2", "retrieve_seq_length_op3",
                 "target_mask_op", "advanced_indexing_op", "initialize_rnn_state", "RNNLayer",
                 "BiRNNLayer", "DynamicRNNLayer", "BiDynamicRNNLayer", "EmbeddingInputlayer",
                 "AverageEmbeddingInputlayer", "Word2vecEmbeddingInputlayer", "BasicLSTMCell",
                 "GRUCell", "BasicRNNCell"]:
        assert getattr(tl.layers, name).__name__ == name


@pytest.mark.parametrize("fn", ["retrieve_seq_length_op", "retrieve_seq_length_op2",
                                "retrieve_seq_length_op3", "target_mask_op"])
def test_a_placeholder_stand_in_says_lengths_go_to_the_call(fn):
    with pytest.raises(TypeError, match=rf"{fn}: computes lengths from data, received a "
                                        rf"TensorSpec .*net\(ids, sequence_length={fn}\(ids\)\)"):
        getattr(tl.layers, fn)(tf.TensorSpec([32, None], tf.int64))
