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


def test_embedding_network_exports_with_the_ids_as_its_input(tmp_path):
    """The embedding input layer is the network's input: the signature is the fed ids'."""
    net = tl.layers.EmbeddingInputlayer([None, 4], vocabulary_size=9, embedding_size=3,
                                        name="emb")
    net = tl.layers.DynamicRNNLayer(net, n_hidden=2, return_last=True, name="rnn")
    tl.files.export_saved_model(net, str(tmp_path / "m"))
    served = tf.saved_model.load(str(tmp_path / "m"))
    x = np.array([[1, 2, 3, 0], [4, 5, 0, 0]], np.int32)
    np.testing.assert_allclose(served(x).numpy(), net(x).numpy(), atol=1e-6)
