"""Fixtures of the plugin tests: fake entry points, fake distributions, a clean environment."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Callable

import pytest

REPO = Path(__file__).resolve().parents[2]
MAXOUT_SRC = REPO / "plugins" / "tlcore-maxout"

# The layer tests import tlcore_maxout directly; where the distribution is not installed
# (the README's test command installs only the core and the official plugins) use the source.
try:
    import tlcore_maxout  # noqa: F401
except ImportError:
    sys.path.insert(0, str(MAXOUT_SRC))

_PLUGIN_ENV = ("TLCORE_PLUGINS", "TLCORE_DISABLE_PLUGINS", "TLCORE_STRICT_PLUGINS")


@pytest.fixture(autouse=True)
def _no_plugin_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts without the plugin environment variables a developer may have set."""
    for var in _PLUGIN_ENV:
        monkeypatch.delenv(var, raising=False)


class FakeDist:
    """What the registry reads from an ``importlib.metadata.Distribution``."""

    def __init__(self, name: str, version: str = "1.0", requires: list[str] | None = None) -> None:
        self.metadata = {"Name": name}
        self.version = version
        self.requires = requires


class FakeEntryPoint:
    """An entry point of the ``tlcore.plugins`` group whose ``load()`` returns ``obj`` (or
    raises ``exc``) and counts its calls."""

    def __init__(self, name: str, obj: Any = None, *, exc: BaseException | None = None,
                 dist: FakeDist | None = None, value: str | None = None) -> None:
        self.name, self.obj, self.exc = name, obj, exc
        self.value = value or f"fake_{name}_plugin"
        self.dist = dist if dist is not None else FakeDist(f"fake-{name}")
        self.loads = 0

    def load(self) -> Any:
        self.loads += 1
        if self.exc is not None:
            raise self.exc
        return self.obj


@pytest.fixture
def fake_ep() -> Callable[..., FakeEntryPoint]:
    return FakeEntryPoint


@pytest.fixture
def fake_dist() -> Callable[..., FakeDist]:
    return FakeDist


def write_dist(root: Path, dist: str, version: str, entry_points: dict[str, str], *,
               requires: tuple[str, ...] = ("tlcore>=0.1",),
               modules: dict[str, str] | None = None) -> None:
    """A fake installed distribution in ``root``: ``<dist>-<version>.dist-info`` with METADATA
    (Requires-Dist lines) and entry_points.txt (group ``tlcore.plugins``), plus module files
    (``{"pkg/mod.py": source}``)."""
    info = root / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    meta = ["Metadata-Version: 2.1", f"Name: {dist}", f"Version: {version}"]
    meta += [f"Requires-Dist: {r}" for r in requires]
    (info / "METADATA").write_text("\n".join(meta) + "\n")
    eps = "".join(f"{k} = {v}\n" for k, v in entry_points.items())
    (info / "entry_points.txt").write_text(f"[tlcore.plugins]\n{eps}")
    for rel, src in (modules or {}).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(src))


def run_py(args: list[str], *, pythonpath: list[Path] = (), env: dict[str, str] | None = None,
           timeout: float = 120) -> subprocess.CompletedProcess:
    """Run a fresh interpreter of this venv with ``pythonpath`` first on ``sys.path``."""
    full = {k: v for k, v in os.environ.items() if k not in _PLUGIN_ENV and k != "PYTHONPATH"}
    full["PYTHONPATH"] = os.pathsep.join(str(p) for p in pythonpath)
    full.update(env or {})
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=full,
                          timeout=timeout, cwd=str(REPO))


def imported_modules(importtime_stderr: str) -> set[str]:
    """Module names from ``python -X importtime`` output."""
    out = set()
    for line in importtime_stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "package":
                out.add(name)
    return out
