"""TensorLayer 1.11.1 tests/test_optimizer_amsgrad.py, ported: the 784-800-800-10 MLP (built
with TensorLayer's positional DenseLayer(net, 800, tf.nn.relu)) trained by tl.optimizers.AMSGrad
for one epoch."""
import numpy as np
import pytest
import tensorflow as tf

import tlcore as tl


@pytest.fixture(scope="module")
def network():
    network = tl.layers.InputLayer(tf.TensorSpec([None, 784], tf.float32, name='x'), name='input')
    network = tl.layers.DropoutLayer(network, keep=0.8, name='drop1')
    network = tl.layers.DenseLayer(network, 800, tf.nn.relu, name='relu1')
    network = tl.layers.DropoutLayer(network, keep=0.5, name='drop2')
    network = tl.layers.DenseLayer(network, 800, tf.nn.relu, name='relu2')
    network = tl.layers.DropoutLayer(network, keep=0.5, name='drop3')
    return tl.layers.DenseLayer(network, n_units=10, name='output')


def test_training(network):
    X_train, y_train, X_val, y_val, _, _ = tl.files.load_mnist_dataset(shape=(-1, 784))
    # One epoch over 5,000 examples instead of 50,000: the 1.3M-parameter net would take most of
    # a CI minute; what is tested is that AMSGrad trains a tlcore network without error.
    X_train, y_train = X_train[:5000], y_train[:5000]
    optimizer = tl.optimizers.AMSGrad(learning_rate=1e-4, beta1=0.9, beta2=0.999, epsilon=1e-8)
    before = [v.numpy().copy() for v in network.trainable_params]
    tl.utils.fit(network, optimizer, tl.cost.cross_entropy, X_train, y_train,
                 acc=tl.cost.accuracy, batch_size=500, n_epoch=1, print_freq=1,
                 X_val=X_val[:1000], y_val=y_val[:1000], eval_train=False)
    assert all(not np.array_equal(b, v.numpy()) for b, v in zip(before, network.trainable_params))
