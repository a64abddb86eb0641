"""TensorLayer 1.11.1 ``tests/test_models.py``, translated.

No pretrained weights are downloaded (1.11's test had its ``restore_params`` lines commented out
too). The counted facts (layers and parameter arrays) do not depend on the image size, so the
networks are built on 32x32 inputs instead of 224x224: the full VGG16 has 138M parameters and
would take seconds per build. ``reuse=True`` becomes ``reuse=<the first network>``.
"""
from __future__ import annotations

import numpy as np
import pytest

import tlcore as tl

SHAPE = [None, 32, 32, 3]  # 1.11 used [None, 224, 224, 3]; see the module docstring


@pytest.fixture(scope="module")
def vggs():
    vgg1 = tl.models.VGG16(SHAPE)
    vgg2 = tl.models.VGG16(SHAPE, end_with="fc2_relu")
    out = tl.layers.DenseLayer(vgg2, n_units=100, name="out")
    # 1.11: tl.layers.get_variables_with_name('out') over the default graph
    train_params = [v for v in out.all_params if "out" in out.param_name(v)]
    vgg3 = tl.models.VGG16(SHAPE, end_with="fc2_relu")
    return vgg1, vgg2, vgg3, train_params


def test_vgg1_layers(vggs):
    assert len(vggs[0].all_layers) == 23


def test_vgg2_layers(vggs):
    assert len(vggs[1].all_layers) == 22


def test_vgg3_layers(vggs):
    assert len(vggs[2].all_layers) == 22


def test_vgg1_params(vggs):
    assert len(vggs[0].all_params) == 32


def test_vgg2_params(vggs):
    assert len(vggs[1].all_params) == 30


def test_vgg3_params(vggs):
    assert len(vggs[2].all_params) == 30


def test_vgg2_train_params(vggs):
    assert len(vggs[3]) == 2


def test_reuse_vgg(vggs):
    # 1.11: VGG16(x, end_with='fc2_relu', reuse=True); reuse=True becomes the first network
    vgg3 = vggs[2]
    again = tl.models.VGG16([1, 32, 32, 3], end_with="fc2_relu", reuse=vgg3)
    assert all(a is b for a, b in zip(again.all_params, vgg3.all_params))
    out = again(np.zeros((1, 32, 32, 3), np.float32), is_train=False)
    np.testing.assert_allclose(out, vgg3(np.zeros((1, 32, 32, 3), np.float32)))
