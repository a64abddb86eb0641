"""Tests for tlcore/layers/merge.py: numpy concatenate/stack/minimum are the oracles."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import check_layer, random_inputs
from tlcore.layers.core import InputLayer
from tlcore.layers.dense import DenseLayer
from tlcore.layers.merge import (ConcatLayer, ElementwiseLambdaLayer, ElementwiseLayer,
                                 MultiplexerLayer, StackLayer, UnStackLayer)


def branches(n_in, widths):
    """Dense branches on one input (widths[i] units each), so gradients reach every branch."""
    x = InputLayer([None, n_in], name="x")
    # A fresh initializer per branch: an unseeded Keras initializer instance repeats its values.
    return [DenseLayer(x, n_units=w, W_init=keras.initializers.TruncatedNormal(stddev=0.1),
                       name=f"d{i}") for i, w in enumerate(widths)]


def two_inputs(n):
    a, b = InputLayer([None, n], name="a"), InputLayer([None, n], name="b")
    return a, b


@given(n_in=st.integers(1, 4), widths=st.lists(st.integers(1, 4), min_size=1, max_size=3),
       batch=st.integers(1, 4))
def test_concat_properties(n_in, widths, batch):
    net = check_layer(ConcatLayer(branches(n_in, widths), concat_dim=-1), batch_sizes=(batch,))
    assert net.output_shape == (None, sum(widths))


def test_concat_matches_numpy_and_multi_input():
    a, b = InputLayer([None, 2, 3], name="a"), InputLayer([None, 2, 5], name="b")
    net = check_layer(ConcatLayer([a, b], concat_dim=2, name="cat"))
    xa, xb = random_inputs(net, 3)
    np.testing.assert_array_equal(net([xa, xb]), np.concatenate([xa, xb], axis=2))
    np.testing.assert_array_equal(net({"a": xa, "b": xb}), np.concatenate([xa, xb], axis=2))


@given(n=st.integers(1, 4), k=st.integers(2, 3), batch=st.integers(1, 4),
       fn=st.sampled_from(["minimum", "maximum", "add", "multiply"]))
def test_elementwise_properties(n, k, batch, fn):
    net = ElementwiseLayer(branches(3, [n] * k), combine_fn=fn, act="tanh")
    # minimum/maximum pass the gradient to the winning branch only: with one unit and a batch
    # of one, a branch may lose everywhere, so its weights legitimately get a zero gradient
    relaxed = {"d*/*": "exists"} if fn in ("minimum", "maximum") else None
    check_layer(net, batch_sizes=(batch,), grads=relaxed)


def test_elementwise_matches_numpy_default_minimum():
    a, b = two_inputs(4)
    c = InputLayer([None, 4], name="c")
    net = ElementwiseLayer([a, b, c], act=tf.nn.relu)
    assert net.combine_fn is tf.minimum  # TensorLayer's default
    xs = random_inputs(net, 3)
    np.testing.assert_array_equal(net(xs), np.maximum(np.minimum(np.minimum(*xs[:2]), xs[2]), 0))
    net = check_layer(ElementwiseLayer([a, b], combine_fn=tf.add))
    assert net.get_config()["combine_fn"] == "add"


def test_elementwise_lambda_reparameterization():
    mean, logstd = branches(3, [2, 2])
    net = ElementwiseLambdaLayer([mean, logstd], fn=lambda m, s: m + tf.exp(s) * 0.5)
    check_layer(net, config=False)
    x = random_inputs(net, 2)
    m, s = mean(x), logstd(x)
    np.testing.assert_allclose(net(x), m + np.exp(s) * 0.5, rtol=1e-6)
    with pytest.raises(ValueError, match=r"ElementwiseLambdaLayer 'elementwiselambdalayer_1'.*"
                                         r"cannot be serialized"):
        net.get_config()


def test_elementwise_lambda_fn_args():
    a, b = two_inputs(2)
    net = ElementwiseLambdaLayer([a, b], fn=lambda x, y, w: w * x + y, fn_args={"w": 3.0})
    xa, xb = random_inputs(net, 2)
    np.testing.assert_allclose(net([xa, xb]), 3 * xa + xb, rtol=1e-6)


@given(n=st.integers(1, 4), k=st.integers(1, 3), axis=st.integers(-3, 2), batch=st.integers(1, 4))
def test_stack_properties(n, k, axis, batch):
    check_layer(StackLayer(branches(2, [n] * k), axis=axis), batch_sizes=(batch,))


def test_stack_matches_numpy():
    a, b = two_inputs(3)
    net = StackLayer([a, b])
    assert net.output_shape == (None, 2, 3)  # TensorLayer's default axis=1
    xa, xb = random_inputs(net, 4)
    np.testing.assert_array_equal(net([xa, xb]), np.stack([xa, xb], axis=1))


@given(n=st.integers(1, 3), t=st.integers(1, 3), batch=st.integers(1, 4))
def test_unstack_properties(n, t, batch):
    from tlcore.layers.shape import ReshapeLayer

    seq = ReshapeLayer(DenseLayer(InputLayer([None, 2]), n_units=n * t), shape=(-1, t, n))
    net = check_layer(UnStackLayer(seq, axis=1), batch_sizes=(batch,))
    assert net.output_shape == [(None, n)] * t


def test_unstack_output_is_a_list_and_indexing_selects():
    net = UnStackLayer(InputLayer([None, 3, 2]), axis=1, name="un")
    x = random_inputs(net, 4)
    outs = net(x)
    assert isinstance(outs, list) and len(outs) == 3
    for i in range(3):
        np.testing.assert_array_equal(outs[i], x[:, i])
    second = check_layer(net[1])
    assert second.output_shape == (None, 2)
    np.testing.assert_array_equal(second(x), x[:, 1])
    # a selected piece feeds an ordinary layer
    check_layer(DenseLayer(net[2], n_units=3))


def test_multiplexer_selects_at_call_time():
    a, b = two_inputs(3)
    net = MultiplexerLayer(
        [DenseLayer(a, n_units=2, name="da"), DenseLayer(b, n_units=2, name="db")], name="mux")
    assert type(net).call_args == ("sel",)
    xa, xb = random_inputs(net, 2)
    for sel in (0, 1):
        # the unselected branch legitimately gets a zero gradient
        check_layer(net, call_kwargs={"sel": sel}, nonzero_grads=False)
    np.testing.assert_allclose(net([xa, xb], sel=0), net.prev_layers[0](xa))
    np.testing.assert_allclose(net([xa, xb], sel=1), net.prev_layers[1](xb))
    traces = []

    @tf.function
    def run(xa, xb, sel):
        traces.append(1)
        return net([xa, xb], sel=sel)

    np.testing.assert_allclose(run(xa, xb, tf.constant(1)), net([xa, xb], sel=1))
    np.testing.assert_allclose(run(xa, xb, tf.constant(0)), net([xa, xb], sel=0))
    assert len(traces) == 1
    with pytest.raises(TypeError, match=r"MultiplexerLayer 'mux'.*sel=0"):
        net([xa, xb])
    with pytest.raises(ValueError, match=r"MultiplexerLayer 'mux'.*sel must be in \[0, 1\], "
                                         r"received 2"):
        net([xa, xb], sel=2)


@pytest.mark.parametrize("make, error, match", [
    (lambda: ConcatLayer(InputLayer([None, 3]), name="c"), TypeError,
     r"ConcatLayer 'c'.*list of layers"),
    (lambda: ConcatLayer([InputLayer([None, 3], name="a"), InputLayer([None, 3, 1], name="b")],
                         name="c"), ValueError, r"ConcatLayer 'c'.*one rank.*\(None, 3, 1\)"),
    (lambda: ConcatLayer([InputLayer([None, 3], name="a"), InputLayer([None, 3], name="b")],
                         concat_dim=2, name="c"), ValueError, r"ConcatLayer 'c'.*concat_dim.*2"),
    (lambda: ConcatLayer([InputLayer([3, 3], name="a"), InputLayer([4, 3], name="b")],
                         concat_dim=1, name="c"), ValueError, r"ConcatLayer 'c'.*\(3, 3\)"),
    (lambda: ElementwiseLayer(list(two_inputs(3)), combine_fn="plus", name="e"), ValueError,
     r"ElementwiseLayer 'e'.*combine_fn.*'plus'"),
    (lambda: ElementwiseLayer([InputLayer([None, 3], name="a"), InputLayer([None, 4], name="b")],
                              name="e"), ValueError, r"ElementwiseLayer 'e'.*\(None, 4\)"),
    (lambda: ElementwiseLambdaLayer(list(two_inputs(3)), fn=3, name="e"), ValueError,
     r"ElementwiseLambdaLayer 'e'.*fn must be a callable"),
    (lambda: StackLayer([InputLayer([None, 3], name="a"), InputLayer([None, 4], name="b")],
                        name="s"), ValueError, r"StackLayer 's'.*one shape.*\(None, 4\)"),
    (lambda: StackLayer(list(two_inputs(3)), axis=3, name="s"), ValueError,
     r"StackLayer 's'.*axis.*received 3"),
    (lambda: UnStackLayer(InputLayer([None, 3])), ValueError, r"UnStackLayer.*unknown; pass num"),
    (lambda: UnStackLayer(InputLayer([None, 3]), axis=1, num=2, name="u"), ValueError,
     r"UnStackLayer 'u'.*num=2.*size 3"),
    (lambda: MultiplexerLayer([InputLayer([None, 3], name="a"), InputLayer([None, 4], name="b")],
                              name="m"), ValueError, r"MultiplexerLayer 'm'.*one shape"),
    (lambda: MultiplexerLayer([InputLayer([None, 3], name="a"),
                               InputLayer([None, 3], tf.int32, name="b")], name="m"), ValueError,
     r"MultiplexerLayer 'm'.*one dtype.*int32"),
], ids=["concat_not_list", "concat_rank", "concat_axis", "concat_dims", "elementwise_fn_name",
        "elementwise_shapes", "lambda_fn", "stack_shapes", "stack_axis", "unstack_unknown",
        "unstack_num", "mux_shapes", "mux_dtypes"])
def test_bad_arguments_name_the_layer(make, error, match):
    with pytest.raises(error, match=match):
        make()
