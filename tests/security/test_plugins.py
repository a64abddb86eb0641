"""Hostile and mistaken plugins (issue 11, item 6): every case gives its exact status or error
and leaves every other plugin as it was.

Plugins are fake installed distributions (``*.dist-info`` folders written by ``write_dist``)
discovered in-process through ``importlib.metadata``; each test gets its own folders and module
names. Every case checks the statuses of *all* plugins and that the well-behaved plugin ``good``
still provides its layer, so a failure that leaks into other plugins is caught.
"""
from __future__ import annotations

import argparse
import importlib.metadata as md
import itertools
import json
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from tests.plugins.conftest import run_py, write_dist
from tlcore.layers.core import Layer
from tlcore.plugins import (ENTRY_POINT_GROUP, PluginError, PluginWarning, Registry,
                            UnknownNameError)

_ids = itertools.count()
_PLUGIN_ENV = ("TLCORE_PLUGINS", "TLCORE_DISABLE_PLUGINS", "TLCORE_STRICT_PLUGINS")



def manifest_of(name: str) -> str:
    """A manifest module registering ``GoodLayer`` under ``name``."""
    return ("from tlcore.plugins import Manifest\n\n"
            f"manifest = Manifest(layers={{{name!r}: 'tests.security.test_plugins:GoodLayer'}})\n")


GOOD = manifest_of("GoodLayer")


class GoodLayer(Layer):
    """The layer of the well-behaved plugin present in every case."""


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch):
    for var in _PLUGIN_ENV:
        monkeypatch.delenv(var, raising=False)
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:  # the fake plugins' modules
        if name.startswith("hx"):
            del sys.modules[name]


class Site:
    """Fake distributions in one or more folders, discovered in folder order."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.tmp, self.mp, self.roots = tmp_path, monkeypatch, []
        self.prefix = f"hx{next(_ids)}_"
        self.add("goodplug", "good", GOOD)

    def add(self, dist: str, ep: str, source: str, *, version: str = "1.0",
            requires: tuple[str, ...] = ("tlcore>=0.1",), attr: str = "") -> str:
        """A distribution in a new folder (found after the earlier ones); returns its module.
        The entry point names the module, or ``module:attr``."""
        root = self.tmp / f"site{len(self.roots)}"
        module = f"{self.prefix}{len(self.roots)}"
        value = f"{module}:{attr}" if attr else module
        write_dist(root, dist, version, {ep: value}, requires=requires,
                   modules={f"{module}.py": source})
        self.mp.syspath_prepend(str(root))
        self.roots.append(root)
        return module

    def registry(self) -> Registry:
        def entry_points() -> list[Any]:
            return [ep for d in md.distributions(path=[str(r) for r in self.roots])
                    for ep in d.entry_points if ep.group == ENTRY_POINT_GROUP]
        return Registry(entry_points=entry_points)


@pytest.fixture
def site(tmp_path, monkeypatch) -> Site:
    return Site(tmp_path, monkeypatch)


def load(reg: Registry) -> list[str]:
    """Load ``reg``; the PluginWarning messages it gave."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        reg.load()
    return [str(w.message) for w in record if issubclass(w.category, PluginWarning)]


def statuses(reg: Registry) -> dict[str, str]:
    return {p.name: p.status for p in reg.plugins()}


def good_intact(reg: Registry) -> None:
    assert reg.get("layers", "GoodLayer") is GoodLayer
    assert {p.name: p for p in reg.plugins()}["good"].provides == {"layers": ("GoodLayer",)}
    assert reg.get("layers", "DenseLayer").__name__ == "DenseLayer"


# ------------------------------------------------------------- any exception at import
class Odd(BaseException):
    """Neither Exception nor SystemExit/KeyboardInterrupt."""


RAISING = {
    "RuntimeError": ("raise RuntimeError('boom')", "RuntimeError: boom"),
    "ImportError": ("import hx_definitely_missing_dep", "ModuleNotFoundError: No module named "
                                                        "'hx_definitely_missing_dep'"),
    "SystemExit": ("import sys; sys.exit(3)", "SystemExit: 3"),
    "GeneratorExit": ("raise GeneratorExit('odd')", "GeneratorExit: odd"),
    "BaseException subclass": (
        "class Weird(BaseException): pass\nraise Weird('not an Exception')",
        "Weird: not an Exception"),
    "unprintable": (
        "class Bad(Exception):\n    def __str__(self): raise ValueError('no')\nraise Bad()",
        "Bad: <str() of the exception raised ValueError>"),
    "RecursionError": ("def f(): return f()\nf()", "RecursionError: maximum recursion depth"),
    "SyntaxError": ("def (:\n", "SyntaxError: "),
}


@pytest.mark.parametrize("case", RAISING)
def test_plugin_raising_anything_at_import_is_isolated(site, case):
    source, error = RAISING[case]
    module = site.add("evilplug", "evil", source)
    reg = site.registry()
    messages = load(reg)
    assert statuses(reg) == {"core": "loaded", "good": "loaded", "evil": "failed"}
    info = {p.name: p for p in reg.plugins()}["evil"]
    assert info.error.startswith(error) and info.provides == {}
    assert [m for m in messages if "'evil' (evilplug 1.0) failed and was skipped" in m]
    assert module not in sys.modules
    good_intact(reg)


def test_strict_mode_turns_an_odd_exception_into_a_plugin_error(site, monkeypatch):
    monkeypatch.setenv("TLCORE_STRICT_PLUGINS", "1")
    site.add("evilplug", "evil", "class Weird(BaseException): pass\nraise Weird('odd')")
    reg = site.registry()
    with pytest.raises(PluginError, match=r"^tlcore plugin 'evil' \(evilplug 1\.0\) failed and "
                                          r"was skipped: Weird: odd$") as err:
        reg.load()
    assert err.value.plugin == "evil" and type(err.value.__cause__).__name__ == "Weird"


def test_base_exception_in_a_hook_is_isolated_and_drops_the_partial_entries(site):
    site.add("evilplug", "evil", """
        from tlcore.plugins import hookimpl

        class Weird(BaseException):
            pass

        @hookimpl
        def register_layers(register):
            register("Partial", "tests.security.test_plugins:GoodLayer")
            raise Weird("mid-hook")
        """)
    reg = site.registry()
    load(reg)
    assert statuses(reg) == {"core": "loaded", "good": "loaded", "evil": "failed"}
    assert {p.name: p for p in reg.plugins()}["evil"].error == "Weird in its hook: mid-hook"
    assert "Partial" not in reg.names("layers")
    good_intact(reg)


def test_keyboard_interrupt_is_not_swallowed(site):
    site.add("evilplug", "evil", "raise KeyboardInterrupt")
    reg = site.registry()
    with pytest.raises(KeyboardInterrupt):
        reg.load()


def test_metadata_that_raises_a_base_exception_fails_only_that_plugin(site):
    class Dist:
        version = "1.0"
        requires = None

        @property
        def metadata(self):
            raise Odd("metadata exploded")

    class EP:
        name, value, dist = "meta", "hx_meta_never_imported", Dist()

        def load(self):
            raise AssertionError("must not be imported")

    inner = site.registry()
    reg = Registry(entry_points=lambda: [*inner._entry_points_fn(), EP()])
    load(reg)
    assert statuses(reg) == {"core": "loaded", "good": "loaded", "meta": "failed"}
    assert {p.name: p for p in reg.plugins()}["meta"].error == (
        "Odd reading its metadata: metadata exploded")
    good_intact(reg)


def test_target_raising_a_base_exception_on_first_use_is_a_plugin_error(site):
    target = site.add("lateplug", "late", """
        from tlcore.plugins import Manifest

        manifest = Manifest(layers={"LateLayer": "hx_late_target_module:LateLayer"})
        """)
    (site.roots[-1] / "hx_late_target_module.py").write_text(
        "class Late(BaseException): pass\nraise Late('at first use')\n")
    reg = site.registry()
    load(reg)
    for _ in range(2):  # not cached as a success, and the same error again
        with pytest.raises(PluginError, match=r"plugin 'late' registers layer 'LateLayer' as "
                                              r"'hx_late_target_module:LateLayer', which cannot "
                                              r"be imported: Late: at first use") as err:
            reg.get("layers", "LateLayer")
        assert err.value.plugin == "late"
    assert statuses(reg) == {"core": "loaded", "good": "loaded", "late": "loaded"}
    assert target in sys.modules and "hx_late_target_module" not in sys.modules
    good_intact(reg)


def test_two_manifests_in_one_module_fail_the_plugin(site):
    site.add("twoplug", "two", """
        from tlcore.plugins import Manifest

        a = Manifest(layers={"A": "tests.security.test_plugins:GoodLayer"})
        b = Manifest(layers={"B": "tests.security.test_plugins:GoodLayer"})
        """)
    reg = site.registry()
    load(reg)
    assert statuses(reg) == {"core": "loaded", "good": "loaded", "two": "failed"}
    assert "holds 2 Manifest objects; keep one" in {p.name: p for p in reg.plugins()}["two"].error
    assert not {"A", "B"} & set(reg.names("layers"))
    good_intact(reg)


def test_manifest_and_hook_functions_in_one_module_fail_the_plugin(site):
    site.add("mixplug", "mix", """
        from tlcore.plugins import Manifest, hookimpl

        manifest = Manifest(layers={"A": "tests.security.test_plugins:GoodLayer"})

        @hookimpl
        def register_datasets(register):
            register("d", "tests.security.test_plugins:GoodLayer")
        """)
    reg = site.registry()
    load(reg)
    assert statuses(reg) == {"core": "loaded", "good": "loaded", "mix": "failed"}
    assert "holds a Manifest and hook functions ['register_datasets']; use one of the two" in (
        {p.name: p for p in reg.plugins()}["mix"].error)
    assert "A" not in reg.names("layers") and "d" not in reg.names("datasets")
    good_intact(reg)


@pytest.mark.parametrize("attr, what", [("", "module hx"), ("NOTHING", "None"),
                                        ("NUMBER", "a int")])
def test_entry_point_without_manifest_or_hooks_fails_the_plugin(site, attr, what):
    module = site.add("emptyplug", "empty", "NOTHING = None\nNUMBER = 3\n", attr=attr)
    reg = site.registry()
    load(reg)
    assert statuses(reg) == {"core": "loaded", "good": "loaded", "empty": "failed"}
    error = {p.name: p for p in reg.plugins()}["empty"].error
    assert error.startswith(f"its entry point {module} gives {what}")
    assert error.endswith("which holds no Manifest and implements no tlcore hook")
    good_intact(reg)


# ---------------------------------------------------------------------------- impostors
def test_failed_impostor_found_first_does_not_shadow_the_installed_plugin(site):
    site.add("evil-vision", "visionx", "raise RuntimeError('impostor')")
    site.add("tlcore-visionx", "visionx", manifest_of("VisionLayer"))
    reg = site.registry()
    messages = load(reg)
    assert statuses(reg) == {"core": "loaded", "good": "loaded", "visionx": "loaded"}
    info = {p.name: p for p in reg.plugins()}["visionx"]
    assert (info.distribution, info.provides) == ("tlcore-visionx", {"layers": ("VisionLayer",)})
    assert [(s.distribution, s.status, s.error) for s in reg.shadowed()] == [
        ("evil-vision", "failed", "RuntimeError: impostor")]
    assert any("'visionx' (evil-vision 1.0) failed" in m for m in messages)
    assert reg.get("layers", "VisionLayer") is GoodLayer
    good_intact(reg)


def test_incompatible_copy_found_first_does_not_shadow_the_working_one(site):
    site.add("tlcore-visionx", "visionx", "raise AssertionError('never imported')",
             version="0.0.1", requires=("tlcore<0.1",))
    site.add("tlcore-visionx", "visionx", manifest_of("VisionLayer"), version="2.0")
    reg = site.registry()
    load(reg)
    assert statuses(reg) == {"core": "loaded", "good": "loaded", "visionx": "loaded"}
    assert {p.name: p for p in reg.plugins()}["visionx"].version == "2.0"
    assert [(s.version, s.status) for s in reg.shadowed()] == [("0.0.1", "incompatible")]
    good_intact(reg)


def test_impostor_after_a_loaded_plugin_is_skipped_not_loaded(site):
    site.add("evil", "good", "raise AssertionError('the impostor must not even be imported')")
    reg = site.registry()
    messages = load(reg)
    assert statuses(reg) == {"core": "loaded", "good": "loaded"}
    [shadow] = reg.shadowed()
    assert (shadow.distribution, shadow.status) == ("evil", "failed")
    assert shadow.error == "plugin name 'good' is already taken by goodplug 1.0"
    assert any("already taken by goodplug 1.0" in m for m in messages)
    good_intact(reg)


@pytest.mark.parametrize("env, status", [({}, "failed"),
                                         ({"TLCORE_DISABLE_PLUGINS": "vision"}, "blocked")])
def test_hint_for_an_installed_but_unloaded_plugin_does_not_say_pip_install(
        site, monkeypatch, env, status):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    site.add("evil", "vision", "raise RuntimeError('impostor')")
    site.add("tlcore-vision", "vision", "raise ImportError('no cv2')")
    reg = site.registry()
    load(reg)
    with pytest.raises(UnknownNameError) as err:
        reg.get("layers", "Conv2d")
    msg = str(err.value)
    assert "pip install" not in msg
    assert f"plugin 'vision' (tlcore-vision 1.0), which is installed but {status}" in msg
    assert statuses(reg) == {"core": "loaded", "good": "loaded", "vision": status}
    good_intact(reg)


def test_hint_for_a_missing_plugin_names_the_checkout_folder(site):
    reg = site.registry()
    load(reg)
    with pytest.raises(UnknownNameError, match=r"it is provided by tlcore-vision: pip install "
                                               r"tlcore-vision \(from a source checkout: pip "
                                               r"install \./tlcore_vision\)"):
        reg.get("layers", "Conv2d")
    good_intact(reg)


# ------------------------------------------------------------- Requires-Dist: tlcore...
REQUIRES = [
    (("tlcore<0.1; python_version >= '3'",), "incompatible", "requires tlcore<0.1"),
    (("tlcore<0.1; python_version < '3'",), "loaded", None),
    (("tlcore<0.1; extra == 'dev'",), "loaded", None),
    (("tlcore<0.1; platform_system == 'NoSuchOS'",), "loaded", None),
    (("TLCore<0.1",), "incompatible", "requires tlcore<0.1"),  # names normalize
    (("tlcore>=0.1", "tlcore<0.1; python_version >= '3'"), "incompatible",
     "requires tlcore>=0.1,<0.1"),
    (("tlcore >>> 1",), "incompatible", "its requirement 'tlcore >>> 1' cannot be parsed"),
    (("tlcore-vision<0.1", "numpy<0"), "loaded", None),  # not requirements on tlcore
]


@pytest.mark.parametrize("requires, status, error", REQUIRES)
def test_requires_dist_markers_are_honoured(site, requires, status, error):
    site.add("reqplug", "req", manifest_of("ReqLayer"), requires=requires)
    reg = site.registry()
    messages = load(reg)
    assert statuses(reg) == {"core": "loaded", "good": "loaded", "req": status}
    info = {p.name: p for p in reg.plugins()}["req"]
    if error is None:
        assert info.error is None and reg.get("layers", "ReqLayer") is GoodLayer
    else:
        assert info.error.startswith(error) and "ReqLayer" not in reg.names("layers")
        assert any("is incompatible and was not loaded" in m for m in messages)
    good_intact(reg)


# ------------------------------------------------------------------ what a layer may be
NOT_LAYERS = {
    "plain class": ("hx_targets:Plain", "is a class Plain, not a subclass of tlcore.layers.Layer"),
    "function": ("hx_targets:func", "is a function, not a subclass of tlcore.layers.Layer"),
    "instance": ("hx_targets:instance", "is a Plain, not a subclass of tlcore.layers.Layer"),
    "module": ("hx_targets", "is a module, not a subclass of tlcore.layers.Layer"),
}
TARGETS = "class Plain:\n    pass\n\ndef func():\n    pass\n\ninstance = Plain()\nnumber = 3\n"


def _with_targets(site: Site, manifest: str) -> Registry:
    site.add("targetplug", "targets", f"from tlcore.plugins import Manifest\n\n"
                                      f"manifest = {manifest}\n")
    (site.roots[-1] / "hx_targets.py").write_text(TARGETS)
    reg = site.registry()
    load(reg)
    return reg


@pytest.mark.parametrize("case", NOT_LAYERS)
def test_only_layer_subclasses_register_as_layers(site, case):
    target, problem = NOT_LAYERS[case]
    reg = _with_targets(site, f"Manifest(layers={{'NotALayer': {target!r}}})")
    with pytest.raises(PluginError) as err:
        reg.get("layers", "NotALayer")
    assert f"plugin 'targets' registers layer 'NotALayer' as '{target}" in str(err.value)
    assert problem in str(err.value) and "layer_helpers" in str(err.value)
    assert [(e.name, m) for e, m in reg.check()] == [("NotALayer", str(err.value))]
    assert statuses(reg) == {"core": "loaded", "good": "loaded", "targets": "loaded"}
    good_intact(reg)


def test_functions_and_classes_register_as_helpers_where_the_manifest_says_so(site):
    reg = _with_targets(site, "Manifest(layer_helpers={'func': 'hx_targets:func', "
                              "'Plain': 'hx_targets:Plain'})")
    assert reg.get("layers", "func").__name__ == "func"
    assert reg.get("layers", "Plain").__name__ == "Plain"
    assert reg.check() == []
    good_intact(reg)


def test_a_helper_must_be_callable(site):
    reg = _with_targets(site, "Manifest(layer_helpers={'number': 'hx_targets:number'})")
    with pytest.raises(PluginError, match=r"as 'hx_targets:number', which is a int, "
                                          r"not callable"):
        reg.get("layers", "number")
    good_intact(reg)


@pytest.mark.parametrize("kind, helper, error", [
    ("datasets", True, "helper=True is for layer helpers only, received helper=True for "
                       "dataset 'd'"),
    ("layers", "yes", "helper=True is for layer helpers only, received helper='yes' for "
                      "layer 'd'"),
])
def test_helper_flag_outside_layers_or_not_a_bool_fails_the_plugin(site, kind, helper, error):
    site.add("flagplug", "flag", f"""
        from tlcore.plugins import hookimpl

        @hookimpl
        def register_{kind}(register):
            register("d", "hx_targets:func", helper={helper!r})
        """)
    reg = site.registry()
    load(reg)
    assert statuses(reg) == {"core": "loaded", "good": "loaded", "flag": "failed"}
    assert {p.name: p for p in reg.plugins()}["flag"].error == (
        f"ValueError in its hook: plugin 'flag': {error}")
    good_intact(reg)


def test_check_reports_a_misspelled_target(site):
    reg = _with_targets(site, "Manifest(layers={'Typo': 'hx_targets:Plian'}, "
                              "examples={'ex': 'hx_targets:number'})")
    found = {e.qualified: m for e, m in reg.check()}
    assert set(found) == {"targets.Typo", "targets.ex"}
    assert "which cannot be imported: AttributeError" in found["targets.Typo"]
    assert "registers example 'ex' as 'hx_targets:number', which is a int, not callable" in (
        found["targets.ex"])
    good_intact(reg)


# ------------------------------------------------------------ output of `tlcore plugins`
def _cli(reg: Registry, monkeypatch, **flags: bool) -> int:
    from tlcore import _cli_plugins

    monkeypatch.setattr(_cli_plugins, "get_registry", lambda: reg)
    args = argparse.Namespace(json=flags.get("json", False), all=False,
                              check=flags.get("check", False))
    return _cli_plugins.cmd_plugins(args)


LOUD = """
import os, sys
print("plugin says hello")
os.write(1, b"raw bytes on fd 1\\n")
sys.stdout.write("{not json")
from tlcore.plugins import hookimpl

@hookimpl
def register_layers(register):
    print("hook says hello")
    register("Loud", "tests.security.test_plugins:GoodLayer")
"""


def test_plugin_printing_at_import_cannot_corrupt_plugins_json(site):
    # A fresh interpreter: the real stdout file descriptor, as a program parsing the JSON sees.
    site.add("loudplug", "loud", LOUD)
    site.add("crashplug", "crash", "print('dying words')\nraise SystemExit(2)")
    proc = run_py(["-m", "tlcore", "plugins", "--json"], pythonpath=site.roots)
    assert proc.returncode == 0, proc.stderr
    listing = {p["name"]: p["status"] for p in json.loads(proc.stdout)}
    assert {k: listing[k] for k in ("core", "crash", "good", "loud")} == {
        "core": "loaded", "crash": "failed", "good": "loaded", "loud": "loaded"}
    for text in ("plugin says hello", "raw bytes on fd 1", "{not json", "hook says hello",
                 "dying words"):
        assert text in proc.stderr and text not in proc.stdout


def test_plugins_check_exit_code_and_lines(site, monkeypatch, capfd):
    reg = _with_targets(site, "Manifest(layers={'Typo': 'hx_targets:Plian'})")
    assert _cli(reg, monkeypatch, check=True) == 1
    out, err = capfd.readouterr()
    assert "plugin 'targets' registers layer 'Typo' as 'hx_targets:Plian', which cannot be " \
           "imported: AttributeError" in err
    assert out.startswith("checked ") and out.rstrip().endswith(": 1 failed")


# ------------------------------------------------------------------- environment values
@pytest.mark.parametrize("value", ["2", "tru", "strict", "enable", "1 1"])
def test_unreadable_strict_value_is_reported_and_read_as_strict(site, monkeypatch, value):
    monkeypatch.setenv("TLCORE_STRICT_PLUGINS", value)
    reg = site.registry()
    with pytest.raises(PluginError, match=rf"TLCORE_STRICT_PLUGINS='{value}' is not one of "
                                          r"1/true/yes/on or 0/false/no/off \(empty\); read as "
                                          r"1 \(strict\)") as err:
        reg.load()
    assert err.value.plugin == "(environment)"


@pytest.mark.parametrize("value", ["0", " off ", "FALSE", "no", ""])
def test_off_values_of_strict_mode_are_quiet(site, monkeypatch, value):
    monkeypatch.setenv("TLCORE_STRICT_PLUGINS", value)
    site.add("evilplug", "evil", "raise RuntimeError('x')")
    reg = site.registry()
    messages = load(reg)
    assert statuses(reg) == {"core": "loaded", "good": "loaded", "evil": "failed"}
    assert reg.problems == [] and len(messages) == 1
    good_intact(reg)


ENV_CASES = [
    # var, value, statuses of (good, other), the reported problem (None: no problem)
    ("TLCORE_PLUGINS", ",", ("loaded", "loaded"),
     "TLCORE_PLUGINS=',' names no plugin; ignored"),
    ("TLCORE_PLUGINS", "  ", ("loaded", "loaded"), None),  # blank: unset
    ("TLCORE_PLUGINS", " ; , ", ("loaded", "loaded"),
     "TLCORE_PLUGINS=' ; , ' names no plugin; ignored"),
    ("TLCORE_PLUGINS", "*", ("loaded", "loaded"), None),
    ("TLCORE_PLUGINS", "go*", ("loaded", "blocked"), None),
    ("TLCORE_PLUGINS", "good;", ("loaded", "blocked"), None),
    ("TLCORE_PLUGINS", "visoin", ("blocked", "blocked"),
     "TLCORE_PLUGINS names 'visoin', which matches no installed plugin (installed: core, good, "
     "other)"),
    ("TLCORE_DISABLE_PLUGINS", "*", ("blocked", "blocked"), None),
    ("TLCORE_DISABLE_PLUGINS", "good other", ("blocked", "blocked"), None),
    ("TLCORE_DISABLE_PLUGINS", ",,", ("loaded", "loaded"),
     "TLCORE_DISABLE_PLUGINS=',,' names no plugin; ignored"),
    ("TLCORE_DISABLE_PLUGINS", "other,nope", ("loaded", "blocked"),
     "TLCORE_DISABLE_PLUGINS names 'nope', which matches no installed plugin"),
    ("TLCORE_DISABLE_PLUGINS", "good/../x", ("loaded", "loaded"),
     "TLCORE_DISABLE_PLUGINS='good/../x': 'good/../x' is not a plugin name or pattern; the "
     "variable is ignored"),
]


@pytest.mark.parametrize("var, value, expect, problem", ENV_CASES)
def test_plugin_lists_are_read_as_written_or_reported(site, monkeypatch, var, value, expect,
                                                      problem):
    monkeypatch.setenv(var, value)
    site.add("otherplug", "other", manifest_of("OtherLayer"))
    reg = site.registry()
    messages = load(reg)
    assert statuses(reg) == {"core": "loaded", "good": expect[0], "other": expect[1]}
    if problem is None:
        assert reg.problems == [] and messages == []
    else:
        assert len(reg.problems) == 1 and reg.problems[0].startswith(problem)
        assert messages == reg.problems
    if expect[0] == "loaded":
        good_intact(reg)


def test_unknown_plugin_name_in_strict_mode_raises(site, monkeypatch):
    monkeypatch.setenv("TLCORE_STRICT_PLUGINS", "1")
    monkeypatch.setenv("TLCORE_DISABLE_PLUGINS", "godo")
    reg = site.registry()
    with pytest.raises(PluginError, match="TLCORE_DISABLE_PLUGINS names 'godo', which matches "
                                          "no installed plugin"):
        reg.load()


def test_cli_reports_environment_problems_and_fails_them_in_strict_mode(site, monkeypatch,
                                                                        capfd):
    monkeypatch.setenv("TLCORE_PLUGINS", "good,typo")
    reg = site.registry()
    assert _cli(reg, monkeypatch, json=True) == 0
    out, err = capfd.readouterr()
    assert {p["name"] for p in json.loads(out)} == {"core", "good"}
    assert "tlcore: warning: TLCORE_PLUGINS names 'typo', which matches no installed" in err
    monkeypatch.setenv("TLCORE_STRICT_PLUGINS", "yes")
    assert _cli(reg, monkeypatch, json=True) == 1
    out, err = capfd.readouterr()
    assert json.loads(out) and "the environment has problems" in err
