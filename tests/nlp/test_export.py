"""A network with a recurrent layer exports to a SavedModel (its state variables are tracked)."""
from __future__ import annotations

import numpy as np
import tensorflow as tf

import tlcore as tl


def test_rnn_network_exports_and_serves_the_same_output(tmp_path):
    net = tl.layers.InputLayer([None, 5, 3], name="in")
    net = tl.layers.RNNLayer(net, n_hidden=4, n_steps=5, name="rnn")
    net = tl.layers.DropoutLayer(tl.layers.FlattenLayer(net, name="flat"), keep=0.5, name="drop")
    tl.files.export_saved_model(net, str(tmp_path / "m"))
    served = tf.saved_model.load(str(tmp_path / "m"))
    x = np.random.default_rng(0).standard_normal((2, 5, 3)).astype("float32")
    np.testing.assert_allclose(served(x).numpy(), net(x).numpy(), atol=1e-6)
