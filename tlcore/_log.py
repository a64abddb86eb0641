"""The ``tlcore`` logger. Library code logs here and never prints."""
from __future__ import annotations

import logging

logger = logging.getLogger("tlcore")


def set_verbosity(level: int | str) -> None:
    """Set the level of the ``tlcore`` logger and make sure its records are shown.

    Args:
        level: a ``logging`` level (``logging.INFO``) or its name (``"INFO"``).
    """
    logger.setLevel(level)
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(name)s:%(message)s"))
        logger.addHandler(handler)
