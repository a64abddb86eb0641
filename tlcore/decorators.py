"""``tl.decorators``: TensorLayer 1.11's decorators for ported code.

``deprecated_alias`` renames old keyword arguments (with a ``DeprecationWarning``);
``private_method`` and ``protected_method`` raise ``RuntimeError`` when a method is called from
outside its object (private) or from outside its class hierarchy (protected), as 1.11's did, by
looking at the caller's ``self``; ``deprecated`` warns on each call.
"""
from __future__ import annotations

import functools
import inspect
import logging
import warnings
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["deprecated", "deprecated_alias", "private_method", "protected_method"]

logger = logging.getLogger("tlcore")


def deprecated_alias(end_support_version: Any = None, **aliases: str) -> Callable[[F], F]:
    """Accept the keyword ``old`` for ``new`` for every ``old=new`` in ``aliases``.

    >>> @deprecated_alias(end_support_version="2.0", layer="prev_layer")
    ... def f(prev_layer): return prev_layer
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     f(layer=3)
    3
    """

    def deco(f: F) -> F:
        @functools.wraps(f)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in aliases.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(f"{f.__qualname__}() received both {old} and {new}")
                    warnings.warn(f"{f.__qualname__}(): {old}= is deprecated (support ends in "
                                  f"{end_support_version}); use {new}=", DeprecationWarning,
                                  stacklevel=2)
                    kwargs[new] = kwargs.pop(old)
            return f(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return deco


def deprecated(wrapped: Callable | None = None, date: str | None = None,
               instructions: str = "") -> Any:
    """Warn (``DeprecationWarning``) on every call; ``date`` and ``instructions`` go in the text."""

    def deco(f: F) -> F:
        @functools.wraps(f)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            when = f" and will be removed after {date}" if date else ""
            warnings.warn(f"{f.__qualname__} is deprecated{when}. {instructions}".strip(),
                          DeprecationWarning, stacklevel=2)
            return f(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return deco(wrapped) if wrapped is not None else deco


def _caller_self(depth: int = 2) -> Any:
    frame = inspect.currentframe()
    try:
        for _ in range(depth):
            frame = frame.f_back if frame is not None else None
        return frame.f_locals.get("self", _MISSING) if frame is not None else _MISSING
    finally:
        del frame


_MISSING = object()


def private_method(func: F) -> F:
    """Let only methods of the same object call ``func``; others get ``RuntimeError``."""

    @functools.wraps(func)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if _caller_self() is not self:
            raise RuntimeError(f"{type(self).__name__}.{func.__name__} is a private method")
        return func(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def protected_method(func: F) -> F:
    """Let only methods of the same object, or of an object whose class shares a base with it
    (other than ``object``), call ``func``; others get ``RuntimeError``."""

    @functools.wraps(func)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        caller = _caller_self()
        related = caller is not _MISSING and any(
            isinstance(caller, cls) for cls in type(self).__mro__[:-1])
        if caller is not self and not related:
            raise RuntimeError(f"{type(self).__name__}.{func.__name__} is a protected method")
        return func(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
