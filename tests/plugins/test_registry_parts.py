"""The registry's parts: the status enum, hook calls through pluggy, the facade's seams."""
from __future__ import annotations

import dataclasses
import json
import logging
import sys

import pytest

from tlcore.layers.core import Layer
from tlcore.plugins import Manifest, PluginInfo, PluginWarning, Registry, Status, hookimpl
from tlcore.plugins._discovery import Candidate
from tlcore.plugins._policy import Policy


class Foo(Layer):
    pass


def test_status_reads_as_its_plain_string():
    assert Status.LOADED == "loaded" and Status("blocked") is Status.BLOCKED
    assert [f"{s}" for s in Status] == ["loaded", "failed", "blocked", "incompatible"]
    assert str(Status.FAILED) == "failed" and f"{Status.FAILED:>8}" == "  failed"
    info = PluginInfo("p", "dist", "1.0", "incompatible", "why")
    assert info.status is Status.INCOMPATIBLE  # a plain string is converted
    assert json.dumps(info.to_dict()) == (
        '{"name": "p", "distribution": "dist", "version": "1.0", "status": "incompatible", '
        '"error": "why", "provides": {}}')
    assert type(info.to_dict()["status"]) is str
    with pytest.raises(ValueError):
        PluginInfo("p", "dist", "1.0", "loded")


def test_hooks_are_called_through_pluggy_and_traced_at_debug(fake_ep, caplog):
    plugin = Manifest(layers={"Foo": Foo}, datasets={"foo": Foo})
    reg = Registry(entry_points=lambda: [fake_ep("traced", plugin)])
    with caplog.at_level(logging.DEBUG, logger="tlcore"):
        reg.load()
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("pluggy")]
    calls = [ln.split(": ", 1)[1].split(" [hook]")[0] for ln in lines
             if ln.startswith("pluggy, plugin 'traced':") and "finish" not in ln]
    assert calls == ["register_layers", "register_modules", "register_datasets",
                     "register_examples"]
    assert reg.get("layers", "Foo") is Foo and reg.get("datasets", "foo") is Foo


def test_an_unhashable_plugin_object_loads(fake_ep):
    @dataclasses.dataclass
    class Plugin:  # eq=True without frozen: __hash__ is None, like a Manifest's dicts
        name: str = "x"

        @hookimpl
        def register_layers(self, register):
            register("Foo", Foo)

    with pytest.raises(TypeError):
        hash(Plugin())
    reg = Registry(entry_points=lambda: [fake_ep("a", Manifest(layers={"A": Foo})),
                                         fake_ep("b", Plugin())])
    assert {p.name: p.status for p in reg.plugins()} == {"core": "loaded", "a": "loaded",
                                                         "b": "loaded"}


def test_one_object_under_two_plugin_names_loads_once(fake_ep):
    plugin = Manifest(layers={"Foo": Foo})
    reg = Registry(entry_points=lambda: [fake_ep("a", plugin), fake_ep("b", plugin)])
    with pytest.warns(PluginWarning, match=r"'b' \(fake-b 1\.0\) failed and was skipped: its "
                                           r"entry point fake_b_plugin gives the object that "
                                           r"plugin 'a' registered already"):
        assert {p.name: p.status for p in reg.plugins()} == {"core": "loaded", "a": "loaded",
                                                             "b": "failed"}
    assert reg.get("layers", "Foo") is Foo


def test_policy_decides_without_importing(monkeypatch):
    monkeypatch.setenv("TLCORE_DISABLE_PLUGINS", "b*")
    policy = Policy.read(["core", "alpha", "beta"])
    never = Candidate("beta", "d", "1", load=lambda: pytest.fail("imported"))
    assert policy.verdict(never) == (Status.BLOCKED, "blocked by TLCORE_DISABLE_PLUGINS")
    old = Candidate("alpha", "tlcore-alpha", "0.0", load=lambda: pytest.fail("imported"),
                    requires="<0.1")
    status, error = policy.verdict(old)
    assert status is Status.INCOMPATIBLE and error.startswith("requires tlcore<0.1, but tlcore ")
    assert policy.verdict(Candidate("alpha", "d", "1", load=lambda: None)) is None
    assert policy.problems == [] and not policy.strict


def test_a_warning_without_plugin_code_points_at_the_caller_outside_tlcore(fake_ep, fake_dist):
    old = fake_ep("old", Manifest(layers={"Foo": Foo}),
                  dist=fake_dist("tlcore-old", "0.0.1", ["tlcore<0.1"]))
    reg = Registry(entry_points=lambda: [old])
    with pytest.warns(PluginWarning, match="is incompatible") as record:
        line = sys._getframe().f_lineno + 1
        reg.plugins()  # the warning points here, not into the registry
    assert (record[0].filename, record[0].lineno) == (__file__, line)
