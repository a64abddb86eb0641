"""Tests for tlcore_vision/models: layer and parameter counts of the published architectures
(random weights), end_with, and restore_params in both npz layouts."""
from __future__ import annotations

import numpy as np
import pytest

import tlcore as tl
from tlcore_vision import models


def test_reachable_as_tl_models():
    assert tl.models.VGG16 is models.VGG16
    assert set(models.__all__) == {"VGG16", "VGG19", "MobileNetV1", "SqueezeNetV1",
                                   "restore_params"}


def test_vgg16_counts_match_tensorlayer():
    # Built once at full size (138M parameters take a few seconds to initialize).
    net = models.VGG16([None, 224, 224, 3])
    # TensorLayer's 22 layers (13 conv, 5 pool, flatten, 3 dense) plus the InputLayer
    assert len(net.all_layers) == 23
    assert [layer.name for layer in net.all_layers][:4] == ["input", "conv1_1", "conv1_2",
                                                            "pool1"]
    assert len(net.all_params) == 32 and net.count_params() == 138_357_544
    assert net.output_shape == (None, 1000)
    assert [net.param_name(v) for v in net.all_params[-2:]] == ["fc3_relu/W", "fc3_relu/b"]


def test_vgg19_counts_on_a_small_input():
    # 32x32 input: pool5 is 1x1x512, so fc1 has 512 * 4096 weights instead of 25088 * 4096
    net = models.VGG19([None, 32, 32, 3])
    assert len(net.all_layers) == 26 and len(net.all_params) == 38
    assert net.count_params() == 143_667_240 - (25088 - 512) * 4096


def test_end_with_stops_at_the_named_layer_and_rejects_unknown_names():
    net = models.VGG16([None, 32, 32, 3], end_with="pool2")
    assert net.name == "pool2" and net.output_shape == (None, 8, 8, 128)
    with pytest.raises(ValueError, match=r"VGG16: end_with must be one of .*'fc3_relu'.*"
                                         r"received 'fc4'"):
        models.VGG16([None, 32, 32, 3], end_with="fc4")


def test_vgg_subtracts_the_imagenet_mean_in_conv1_1():
    net = models.VGG16([None, 8, 8, 3], end_with="conv1_1")
    mean_image = np.broadcast_to(np.array(models.vgg.VGG_MEAN, np.float32), (1, 8, 8, 3))
    out = net(mean_image, is_train=False)
    bias = net.all_params[1]
    np.testing.assert_allclose(out, np.broadcast_to(np.maximum(bias.numpy(), 0), out.shape),
                               atol=1e-5)


def test_squeezenet_counts_and_forward():
    net = models.SqueezeNetV1([None, 64, 64, 3])
    assert net.count_params() == 1_235_496 and len(net.all_params) == 52
    assert net.output_shape == (None, 1000)
    x = np.random.default_rng(0).random((2, 64, 64, 3), dtype=np.float32)
    assert net(x, is_train=False).shape == (2, 1000)
    assert models.SqueezeNetV1([None, 64, 64, 3], end_with="fire9").output_shape == (
        None, 3, 3, 512)
    assert net.all_drop == {}  # TensorLayer's is_fix dropout is not listed


def test_mobilenet_counts_and_forward():
    net = models.MobileNetV1([None, 32, 32, 3])
    assert net.count_params() == 4_253_864  # Keras' MobileNet (alpha 1.0) has the same
    assert len(net.all_params) == 137 and net.output_shape == (None, 1000)
    x = np.random.default_rng(0).random((2, 32, 32, 3), dtype=np.float32)
    a, b = net(x, is_train=False), net(x, is_train=False)
    np.testing.assert_array_equal(a, b)
    assert models.MobileNetV1([None, 32, 32, 3], end_with="depth13").output_shape == (
        None, 1, 1, 1024)


def test_restore_params_from_vgg_style_npz_in_sorted_key_order(tmp_path):
    net = models.VGG16([None, 16, 16, 3], end_with="conv2_1")  # 3 convs, 6 arrays
    rng = np.random.default_rng(0)
    shapes = {"conv1_1": (3, 64), "conv1_2": (64, 64), "conv2_1": (64, 128),
              "conv2_2": (128, 128)}  # conv2_2 is in the file but not in the network
    arrays = {}
    for layer, (c_in, c_out) in shapes.items():
        arrays[f"{layer}_W"] = rng.standard_normal((3, 3, c_in, c_out)).astype(np.float32)
        arrays[f"{layer}_b"] = rng.standard_normal(c_out).astype(np.float32)
    path = str(tmp_path / "vgg16_weights.npz")
    np.savez(path, **dict(reversed(list(arrays.items()))))  # file order does not matter
    assert net.restore_params(path) is net
    got = {net.param_name(v): v.numpy() for v in net.all_params}
    np.testing.assert_array_equal(got["conv1_2/kernel"], arrays["conv1_2_W"])
    np.testing.assert_array_equal(got["conv2_1/bias"], arrays["conv2_1_b"])


def test_restore_params_from_save_npz_and_all_or_nothing(tmp_path):
    net = models.SqueezeNetV1([None, 32, 32, 3], end_with="fire2")
    values = [np.full(v.shape, i, np.float32) for i, v in enumerate(net.all_params)]
    path = tl.files.save_npz(values, name=str(tmp_path / "squeezenet.npz"))
    models.restore_params(net, path)
    assert all(np.all(v.numpy() == i) for i, v in enumerate(net.all_params))
    bad = list(values)
    bad[3] = np.zeros((5,), np.float32)
    before = [v.numpy().copy() for v in net.all_params]
    bad_path = tl.files.save_npz(bad, name=str(tmp_path / "bad.npz"))
    with pytest.raises(ValueError, match="fire2"):
        models.restore_params(net, bad_path)
    for v, old in zip(net.all_params, before):
        np.testing.assert_array_equal(v.numpy(), old)
    with pytest.raises(FileNotFoundError, match="not shipped"):
        models.restore_params(net, str(tmp_path / "missing.npz"))


def test_tensorlayer_is_train_and_reuse_arguments():
    # MobileNetV1(x, end_with, is_train, reuse) and SqueezeNetV1(...) in 1.11's order
    net = models.MobileNetV1([None, 32, 32, 3], "depth1", False)
    bn = [layer for layer in net.all_layers if type(layer).__name__ == "BatchNormLayer"]
    assert bn and all(layer.is_train is False for layer in bn)
    assert len(net.trainable_params) == 3  # conv, depthwise, 1x1 conv; BatchNorm frozen
    sq = models.SqueezeNetV1([None, 64, 64, 3], "drop1", False)
    x = np.ones((1, 64, 64, 3), np.float32)
    np.testing.assert_allclose(sq(x, is_train=True), sq(x, is_train=False))
    vgg = models.VGG16([None, 32, 32, 3], "conv2_1", reuse=False)
    # 1.11's reuse=True named no network: tlcore takes the network to share
    one = models.VGG16([1, 32, 32, 3], "conv1_2", reuse=vgg)
    assert all(a is b for a, b in zip(one.all_params, vgg.all_params))
    with pytest.raises(TypeError, match=r"reuse=True becomes reuse=<the first network>"):
        models.VGG16([None, 32, 32, 3], reuse=True)
    with pytest.raises(ValueError, match=r"MobileNetV1: is_train must be None or a bool"):
        models.MobileNetV1([None, 32, 32, 3], is_train="yes")
