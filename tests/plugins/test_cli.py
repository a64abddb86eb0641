"""Tests for tlcore/_cli_plugins.py: ``tlcore plugins`` and ``tlcore layers`` in-process, on a
fresh registry of fake plugins (test_entry_points.py runs the real command)."""
from __future__ import annotations

import json

import pytest

import tlcore._cli_plugins as cli_plugins
from tlcore.cli import main
from tlcore.plugins import Registry, hookimpl


class Foo:
    pass


def layers_plugin(**names):
    class Plugin:
        @hookimpl
        def register_layers(self, register):
            for name, target in names.items():
                register(name, target)
    return Plugin()


@pytest.fixture
def fake_registry(monkeypatch, fake_ep, fake_dist):
    """The CLI sees core, a good plugin, a broken one and two that clash on 'Clash'."""
    reg = Registry(entry_points=lambda: [
        fake_ep("good", layers_plugin(GoodLayer="nowhere_xyz.layers:GoodLayer", Clash=Foo),
                dist=fake_dist("tlcore-good", "1.2")),
        fake_ep("broken", exc=ImportError("No module named 'cv9'"),
                dist=fake_dist("tlcore-broken", "0.3")),
        fake_ep("other", layers_plugin(Clash=Foo), dist=fake_dist("tlcore-other", "2.0")),
    ])
    monkeypatch.setattr(cli_plugins, "get_registry", lambda: reg)
    return reg


def test_plugins_lists_broken_plugin_without_crashing(fake_registry, capsys):
    assert main(["plugins"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "DISTRIBUTION", "VERSION", "STATUS", "PROVIDES"]
    assert lines[1].split()[:4] == ["core", "tlcore", "0.1.0", "loaded"]  # the core first
    assert lines[2].split() == ["broken", "tlcore-broken", "0.3", "failed", "-"]
    assert lines[3].strip() == "error: ImportError: No module named 'cv9'"
    assert lines[4].split() == ["good", "tlcore-good", "1.2", "loaded", "2", "layers"]
    assert "GoodLayer" not in out  # names only with --all
    assert "PluginWarning" not in err  # the listing already shows the error


def test_plugins_all_lists_every_entry(fake_registry, capsys):
    assert main(["plugins", "--all"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].split()[:4] == ["core", "tlcore", "0.1.0", "loaded"]
    assert "    layers: GoodLayer, Clash" in out
    assert "DenseLayer" in out


def test_plugins_json(fake_registry, capsys):
    assert main(["plugins", "--json", "--all"]) == 0
    data = {p["name"]: p for p in json.loads(capsys.readouterr().out)}
    assert set(data) == {"core", "good", "broken", "other"}
    assert set(data["good"]) == {"name", "distribution", "version", "status", "error", "provides"}
    assert data["good"]["provides"] == {"layers": ["GoodLayer", "Clash"]}
    assert data["broken"]["status"] == "failed" and "cv9" in data["broken"]["error"]
    assert "DenseLayer" in data["core"]["provides"]["layers"]


def test_plugins_strict_lists_everything_then_fails(fake_registry, capsys, monkeypatch):
    monkeypatch.setenv("TLCORE_STRICT_PLUGINS", "1")
    assert main(["plugins"]) == 1
    out, err = capsys.readouterr()
    assert "good" in out and "failed" in out
    assert "these plugins did not load: broken" in err


def test_layers_lists_without_importing_targets(fake_registry, capsys):
    # GoodLayer's target module does not exist: listing must not import it.
    assert main(["layers", "*Layer"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert rows[0] == ["USE", "AS", "PLUGIN", "TARGET"]
    assert ["GoodLayer", "good", "nowhere_xyz.layers:GoodLayer"] in rows
    assert ["DenseLayer", "core", "tlcore.layers.dense:DenseLayer"] in rows


def test_layers_gives_qualified_ids_for_clashing_names(fake_registry, capsys):
    assert main(["layers", "clash", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["use_as"] for d in data] == ["good.Clash", "other.Clash"]


def test_layers_no_match_hints_distribution(fake_registry, capsys):
    assert main(["layers", "Conv2d*"]) == 1
    err = capsys.readouterr().err
    assert "no registered layer matches 'Conv2d*'" in err
    assert "Conv2dLayer" in err and "pip install tlcore-vision" in err
