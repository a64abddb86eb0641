"""plugins/README.md, followed literally: its files build and install, the plugin passes
``tlcore plugins --check``, and the guide's own tests pass with ``tlcore.testing``."""
from __future__ import annotations

import importlib
import importlib.metadata as md
import re
import sys

import pytest

from tests.plugins.conftest import REPO, run_py
from tlcore.plugins import ENTRY_POINT_GROUP, Registry

GUIDE = REPO / "plugins" / "README.md"


def guide_files() -> dict[str, str]:
    """``{"tlcore-glu/pyproject.toml": text, ...}``: every code block whose first line is a
    comment naming a file of the guide's plugin."""
    blocks = re.findall(r"```(?:python|toml)\n(.*?)```", GUIDE.read_text(), re.S)
    files = {}
    for block in blocks:
        first, _, rest = block.partition("\n")
        match = re.fullmatch(r"# (tlcore-glu/\S+)", first.strip())
        if match:
            files[match.group(1)] = rest
    return files


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    src = tmp_path_factory.mktemp("fresh_folder")
    files = guide_files()
    assert set(files) == {"tlcore-glu/pyproject.toml", "tlcore-glu/tlcore_glu/__init__.py",
                          "tlcore-glu/tlcore_glu/plugin.py", "tlcore-glu/tlcore_glu/layers.py",
                          "tlcore-glu/tests/test_glu.py"}
    for rel, text in files.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(text)
    target = tmp_path_factory.mktemp("glu_site")
    proc = run_py(["-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
                   "--quiet", "--disable-pip-version-check", "--target", str(target),
                   str(src / "tlcore-glu")], timeout=300)
    assert proc.returncode == 0, proc.stderr
    sys.path.insert(0, str(target))
    yield src, target
    sys.path.remove(str(target))
    for name in [m for m in sys.modules if m.startswith("tlcore_glu")]:
        del sys.modules[name]


def test_guide_plugin_installs_and_passes_the_check(installed):
    _, target = installed
    reg = Registry(entry_points=lambda: [
        ep for d in md.distributions(path=[str(target)]) for ep in d.entry_points
        if ep.group == ENTRY_POINT_GROUP])
    assert {p.name: p.status for p in reg.plugins()} == {"core": "loaded", "glu": "loaded"}
    assert reg.check() == []
    assert reg.get("layers", "GLULayer").__module__ == "tlcore_glu.layers"


def test_guide_tests_pass_with_tlcore_testing(installed):
    src, _ = installed
    sys.path.insert(0, str(src / "tlcore-glu" / "tests"))
    try:
        module = importlib.import_module("test_glu")
        tests = [getattr(module, n) for n in dir(module) if n.startswith("test_")]
        assert len(tests) == 3
        for test in tests:
            test()
    finally:
        sys.path.remove(str(src / "tlcore-glu" / "tests"))
        sys.modules.pop("test_glu", None)
