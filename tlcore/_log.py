"""The ``tlcore`` logger. Library code logs here and never prints.

As a library, tlcore only adds a ``NullHandler``: the application decides what is shown. The
``tlcore`` command (and so every ``tlcore run`` example) shows the INFO lines TensorLayer
printed (``Instantiate DenseLayer relu1: 800, relu``, ``print_params``, ``Epoch 1 of 20 took
...``) in one format; ``--quiet`` keeps warnings only. A script gets the same with one call::

    import tlcore as tl
    tl.show_logs()          # INFO lines on stderr, as TensorLayer printed them
    tl.show_logs("WARNING")  # warnings only

An application that configures ``logging`` itself sees tlcore's records through its own
handlers (``logging.getLogger("tlcore").setLevel(logging.INFO)`` for the INFO lines).
"""
from __future__ import annotations

import logging
import sys

logger = logging.getLogger("tlcore")
if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
    logger.addHandler(logging.NullHandler())


class _Formatter(logging.Formatter):
    """INFO lines as plain text (like the seed's prints); warnings and errors marked."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if record.levelno >= logging.WARNING:
            return f"{record.name}: {record.levelname.lower()}: {text}"
        return text


class _StderrHandler(logging.StreamHandler):
    """Writes to the *current* ``sys.stderr`` (pytest and redirects replace it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def show_logs(level: int | str = "INFO") -> None:
    """Show log records of ``level`` and above on stderr, in tlcore's one format.

    Installs one handler on the root logger, as ``logging.basicConfig`` would (so libraries
    that call ``logging.basicConfig`` or ``logging.info`` later change nothing), unless the
    application already configured a root handler: then only levels are set and records keep
    going to the application's handlers. Calling it again only changes the level.

    Args:
        level: a ``logging`` level or its name; sets the ``tlcore`` logger's level too.
    """
    value = logging.getLevelName(level.upper()) if isinstance(level, str) else level
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"show_logs: unknown level {level!r}; use DEBUG, INFO, WARNING, ERROR")
    level = value
    root = logging.getLogger()
    ours = [h for h in root.handlers if isinstance(h, _StderrHandler)]
    if not root.handlers:
        handler = _StderrHandler()
        handler.setFormatter(_Formatter("%(message)s"))
        root.addHandler(handler)
        ours = [handler]
    for handler in ours:
        handler.setLevel(level)
    logger.setLevel(min(level, logging.INFO) if ours else level)


def set_verbosity(level: int | str) -> None:
    """Set the level of the ``tlcore`` logger (what is logged; :func:`show_logs` decides
    where it goes).

    Args:
        level: a ``logging`` level (``logging.INFO``) or its name (``"WARNING"``).
    """
    logger.setLevel(level)
