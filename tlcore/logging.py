"""``tl.logging``: TensorLayer 1.11's logging functions, on the ``tlcore`` logger.

``tl.logging.info("...")``, ``tl.logging.set_verbosity(tl.logging.DEBUG)`` and the level
constants work as in TensorLayer; the records go to ``logging.getLogger("tlcore")``, so an
application configures them like any other logger. (Module named after TensorLayer's; inside
it, ``logging`` is the standard library's, imported absolutely.)
"""
from __future__ import annotations

import logging as _logging
from typing import Any

from tlcore._log import logger as _logger

__all__ = ["DEBUG", "ERROR", "FATAL", "INFO", "WARN", "WARNING", "debug", "error", "fatal",
           "get_verbosity", "info", "log", "set_verbosity", "warn", "warning"]

DEBUG = _logging.DEBUG
INFO = _logging.INFO
WARN = WARNING = _logging.WARNING
ERROR = _logging.ERROR
FATAL = _logging.FATAL


def log(level: int, msg: Any, *args: Any, **kwargs: Any) -> None:
    """Log ``msg % args`` at ``level`` on the ``tlcore`` logger."""
    _logger.log(level, msg, *args, **kwargs)


def debug(msg: Any, *args: Any, **kwargs: Any) -> None:
    """Log at DEBUG."""
    _logger.debug(msg, *args, **kwargs)


def info(msg: Any, *args: Any, **kwargs: Any) -> None:
    """Log at INFO (shown after ``set_verbosity(INFO)`` or ``tl.show_logs()``)."""
    _logger.info(msg, *args, **kwargs)


def warning(msg: Any, *args: Any, **kwargs: Any) -> None:
    """Log at WARNING."""
    _logger.warning(msg, *args, **kwargs)


warn = warning


def error(msg: Any, *args: Any, **kwargs: Any) -> None:
    """Log at ERROR."""
    _logger.error(msg, *args, **kwargs)


def fatal(msg: Any, *args: Any, **kwargs: Any) -> None:
    """Log at FATAL (CRITICAL). Like TensorLayer's, it only logs; it does not exit."""
    _logger.critical(msg, *args, **kwargs)


def get_verbosity() -> int:
    """The effective level of the ``tlcore`` logger."""
    return _logger.getEffectiveLevel()


def set_verbosity(v: int | str) -> None:
    """Show tlcore's records of level ``v`` and above (``tl.logging.DEBUG`` or a name).

    TensorLayer's logger had its own stderr handler, so ``tl.logging.set_verbosity(tl.logging.
    INFO)`` was all a script needed to see ``print_params()`` and the training lines; this does
    the same through :func:`tlcore.show_logs` (an application's own handlers are left alone).
    """
    from tlcore._log import show_logs

    show_logs(v)
