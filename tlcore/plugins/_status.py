"""What the registry knows about one plugin: its :class:`Status` and :class:`PluginInfo`."""
from __future__ import annotations

import enum
from typing import Any

import attrs


class Status(str, enum.Enum):
    """A plugin's status. A ``str``: it compares, formats and serializes as its value, so
    ``tlcore plugins`` (table and ``--json``) and every message read ``loaded``, not
    ``Status.LOADED``."""

    LOADED = "loaded"  #: its hooks ran; its entries are in the name table
    FAILED = "failed"  #: its import or a hook raised, or it registered something invalid
    BLOCKED = "blocked"  #: TLCORE_PLUGINS / TLCORE_DISABLE_PLUGINS keep it out (not imported)
    INCOMPATIBLE = "incompatible"  #: its requirement on tlcore does not match (not imported)

    # str's own methods, not Enum's: f"{status}" must give "loaded" on every Python version.
    def __str__(self) -> str:
        return str.__str__(self)

    def __format__(self, format_spec: str) -> str:
        return str.__format__(self, format_spec)


@attrs.frozen
class PluginInfo:
    """What ``tlcore plugins`` shows about one plugin."""

    name: str
    distribution: str
    version: str
    status: Status = attrs.field(converter=Status)
    error: str | None = None
    provides: dict[str, tuple[str, ...]] = attrs.field(factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the status as its plain string value)."""
        return {**attrs.asdict(self), "status": self.status.value}
