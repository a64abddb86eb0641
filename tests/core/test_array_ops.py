"""Tests for tlcore/array_ops.py; ``np.full`` is the oracle."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

import tlcore as tl
from tlcore.array_ops import alphas, alphas_like

shapes = st.lists(st.integers(0, 4), min_size=0, max_size=3)


@given(shape=shapes, value=st.sampled_from([0.5, -3.25, 7, 0]))
def test_alphas_matches_np_full(shape, value):
    out = alphas(shape, value)
    assert out.dtype == (tf.float32 if isinstance(value, float) else tf.int32)
    np.testing.assert_array_equal(out.numpy(), np.full(shape, value))


@given(shape=shapes, value=st.floats(-5, 5, width=32))
def test_alphas_like_matches_np_full_and_keeps_dtype(shape, value):
    for dtype in (tf.float32, tf.float64):
        x = tf.zeros(shape, dtype)
        out = alphas_like(x, value)
        assert out.dtype == dtype and out.shape == x.shape
        np.testing.assert_array_equal(out.numpy(), np.full(shape, value, dtype.as_numpy_dtype))


def test_explicit_dtype_and_top_level_aliases():
    assert alphas([2], 1, dtype=tf.float16).dtype == tf.float16
    assert alphas_like(tf.zeros(3), 2, dtype="int64").numpy().tolist() == [2, 2, 2]
    assert tl.alphas is alphas and tl.alphas_like is alphas_like
    assert tl.array_ops.alphas is alphas


def test_alphas_like_with_unknown_batch_under_tf_function():
    fn = tf.function(lambda x: alphas_like(x, 0.25),
                     input_signature=[tf.TensorSpec((None, 3), tf.float32)])
    out = fn(tf.zeros((5, 3)))
    assert out.shape == (5, 3)
    np.testing.assert_array_equal(out.numpy(), np.full((5, 3), 0.25, np.float32))
    assert fn.get_concrete_function().structured_outputs.shape.as_list() == [None, 3]


def test_alphas_with_tensor_shape():
    np.testing.assert_array_equal(alphas(tf.constant([2, 1]), 3.0).numpy(), [[3.0], [3.0]])


def test_errors():
    with pytest.raises(ValueError, match=r"alphas: alpha_value must be a scalar, received shape "
                                         r"\(2,\)"):
        alphas([2], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"alphas: shape must be fully defined .*\(None, 3\)"):
        alphas([None, 3], 1.0)
    with pytest.raises(TypeError, match=r"alphas_like: alpha_value 0.5 cannot be represented as "
                                        r"int32"):
        alphas_like(tf.zeros(2, tf.int32), 0.5)


def test_docstring_examples_run():
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module("tlcore.array_ops"))
    assert result.attempted > 0 and result.failed == 0
