"""TensorLayer 1.11.1 tests/test_layers_core.py, ported: LayersConfig, and nine small networks
(dense, one-hot input, the three embedding inputs, recon, noise, dropconnect, quantized dense)."""
import pytest
import tensorflow as tf

import tlcore as tl

batch_size = 8


def test_LayersConfig():
    with pytest.raises(TypeError):
        tl.layers.LayersConfig()
    assert isinstance(tl.layers.LayersConfig.tf_dtype, tf.DType)
    assert isinstance(tl.layers.LayersConfig.set_keep, dict)


def shown(net):
    net.print_layers()
    net.print_params(False)
    return net


def facts(net):
    return (net.outputs.get_shape().as_list(), len(net.all_layers), len(net.all_params),
            net.count_params())


def test_net1():
    net1 = tl.layers.InputLayer(tf.TensorSpec([None, 30], tf.float32), name='input')
    net1 = shown(tl.layers.DenseLayer(net1, n_units=10, name='dense'))
    assert facts(net1) == ([None, 10], 2, 2, 310)


def test_net2():
    x2 = tf.TensorSpec([None], tf.int32)
    net2 = shown(tl.layers.OneHotInputLayer(x2, depth=8, name='onehot'))
    assert facts(net2) == ([None, 8], 1, 0, 0)


def test_net3():
    train_inputs = tf.TensorSpec([batch_size], tf.int32)
    train_labels = tf.TensorSpec((batch_size, 1), tf.int32)
    net3 = shown(tl.layers.Word2vecEmbeddingInputlayer(
        inputs=train_inputs, train_labels=train_labels, vocabulary_size=1000, embedding_size=200,
        num_sampled=64, name='word2vec'))
    assert facts(net3) == ([batch_size, 200], 1, 3, 401000)


def test_net4():
    x4 = tf.TensorSpec((batch_size,), tf.int32)
    net4 = shown(tl.layers.EmbeddingInputlayer(inputs=x4, vocabulary_size=1000, embedding_size=50,
                                               name='embed'))
    assert facts(net4) == ([batch_size, 50], 1, 1, 50000)


def test_net5():
    x5 = tf.TensorSpec((batch_size, 5), tf.int32)
    net5 = shown(tl.layers.AverageEmbeddingInputlayer(inputs=x5, vocabulary_size=1000,
                                                      embedding_size=50, name='avg'))
    assert facts(net5) == ([batch_size, 50], 1, 1, 50000)


def test_net6():
    x6 = tf.TensorSpec((None, 784), tf.float32)
    net6 = tl.layers.InputLayer(x6, name='input')
    net6 = tl.layers.DenseLayer(net6, n_units=196, act=tf.nn.sigmoid, name='dense2')
    net6 = shown(tl.layers.ReconLayer(net6, x_recon=x6, n_units=784, act=tf.nn.sigmoid,
                                      name='recon'))
    assert facts(net6) == ([None, 784], 3, 4, 308308)


def test_net7():
    net7 = tl.layers.InputLayer(tf.TensorSpec((64, 784), tf.float32), name='input')
    net7 = tl.layers.DenseLayer(net7, n_units=100, act=tf.nn.relu, name='dense3')
    net7 = shown(tl.layers.GaussianNoiseLayer(net7, name='gaussian'))
    assert facts(net7) == ([64, 100], 3, 2, 78500)


def test_net8():
    net8 = tl.layers.InputLayer(tf.TensorSpec((64, 784), tf.float32), name='input')
    net8 = tl.layers.DenseLayer(net8, n_units=100, act=tf.nn.relu, name='dense4')
    net8 = shown(tl.layers.DropconnectDenseLayer(net8, keep=0.8, name='dropconnect'))
    assert facts(net8) == ([64, 100], 3, 4, 88600)


def test_net9():
    net9 = tl.layers.InputLayer(tf.TensorSpec((None, 30), tf.float32), name='input')
    net9 = shown(tl.layers.QuanDenseLayer(net9, n_units=10, act=tf.nn.relu, name='quandense'))
    assert facts(net9) == ([None, 10], 2, 2, 310)
