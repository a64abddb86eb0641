"""convolution gives the mathematically right answer where TF 2.21's oneDNN Conv2D does not
(one input channel, height stride 1, width stride > 1, one output column)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import tensorflow as tf

import tlcore as tl
from tlcore_vision.layers._onednn import convolution


def ref_conv2d(x, w, strides, padding, dilations):
    """Direct float64 loops from the definition, TF's SAME padding split (extra after)."""
    (sh, sw), (dh, dw) = strides, dilations
    kh, kw, _, c_out = w.shape
    khe, kwe = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    wd = np.zeros((khe, kwe, *w.shape[2:]))
    wd[::dh, ::dw] = w
    b, h, wid, _ = x.shape
    if padding == "SAME":
        oh, ow = -(-h // sh), -(-wid // sw)
        ph, pw = max((oh - 1) * sh + khe - h, 0), max((ow - 1) * sw + kwe - wid, 0)
        x = np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    else:
        oh, ow = (h - khe) // sh + 1, (wid - kwe) // sw + 1
    out = np.zeros((b, oh, ow, c_out))
    for i, j in itertools.product(range(oh), range(ow)):
        window = x[:, i * sh:i * sh + khe, j * sw:j * sw + kwe]
        out[:, i, j] = np.einsum("bhwc,hwcf->bf", window, wd)
    return out


CASES = [  # (H, W, kh, kw, sh, sw, padding): each gave wrong rows from tf.nn.conv2d
    (2, 3, 1, 2, 1, 2, "VALID"), (2, 2, 1, 2, 1, 3, "VALID"), (5, 5, 3, 3, 1, 3, "VALID"),
    (2, 1, 1, 2, 1, 2, "SAME"), (3, 2, 2, 3, 1, 2, "SAME"), (5, 3, 3, 3, 1, 3, "SAME"),
]


@pytest.mark.parametrize("H,W,kh,kw,sh,sw,padding", CASES)
@pytest.mark.parametrize("c_in", [1, 3])
def test_matches_definition_eager_and_traced(H, W, kh, kw, sh, sw, padding, c_in):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, H, W, c_in)).astype("float32")
    w = rng.standard_normal((kh, kw, c_in, 2)).astype("float32")
    want = ref_conv2d(x, w, (sh, sw), padding, (1, 1))
    got = convolution(tf.constant(x), tf.constant(w), (sh, sw), padding, (1, 1))
    traced = tf.function(lambda t: convolution(t, tf.constant(w), (sh, sw), padding, (1, 1)),
                         input_signature=[tf.TensorSpec([None, None, W, c_in])])(x)
    np.testing.assert_allclose(got.numpy(), want, atol=1e-4)
    np.testing.assert_allclose(traced.numpy(), want, atol=1e-4)


def test_conv2dlayer_on_the_failing_shape_is_right_and_deterministic():
    net = tl.layers.InputLayer([None, 2, 3, 1])
    net = tl.layers.Conv2dLayer(net, shape=(1, 2, 1, 1), strides=(1, 1, 2, 1), padding="VALID")
    x = np.random.default_rng(1).standard_normal((2, 2, 3, 1)).astype("float32")
    want = ref_conv2d(x, net.all_params[0].numpy(), (1, 2), "VALID", (1, 1))
    for _ in range(3):
        np.testing.assert_allclose(net(x).numpy(), want, atol=1e-5)


@pytest.mark.parametrize("padding", ["VALID", "SAME"])
def test_conv3d_one_output_column_matches_definition(padding):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 2, 3, 2, 1)).astype("float32")
    w = rng.standard_normal((1, 2, 2, 1, 2)).astype("float32")
    got = convolution(tf.constant(x), tf.constant(w), (1, 1, 2), padding, (1, 1, 1)).numpy()
    # Each depth slice is a 2-D convolution with the matching kernel slice.
    want = np.stack([ref_conv2d(x[:, d], w[0], (1, 2), padding, (1, 1)) for d in range(2)], 1)
    np.testing.assert_allclose(got, want, atol=1e-4)
