"""Tests for tlcore/logging.py (TensorLayer's tl.logging on the ``tlcore`` logger)."""
from __future__ import annotations

import logging

import pytest

import tlcore as tl


@pytest.mark.parametrize("fn, level", [("debug", logging.DEBUG), ("info", logging.INFO),
                                       ("warn", logging.WARNING), ("warning", logging.WARNING),
                                       ("error", logging.ERROR), ("fatal", logging.CRITICAL)])
def test_functions_log_on_the_tlcore_logger(fn, level, caplog):
    with caplog.at_level(logging.DEBUG, logger="tlcore"):
        getattr(tl.logging, fn)("value %d", 7)
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        ("tlcore", level, "value 7")]


def test_set_and_get_verbosity_use_the_tlcore_logger():
    logger = logging.getLogger("tlcore")
    old = logger.level
    try:
        tl.logging.set_verbosity(tl.logging.ERROR)
        assert tl.logging.get_verbosity() == logging.ERROR == logger.getEffectiveLevel()
        tl.logging.set_verbosity("DEBUG")
        assert tl.logging.get_verbosity() == tl.logging.DEBUG
    finally:
        logger.setLevel(old)


def test_constants_are_the_logging_levels():
    assert (tl.logging.DEBUG, tl.logging.INFO, tl.logging.WARN, tl.logging.ERROR,
            tl.logging.FATAL) == (10, 20, 30, 40, 50)
