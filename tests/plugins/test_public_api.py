"""The seams between the core and its plugins are public: no plugin imports a private tlcore
module or name, and the modules plugin authors use are documented with ``__all__``."""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from tests.plugins.conftest import REPO

PLUGIN_TREES = ["tlcore_vision", "tlcore_nlp", "tlcore_rl", "plugins"]
PUBLIC_FOR_AUTHORS = ["tlcore.layers.utils", "tlcore.plugins", "tlcore.testing"]


def _private_imports(path: Path) -> list[str]:
    """``file:line module[:name]`` for each import of a private tlcore module or name."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            mods, names = [node.module], [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            mods, names = [a.name for a in node.names], []
        else:
            continue
        for mod in mods:
            parts = mod.split(".")
            if parts[0] != "tlcore":
                continue
            private = [p for p in parts if p.startswith("_")]
            private += [n for n in names if n.startswith("_") and n != "__version__"]
            if private:
                found.append(f"{path.relative_to(REPO)}:{node.lineno} {mod} ({', '.join(private)})")
    return found


def test_no_plugin_imports_a_private_tlcore_module():
    files = [p for tree in PLUGIN_TREES for p in sorted((REPO / tree).rglob("*.py"))
             if "build" not in p.parts]
    assert len(files) > 20  # the trees were found
    offenders = [line for p in files for line in _private_imports(p)]
    assert offenders == [], "plugins must use tlcore's public modules:\n" + "\n".join(offenders)


def test_the_private_import_check_can_fail(tmp_path):
    bad = REPO / "tests" / "plugins" / "_tmp_private_import_probe.py"
    bad.write_text("from tlcore.layers._utils import who\nimport tlcore.files._download\n"
                   "from tlcore.plugins import _registry\nfrom tlcore.layers.utils import who\n")
    try:
        assert [line.split(" ", 1)[1] for line in _private_imports(bad)] == [
            "tlcore.layers._utils (_utils)", "tlcore.files._download (_download)",
            "tlcore.plugins (_registry)"]
    finally:
        bad.unlink()


@pytest.mark.parametrize("module", PUBLIC_FOR_AUTHORS)
def test_author_modules_are_documented_with_all(module):
    mod = importlib.import_module(module)
    assert mod.__doc__ and mod.__all__
    for name in mod.__all__:
        obj = getattr(mod, name)  # every listed name exists
        if callable(obj) and getattr(obj, "__module__", "").startswith("tlcore"):
            assert obj.__doc__, f"{module}.{name} has no docstring"


def test_private_utils_module_still_reexports_the_public_one():
    from tlcore.layers import _utils, utils

    assert all(getattr(_utils, n) is getattr(utils, n) for n in utils.__all__)
