"""The ``>>>`` examples in tlcore-vision's layer modules run and print what they say."""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest
import tensorflow as tf

import tlcore_vision.layers

MODULES = sorted(m.name for m in pkgutil.iter_modules(tlcore_vision.layers.__path__)
                 if not m.name.startswith("_"))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    from tlcore.layers.core import InputLayer
    from tlcore.layers.dense import DenseLayer
    from tlcore.layers.shape import FlattenLayer
    from tlcore_vision.layers.conv import Conv2d

    module = importlib.import_module(f"tlcore_vision.layers.{name}")
    globs = {"tf": tf, "InputLayer": InputLayer, "DenseLayer": DenseLayer,
             "FlattenLayer": FlattenLayer, "Conv2d": Conv2d}
    result = doctest.testmod(module, extraglobs=globs, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
