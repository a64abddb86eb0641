"""Exceptions and warnings of the plugin registry. Each carries the offender."""
from __future__ import annotations


class PluginError(RuntimeError):
    """A plugin failed to load or register (raised in strict mode, stored otherwise).

    Attributes:
        plugin: the plugin's (entry-point) name.
    """

    def __init__(self, message: str, *, plugin: str) -> None:
        super().__init__(message)
        self.plugin = plugin


class PluginWarning(UserWarning):
    """Issued once per plugin that is skipped because it failed or is incompatible."""


class UnknownNameError(AttributeError, LookupError):
    """No plugin registers this name. The message suggests close names and what to install.

    It is an ``AttributeError`` so that ``hasattr(tl.layers, "X")`` and ``getattr(..., None)``
    behave as for any module.
    """

    def __init__(self, message: str, *, kind: str, name: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.name = name


class AmbiguousNameError(LookupError):
    """Several plugins register the same name; use one of the qualified ids listed."""

    def __init__(self, message: str, *, kind: str, name: str, candidates: tuple[str, ...]) -> None:
        super().__init__(message)
        self.kind = kind
        self.name = name
        self.candidates = candidates
