"""TensorLayer 1.11.1 tests/test_layers_merge.py, ported: Concat, Elementwise and
ElementwiseLambda over two dense branches and over two Conv2d branches (tlcore-vision)."""
import pytest
import tensorflow as tf

import tlcore as tl


def facts(net):
    return len(net.all_layers), len(net.all_params), net.count_params()


@pytest.fixture(scope="module")
def vector_nets():
    inputs = tl.layers.InputLayer(tf.TensorSpec([None, 784], tf.float32), name='input_layer')
    dense = lambda name: tl.layers.DenseLayer(inputs, n_units=100, act=tf.nn.relu, name=name)
    v1 = tl.layers.ConcatLayer([dense('relu1_1'), dense('relu2_1')], concat_dim=1,
                               name='concat_layer')
    v2 = tl.layers.ElementwiseLayer([dense('net_0'), dense('net_1')], combine_fn=tf.minimum,
                                    name='minimum')
    v3 = tl.layers.ElementwiseLambdaLayer([dense('net_a'), dense('net_b')], fn=lambda a, b: a * b,
                                          name='multiply')
    for n in (v1, v2, v3):
        n.print_params(False)
        n.print_layers()
    return v1, v2, v3


@pytest.fixture(scope="module")
def image_nets():
    inputs = tl.layers.InputLayer(tf.TensorSpec([None, 100, 100, 3], tf.float32), name='input')
    c1 = tl.layers.Conv2d(inputs, n_filter=32, filter_size=(3, 3), strides=(2, 2), act=tf.nn.relu,
                          name='c1')
    c2 = tl.layers.Conv2d(inputs, n_filter=32, filter_size=(3, 3), strides=(2, 2), act=tf.nn.relu,
                          name='c2')
    im1 = tl.layers.ConcatLayer([c1, c2], concat_dim=-1, name='concat')
    im2 = tl.layers.ElementwiseLayer([c1, c2], combine_fn=tf.minimum, name='minimum2')
    im3 = tl.layers.ElementwiseLambdaLayer([c1, c2], fn=lambda a, b: a * b, name='multiply2')
    for n in (im1, im2, im3):
        n.print_params(False)
        n.print_layers()
    return im1, im2, im3


@pytest.mark.parametrize("i", [0, 1, 2], ids=["net_vector1", "net_vector2", "net_vector3"])
def test_net_vector(vector_nets, i):
    assert facts(vector_nets[i]) == (4, 4, 157000)


@pytest.mark.parametrize("i, channels", [(0, 64), (1, 32), (2, 32)],
                         ids=["net_image1", "net_image2", "net_image3"])
def test_net_image(image_nets, i, channels):
    assert image_nets[i].outputs.get_shape().as_list()[1:] == [50, 50, channels]
    assert facts(image_nets[i]) == (4, 4, 1792)
