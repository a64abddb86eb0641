"""Tests for tlcore/optimizers.py: AMSGrad against TensorLayer 1.11's update written in numpy."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

import tlcore as tl


def tl_amsgrad(w, grads, lr, b1, b2, eps):
    """TensorLayer 1.11's AMSGrad._apply_dense, step by step."""
    m = v = vhat = np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        vhat = np.maximum(vhat, v)
        w = w - lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / (np.sqrt(vhat) + eps)
    return w


def test_matches_tensorlayers_update():
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal(5)
    # a large gradient first, then small ones: vhat keeps the maximum (what AMSGrad adds)
    grads = [rng.standard_normal(5) * s for s in (10.0, 0.1, 0.1, 0.5)]
    var = tf.Variable(w0, dtype=tf.float64)
    opt = tl.optimizers.AMSGrad(learning_rate=0.01, beta1=0.9, beta2=0.99, epsilon=1e-8)
    for g in grads:
        opt.apply_gradients([(tf.constant(g), var)])
    # Keras keeps the learning rate and the beta powers in float32 (1 - 0.99**t loses ~6
    # digits), so the total step agrees to 1e-5 relative, not to float64 precision.
    np.testing.assert_allclose(var.numpy() - w0,
                               tl_amsgrad(w0, grads, 0.01, 0.9, 0.99, 1e-8) - w0, rtol=1e-5)


def test_defaults_config_round_trip_and_use_locking():
    opt = tl.optimizers.AMSGrad()
    assert (opt.beta_1, opt.beta_2, opt.epsilon, opt.amsgrad) == (0.9, 0.99, 1e-8, True)
    assert float(opt.learning_rate) == pytest.approx(0.01)
    again = tl.optimizers.AMSGrad.from_config(opt.get_config())
    assert (again.beta_1, again.beta_2, again.amsgrad) == (0.9, 0.99, True)
    assert isinstance(opt, keras.optimizers.Optimizer)
    with pytest.raises(ValueError, match="use_locking=True"):
        tl.optimizers.AMSGrad(use_locking=True)


def test_docstring_examples():
    import doctest
    import importlib

    assert doctest.testmod(importlib.import_module("tlcore.optimizers")).failed == 0
