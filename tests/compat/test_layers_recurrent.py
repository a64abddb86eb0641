"""TensorLayer 1.11.1's tests/test_layers_recurrent.py, translated mechanically.

Every network of the original is built with the same arguments and every assertion is kept
(output shapes, ``len(all_layers)``, ``len(all_params)``, ``count_params()``). The translation:

- ``tf.placeholder(dtype, shape)`` -> ``tf.TensorSpec(shape, dtype)`` (an embedding input layer
  is then, as in 1.11, the first layer of its network: no separate InputLayer is counted);
- ``tf.contrib.rnn.BasicLSTMCell`` -> ``tl.layers.BasicLSTMCell``;
- ``net.outputs.get_shape().as_list()`` -> ``list(net.output_shape)``;
- ``sequence_length=retrieve_seq_length_op2(input_seqs)`` (and ``encode_/decode_sequence_length``)
  stay as written: on an input spec the op makes a value computed from every batch fed to that
  input; a constant (one batch's lengths) moves to the call, and
  :func:`test_sequence_length_moved_to_the_call` checks the error that says so;
- ``tf.variable_scope(...)`` lines are deleted; ``vs.reuse_variables()`` (the chatbot's shared
  embedding) becomes ``with tl.layers.reuse(net_encode):``.

Each network is built in its own test (1.11 built all of them in ``setUpClass``), so one
failing construction does not hide the others.
"""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import tlcore as tl

NET1_BATCH_SIZE = 32
NET2_BATCH_SIZE = 10
NET3_BATCH_SIZE = 10
NET5_BATCH_SIZE = 32
NET11_BATCH_SIZE = 32

VOCAB_SIZE = 30
HIDDEN_SIZE = 20
IMAGE_SIZE = 100
EMBEDDING_SIZE = 20
NUM_STEPS = 5
KEEP_PROB = 0.8
IS_TRAIN = True


# ------------------------------------------------------------------------------- RNN encoder
def test_net1():
    input_data = tf.TensorSpec([NET1_BATCH_SIZE, NUM_STEPS], tf.int32)
    net1 = tl.layers.EmbeddingInputlayer(inputs=input_data, vocabulary_size=VOCAB_SIZE,
                                         embedding_size=HIDDEN_SIZE, name='embedding')
    net1 = tl.layers.DropoutLayer(net1, keep=KEEP_PROB, is_fix=True, is_train=IS_TRAIN,
                                  name='drop1')
    net1 = tl.layers.RNNLayer(net1, cell_fn=tl.layers.BasicLSTMCell, n_hidden=HIDDEN_SIZE,
                              n_steps=NUM_STEPS, return_last=False, name='lstm1')
    net1 = tl.layers.DropoutLayer(net1, keep=KEEP_PROB, is_fix=True, is_train=IS_TRAIN,
                                  name='drop2')
    net1 = tl.layers.RNNLayer(net1, cell_fn=tl.layers.BasicLSTMCell, n_hidden=HIDDEN_SIZE,
                              n_steps=NUM_STEPS, return_last=True, name='lstm2')
    net1 = tl.layers.DropoutLayer(net1, keep=KEEP_PROB, is_fix=True, is_train=IS_TRAIN,
                                  name='drop3')
    net1 = tl.layers.DenseLayer(net1, n_units=VOCAB_SIZE, name='output')
    net1.print_layers()
    net1.print_params(False)

    assert list(net1.output_shape) == [NET1_BATCH_SIZE, VOCAB_SIZE]
    assert len(net1.all_layers) == 7
    assert len(net1.all_params) == 7
    assert net1.count_params() == 7790


# --------------------------------------------------------------------------- CNN+RNN encoder
def test_net2():
    x2 = tf.TensorSpec([NET2_BATCH_SIZE, IMAGE_SIZE, IMAGE_SIZE, 1], tf.float32)
    net2 = tl.layers.InputLayer(x2, name='in')
    net2 = tl.layers.Conv2d(net2, n_filter=32, filter_size=(5, 5), strides=(2, 2),
                            act=tf.nn.relu, name='cnn1')
    net2 = tl.layers.MaxPool2d(net2, filter_size=(2, 2), strides=(2, 2), name='pool1')
    net2 = tl.layers.Conv2d(net2, n_filter=10, filter_size=(5, 5), strides=(2, 2),
                            act=tf.nn.relu, name='cnn2')
    net2 = tl.layers.MaxPool2d(net2, filter_size=(2, 2), strides=(2, 2), name='pool2')
    net2 = tl.layers.FlattenLayer(net2, name='flatten')
    net2 = tl.layers.ReshapeLayer(net2, shape=(-1, NUM_STEPS, int(net2.output_shape[-1])))
    net2 = tl.layers.RNNLayer(net2, cell_fn=tl.layers.BasicLSTMCell, n_hidden=200,
                              n_steps=NUM_STEPS, return_last=False, return_seq_2d=True,
                              name='rnn')
    net2 = tl.layers.DenseLayer(net2, n_units=3, name='out')
    net2.print_layers()
    net2.print_params(False)

    assert list(net2.output_shape) == [NET2_BATCH_SIZE, 3]
    assert len(net2.all_layers) == 9
    assert len(net2.all_params) == 8
    assert net2.count_params() == 562245


# --------------------------------------------------------- Bidirectional synced input/output
def test_net3():
    x3 = tf.TensorSpec([NET3_BATCH_SIZE, NUM_STEPS], tf.int32)
    net3 = tl.layers.EmbeddingInputlayer(inputs=x3, vocabulary_size=VOCAB_SIZE,
                                         embedding_size=HIDDEN_SIZE, name='emb')
    net3 = tl.layers.BiRNNLayer(net3, cell_fn=tl.layers.BasicLSTMCell, n_hidden=HIDDEN_SIZE,
                                n_steps=NUM_STEPS, return_last=False, return_seq_2d=False,
                                name='birnn')
    net3.print_layers()
    net3.print_params(False)

    assert list(net3.output_shape)[1:3] == [NUM_STEPS, HIDDEN_SIZE * 2]
    assert len(net3.all_layers) == 2
    assert len(net3.all_params) == 5
    assert net3.count_params() == 7160


def test_net4():  # n_layer=2
    x3 = tf.TensorSpec([NET3_BATCH_SIZE, NUM_STEPS], tf.int32)
    net4 = tl.layers.EmbeddingInputlayer(inputs=x3, vocabulary_size=VOCAB_SIZE,
                                         embedding_size=HIDDEN_SIZE, name='emb2')
    net4 = tl.layers.BiRNNLayer(net4, cell_fn=tl.layers.BasicLSTMCell, n_hidden=HIDDEN_SIZE,
                                n_steps=NUM_STEPS, n_layer=2, return_last=False,
                                return_seq_2d=False, name='birnn2')
    net4.print_layers()
    net4.print_params(False)

    assert list(net4.output_shape)[1:3] == [NUM_STEPS, HIDDEN_SIZE * 2]
    assert len(net4.all_layers) == 2
    assert len(net4.all_params) == 9
    assert net4.count_params() == 13720


# ------------------------------------------------------------- Dynamic synced input/output
#: 1.11's ``input_seqs = tf.placeholder(tf.int64, [batch_size, None])``, shared by net5-net10
input_seqs = tf.TensorSpec([NET5_BATCH_SIZE, None], tf.int64, name="input")


def _seq_embedding2():
    return tl.layers.EmbeddingInputlayer(inputs=input_seqs, vocabulary_size=VOCAB_SIZE,
                                         embedding_size=EMBEDDING_SIZE, name='seq_embedding2')


def test_net5():
    nin = tl.layers.EmbeddingInputlayer(inputs=input_seqs, vocabulary_size=VOCAB_SIZE,
                                        embedding_size=EMBEDDING_SIZE, name='seq_embedding')
    rnn = tl.layers.DynamicRNNLayer(nin, cell_fn=tl.layers.BasicLSTMCell,
                                    n_hidden=EMBEDDING_SIZE,
                                    dropout=(KEEP_PROB if IS_TRAIN else None),
                                    sequence_length=tl.layers.retrieve_seq_length_op2(input_seqs),
                                    return_last=False, return_seq_2d=True, name='dynamicrnn')
    net5 = tl.layers.DenseLayer(rnn, n_units=VOCAB_SIZE, name="o")
    net5.print_layers()
    net5.print_params(False)

    assert list(net5.output_shape)[-1] == VOCAB_SIZE
    assert list(rnn.output_shape)[-1] == EMBEDDING_SIZE
    assert len(net5.all_layers) == 3
    assert len(net5.all_params) == 5
    assert net5.count_params() == 4510


def test_net6():  # n_layer=3
    nin = _seq_embedding2()
    rnn = tl.layers.DynamicRNNLayer(nin, cell_fn=tl.layers.BasicLSTMCell,
                                    n_hidden=EMBEDDING_SIZE,
                                    dropout=(KEEP_PROB if IS_TRAIN else None), n_layer=3,
                                    sequence_length=tl.layers.retrieve_seq_length_op2(input_seqs),
                                    return_last=False, return_seq_2d=True, name='dynamicrnn2')
    net6 = tl.layers.DynamicRNNLayer(nin, cell_fn=tl.layers.BasicLSTMCell,
                                     n_hidden=EMBEDDING_SIZE, dropout=None, n_layer=3,
                                     sequence_length=tl.layers.retrieve_seq_length_op2(input_seqs),
                                     return_last=False, return_seq_2d=False, name='dynamicrnn3')
    net6.print_layers()
    net6.print_params(False)

    assert list(net6.output_shape)[-1] == EMBEDDING_SIZE
    assert list(rnn.output_shape)[-1] == EMBEDDING_SIZE


def test_net7():
    net7 = tl.layers.DynamicRNNLayer(_seq_embedding2(), cell_fn=tl.layers.BasicLSTMCell,
                                     n_hidden=EMBEDDING_SIZE, dropout=None, n_layer=1,
                                     sequence_length=tl.layers.retrieve_seq_length_op2(input_seqs),
                                     return_last=True, return_seq_2d=False, name='dynamicrnn4')
    net7.print_layers()
    net7.print_params(False)

    assert list(net7.output_shape)[-1] == EMBEDDING_SIZE


def test_net8():
    net8 = tl.layers.DynamicRNNLayer(_seq_embedding2(), cell_fn=tl.layers.BasicLSTMCell,
                                     n_hidden=EMBEDDING_SIZE, dropout=None, n_layer=1,
                                     sequence_length=tl.layers.retrieve_seq_length_op2(input_seqs),
                                     return_last=True, return_seq_2d=True, name='dynamicrnn5')
    net8.print_layers()
    net8.print_params(False)

    assert list(net8.output_shape)[-1] == EMBEDDING_SIZE


# ---------------------------------------------------------- BiDynamic synced input/output
def test_net9():
    rnn = tl.layers.BiDynamicRNNLayer(_seq_embedding2(), cell_fn=tl.layers.BasicLSTMCell,
                                      n_hidden=EMBEDDING_SIZE,
                                      dropout=(KEEP_PROB if IS_TRAIN else None),
                                      sequence_length=tl.layers.retrieve_seq_length_op2(
                                          input_seqs),
                                      return_last=False, return_seq_2d=True, name='bidynamicrnn')
    net9 = tl.layers.DenseLayer(rnn, n_units=VOCAB_SIZE, name="o4")
    net9.print_layers()
    net9.print_params(False)

    assert list(net9.output_shape)[-1] == VOCAB_SIZE
    assert list(rnn.output_shape)[-1] == EMBEDDING_SIZE * 2
    assert len(net9.all_layers) == 3
    assert len(net9.all_params) == 7
    assert net9.count_params() == 8390


def test_net10():  # n_layer=2
    rnn = tl.layers.BiDynamicRNNLayer(_seq_embedding2(), cell_fn=tl.layers.BasicLSTMCell,
                                      n_hidden=EMBEDDING_SIZE,
                                      dropout=(KEEP_PROB if IS_TRAIN else None), n_layer=2,
                                      sequence_length=tl.layers.retrieve_seq_length_op2(
                                          input_seqs),
                                      return_last=False, return_seq_2d=True,
                                      name='bidynamicrnn2')
    net10 = tl.layers.DenseLayer(rnn, n_units=VOCAB_SIZE, name="o5")
    net10.print_layers()
    net10.print_params(False)

    assert list(net10.output_shape)[-1] == VOCAB_SIZE
    assert list(rnn.output_shape)[-1] == EMBEDDING_SIZE * 2
    assert len(net10.all_layers) == 3
    assert len(net10.all_params) == 11
    assert net10.count_params() == 18150


# ----------------------------------------------------------------------------------- Seq2Seq
def test_net11():
    encode_seqs = tf.TensorSpec([NET11_BATCH_SIZE, None], tf.int64, name="encode_seqs")
    decode_seqs = tf.TensorSpec([NET11_BATCH_SIZE, None], tf.int64, name="decode_seqs")
    # for a chatbot the encoder and decoder share one embedding (1.11: vs.reuse_variables())
    net_encode = tl.layers.EmbeddingInputlayer(inputs=encode_seqs, vocabulary_size=10000,
                                               embedding_size=200, name='seq_embed')
    with tl.layers.reuse(net_encode):
        net_decode = tl.layers.EmbeddingInputlayer(inputs=decode_seqs, vocabulary_size=10000,
                                                   embedding_size=200, name='seq_embed')
    net11 = tl.layers.Seq2Seq(net_encode, net_decode, cell_fn=tl.layers.BasicLSTMCell,
                              n_hidden=200,
                              initializer=tf.random_uniform_initializer(-0.1, 0.1),
                              encode_sequence_length=tl.layers.retrieve_seq_length_op2(
                                  encode_seqs),
                              decode_sequence_length=tl.layers.retrieve_seq_length_op2(
                                  decode_seqs),
                              initial_state_encode=None, dropout=None, n_layer=2,
                              return_seq_2d=True, name='Seq2seq')
    net11 = tl.layers.DenseLayer(net11, n_units=10000, name='oo')
    net11.print_layers()
    net11.print_params(False)

    assert list(net11.output_shape)[-1] == 10000
    assert len(net11.all_layers) == 5
    assert len(net11.all_params) == 11
    assert net11.count_params() == 5293200


# ----------------------------------------------------------------- the deliberate difference
@pytest.mark.parametrize("layer,kw", [
    ("DynamicRNNLayer", {"sequence_length": [3, 2]}),
    ("BiDynamicRNNLayer", {"sequence_length": [3, 2]}),
], ids=["dynamic", "bidynamic"])
def test_sequence_length_moved_to_the_call(layer, kw):
    """1.11 took the lengths of a placeholder at construction; tlcore takes them per call."""
    nin = tl.layers.EmbeddingInputlayer(inputs=tf.TensorSpec([None, None], tf.int64),
                                        vocabulary_size=VOCAB_SIZE, embedding_size=4)
    with pytest.raises(ValueError, match=r"sequence_length moved to the call"):
        getattr(tl.layers, layer)(nin, cell_fn=tl.layers.BasicLSTMCell, n_hidden=4, name='r',
                                  **kw)
    net = getattr(tl.layers, layer)(nin, cell_fn=tl.layers.BasicLSTMCell, n_hidden=4,
                                    return_last=False, name='r')
    ids = np.array([[3, 1, 0], [2, 0, 0]], np.int64)
    out = net(ids, sequence_length=tl.layers.retrieve_seq_length_op2(ids))
    assert np.all(out.numpy()[1, 1:] == 0)  # past its length a sequence outputs zeros
