"""The API reference (mkdocs.yml, docs/api/) covers what tlcore and its plugins publish.

`make docs` builds the pages; this test (no mkdocs needed) fails when a registered module or
an exported name has no place in them, so the reference cannot silently fall behind.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import tlcore.files
import tlcore.utils
from tlcore.plugins import get_registry

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api"
#: plugins documented in docs/api/ (tlcore-maxout is the third-party example, not ours)
DOCUMENTED_PLUGINS = {"core", "vision", "nlp", "rl"}


def _rendered_targets() -> set[str]:
    """Every ``::: dotted.path`` of the reference pages."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in DOCS.glob("*.md"))
    return set(re.findall(r"^::: ([\w.]+)$", text, re.M))


def _listed_members(page: str) -> dict[str, str]:
    """``{name: full module name}`` from the page's ``::: <module>`` member lists."""
    listed, module = {}, ""
    for line in (DOCS / page).read_text(encoding="utf-8").splitlines():
        if line.startswith("::: "):
            module = line[4:]
        elif match := re.fullmatch(r" {8}- (\w+)", line):
            listed[match[1]] = module
    return listed


def test_every_registered_module_has_a_section():
    registry, targets = get_registry(), _rendered_targets()
    missing = set()
    for kind in ("layers", "modules", "datasets"):
        for name in registry.names(kind):
            try:
                entry = registry.entry(kind, name)
            except Exception:  # a name two plugins register: each is listed under its own
                continue
            if entry.plugin not in DOCUMENTED_PLUGINS or not isinstance(entry.target, str):
                continue
            module = entry.target.split(":")[0]
            if module not in targets:
                missing.add(f"{entry.plugin}: {module} ({kind} {name!r})")
    assert not missing, "add a '::: <module>' line to a docs/api page for:\n" + "\n".join(
        sorted(missing))


@pytest.mark.parametrize("module, page", [(tlcore.utils, "utils.md"), (tlcore.files, "files.md")],
                         ids=["utils", "files"])
def test_every_exported_name_is_listed_under_its_module(module, page):
    # mkdocstrings skips a listed member its module does not have, without a warning
    listed = _listed_members(page)
    def full(target: str) -> str:  # _EXPORTS holds private names or full module names
        return target if target.startswith("tlcore.") else f"{module.__name__}.{target}"

    wrong = {name: listed.get(name) for name in module.__all__
             if listed.get(name) != full(module._EXPORTS[name])}
    assert not wrong, f"docs/api/{page}: not listed under their module: {wrong}"
