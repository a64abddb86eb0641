"""Targets: the objects behind registered names, imported on first use and validated once.

A target is an object or a ``"package.module:attr.sub"`` string; importing it may run any code,
so every failure becomes a :class:`PluginError` that names the plugin and the entry.
"""
from __future__ import annotations

import importlib
import re
import sys
import types
from typing import TYPE_CHECKING, Any

from tlcore.plugins._errors import PASS_THROUGH, PluginError, describe
from tlcore.plugins._hooks import SINGULAR

if TYPE_CHECKING:
    from tlcore.plugins._names import Entry

#: "package.module" (a module) or "package.module:attr.sub"
TARGET = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*(:([A-Za-z_]\w*(\.[A-Za-z_]\w*)*)?)?$")

def import_target(target: str) -> Any:
    """Import ``"package.module:attr.sub"`` (or the module ``"package.module"``) and return it."""
    module_name, _, attr = target.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in filter(None, attr.split(".")):
        obj = getattr(obj, part)
    return obj


def path_of(obj: Any) -> str:
    """``"module:qualname"`` of an object (``"module:"`` of a module), without importing."""
    if isinstance(obj, types.ModuleType):
        return f"{obj.__name__}:"
    return f"{getattr(obj, '__module__', '?')}:{getattr(obj, '__qualname__', type(obj).__name__)}"


def normal(target: str) -> str:
    """A target string in :func:`path_of`'s form (a bare module gets its ``:``)."""
    return target if ":" in target else f"{target}:"


def invalid(entry: Entry, obj: Any) -> str | None:
    """Why ``obj`` cannot be what ``entry`` registers it as, or ``None``."""
    if entry.kind == "layers":
        if entry.helper:
            return None if callable(obj) else f"is a {type(obj).__name__}, not callable"
        # Layer is looked up, not imported: a class can only subclass it once it is imported,
        # and importing it here would import TensorFlow for plugins that list names.
        core = sys.modules.get("tlcore.layers.core")
        base = getattr(core, "Layer", None)
        if not (isinstance(obj, type) and base is not None and issubclass(obj, base)):
            kind = f"class {obj.__qualname__}" if isinstance(obj, type) else type(obj).__name__
            return (f"is a {kind}, not a subclass of tlcore.layers.Layer (register functions "
                    f"and cells as layer helpers: Manifest(layer_helpers=...) or "
                    f"register(..., helper=True))")
    elif entry.kind in ("datasets", "examples") and not callable(obj):
        return f"is a {type(obj).__name__}, not callable"
    return None


class Targets:
    """Resolved targets by ``(kind, qualified id)``; only successes are cached, so a target
    that failed to import fails again (with the same error) on the next use."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], Any] = {}

    def resolve(self, entry: Entry) -> Any:
        """The object of ``entry``, imported and validated once.

        Raises:
            PluginError: the target cannot be imported (whatever the import raises, Ctrl-C
                aside) or is not what its kind requires.
        """
        key = (entry.kind, entry.qualified)
        if key not in self._cache:
            what = f"plugin {entry.plugin!r} registers {SINGULAR[entry.kind]} {entry.name!r}"
            obj = entry.target
            if isinstance(obj, str):
                try:
                    obj = import_target(obj)
                except BaseException as e:
                    if isinstance(e, PASS_THROUGH):
                        raise
                    raise PluginError(f"{what} as {entry.target!r}, which cannot be imported: "
                                      f"{describe(e)}", plugin=entry.plugin) from e
            problem = invalid(entry, obj)
            if problem is not None:
                raise PluginError(f"{what} as {entry.target_path!r}, which {problem}",
                                  plugin=entry.plugin)
            self._cache[key] = obj
        return self._cache[key]
