"""Tests for tlcore/decorators.py (TensorLayer 1.11's tl.decorators)."""
from __future__ import annotations

import pytest

from tlcore.decorators import deprecated, deprecated_alias, private_method, protected_method


class Base:
    @private_method
    def _secret(self):
        return "secret"

    @protected_method
    def _family(self):
        return "family"

    def use_secret(self):
        return self._secret()

    def use_family_of(self, other):
        return other._family()


class Child(Base):
    pass


class Stranger:
    def use_family_of(self, other):
        return other._family()


def test_private_method_only_from_the_same_object():
    obj = Base()
    assert obj.use_secret() == "secret"
    with pytest.raises(RuntimeError, match=r"Base\._secret is a private method"):
        obj._secret()
    with pytest.raises(RuntimeError, match="private"):
        Base().use_secret.__self__._secret()


def test_protected_method_from_the_class_family_only():
    assert Child().use_family_of(Base()) == "family"
    assert Base().use_family_of(Child()) == "family"
    with pytest.raises(RuntimeError, match=r"Base\._family is a protected method"):
        Stranger().use_family_of(Base())
    with pytest.raises(RuntimeError, match="protected"):
        Base()._family()


def test_deprecated_alias_renames_and_refuses_both():
    @deprecated_alias(end_support_version=1.9, layer="prev_layer")
    def f(prev_layer, n=1):
        return prev_layer, n

    with pytest.warns(DeprecationWarning, match=r"layer= is deprecated.*1\.9.*prev_layer="):
        assert f(layer="x", n=2) == ("x", 2)
    with pytest.raises(TypeError, match="received both layer and prev_layer"):
        f(layer="x", prev_layer="y")


def test_deprecated_warns_with_the_instructions():
    @deprecated(date="2018-09-30", instructions="Use g.")
    def f():
        return 1

    with pytest.warns(DeprecationWarning, match=r"f is deprecated and will be removed after "
                                                r"2018-09-30\. Use g\."):
        assert f() == 1


def test_docstring_examples():
    import doctest
    import importlib

    assert doctest.testmod(importlib.import_module("tlcore.decorators")).failed == 0
