"""The ``tlcore`` logger. Library code logs here and never prints.

Like TensorLayer, tlcore shows its INFO lines (``Instantiate DenseLayer relu1: 800, relu``,
``print_params``, the ``Epoch 1 of 20 took ...`` lines of ``fit``) out of the box: the logger
starts at INFO with a handler that writes to stderr, but only while the application has not
configured logging itself (no handler on the root logger); then records simply propagate.
Silence it with ``tl.set_verbosity("WARNING")`` or ``logging.getLogger("tlcore").setLevel``.
"""
from __future__ import annotations

import logging
import sys

logger = logging.getLogger("tlcore")


class _DefaultHandler(logging.StreamHandler):
    """Writes to the current ``sys.stderr`` unless the root logger has handlers."""

    def emit(self, record: logging.LogRecord) -> None:
        if logging.getLogger().handlers:
            return  # the application (or pytest) handles records: avoid printing them twice
        self.stream = sys.stderr
        super().emit(record)


if not any(isinstance(h, _DefaultHandler) for h in logger.handlers):
    _handler = _DefaultHandler()
    _handler.setFormatter(logging.Formatter("%(name)s:%(message)s"))
    logger.addHandler(_handler)
if logger.level == logging.NOTSET:
    logger.setLevel(logging.INFO)


def set_verbosity(level: int | str) -> None:
    """Set the level of the ``tlcore`` logger (``"INFO"`` shows the seed's lines).

    Args:
        level: a ``logging`` level (``logging.INFO``) or its name (``"WARNING"``).
    """
    logger.setLevel(level)
