"""Packaging of the five distributions: metadata files, one version source, ``tlcore
--version``, a one-line answer when TensorFlow is missing, and an install from a checkout
without ``make`` (``pip install ./ ./tlcore_vision``)."""
from __future__ import annotations

import json
import re
import shutil

import pytest

from tests.plugins.conftest import REPO, run_py
from tlcore import __version__
from tlcore.cli import main

DISTS = {".": "tlcore", "tlcore_vision": "tlcore_vision", "tlcore_nlp": "tlcore_nlp",
         "tlcore_rl": "tlcore_rl", "plugins/tlcore-maxout": "tlcore_maxout"}


@pytest.mark.parametrize("folder", DISTS)
def test_each_distribution_declares_its_metadata(folder):
    root, pkg = REPO / folder, DISTS[folder]
    assert "Apache License" in (root / "LICENSE").read_text()
    assert (root / "README.md").is_file() and (root / pkg / "py.typed").is_file()
    pyproject = (root / "pyproject.toml").read_text()
    assert "[build-system]" in pyproject and "setuptools.build_meta" in pyproject
    setup = (root / "setup.py").read_text()
    for needed in ('license="Apache-2.0"', "classifiers=", "project_urls=", "python_requires=",
                   "long_description=", '"py.typed"', "version=_version()"):
        assert needed in setup, f"{folder}/setup.py lacks {needed}"
    # one version source: the setup reads it from the package, no second literal
    assert not re.search(r'version="\d', setup)


def test_version_flag(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out == f"tlcore {__version__}\n"


def test_run_without_tensorflow_says_how_to_install_it_in_one_line():
    code = ("import sys; sys.modules['tensorflow'] = None\n"  # as if it were not installed
            "from tlcore.cli import main; sys.exit(main(['run', 'mnist-mlp', '--epochs', '1']))")
    proc = run_py(["-c", code], pythonpath=[REPO])
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        "tlcore: tensorflow is not installed; install TensorFlow with pip install "
        "'tlcore[cpu]' (NVIDIA GPU: 'tlcore[gpu]'; from a source checkout: pip install './[cpu]')"]


def test_core_and_a_plugin_install_from_a_checkout_without_make(tmp_path):
    src = tmp_path / "checkout"
    ignore = shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".venv", "tests",
                                    "benchmarks", ".git*", ".hypothesis", ".pytest_cache")
    shutil.copytree(REPO / "tlcore", src / "tlcore", ignore=ignore)
    shutil.copytree(REPO / "tlcore_vision", src / "tlcore_vision", ignore=ignore)
    for name in ("setup.py", "pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO / name, src / name)
    target = tmp_path / "site"
    proc = run_py(["-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
                   "--quiet", "--disable-pip-version-check", "--target", str(target),
                   str(src), str(src / "tlcore_vision")], timeout=300)
    assert proc.returncode == 0, proc.stderr
    code = ("import json, tlcore, tlcore_vision\n"
            "from tlcore.plugins import get_registry\n"
            "print(json.dumps([tlcore.__file__, tlcore_vision.__file__,"
            " {p.name: p.status for p in get_registry().plugins()}]))")
    proc = run_py(["-P", "-c", code], pythonpath=[target])  # -P: not the checkout on sys.path
    assert proc.returncode == 0, proc.stderr
    core_file, vision_file, status = json.loads(proc.stdout)
    assert core_file.startswith(str(target)) and vision_file.startswith(str(target))
    assert status["core"] == status["vision"] == "loaded"
