"""TensorLayer 1.11.1 tests/test_layers_importer.py, ported.

``test_lambda_layer``: a function that builds Keras layers inside ``LambdaLayer``. Deliberate
difference: tlcore traces ``fn`` with ``tf.function``, so a function that creates variables on
every call is refused with an error that says to pass the block as a Keras model (which works,
its weights join ``all_params``). ``test_slim_layer``: ``SlimNetsLayer`` wrapped TF1's
``tf.contrib.slim``, which TensorFlow 2 no longer has; its replacement is ``KerasLayer`` on a
Keras application (here a small one, to stay offline and fast).
"""
import keras
import pytest
import tensorflow as tf

import tlcore as tl


def keras_block(x):
    x = keras.layers.Dropout(0.8)(x)
    x = keras.layers.Dense(100, activation='relu')(x)
    x = keras.layers.Dropout(0.5)(x)
    return keras.layers.Dense(10, activation='linear')(x)


def test_lambda_layer():
    net_in = tl.layers.InputLayer(tf.TensorSpec([None, 784], tf.float32), name='input')
    with pytest.raises(ValueError, match="LambdaLayer 'keras'.*keras"):
        tl.layers.LambdaLayer(net_in, fn=keras_block, name='keras')
    block = keras.Sequential([keras.layers.Dropout(0.8), keras.layers.Dense(100, activation='relu'),
                              keras.layers.Dropout(0.5), keras.layers.Dense(10)])
    net = tl.layers.LambdaLayer(net_in, fn=block, name='keras')
    assert net.outputs.get_shape().as_list() == [None, 10]
    assert net.count_params() == 784 * 100 + 100 + 100 * 10 + 10


def test_slim_layer():
    net_in = tl.layers.InputLayer(tf.TensorSpec([None, 32, 32, 3], tf.float32), name='input_layer')
    net = tl.layers.KerasLayer(net_in, keras_layer=keras.applications.MobileNet,
                               keras_args={'input_shape': (32, 32, 3), 'alpha': 0.25,
                                           'weights': None, 'classes': 10},
                               name='MobileNet')
    assert net.outputs.get_shape().as_list() == [None, 10]
    # MobileNet's weights, BatchNorm statistics included (as TensorLayer listed Slim's)
    assert (len(net.all_params), net.count_params()) == (137, 221114)
