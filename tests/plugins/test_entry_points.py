"""The real entry-point path, in fresh interpreters: fake ``*.dist-info`` directories on
``PYTHONPATH`` (a good plugin, one that fails to import, one whose hook raises, one made for an
older tlcore, two that clash) next to the installed official plugins; and the tlcore-maxout
distribution installed with pip into a temporary directory.

No subprocess imports TensorFlow (seconds each): most assert that it stays unimported, and
the one layer built from an installed entry point is built in this process.
"""
from __future__ import annotations

import json
import shutil
import textwrap

import pytest

from tests.plugins.conftest import MAXOUT_SRC, imported_modules, run_py, write_dist



def hooked(source: str) -> str:
    """A plugin module: the hookimpl import, then ``source``."""
    return "from tlcore.plugins import hookimpl\n\n" + textwrap.dedent(source)

PLUGIN_MODULES = {"goodplug", "goodplug.plugin", "goodplug.layers", "brokenplug_mod",
                  "hookplug_mod", "oldplug_mod", "clasha_mod", "clashb_mod", "tlcore_maxout",
                  "tlcore_vision", "tlcore_nlp", "tlcore_rl", "tlcore.plugins._core"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    write_dist(root, "goodplug", "1.0", {"good": "goodplug.plugin"}, modules={
        "goodplug/__init__.py": "",
        "goodplug/plugin.py": hooked("""
            @hookimpl
            def register_layers(register):
                # helper=True: a plain class (a real Layer would import TensorFlow here)
                register("GoodLayer", "goodplug.layers:GoodLayer", aliases=("Good",), helper=True)

            @hookimpl
            def register_datasets(register):
                register("gooddata", "goodplug.layers:load_gooddata")

            @hookimpl
            def register_modules(register):
                register("goodmod", "goodplug.layers")
            """),
        "goodplug/layers.py": """
            class GoodLayer:
                pass

            def load_gooddata():
                return "good data"
            """})
    write_dist(root, "brokenplug", "0.5", {"broken": "brokenplug_mod"}, modules={
        "brokenplug_mod.py": "import definitely_missing_dependency_xyz\n"})
    write_dist(root, "hookplug", "0.2", {"hookfail": "hookplug_mod"}, modules={
        "hookplug_mod.py": hooked("""
            @hookimpl
            def register_layers(register):
                register("HalfLayer", "hookplug_mod:HalfLayer")
                raise KeyError("hook exploded")
            """)})
    write_dist(root, "oldplug", "0.0.1", {"old": "oldplug_mod"}, requires=("tlcore<0.1",),
               modules={"oldplug_mod.py":
                        "raise RuntimeError('an incompatible plugin must not be imported')\n"})
    for x in "ab":
        write_dist(root, f"clash{x}", "1.0", {f"clash{x}": f"clash{x}_mod"}, modules={
            f"clash{x}_mod.py": hooked(f"""
                class Clash:
                    origin = "{x}"

                @hookimpl
                def register_layers(register):
                    register("Clash", Clash, helper=True)
                """)})
    return root


def test_import_tlcore_loads_no_plugin_and_no_tensorflow(site):
    proc = run_py(["-X", "importtime", "-c", "import tlcore"], pythonpath=[site])
    assert proc.returncode == 0, proc.stderr
    mods = imported_modules(proc.stderr)
    assert "tlcore" in mods
    assert not {m for m in mods if m.split(".")[0] in ("tensorflow", "keras")}
    assert not mods & PLUGIN_MODULES
    assert "tlcore.plugins" not in mods and "pluggy" not in mods  # discovery is lazy too


def test_cli_help_imports_no_tensorflow():
    proc = run_py(["-X", "importtime", "-m", "tlcore", "plugins", "--help"])
    assert proc.returncode == 0 and "--json" in proc.stdout
    mods = imported_modules(proc.stderr)
    assert "tensorflow" not in mods and not mods & PLUGIN_MODULES


def test_tlcore_plugins_lists_good_and_broken_side_by_side(site):
    proc = run_py(["-X", "importtime", "-m", "tlcore", "plugins", "--json", "--all"],
                  pythonpath=[site])
    assert proc.returncode == 0, proc.stderr
    plugins = {p["name"]: p for p in json.loads(proc.stdout)}
    for official in ("core", "vision", "nlp", "rl"):
        assert plugins[official]["status"] == "loaded", plugins[official]
    good = plugins["good"]
    assert (good["distribution"], good["version"], good["status"]) == ("goodplug", "1.0", "loaded")
    assert good["provides"] == {"layers": ["GoodLayer"], "modules": ["goodmod"],
                                "datasets": ["gooddata"]}
    broken = plugins["broken"]
    assert (broken["distribution"], broken["version"], broken["status"]) == (
        "brokenplug", "0.5", "failed")
    assert "ModuleNotFoundError" in broken["error"]
    assert "definitely_missing_dependency_xyz" in broken["error"]
    hookfail = plugins["hookfail"]
    assert hookfail["status"] == "failed" and "hook exploded" in hookfail["error"]
    assert plugins["hookfail"]["provides"] == {}
    old = plugins["old"]
    assert old["status"] == "incompatible" and "requires tlcore<0.1" in old["error"]
    assert plugins["clasha"]["status"] == plugins["clashb"]["status"] == "loaded"
    mods = imported_modules(proc.stderr)
    assert "tensorflow" not in mods  # manifests only: no layer module, no TensorFlow
    assert "oldplug_mod" not in mods and "goodplug.layers" not in mods
    assert "PluginWarning" not in proc.stderr  # the listing shows errors in its own columns


def test_python_api_through_entry_points(site):
    script = """
import json, sys, warnings
import tlcore as tl
from tlcore.plugins import AmbiguousNameError, PluginWarning, get_registry
with warnings.catch_warnings(record=True) as record:
    warnings.simplefilter("always")
    out = {"good": tl.layers.GoodLayer.__module__, "alias": tl.layers.Good is tl.layers.GoodLayer,
           "data": tl.files.load_gooddata_dataset(), "mod": tl.goodmod.__name__,
           "a": get_registry().get("layers", "clasha.Clash").origin,
           "b": get_registry().get("layers", "clashb.Clash").origin}
    try:
        get_registry().get("layers", "Clash")
    except AmbiguousNameError as e:
        out["ambiguous"] = str(e)
    get_registry().plugins()
    get_registry().reload()
out["warnings"] = [str(w.message) for w in record if issubclass(w.category, PluginWarning)]
out["tensorflow"] = "tensorflow" in sys.modules
print(json.dumps(out))
"""
    proc = run_py(["-c", script], pythonpath=[site])
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["good"] == "goodplug.layers" and out["alias"] and out["data"] == "good data"
    assert out["mod"] == "goodplug.layers"  # tl.<name> for registered modules
    assert (out["a"], out["b"]) == ("a", "b")
    assert "clasha.Clash, clashb.Clash" in out["ambiguous"]
    by_plugin = {}
    for message in out["warnings"]:
        for name in ("broken", "hookfail", "old"):
            if f"plugin {name!r}" in message:
                by_plugin.setdefault(name, []).append(message)
    assert {k: len(v) for k, v in by_plugin.items()} == {"broken": 1, "hookfail": 1, "old": 1}
    assert len(out["warnings"]) == 3, out["warnings"]
    assert "'broken' (brokenplug 0.5)" in by_plugin["broken"][0]
    assert "definitely_missing_dependency_xyz" in by_plugin["broken"][0]
    assert "'hookfail' (hookplug 0.2)" in by_plugin["hookfail"][0]
    assert "KeyError" in by_plugin["hookfail"][0]
    assert not out["tensorflow"]


def test_strict_mode_and_block_list_in_a_fresh_interpreter(site):
    strict = {"TLCORE_STRICT_PLUGINS": "1"}
    proc = run_py(["-c", "import tlcore as tl; tl.layers.GoodLayer"], pythonpath=[site], env=strict)
    assert proc.returncode != 0 and "tlcore.plugins._errors.PluginError" in proc.stderr
    proc = run_py(["-m", "tlcore", "plugins"], pythonpath=[site], env=strict)
    assert proc.returncode == 1 and "did not load" in proc.stderr
    assert "broken" in proc.stdout and "failed" in proc.stdout
    # Blocking the bad ones makes a strict run pass; core stays even if listed.
    env = {**strict, "TLCORE_DISABLE_PLUGINS": "broken,hookfail,old,core"}
    proc = run_py(["-W", "ignore::UserWarning", "-m", "tlcore", "plugins", "--json"],
                  pythonpath=[site], env=env)
    assert proc.returncode == 0, proc.stderr
    status = {p["name"]: p["status"] for p in json.loads(proc.stdout)}
    assert status["broken"] == status["hookfail"] == status["old"] == "blocked"
    assert status["good"] == "loaded"
    proc = run_py(["-m", "tlcore", "plugins", "--json", "--all"], pythonpath=[site],
                  env={"TLCORE_PLUGINS": "good"})
    status = {p["name"]: p["status"] for p in json.loads(proc.stdout)}
    assert status.pop("core") == status.pop("good") == "loaded"
    assert set(status.values()) == {"blocked"}


def test_tlcore_layers_lists_plugin_layers_without_importing_them(site):
    proc = run_py(["-X", "importtime", "-m", "tlcore", "layers", "*Layer"], pythonpath=[site])
    assert proc.returncode == 0, proc.stderr
    rows = [line.split()[:3] for line in proc.stdout.splitlines()]
    assert ["GoodLayer", "good", "goodplug.layers:GoodLayer"] in rows
    assert ["DenseLayer", "core", "tlcore.layers.dense:DenseLayer"] in rows
    mods = imported_modules(proc.stderr)
    assert "tensorflow" not in mods and "goodplug.layers" not in mods


@pytest.fixture(scope="module")
def maxout_site(tmp_path_factory):
    """tlcore-maxout installed by pip from a copy of its source (no build files in the repo)."""
    src = tmp_path_factory.mktemp("maxout_src") / "tlcore-maxout"
    shutil.copytree(MAXOUT_SRC, src,
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    target = tmp_path_factory.mktemp("maxout_site")
    proc = run_py(["-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
                   "--quiet", "--disable-pip-version-check", "--target", str(target), str(src)])
    assert proc.returncode == 0, proc.stderr
    return target


def test_maxout_distribution_is_discovered(maxout_site):
    proc = run_py(["-X", "importtime", "-m", "tlcore", "plugins", "--json"],
                  pythonpath=[maxout_site])
    assert proc.returncode == 0, proc.stderr
    maxout = {p["name"]: p for p in json.loads(proc.stdout)}["maxout"]
    assert maxout == {"name": "maxout", "distribution": "tlcore-maxout", "version": "0.1.0",
                      "status": "loaded", "error": None, "provides": {"layers": ["MaxoutLayer"]}}
    assert "tensorflow" not in imported_modules(proc.stderr)


def test_maxout_layer_builds_from_the_installed_entry_point(maxout_site):
    # In this process (TensorFlow is imported already; a fresh one would spend seconds on it):
    # a registry fed with the real entry point read from the pip-installed dist-info.
    import importlib.metadata as md

    import numpy as np

    from tlcore.layers.core import InputLayer
    from tlcore.plugins import Registry

    [dist] = md.distributions(path=[str(maxout_site)])
    eps = list(dist.entry_points.select(group="tlcore.plugins"))
    assert [(ep.name, ep.value) for ep in eps] == [("maxout", "tlcore_maxout.plugin")]
    assert (maxout_site / "tlcore_maxout" / "maxout.py").is_file()  # the layer is installed
    reg = Registry(entry_points=lambda: eps)
    info = {p.name: p for p in reg.plugins()}["maxout"]
    assert (info.distribution, info.version, info.status) == ("tlcore-maxout", "0.1.0", "loaded")
    cls = reg.get("layers", "MaxoutLayer")
    net = cls(InputLayer([None, 4], name="input"), n_units=3, n_pieces=2, name="maxout")
    assert net.output_shape == (None, 3) and net.count_params() == 30
    assert tuple(net(np.ones((2, 4), np.float32)).shape) == (2, 3)
    assert reg.owner_of("layers", cls).qualified == "maxout.MaxoutLayer"  # how networks save it
