"""A griffe extension for the API reference: fences the ``>>>`` examples of the docstrings.

The docstrings show their running doctest as bare ``>>>`` lines (STYLE: "one ``>>>``
example"), which Markdown would render as nested quotes. Each run of lines from a ``>>>`` line
at the left margin to the next blank line becomes a ``pycon`` code block; examples indented
under a Google-style section (``Examples:``) are left to griffe, which already fences them.
"""
from __future__ import annotations

from typing import Any

import griffe


def fence_doctests(text: str) -> str:
    """Return ``text`` with every unindented ``>>>`` run wrapped in a ``pycon`` fence."""
    out: list[str] = []
    in_block = in_fence = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_fence = not in_fence
        if not in_fence and not in_block and line.startswith(">>>"):
            out.append("```pycon")
            in_block = True
        elif in_block and not line.strip():
            out.append("```")
            in_block = False
        out.append(line)
    if in_block:
        out.append("```")
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    """Rewrites each loaded object's docstring with :func:`fence_doctests`."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence_doctests(obj.docstring.value)
