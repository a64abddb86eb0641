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


#: What a plugin may not swallow: its failure is isolated whatever it raises (SystemExit and odd
#: BaseException subclasses too: they must not take down a program that merely looked up a
#: layer), except Ctrl-C.
PASS_THROUGH: tuple[type[BaseException], ...] = (KeyboardInterrupt,)


def describe(exc: BaseException, where: str = "") -> str:
    """``KeyError in its hook: 'x'``, even for an exception whose ``str()`` itself raises."""
    try:
        text = str(exc)
    except BaseException as e:
        if isinstance(e, PASS_THROUGH):
            raise
        text = f"<str() of the exception raised {type(e).__name__}>"
    return f"{type(exc).__name__}{where}: {text}"
