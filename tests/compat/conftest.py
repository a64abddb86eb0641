"""TensorLayer 1.11.1's own unit tests, translated to tlcore (see README, "Porting").

The translation is mechanical: ``tf.placeholder(dtype, shape)`` becomes
``tf.TensorSpec(shape, dtype)`` (``InputLayer`` takes it), sessions, ``feed_dict``,
``initialize_global_variables`` and ``variable_scope``/``reuse`` lines are deleted, and
``net.outputs.get_shape()`` stays as it was. Every network and every assertion of the
original is kept; a test of a TensorFlow-1-only behaviour is replaced by a test of the
deliberate difference, with a comment naming it.
"""
from __future__ import annotations

import logging

import pytest


@pytest.fixture(autouse=True)
def _quiet_tlcore_build_log():
    """TensorLayer's build log (``Instantiate DenseLayer ...``) is INFO; keep test output short."""
    logger = logging.getLogger("tlcore")
    level = logger.level
    logger.setLevel(logging.WARNING)
    yield
    logger.setLevel(level)
