"""The core's table of names the official plugins provide (for "install tlcore-xxx" hints)
equals what their manifests register."""
from __future__ import annotations

import importlib

import pytest

from tlcore.plugins import Manifest
from tlcore.plugins._known import CHECKOUT_FOLDER, KNOWN

OFFICIAL = {"tlcore-vision": "tlcore_vision.plugin", "tlcore-nlp": "tlcore_nlp.plugin",
            "tlcore-rl": "tlcore_rl.plugin"}


@pytest.mark.parametrize("dist", OFFICIAL)
def test_known_names_equal_the_manifest(dist):
    module = importlib.import_module(OFFICIAL[dist])
    manifest = module.manifest
    assert isinstance(manifest, Manifest)
    for kind, names in manifest.names().items():
        known = {n for n, d in KNOWN[kind].items() if d == dist}
        assert set(names) - known == set(), (
            f"add to tlcore/plugins/_known.py ({kind}, {dist}): {sorted(set(names) - known)}")
        assert known - set(names) == set(), (
            f"{dist} no longer registers these {kind}: {sorted(known - set(names))}")
    assert dist in CHECKOUT_FOLDER


def test_no_name_is_claimed_by_two_distributions():
    core = importlib.import_module("tlcore.plugins._core").manifest.names()
    for kind, table in KNOWN.items():
        assert not set(table) & set(core.get(kind, ())), f"{kind} of the core listed as a plugin's"
