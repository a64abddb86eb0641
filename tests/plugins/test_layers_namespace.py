"""``tl.layers.<plugin>.<Name>``: qualified access as the docs write it, including the errors
of a plugin that is blocked or failed. The process registry is replaced by a registry of fake
entry points (``tl.layers`` asks ``tlcore.plugins.get_registry`` on every lookup)."""
from __future__ import annotations

import warnings

import pytest

import tlcore
import tlcore.plugins
from tlcore.layers import PluginLayers
from tlcore.layers.core import Layer
from tlcore.plugins import AmbiguousNameError, Registry, UnknownNameError, hookimpl


class AlphaDup(Layer):
    pass


class BetaDup(Layer):
    pass


def layers_plugin(**names):
    class Plugin:
        @hookimpl
        def register_layers(self, register):
            for name, target in names.items():
                register(name, target)
    return Plugin()


@pytest.fixture
def layers(monkeypatch, fake_ep, fake_dist):
    """``tl.layers`` over plugins ``alpha`` and ``beta`` (both register ``Dup``) and ``gamma``,
    which fails to import."""
    eps = [fake_ep("alpha", layers_plugin(Dup=AlphaDup, OnlyAlpha=AlphaDup)),
           fake_ep("beta", layers_plugin(Dup=BetaDup, OnlyBeta=BetaDup)),
           fake_ep("gamma", exc=ImportError("no gamma_dep"), dist=fake_dist("gamma-dist", "2.0"))]
    reg = Registry(entry_points=lambda: eps)
    monkeypatch.setattr(tlcore.plugins, "get_registry", lambda: reg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # gamma's failure warning
        reg.load()
    return tlcore.layers


def test_qualified_access_reads_as_documented(layers):
    assert layers.alpha.Dup is AlphaDup and layers.beta.Dup is BetaDup
    assert layers.alpha.Dup is getattr(layers, "alpha.Dup")
    assert layers.beta.OnlyBeta is layers.OnlyBeta is BetaDup
    assert isinstance(layers.alpha, PluginLayers) and repr(layers.alpha) == (
        "<layers of tlcore plugin 'alpha'>")
    assert dir(layers.alpha) == ["Dup", "OnlyAlpha"]
    assert {"alpha", "beta", "gamma", "OnlyAlpha", "Dup"} <= set(dir(layers))
    with pytest.raises(AmbiguousNameError, match=r"'Dup' is registered by several plugins: "
                                                 r"alpha\.Dup, beta\.Dup"):
        _ = layers.Dup


def test_unknown_name_in_a_plugin_namespace(layers):
    with pytest.raises(UnknownNameError, match=r"^no plugin registers a layer named "
                                               r"'alpha\.OnlyAlpa'\. Did you mean "
                                               r"'alpha\.OnlyAlpha'\?$"):
        _ = layers.alpha.OnlyAlpa
    assert not hasattr(layers.alpha, "Nothing")  # an AttributeError, as for any module
    assert getattr(layers.beta, "Nothing", None) is None
    with pytest.raises(UnknownNameError, match=r"^no plugin registers a layer named 'delta'$"):
        _ = layers.delta  # not a plugin: the plain lookup's error


def test_a_blocked_plugins_layer_says_it_is_blocked(layers, monkeypatch):
    monkeypatch.setenv("TLCORE_DISABLE_PLUGINS", "beta")
    tlcore.plugins.get_registry().reload()
    with pytest.raises(UnknownNameError) as err:
        _ = layers.beta.OnlyBeta
    assert str(err.value) == ("no plugin registers a layer named 'beta.OnlyBeta'; plugin 'beta' "
                              "(fake-beta 1.0) is installed but blocked: blocked by "
                              "TLCORE_DISABLE_PLUGINS")
    with pytest.raises(UnknownNameError) as err:
        _ = layers.OnlyBeta  # the plain name: a blocked plugin is not imported, so "may provide"
    assert str(err.value) == ("no plugin registers a layer named 'OnlyBeta'; plugin 'beta' "
                              "(fake-beta 1.0) may provide it, but is blocked by "
                              "TLCORE_DISABLE_PLUGINS")
    assert layers.Dup is AlphaDup  # no longer ambiguous
    assert dir(layers.beta) == []


def test_several_blocked_plugins_are_listed_by_name(layers, monkeypatch):
    monkeypatch.setenv("TLCORE_PLUGINS", "gamma")
    tlcore.plugins.get_registry().reload()
    with pytest.raises(UnknownNameError) as err:
        _ = layers.OnlyAlpha
    assert str(err.value).endswith(
        "; blocked plugins may provide it: 'alpha' (fake-alpha 1.0, blocked by TLCORE_PLUGINS), "
        "'beta' (fake-beta 1.0, blocked by TLCORE_PLUGINS)")


def test_a_failed_plugins_layer_gives_its_error(layers):
    with pytest.raises(UnknownNameError) as err:
        _ = layers.gamma.Anything
    assert str(err.value) == ("no plugin registers a layer named 'gamma.Anything'; plugin "
                              "'gamma' (gamma-dist 2.0) is installed but failed: ImportError: "
                              "no gamma_dep")


def test_submodules_come_before_plugin_namespaces(monkeypatch, fake_ep):
    import tlcore.layers.utils as utils

    reg = Registry(entry_points=lambda: [fake_ep("utils", layers_plugin(U=AlphaDup))])
    monkeypatch.setattr(tlcore.plugins, "get_registry", lambda: reg)
    monkeypatch.delattr(tlcore.layers, "utils")  # as before its first import
    assert tlcore.layers.utils is utils  # the public module, not plugin utils' namespace
    assert getattr(tlcore.layers, "utils.U") is AlphaDup


def test_import_star_leaves_ambiguous_names_out(layers):
    assert "Dup" not in layers.__all__ and {"OnlyAlpha", "OnlyBeta"} <= set(layers.__all__)
