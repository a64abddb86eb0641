"""``tl.files``: persistence (npz, checkpoints, networks, SavedModel), downloads, datasets.

``tl.files.load_<name>_dataset`` resolves through the plugin registry, so plugins add loaders
(``load_ptb_dataset`` from tlcore-nlp). Names resolve lazily; importing is cheap.
"""
from __future__ import annotations

import importlib
import re
from typing import Any

#: public name -> private module under tlcore.files that defines it
_EXPORTS: dict[str, str] = {
}

__all__ = sorted(_EXPORTS)

_LOADER = re.compile(r"^load_(?P<name>\w+?)_dataset$")


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        obj = getattr(importlib.import_module(f"tlcore.files.{_EXPORTS[name]}"), name)
        globals()[name] = obj
        return obj
    match = _LOADER.match(name)
    if match:
        from tlcore.plugins import get_registry

        return get_registry().get("datasets", match["name"])
    raise AttributeError(f"module 'tlcore.files' has no attribute {name!r}")


def __dir__() -> list[str]:
    from tlcore.plugins import get_registry

    loaders = [f"load_{n}_dataset" for n in get_registry().names("datasets")]
    return sorted(set(globals()) | set(__all__) | set(loaders))
