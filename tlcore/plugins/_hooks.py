"""The hook specifications a tlcore plugin may implement.

Every hook receives one callback, ``register(name, target, *, aliases=())``. ``target`` is the
object itself or a ``"module:attr"`` string that is imported on first use, so that a plugin's
manifest module stays cheap (no TensorFlow import at its top level).
"""
from __future__ import annotations

from typing import Callable

import pluggy

PROJECT = "tlcore"
#: Entry-point group under which distributions declare their plugin module.
ENTRY_POINT_GROUP = "tlcore.plugins"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

Register = Callable[..., None]


class TlcoreHookSpecs:
    """Hooks called once per plugin when the registry loads."""

    @hookspec
    def register_layers(self, register: Register) -> None:
        """Register layer classes, e.g. ``register("Conv2d", "pkg.conv:Conv2d")``."""

    @hookspec
    def register_modules(self, register: Register) -> None:
        """Register namespaces that appear as ``tl.<name>`` (``nlp``, ``rein``, ``prepro``)."""

    @hookspec
    def register_datasets(self, register: Register) -> None:
        """Register loaders that appear as ``tl.files.load_<name>_dataset``."""

    @hookspec
    def register_examples(self, register: Register) -> None:
        """Register runnable tutorials for ``tlcore run``: callables ``main(args) -> int``."""


#: The hook names, which are also the registry's entry kinds (``register_layers`` -> ``layers``).
HOOK_KINDS: dict[str, str] = {
    "register_layers": "layers",
    "register_modules": "modules",
    "register_datasets": "datasets",
    "register_examples": "examples",
}

#: The registry's entry kinds, in hook order.
KINDS: tuple[str, ...] = tuple(HOOK_KINDS.values())
#: How messages name one entry of a kind.
SINGULAR: dict[str, str] = {"layers": "layer", "modules": "module", "datasets": "dataset",
                            "examples": "example"}
