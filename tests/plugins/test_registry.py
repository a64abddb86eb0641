"""Tests for tlcore/plugins: discovery, isolation, allow/block lists, collisions, hints.

Each test builds a fresh ``Registry(entry_points=lambda: [...])`` from fake entry points (see
conftest.py), so the installed plugins do not matter; ``test_entry_points.py`` covers the real
entry-point path in fresh interpreters.
"""
from __future__ import annotations

import sys
import warnings

import pytest

import tlcore
from tlcore.layers.core import Layer
from tlcore.plugins import (AmbiguousNameError, PluginError, PluginWarning, Registry,
                            UnknownNameError, get_registry, hookimpl, registered)


class Foo(Layer):
    pass


class OtherFoo(Layer):
    pass


def layers_plugin(**names):
    """A plugin object whose register_layers hook registers ``names`` (name -> target)."""
    class Plugin:
        @hookimpl
        def register_layers(self, register):
            for name, target in names.items():
                register(name, target)
    return Plugin()


def registry(*eps):
    calls = []

    def entry_points():
        calls.append(1)
        return list(eps)
    reg = Registry(entry_points=entry_points)
    reg.discoveries = calls  # how often entry points were scanned
    return reg


def plugin_warnings(record, plugin):
    return [w for w in record
            if issubclass(w.category, PluginWarning) and repr(plugin) in str(w.message)]


# ------------------------------------------------------------------------------ loading
def test_core_is_a_plugin_and_loads_lazily_once(fake_ep):
    ep = fake_ep("good", layers_plugin(Foo=Foo))
    reg = registry(ep)
    assert reg.discoveries == [] and ep.loads == 0  # nothing happens before the first lookup
    assert reg.get("layers", "Foo") is Foo
    assert reg.get("layers", "DenseLayer").__name__ == "DenseLayer"
    reg.get("layers", "InputLayer")
    reg.plugins()
    assert reg.discoveries == [1] and ep.loads == 1  # scanned and loaded once
    statuses = {p.name: (p.status, p.distribution) for p in reg.plugins()}
    assert statuses == {"core": ("loaded", "tlcore"), "good": ("loaded", "fake-good")}
    reg.reload()
    assert reg.discoveries == [1]  # reload re-reads the environment, not the entry points
    reg.reload(rescan=True)
    assert reg.discoveries == [1, 1]


def test_targets_are_imported_on_first_use_only(fake_ep):
    reg = registry(fake_ep("lazy", layers_plugin(Ghost="no_such_module_xyz.layers:Ghost")))
    [entry] = reg.find("layers", "Ghost")  # listing does not import
    assert entry.target_path == "no_such_module_xyz.layers:Ghost"
    assert reg.plugins()[-1].status == "loaded"
    with pytest.raises(PluginError, match=r"plugin 'lazy' registers layer 'Ghost' as "
                                          r"'no_such_module_xyz.layers:Ghost'.*"
                                          r"ModuleNotFoundError") as e:
        reg.get("layers", "Ghost")
    assert e.value.plugin == "lazy"


def test_string_targets_resolve_to_attributes_and_modules(fake_ep):
    class Plugin:
        @hookimpl
        def register_layers(self, register):
            register("Ordered", "collections:OrderedDict", aliases=("ODict",), helper=True)

        @hookimpl
        def register_modules(self, register):
            register("jsonish", "json")
            register("jsonish2", "json:")

    reg = registry(fake_ep("p", Plugin()))
    import collections
    import json
    assert reg.get("layers", "Ordered") is collections.OrderedDict
    assert reg.get("layers", "ODict") is collections.OrderedDict
    assert reg.get("layers", "p.ODict") is collections.OrderedDict
    assert reg.get("modules", "jsonish") is json and reg.get("modules", "jsonish2") is json
    assert [e.name for e in reg.find("layers", "odict")] == ["Ordered"]  # aliases match too
    assert reg.owner_of("layers", collections.OrderedDict).qualified == "p.Ordered"
    assert reg.owner_of("modules", json).plugin == "p"


# ---------------------------------------------------------------------------- isolation
def test_plugin_that_fails_to_import_is_isolated(fake_ep, fake_dist):
    bad = fake_ep("bad", exc=ImportError("No module named 'missing_dep'"),
                  dist=fake_dist("tlcore-bad", "2.3"))
    reg = registry(bad, fake_ep("good", layers_plugin(Foo=Foo)))
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        assert reg.get("layers", "Foo") is Foo  # the others keep working
        reg.plugins()
        reg.reload()  # a second load does not warn again
    [w] = plugin_warnings(record, "bad")
    message = str(w.message)
    for part in ("'bad'", "tlcore-bad", "2.3", "ImportError", "missing_dep"):
        assert part in message, part
    info = {p.name: p for p in reg.plugins()}["bad"]
    assert info.status == "failed" and "missing_dep" in info.error and info.provides == {}


def test_plugin_whose_hook_raises_loses_all_its_entries(fake_ep):
    class Half:
        @hookimpl
        def register_layers(self, register):
            register("Early", Foo)  # registered before the failure: must be dropped too
            raise RuntimeError("boom in hook")

        @hookimpl
        def register_datasets(self, register):
            register("halfdata", Foo)

    reg = registry(fake_ep("half", Half()), fake_ep("good", layers_plugin(Foo=Foo)))
    with pytest.warns(PluginWarning, match=r"'half'.*fake-half 1\.0.*RuntimeError.*boom in hook"):
        reg.load()
    info = {p.name: p for p in reg.plugins()}["half"]
    assert info.status == "failed" and "boom in hook" in info.error
    assert "Early" not in reg.names("layers") and "halfdata" not in reg.names("datasets")
    with pytest.raises(UnknownNameError):
        reg.get("layers", "Early")
    assert reg.get("layers", "Foo") is Foo


@pytest.mark.parametrize("source, line", [
    ("from tlcore.plugins import hookimpl\n\n@hookimpl\ndef register_layers(register):\n"
     "    raise ValueError('bad manifest')\n", 5),
    ("import os\nraise ImportError('missing dependency')\n", 2),
    ("x = 1\ndef broken(:\n", 2),
    ("import sys\n\nsys.exit('plugin exits at import')\n", 3),
], ids=["hook_raises", "import_raises", "syntax_error", "sys_exit"])
def test_warning_points_at_the_plugins_own_code(fake_ep, tmp_path, monkeypatch, source, line):
    import importlib

    mod_name = f"blame_plugin_{line}"
    (tmp_path / f"{mod_name}.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    ep = fake_ep("blamed", value=mod_name)
    ep.load = lambda: importlib.import_module(mod_name)
    with pytest.warns(PluginWarning) as record:
        registry(ep).load()
    [w] = plugin_warnings(record, "blamed")
    assert (w.filename, w.lineno) == (str(tmp_path / f"{mod_name}.py"), line)
    monkeypatch.delitem(sys.modules, mod_name, raising=False)


@pytest.mark.parametrize("plugin, error", [
    (layers_plugin(**{"a.b": Foo}), r"name must be a non-empty string without '\.'"),
    (layers_plugin(Foo="not a target!"), r"target of 'Foo' must be"),
    (layers_plugin(Foo=None), r"target of 'Foo' must be"),
], ids=["dotted_name", "bad_target_string", "none_target"])
def test_bad_registrations_fail_the_plugin(fake_ep, plugin, error):
    reg = registry(fake_ep("p", plugin))
    with pytest.warns(PluginWarning, match=error):
        reg.load()
    assert reg.plugins()[-1].status == "failed"


def test_registering_a_name_twice_fails_the_plugin(fake_ep):
    class Twice:
        @hookimpl
        def register_layers(self, register):
            register("Foo", Foo)
            register("Foo", OtherFoo)

    reg = registry(fake_ep("twice", Twice()))
    with pytest.warns(PluginWarning, match=r"registers layer name 'Foo' twice"):
        assert reg.plugins()[-1].status == "failed"


def test_unknown_hook_fails_the_plugin(fake_ep):
    class Typo:
        @hookimpl
        def register_layer(self, register):  # missing "s"
            register("Foo", Foo)

    reg = registry(fake_ep("typo", Typo()))
    with pytest.warns(PluginWarning, match=r"unknown hooks \['register_layer'\]"):
        assert reg.plugins()[-1].status == "failed"


def test_hook_may_omit_the_register_argument(fake_ep):
    class Quiet:
        @hookimpl
        def register_layers(self):
            pass

    reg = registry(fake_ep("quiet", Quiet()))
    assert reg.plugins()[-1].status == "loaded"


def test_duplicate_plugin_name_keeps_the_first(fake_ep, fake_dist):
    reg = registry(fake_ep("dup", layers_plugin(Foo=Foo), dist=fake_dist("first")),
                   fake_ep("dup", layers_plugin(Foo=OtherFoo), dist=fake_dist("second")))
    with pytest.warns(PluginWarning, match=r"'dup' \(second 1\.0\).*already taken by first"):
        assert reg.get("layers", "Foo") is Foo
    assert [p.distribution for p in reg.plugins() if p.name == "dup"] == ["first"]


def test_strict_mode_raises(fake_ep, monkeypatch):
    reg = registry(fake_ep("bad", exc=ImportError("nope")), fake_ep("good", layers_plugin(Foo=Foo)))
    monkeypatch.setenv("TLCORE_STRICT_PLUGINS", "1")  # read at load time, after construction
    with pytest.raises(PluginError, match=r"'bad'.*ImportError: nope") as e:
        reg.get("layers", "Foo")
    assert e.value.plugin == "bad" and isinstance(e.value.__cause__, ImportError)
    monkeypatch.setenv("TLCORE_STRICT_PLUGINS", "0")
    with pytest.warns(PluginWarning):
        assert reg.get("layers", "Foo") is Foo


# ------------------------------------------------------------------ allow and block lists
def test_allow_list_is_read_at_load_time(fake_ep, monkeypatch):
    a_ep = fake_ep("a", layers_plugin(Foo=Foo))
    b_ep = fake_ep("b", layers_plugin(Bar=OtherFoo))
    reg = registry(a_ep, b_ep)
    monkeypatch.setenv("TLCORE_PLUGINS", "a")
    assert reg.get("layers", "Foo") is Foo
    assert reg.get("layers", "DenseLayer").__name__ == "DenseLayer"  # core is always in
    status = {p.name: p.status for p in reg.plugins()}
    assert status == {"core": "loaded", "a": "loaded", "b": "blocked"}
    assert b_ep.loads == 0  # a blocked plugin is not even imported
    with pytest.raises(UnknownNameError):
        reg.get("layers", "Bar")
    monkeypatch.delenv("TLCORE_PLUGINS")
    reg.reload()
    assert reg.get("layers", "Bar") is OtherFoo


def test_block_list(fake_ep, monkeypatch):
    monkeypatch.setenv("TLCORE_DISABLE_PLUGINS", "a")
    reg = registry(fake_ep("a", layers_plugin(Foo=Foo)), fake_ep("b", layers_plugin(Bar=OtherFoo)))
    assert reg.get("layers", "Bar") is OtherFoo
    info = {p.name: p for p in reg.plugins()}
    assert info["a"].status == "blocked" and "TLCORE_DISABLE_PLUGINS" in info["a"].error
    with pytest.raises(UnknownNameError):
        reg.get("layers", "Foo")


def test_core_cannot_be_blocked(fake_ep, monkeypatch):
    monkeypatch.setenv("TLCORE_DISABLE_PLUGINS", "core")
    reg = registry(fake_ep("a", layers_plugin(Foo=Foo)))
    with pytest.warns(PluginWarning, match="'core', which cannot be blocked"):
        assert reg.get("layers", "DenseLayer").__name__ == "DenseLayer"
    assert {p.name: p.status for p in reg.plugins()} == {"core": "loaded", "a": "loaded"}


# ---------------------------------------------------------------------------- collisions
def test_same_name_in_two_plugins_is_ambiguous_but_qualified_ids_work(fake_ep):
    reg = registry(fake_ep("a", layers_plugin(Foo=Foo)), fake_ep("b", layers_plugin(Foo=OtherFoo)))
    assert reg.get("layers", "a.Foo") is Foo
    assert reg.get("layers", "b.Foo") is OtherFoo
    with pytest.raises(AmbiguousNameError, match=r"'Foo' is registered by several plugins: "
                                                 r"a\.Foo, b\.Foo") as e:
        reg.get("layers", "Foo")
    assert e.value.candidates == ("a.Foo", "b.Foo")
    assert [e.qualified for e in reg.find("layers", "Foo")] == ["a.Foo", "b.Foo"]


def test_plugin_cannot_take_a_core_name(fake_ep):
    reg = registry(fake_ep("thief", layers_plugin(DenseLayer=Foo)))
    with pytest.warns(PluginWarning, match=r"'thief' registers layer name 'DenseLayer', which "
                                           r"belongs to the core; .* thief\.DenseLayer"):
        dense = reg.get("layers", "DenseLayer")
    assert dense is not Foo and dense.__module__ == "tlcore.layers.dense"
    assert reg.get("layers", "core.DenseLayer") is dense
    assert reg.get("layers", "thief.DenseLayer") is Foo


def test_a_plugin_cannot_be_named_core(fake_ep):
    reg = registry(fake_ep("core", layers_plugin(Foo=Foo)))
    with pytest.warns(PluginWarning, match="already taken by tlcore"):
        reg.load()
    with pytest.raises(UnknownNameError):
        reg.get("layers", "Foo")


# -------------------------------------------------------------------------------- errors
def test_unknown_name_suggests_close_names(fake_ep):
    reg = registry(fake_ep("a", layers_plugin(Foo=Foo)))
    with pytest.raises(UnknownNameError, match=r"no plugin registers a layer named 'DenseLyer'\. "
                                               r"Did you mean 'DenseLayer'[ ?]"):
        reg.get("layers", "DenseLyer")
    with pytest.raises(UnknownNameError, match=r"Did you mean 'DenseLayer'"):
        reg.get("layers", "denselayer")
    with pytest.raises(AttributeError):  # so hasattr/getattr(default) work on lazy faces
        reg.get("layers", "Nothing")


@pytest.mark.parametrize("kind, name, dist", [
    ("layers", "Conv2dLayer", "tlcore-vision"),
    ("layers", "RNNLayer", "tlcore-nlp"),
    ("modules", "rein", "tlcore-rl"),
    ("datasets", "ptb", "tlcore-nlp"),
])
def test_known_name_says_what_to_install(kind, name, dist):
    reg = registry()  # only the core is installed
    with pytest.raises(UnknownNameError, match=rf"provided by {dist}: pip install {dist}"):
        reg.get(kind, name)


def test_known_name_of_a_broken_plugin_gives_its_error(fake_ep, fake_dist):
    reg = registry(fake_ep("vision", exc=ImportError("no cv2"), dist=fake_dist("tlcore-vision")))
    with pytest.warns(PluginWarning):
        with pytest.raises(UnknownNameError, match=r"plugin 'vision' \(tlcore-vision 1\.0\), "
                                                   r"which is installed but failed: "
                                                   r"ImportError: no cv2"):
            reg.get("layers", "Conv2d")


def test_known_name_missing_from_an_installed_plugin_says_upgrade(fake_ep, fake_dist):
    reg = registry(fake_ep("vision", layers_plugin(), dist=fake_dist("tlcore-vision")))
    with pytest.raises(UnknownNameError, match=r"pip install --upgrade tlcore-vision"):
        reg.get("layers", "Conv2d")


def test_unknown_kind():
    with pytest.raises(ValueError, match=r"unknown registry kind 'layer'"):
        registry().get("layer", "DenseLayer")


# ------------------------------------------------------------------------------- version
def test_incompatible_plugin_is_not_loaded(fake_ep, fake_dist, monkeypatch):
    old = fake_ep("old", layers_plugin(Foo=Foo),
                  dist=fake_dist("tlcore-old", "0.0.1", ["tlcore<0.1"]))
    ok = fake_ep("ok", layers_plugin(Bar=OtherFoo),
                 dist=fake_dist("tlcore-ok", "1.0", ["numpy", "tlcore>=0.1,<1",
                                                     "tlcore<0.1; python_version<'3'"]))
    reg = registry(old, ok)
    with pytest.warns(PluginWarning, match=r"'old' \(tlcore-old 0\.0\.1\) is incompatible.*"
                                           r"requires tlcore<0\.1, but tlcore 0\.1\.0 is "
                                           r"installed"):
        assert reg.get("layers", "Bar") is OtherFoo
    info = {p.name: p for p in reg.plugins()}
    assert info["old"].status == "incompatible" and info["ok"].status == "loaded"
    assert old.loads == 0
    monkeypatch.setenv("TLCORE_STRICT_PLUGINS", "1")
    with pytest.raises(PluginError, match="incompatible"):
        reg.reload()


# ------------------------------------------------------------------- in-process plugins
def test_registered_context_manager_on_the_process_registry():
    plugin = layers_plugin(TestOnlyFooLayer=Foo)

    class Data:
        @hookimpl
        def register_datasets(self, register):
            register("testonlyfoo", Foo)

    assert "TestOnlyFooLayer" not in get_registry().names("layers")
    with registered(plugin, name="testonly"), registered(Data(), name="testonlydata"):
        assert get_registry().get("layers", "TestOnlyFooLayer") is Foo
        assert get_registry().get("layers", "testonly.TestOnlyFooLayer") is Foo
        assert tlcore.files.load_testonlyfoo_dataset is Foo
        info = {p.name: p for p in get_registry().plugins()}["testonly"]
        assert info.status == "loaded" and info.provides == {"layers": ("TestOnlyFooLayer",)}
    assert "TestOnlyFooLayer" not in get_registry().names("layers")
    assert "testonly" not in {p.name for p in get_registry().plugins()}


def test_registered_reaches_tl_layers():
    name = "TestOnlyMaxLayer"
    try:
        with registered(layers_plugin(**{name: Foo}), name="testonly2"):
            assert getattr(tlcore.layers, name) is Foo
            assert name in dir(tlcore.layers)
    finally:
        vars(tlcore.layers).pop(name, None)  # tl.layers caches resolved names


def test_registered_in_strict_mode_raises_and_leaves_nothing(monkeypatch):
    monkeypatch.setenv("TLCORE_STRICT_PLUGINS", "1")

    class Broken:
        @hookimpl
        def register_layers(self, register):
            raise RuntimeError("broken")

    with pytest.raises(PluginError, match="broken"):
        with registered(Broken(), name="brokenstrict"):
            pass  # pragma: no cover
    monkeypatch.delenv("TLCORE_STRICT_PLUGINS")
    assert "brokenstrict" not in {p.name for p in get_registry().plugins()}
