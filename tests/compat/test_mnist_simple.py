"""TensorLayer 1.11.1 tests/test_mnist_simple.py, ported: the 784-100-100-10 dropout MLP, one
epoch of fit, test, save_npz (MNIST ships with tlcore)."""
import pytest
import tensorflow as tf

import tlcore as tl


@pytest.fixture(scope="module")
def network():
    network = tl.layers.InputLayer(tf.TensorSpec([None, 784], tf.float32, name='x'), name='input')
    network = tl.layers.DropoutLayer(network, keep=0.8, name='drop1')
    network = tl.layers.DenseLayer(network, n_units=100, act=tf.nn.relu, name='relu1')
    network = tl.layers.DropoutLayer(network, keep=0.8, name='drop2')
    network = tl.layers.DenseLayer(network, n_units=100, act=tf.nn.relu, name='relu2')
    network = tl.layers.DropoutLayer(network, keep=0.8, name='drop3')
    return tl.layers.DenseLayer(network, n_units=10, name='output')


def test_reuse_vgg(network, tmp_path):  # the original's test name
    X_train, y_train, X_val, y_val, X_test, y_test = tl.files.load_mnist_dataset(shape=(-1, 784))
    tl.layers.initialize_global_variables()  # kept by ported code: a documented no-op
    network.print_params()
    network.print_layers()
    tl.utils.fit(network, tf.keras.optimizers.Adam(learning_rate=0.0001), tl.cost.cross_entropy,
                 X_train, y_train, acc=tl.cost.accuracy, batch_size=500, n_epoch=1,
                 print_freq=1, X_val=X_val, y_val=y_val, eval_train=False)
    tl.utils.test(network, tl.cost.accuracy, X_test, y_test, batch_size=None,
                  cost=tl.cost.cross_entropy)
    tl.files.save_npz(network.all_params, name=str(tmp_path / 'model.npz'))
    assert (tmp_path / 'model.npz').exists()
