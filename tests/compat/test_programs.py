"""Four third-party TensorLayer 1.x programs, ported the way README's porting section says.

Each model is built as its program builds it; only session, placeholder and scope lines changed:
``tf.placeholder(dtype, shape)`` -> ``tf.TensorSpec(shape, dtype)``; ``with
tf.variable_scope(name, reuse=reuse):`` -> ``with tl.layers.reuse(reuse):`` (the caller passes
the first network where the program passed ``reuse=True``); ``vs.reuse_variables()`` -> ``with
tl.layers.reuse(<the layer built before>):``. TensorFlow 1 names that TensorFlow 2 dropped take
their TensorFlow 2 or tlcore equivalents (``tf.glorot_normal_initializer()`` ->
``tf.keras.initializers.GlorotNormal()``, ``tf.contrib.rnn.BasicLSTMCell`` /
``tf.nn.rnn_cell.LSTMCell`` -> ``tl.layers.BasicLSTMCell``). Every other remaining edit is marked
``# HAND EDIT`` and listed in README's deliberate differences. Not part of the port, only of
this file: ``tl.layers.X`` stands for the programs' ``from tensorlayer.layers import *`` names,
``FLAGS`` values (``tf.app.flags``) are constants, VGG19's sixteen ``Conv2d`` lines are a loop
(same names, order and arguments), and its build-time ``print`` lines are left out.

The programs (read at the commits named; their code is not copied here, only rebuilt):

- DCGAN: tensorlayer/DCGAN ``model.py`` @303485c (TensorLayer 1.11 era) and @8ebb42f
  (TensorLayer 1.4.5: ``DeConv2d(..., out_size=, batch_size=)``), built as ``main.py`` does.
- SRGAN: tensorlayer/srgan ``model.py`` @13607e2 (TensorLayer 1.8+): ``SRGAN_g``, ``SRGAN_d``,
  ``Vgg19_simple_api``, built as ``main.py``'s ``train()`` does.
- RNN text classifier: tensorlayer/text-antispam ``network/rnn_classifier.py`` @54c21d0.
- Seq2seq chatbot: tensorlayer/seq2seq-chatbot ``main.py`` @1a1980f (``create_model``: one
  embedding shared by encoder and decoder, and a second network of batch 1 for inference).

No program prints its parameter count, so TensorLayer's counts are computed from the
architecture by the formulas below (TensorLayer 1.11's variables: ``Conv2d``/``DeConv2d`` kernel
and bias, ``BatchNormLayer`` beta, gamma, moving mean and moving variance, ``DenseLayer`` W and
b, ``BasicLSTMCell`` kernel ``(n_in + n_hidden, 4 n_hidden)`` and bias, ``EmbeddingInputlayer``
one table), then written out as literals where the program fixes every size.
"""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import tlcore as tl


# ---------------------------------------------------------- TensorLayer 1.11's variable sizes
def conv(k: int, c_in: int, c_out: int, bias: bool = True) -> int:
    return k * k * c_in * c_out + (c_out if bias else 0)


def bn(c: int) -> int:
    return 4 * c  # beta, gamma, moving_mean, moving_variance (all in 1.11's all_params)


def dense(n_in: int, n_out: int) -> int:
    return n_in * n_out + n_out


def lstm(n_in: int, n_hidden: int) -> int:
    return (n_in + n_hidden) * 4 * n_hidden + 4 * n_hidden


def same_variables(a: tl.layers.Layer, b: tl.layers.Layer) -> bool:
    return [id(v) for v in a.all_params] == [id(v) for v in b.all_params]


def rng() -> np.random.Generator:
    return np.random.default_rng(0)


# ======================================================================================= DCGAN
# tensorlayer/DCGAN model.py @303485c; FLAGS.c_dim is 3 (main.py's default)
C_DIM = 3


def generator(inputs, is_train=True, reuse=None):
    image_size = 64
    s16 = image_size // 16
    gf_dim = 64
    c_dim = C_DIM
    w_init = tf.keras.initializers.GlorotNormal()
    gamma_init = tf.random_normal_initializer(1., 0.02)

    with tl.layers.reuse(reuse):
        net_in = tl.layers.InputLayer(inputs, name='g/in')
        net_h0 = tl.layers.DenseLayer(net_in, n_units=(gf_dim * 8 * s16 * s16), W_init=w_init,
                                      act=tf.identity, name='g/h0/lin')
        net_h0 = tl.layers.ReshapeLayer(net_h0, shape=[-1, s16, s16, gf_dim * 8],
                                        name='g/h0/reshape')
        net_h0 = tl.layers.BatchNormLayer(net_h0, decay=0.9, act=tf.nn.relu, is_train=is_train,
                                          gamma_init=gamma_init, name='g/h0/batch_norm')

        net_h1 = tl.layers.DeConv2d(net_h0, gf_dim * 4, (5, 5), strides=(2, 2), padding='SAME',
                                    act=None, W_init=w_init, name='g/h1/decon2d')
        net_h1 = tl.layers.BatchNormLayer(net_h1, decay=0.9, act=tf.nn.relu, is_train=is_train,
                                          gamma_init=gamma_init, name='g/h1/batch_norm')

        net_h2 = tl.layers.DeConv2d(net_h1, gf_dim * 2, (5, 5), strides=(2, 2), padding='SAME',
                                    act=None, W_init=w_init, name='g/h2/decon2d')
        net_h2 = tl.layers.BatchNormLayer(net_h2, decay=0.9, act=tf.nn.relu, is_train=is_train,
                                          gamma_init=gamma_init, name='g/h2/batch_norm')

        net_h3 = tl.layers.DeConv2d(net_h2, gf_dim, (5, 5), strides=(2, 2), padding='SAME',
                                    act=None, W_init=w_init, name='g/h3/decon2d')
        net_h3 = tl.layers.BatchNormLayer(net_h3, decay=0.9, act=tf.nn.relu, is_train=is_train,
                                          gamma_init=gamma_init, name='g/h3/batch_norm')

        net_h4 = tl.layers.DeConv2d(net_h3, c_dim, (5, 5), strides=(2, 2), padding='SAME',
                                    act=None, W_init=w_init, name='g/h4/decon2d')
        # HAND EDIT: net_h4.outputs = tf.nn.tanh(net_h4.outputs)
        net_h4 = tl.layers.LambdaLayer(net_h4, tf.nn.tanh, name='g/h4/tanh')
    return net_h4


def discriminator(inputs, is_train=True, reuse=None):
    df_dim = 64
    w_init = tf.keras.initializers.GlorotNormal()
    gamma_init = tf.random_normal_initializer(1., 0.02)
    lrelu = lambda x: tf.nn.leaky_relu(x, 0.2)  # noqa: E731 (the program's)
    with tl.layers.reuse(reuse):
        net_in = tl.layers.InputLayer(inputs, name='d/in')
        net_h0 = tl.layers.Conv2d(net_in, df_dim, (5, 5), (2, 2), act=lrelu, padding='SAME',
                                  W_init=w_init, name='d/h0/conv2d')

        net_h1 = tl.layers.Conv2d(net_h0, df_dim * 2, (5, 5), (2, 2), act=None, padding='SAME',
                                  W_init=w_init, name='d/h1/conv2d')
        net_h1 = tl.layers.BatchNormLayer(net_h1, decay=0.9, act=lrelu, is_train=is_train,
                                          gamma_init=gamma_init, name='d/h1/batch_norm')

        net_h2 = tl.layers.Conv2d(net_h1, df_dim * 4, (5, 5), (2, 2), act=None, padding='SAME',
                                  W_init=w_init, name='d/h2/conv2d')
        net_h2 = tl.layers.BatchNormLayer(net_h2, decay=0.9, act=lrelu, is_train=is_train,
                                          gamma_init=gamma_init, name='d/h2/batch_norm')

        net_h3 = tl.layers.Conv2d(net_h2, df_dim * 8, (5, 5), (2, 2), act=None, padding='SAME',
                                  W_init=w_init, name='d/h3/conv2d')
        net_h3 = tl.layers.BatchNormLayer(net_h3, decay=0.9, act=lrelu, is_train=is_train,
                                          gamma_init=gamma_init, name='d/h3/batch_norm')

        net_h4 = tl.layers.FlattenLayer(net_h3, name='d/h4/flatten')
        net_h4 = tl.layers.DenseLayer(net_h4, n_units=1, act=tf.identity, W_init=w_init,
                                      name='d/h4/lin_sigmoid')
        # HAND EDIT: logits = net_h4.outputs; net_h4.outputs = tf.nn.sigmoid(net_h4.outputs)
        logits = net_h4
        net_h4 = tl.layers.LambdaLayer(net_h4, tf.nn.sigmoid, name='d/h4/sigmoid')
    return net_h4, logits


DCGAN_G = (dense(100, 64 * 8 * 4 * 4) + bn(512) + conv(5, 512, 256) + bn(256)
           + conv(5, 256, 128) + bn(128) + conv(5, 128, 64) + bn(64) + conv(5, 64, 3))
DCGAN_D = (conv(5, 3, 64) + conv(5, 64, 128) + bn(128) + conv(5, 128, 256) + bn(256)
           + conv(5, 256, 512) + bn(512) + dense(4 * 4 * 512, 1))


def test_dcgan_counts_are_tensorlayers():
    assert (DCGAN_G, DCGAN_D) == (5_137_283, 4_318_337)


def test_dcgan():
    # main.py: the models as it builds them
    z_dim = 100
    z = tf.TensorSpec([None, z_dim], tf.float32, name='z_noise')
    real_images = tf.TensorSpec([None, 64, 64, C_DIM], tf.float32, name='real_images')

    net_g = generator(z, is_train=True, reuse=None)
    net_d, d_logits = discriminator(net_g.outputs, is_train=True, reuse=None)
    _, d2_logits = discriminator(real_images, is_train=True, reuse=net_d)
    net_g2 = generator(z, is_train=False, reuse=net_g)

    assert (len(net_g.all_params), net_g.count_params()) == (26, DCGAN_G)
    assert (len(net_d.all_params), net_d.count_params()) == (22, DCGAN_D)
    assert net_g.outputs.get_shape().as_list() == [None, 64, 64, 3]
    assert net_d.output_shape == d_logits.output_shape == (None, 1)
    assert same_variables(net_g2, net_g) and same_variables(d2_logits, net_d)
    g_vars = tl.layers.get_variables_with_name('g/', True, True, net=net_g)
    assert len(g_vars) == 18  # 26 minus the moving statistics of four BatchNormLayers

    noise = rng().uniform(-1, 1, (2, z_dim)).astype(np.float32)
    fake = net_g(noise, is_train=True)
    assert fake.shape == (2, 64, 64, 3) and np.all(np.abs(fake) <= 1)
    d_out, logits = net_d(fake, is_train=True), d2_logits(fake, is_train=True)
    np.testing.assert_allclose(d_out, tf.nn.sigmoid(logits), rtol=1e-5)
    # the evaluation generator is the training one's weights with BatchNorm in inference mode
    np.testing.assert_allclose(net_g2(noise), net_g(noise, is_train=False), rtol=1e-5)


# tensorlayer/DCGAN model.py @8ebb42f ("Update to TF1.1 TL1.4.5"): DeConv2d takes out_size and
# batch_size (TensorLayer <= 1.10 accepted both and ignored them on TF >= 1.3), main.py's
# placeholders have FLAGS.batch_size 64
BATCH_SIZE = 64


def generator_simplified_api(inputs, is_train=True, reuse=None):
    from tlcore.layers import (BatchNormLayer, DeConv2d, DenseLayer, InputLayer,  # noqa: F401
                               ReshapeLayer)
    image_size = 64
    s2, s4, s8, s16 = (int(image_size / 2), int(image_size / 4), int(image_size / 8),
                       int(image_size / 16))
    gf_dim = 64
    c_dim = C_DIM
    batch_size = BATCH_SIZE
    w_init = tf.random_normal_initializer(stddev=0.02)
    gamma_init = tf.random_normal_initializer(1., 0.02)
    with tl.layers.reuse(reuse):
        tl.layers.set_name_reuse(reuse)

        net_in = InputLayer(inputs, name='g/in')
        net_h0 = DenseLayer(net_in, n_units=gf_dim * 8 * s16 * s16, W_init=w_init,
                            act=tf.identity, name='g/h0/lin')
        net_h0 = ReshapeLayer(net_h0, shape=[-1, s16, s16, gf_dim * 8], name='g/h0/reshape')
        net_h0 = BatchNormLayer(net_h0, act=tf.nn.relu, is_train=is_train,
                                gamma_init=gamma_init, name='g/h0/batch_norm')

        net_h1 = DeConv2d(net_h0, gf_dim * 4, (5, 5), out_size=(s8, s8), strides=(2, 2),
                          padding='SAME', batch_size=batch_size, act=None, W_init=w_init,
                          name='g/h1/decon2d')
        net_h1 = BatchNormLayer(net_h1, act=tf.nn.relu, is_train=is_train,
                                gamma_init=gamma_init, name='g/h1/batch_norm')

        net_h2 = DeConv2d(net_h1, gf_dim * 2, (5, 5), out_size=(s4, s4), strides=(2, 2),
                          padding='SAME', batch_size=batch_size, act=None, W_init=w_init,
                          name='g/h2/decon2d')
        net_h2 = BatchNormLayer(net_h2, act=tf.nn.relu, is_train=is_train,
                                gamma_init=gamma_init, name='g/h2/batch_norm')

        net_h3 = DeConv2d(net_h2, gf_dim, (5, 5), out_size=(s2, s2), strides=(2, 2),
                          padding='SAME', batch_size=batch_size, act=None, W_init=w_init,
                          name='g/h3/decon2d')
        net_h3 = BatchNormLayer(net_h3, act=tf.nn.relu, is_train=is_train,
                                gamma_init=gamma_init, name='g/h3/batch_norm')

        net_h4 = DeConv2d(net_h3, c_dim, (5, 5), out_size=(image_size, image_size),
                          strides=(2, 2), padding='SAME', batch_size=batch_size, act=None,
                          W_init=w_init, name='g/h4/decon2d')
        # HAND EDIT: logits = net_h4.outputs; net_h4.outputs = tf.nn.tanh(net_h4.outputs)
        logits = net_h4
        net_h4 = tl.layers.LambdaLayer(net_h4, tf.nn.tanh, name='g/h4/tanh')
    return net_h4, logits


def discriminator_simplified_api(inputs, is_train=True, reuse=None):
    from tlcore.layers import (BatchNormLayer, Conv2d, DenseLayer, FlattenLayer,  # noqa: F401
                               InputLayer)
    df_dim = 64
    w_init = tf.random_normal_initializer(stddev=0.02)
    gamma_init = tf.random_normal_initializer(1., 0.02)
    with tl.layers.reuse(reuse):
        tl.layers.set_name_reuse(reuse)

        net_in = InputLayer(inputs, name='d/in')
        net_h0 = Conv2d(net_in, df_dim, (5, 5), (2, 2), act=lambda x: tl.act.lrelu(x, 0.2),
                        padding='SAME', W_init=w_init, name='d/h0/conv2d')

        net_h1 = Conv2d(net_h0, df_dim * 2, (5, 5), (2, 2), act=None,
                        padding='SAME', W_init=w_init, name='d/h1/conv2d')
        net_h1 = BatchNormLayer(net_h1, act=lambda x: tl.act.lrelu(x, 0.2),
                                is_train=is_train, gamma_init=gamma_init, name='d/h1/batch_norm')

        net_h2 = Conv2d(net_h1, df_dim * 4, (5, 5), (2, 2), act=None,
                        padding='SAME', W_init=w_init, name='d/h2/conv2d')
        net_h2 = BatchNormLayer(net_h2, act=lambda x: tl.act.lrelu(x, 0.2),
                                is_train=is_train, gamma_init=gamma_init, name='d/h2/batch_norm')

        net_h3 = Conv2d(net_h2, df_dim * 8, (5, 5), (2, 2), act=None,
                        padding='SAME', W_init=w_init, name='d/h3/conv2d')
        net_h3 = BatchNormLayer(net_h3, act=lambda x: tl.act.lrelu(x, 0.2),
                                is_train=is_train, gamma_init=gamma_init, name='d/h3/batch_norm')

        net_h4 = FlattenLayer(net_h3, name='d/h4/flatten')
        net_h4 = DenseLayer(net_h4, n_units=1, act=tf.identity,
                            W_init=w_init, name='d/h4/lin_sigmoid')
        # HAND EDIT: logits = net_h4.outputs; net_h4.outputs = tf.nn.sigmoid(net_h4.outputs)
        logits = net_h4
        net_h4 = tl.layers.LambdaLayer(net_h4, tf.nn.sigmoid, name='d/h4/sigmoid')
    return net_h4, logits


def test_dcgan_tensorlayer_1_4():
    z_dim = 100
    z = tf.TensorSpec([BATCH_SIZE, z_dim], tf.float32, name='z_noise')
    real_images = tf.TensorSpec([BATCH_SIZE, 64, 64, C_DIM], tf.float32, name='real_images')

    net_g, g_logits = generator_simplified_api(z, is_train=True, reuse=None)
    net_d, d_logits = discriminator_simplified_api(net_g.outputs, is_train=True, reuse=None)
    net_d2, d2_logits = discriminator_simplified_api(real_images, is_train=True, reuse=net_d)
    net_g2, g2_logits = generator_simplified_api(z, is_train=False, reuse=net_g)

    assert (len(net_g.all_params), net_g.count_params()) == (26, DCGAN_G)
    assert (len(net_d.all_params), net_d.count_params()) == (22, DCGAN_D)
    assert net_g.output_shape == g_logits.output_shape == (BATCH_SIZE, 64, 64, 3)
    assert net_d2.output_shape == (BATCH_SIZE, 1)
    assert same_variables(net_g2, net_g) and same_variables(net_d2, net_d)
    # a sampler of 2 on the same variables (batch_size=64 in DeConv2d is ignored, as it was)
    sampler, _ = generator_simplified_api(tf.TensorSpec([2, z_dim]), is_train=False,
                                          reuse=net_g)
    noise = rng().normal(size=(2, z_dim)).astype(np.float32)
    images = sampler(noise)
    assert images.shape == (2, 64, 64, 3)
    np.testing.assert_allclose(net_d(images), tf.nn.sigmoid(d_logits(images)), rtol=1e-5)


# ======================================================================================= SRGAN
# tensorlayer/srgan model.py @13607e2; main.py: batch_size 16, 96x96 -> 384x384
def SRGAN_g(t_image, is_train=False, reuse=None):
    w_init = tf.random_normal_initializer(stddev=0.02)
    b_init = None
    g_init = tf.random_normal_initializer(1., 0.02)
    with tl.layers.reuse(reuse):
        n = tl.layers.InputLayer(t_image, name='in')
        n = tl.layers.Conv2d(n, 64, (3, 3), (1, 1), act=tf.nn.relu, padding='SAME',
                             W_init=w_init, name='n64s1/c')
        temp = n

        for i in range(16):
            nn = tl.layers.Conv2d(n, 64, (3, 3), (1, 1), act=None, padding='SAME', W_init=w_init,
                                  b_init=b_init, name='n64s1/c1/%s' % i)
            nn = tl.layers.BatchNormLayer(nn, act=tf.nn.relu, is_train=is_train,
                                          gamma_init=g_init, name='n64s1/b1/%s' % i)
            nn = tl.layers.Conv2d(nn, 64, (3, 3), (1, 1), act=None, padding='SAME',
                                  W_init=w_init, b_init=b_init, name='n64s1/c2/%s' % i)
            nn = tl.layers.BatchNormLayer(nn, is_train=is_train, gamma_init=g_init,
                                          name='n64s1/b2/%s' % i)
            nn = tl.layers.ElementwiseLayer([n, nn], tf.add, name='b_residual_add/%s' % i)
            n = nn

        n = tl.layers.Conv2d(n, 64, (3, 3), (1, 1), act=None, padding='SAME', W_init=w_init,
                             b_init=b_init, name='n64s1/c/m')
        n = tl.layers.BatchNormLayer(n, is_train=is_train, gamma_init=g_init, name='n64s1/b/m')
        n = tl.layers.ElementwiseLayer([n, temp], tf.add, name='add3')

        n = tl.layers.Conv2d(n, 256, (3, 3), (1, 1), act=None, padding='SAME', W_init=w_init,
                             name='n256s1/1')
        n = tl.layers.SubpixelConv2d(n, scale=2, n_out_channel=None, act=tf.nn.relu,
                                     name='pixelshufflerx2/1')

        n = tl.layers.Conv2d(n, 256, (3, 3), (1, 1), act=None, padding='SAME', W_init=w_init,
                             name='n256s1/2')
        n = tl.layers.SubpixelConv2d(n, scale=2, n_out_channel=None, act=tf.nn.relu,
                                     name='pixelshufflerx2/2')

        n = tl.layers.Conv2d(n, 3, (1, 1), (1, 1), act=tf.nn.tanh, padding='SAME',
                             W_init=w_init, name='out')
        return n


def SRGAN_d(input_images, is_train=True, reuse=None):
    w_init = tf.random_normal_initializer(stddev=0.02)
    b_init = None
    gamma_init = tf.random_normal_initializer(1., 0.02)
    df_dim = 64
    lrelu = lambda x: tl.act.lrelu(x, 0.2)  # noqa: E731 (the program's)
    Conv2d, BatchNormLayer = tl.layers.Conv2d, tl.layers.BatchNormLayer
    with tl.layers.reuse(reuse):
        tl.layers.set_name_reuse(reuse)
        net_in = tl.layers.InputLayer(input_images, name='input/images')
        net_h0 = Conv2d(net_in, df_dim, (4, 4), (2, 2), act=lrelu, padding='SAME',
                        W_init=w_init, name='h0/c')

        net_h1 = Conv2d(net_h0, df_dim * 2, (4, 4), (2, 2), act=None, padding='SAME',
                        W_init=w_init, b_init=b_init, name='h1/c')
        net_h1 = BatchNormLayer(net_h1, act=lrelu, is_train=is_train, gamma_init=gamma_init,
                                name='h1/bn')
        net_h2 = Conv2d(net_h1, df_dim * 4, (4, 4), (2, 2), act=None, padding='SAME',
                        W_init=w_init, b_init=b_init, name='h2/c')
        net_h2 = BatchNormLayer(net_h2, act=lrelu, is_train=is_train, gamma_init=gamma_init,
                                name='h2/bn')
        net_h3 = Conv2d(net_h2, df_dim * 8, (4, 4), (2, 2), act=None, padding='SAME',
                        W_init=w_init, b_init=b_init, name='h3/c')
        net_h3 = BatchNormLayer(net_h3, act=lrelu, is_train=is_train, gamma_init=gamma_init,
                                name='h3/bn')
        net_h4 = Conv2d(net_h3, df_dim * 16, (4, 4), (2, 2), act=None, padding='SAME',
                        W_init=w_init, b_init=b_init, name='h4/c')
        net_h4 = BatchNormLayer(net_h4, act=lrelu, is_train=is_train, gamma_init=gamma_init,
                                name='h4/bn')
        net_h5 = Conv2d(net_h4, df_dim * 32, (4, 4), (2, 2), act=None, padding='SAME',
                        W_init=w_init, b_init=b_init, name='h5/c')
        net_h5 = BatchNormLayer(net_h5, act=lrelu, is_train=is_train, gamma_init=gamma_init,
                                name='h5/bn')
        net_h6 = Conv2d(net_h5, df_dim * 16, (1, 1), (1, 1), act=None, padding='SAME',
                        W_init=w_init, b_init=b_init, name='h6/c')
        net_h6 = BatchNormLayer(net_h6, act=lrelu, is_train=is_train, gamma_init=gamma_init,
                                name='h6/bn')
        net_h7 = Conv2d(net_h6, df_dim * 8, (1, 1), (1, 1), act=None, padding='SAME',
                        W_init=w_init, b_init=b_init, name='h7/c')
        net_h7 = BatchNormLayer(net_h7, is_train=is_train, gamma_init=gamma_init, name='h7/bn')

        net = Conv2d(net_h7, df_dim * 2, (1, 1), (1, 1), act=None, padding='SAME',
                     W_init=w_init, b_init=b_init, name='res/c')
        net = BatchNormLayer(net, act=lrelu, is_train=is_train, gamma_init=gamma_init,
                             name='res/bn')
        net = Conv2d(net, df_dim * 2, (3, 3), (1, 1), act=None, padding='SAME', W_init=w_init,
                     b_init=b_init, name='res/c2')
        net = BatchNormLayer(net, act=lrelu, is_train=is_train, gamma_init=gamma_init,
                             name='res/bn2')
        net = Conv2d(net, df_dim * 8, (3, 3), (1, 1), act=None, padding='SAME', W_init=w_init,
                     b_init=b_init, name='res/c3')
        net = BatchNormLayer(net, is_train=is_train, gamma_init=gamma_init, name='res/bn3')
        net_h8 = tl.layers.ElementwiseLayer([net_h7, net], combine_fn=tf.add, name='res/add')
        # HAND EDIT: net_h8.outputs = tl.act.lrelu(net_h8.outputs, 0.2)
        net_h8 = tl.layers.LambdaLayer(net_h8, lambda x: tl.act.lrelu(x, 0.2), name='res/lrelu')

        net_ho = tl.layers.FlattenLayer(net_h8, name='ho/flatten')
        net_ho = tl.layers.DenseLayer(net_ho, n_units=1, act=tf.identity, W_init=w_init,
                                      name='ho/dense')
        # HAND EDIT: logits = net_ho.outputs; net_ho.outputs = tf.nn.sigmoid(net_ho.outputs)
        logits = net_ho
        net_ho = tl.layers.LambdaLayer(net_ho, tf.nn.sigmoid, name='ho/sigmoid')

    return net_ho, logits


VGG_MEAN = [103.939, 116.779, 123.68]


def rgb_to_bgr(rgb):
    # the program's preprocessing, which it ran on the placeholder before InputLayer
    rgb_scaled = rgb * 255.0
    red, green, blue = tf.split(rgb_scaled, 3, 3)
    assert red.get_shape().as_list()[1:] == [224, 224, 1]
    bgr = tf.concat([blue - VGG_MEAN[0], green - VGG_MEAN[1], red - VGG_MEAN[2]], axis=3)
    assert bgr.get_shape().as_list()[1:] == [224, 224, 3]
    return bgr


def Vgg19_simple_api(rgb, reuse):
    relu = tf.nn.relu
    with tl.layers.reuse(reuse):
        # HAND EDIT: the program computed bgr from the placeholder rgb and built
        # InputLayer(bgr); the preprocessing becomes a LambdaLayer after the InputLayer.
        net_in = tl.layers.InputLayer(rgb, name='input')
        net_in = tl.layers.LambdaLayer(net_in, rgb_to_bgr, name='bgr')
        network = net_in
        for block, (n_filter, n_conv) in enumerate([(64, 2), (128, 2), (256, 4), (512, 4),
                                                     (512, 4)], 1):
            for i in range(1, n_conv + 1):
                network = tl.layers.Conv2d(network, n_filter=n_filter, filter_size=(3, 3),
                                           strides=(1, 1), act=relu, padding='SAME',
                                           name='conv%d_%d' % (block, i))
            network = tl.layers.MaxPool2d(network, filter_size=(2, 2), strides=(2, 2),
                                          padding='SAME', name='pool%d' % block)
            if block == 4:
                conv = network  # (batch_size, 14, 14, 512)
        network = tl.layers.FlattenLayer(network, name='flatten')
        network = tl.layers.DenseLayer(network, n_units=4096, act=tf.nn.relu, name='fc6')
        network = tl.layers.DenseLayer(network, n_units=4096, act=tf.nn.relu, name='fc7')
        network = tl.layers.DenseLayer(network, n_units=1000, act=tf.identity, name='fc8')
        return network, conv


SRGAN_G = (conv(3, 3, 64) + 16 * 2 * (conv(3, 64, 64, bias=False) + bn(64))
           + conv(3, 64, 64, bias=False) + bn(64) + 2 * conv(3, 64, 256) + conv(1, 64, 3))


def srgan_d_count(side: int) -> int:
    convs = [(4, 3, 64, True), (4, 64, 128, False), (4, 128, 256, False), (4, 256, 512, False),
             (4, 512, 1024, False), (4, 1024, 2048, False), (1, 2048, 1024, False),
             (1, 1024, 512, False), (1, 512, 128, False), (3, 128, 128, False),
             (3, 128, 512, False)]
    total = sum(conv(k, i, o, b) + (0 if b else bn(o)) for k, i, o, b in convs)
    return total + dense((side // 64) ** 2 * 512, 1)


VGG19_CONV = sum(conv(3, i, o) for i, o in [(3, 64), (64, 64), (64, 128), (128, 128)]
                 + [(128, 256)] + [(256, 256)] * 3 + [(256, 512)] + [(512, 512)] * 7)
VGG19 = VGG19_CONV + dense(7 * 7 * 512, 4096) + dense(4096, 4096) + dense(4096, 1000)


def test_srgan_counts_are_tensorlayers():
    assert (SRGAN_G, srgan_d_count(384), VGG19) == (1_522_371, 48_166_465, 143_667_240)


def test_srgan_generator_and_discriminator():
    batch_size = 16
    t_image = tf.TensorSpec([batch_size, 96, 96, 3], 'float32')
    t_target_image = tf.TensorSpec([batch_size, 384, 384, 3], 'float32')

    net_g = SRGAN_g(t_image, is_train=True, reuse=None)
    net_d, logits_real = SRGAN_d(t_target_image, is_train=True, reuse=None)
    _, logits_fake = SRGAN_d(net_g.outputs, is_train=True, reuse=net_d)
    net_g_test = SRGAN_g(t_image, is_train=False, reuse=net_g)

    assert (len(net_g.all_params), net_g.count_params()) == (173, SRGAN_G)
    assert (len(net_d.all_params), net_d.count_params()) == (54, srgan_d_count(384))
    assert net_g.output_shape == (batch_size, 384, 384, 3)
    assert net_d.output_shape == logits_real.output_shape == (batch_size, 1)
    assert logits_fake.output_shape == (None, 1)  # InputLayer(net_g.outputs): any batch
    assert same_variables(net_g_test, net_g) and same_variables(logits_fake, net_d)

    # main.py's evaluate(): a generator on a [1, None, None, 3] input, here on the trained one's
    # variables; 8x8 -> 32x32 keeps the pass small
    net_g_eval = SRGAN_g(tf.TensorSpec([1, None, None, 3], 'float32'), is_train=False,
                         reuse=net_g)
    assert same_variables(net_g_eval, net_g)
    lr = rng().uniform(-1, 1, (1, 8, 8, 3)).astype(np.float32)
    sr = net_g_eval(lr)
    assert sr.shape == (1, 32, 32, 3) and np.all(np.abs(sr) <= 1)
    # the discriminator's convolutions are size-free: score a 64x64 batch with a second
    # discriminator on its variables (only ho/dense depends on the size, so it stays apart)
    small = tf.TensorSpec([None, 64, 64, 3], 'float32')
    with pytest.raises(ValueError, match=r"'ho/dense/W' has shape \(18432, 1\).*\(512, 1\)"):
        SRGAN_d(small, is_train=False, reuse=net_d)


def test_srgan_vgg19():
    t_224 = tf.TensorSpec([16, 224, 224, 3], 'float32')
    net_vgg, vgg_target_emb = Vgg19_simple_api(t_224, reuse=None)
    _, vgg_predict_emb = Vgg19_simple_api(t_224, reuse=net_vgg)

    assert (len(net_vgg.all_params), net_vgg.count_params()) == (38, VGG19)
    assert (len(vgg_target_emb.all_params), vgg_target_emb.count_params()) == (
        24, VGG19_CONV - 4 * conv(3, 512, 512))
    assert net_vgg.output_shape == (16, 1000)
    assert vgg_target_emb.output_shape == vgg_predict_emb.output_shape == (16, 14, 14, 512)
    assert same_variables(vgg_predict_emb, vgg_target_emb)
    # the size check the program made on its placeholder still holds, now at build time
    with pytest.raises(AssertionError):
        Vgg19_simple_api(tf.TensorSpec([1, 32, 32, 3], 'float32'), reuse=net_vgg)


# ========================================================================= RNN text classifier
# tensorlayer/text-antispam network/rnn_classifier.py @54c21d0: 200-d word vectors
def network(x, keep=0.8):
    n_hidden = 64
    network = tl.layers.InputLayer(x, name='input_layer')
    network = tl.layers.DynamicRNNLayer(network,
                                        cell_fn=tl.layers.BasicLSTMCell,
                                        n_hidden=n_hidden,
                                        dropout=keep,
                                        sequence_length=tl.layers.retrieve_seq_length_op(x),
                                        return_seq_2d=True,
                                        return_last=True,
                                        name='dynamic_rnn')
    network = tl.layers.DenseLayer(network, n_units=2, act=tf.identity, name="output")
    # HAND EDIT: network.outputs_op = tf.argmax(tf.nn.softmax(network.outputs), 1)
    network.outputs_op = tl.layers.LambdaLayer(
        network, lambda y: tf.argmax(tf.nn.softmax(y), 1), name='outputs_op')
    return network


def test_rnn_text_classifier():
    x = tf.TensorSpec([None, None, 200], "float32", name="inputs")
    net = network(x)                     # mode "train"
    served = network(x, keep=1.0)        # mode "export": a new network, restored from a file

    assert (len(net.all_layers), len(net.all_params)) == (3, 4)
    assert net.count_params() == served.count_params() == lstm(200, 64) + dense(64, 2) == 67_970
    assert net.output_shape == (None, 2) and net.outputs_op.output_shape == (None,)

    batch = rng().standard_normal((3, 5, 200)).astype(np.float32)
    batch[0, 2:], batch[1, 4:] = 0, 0    # zero-padded to the longest message, as train() does
    logits = net(batch)
    # the lengths came from the fed batch (retrieve_seq_length_op(x)): padding changes nothing
    np.testing.assert_allclose(net(batch[:1, :2]), logits[:1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(net(batch, sequence_length=[2, 4, 5]), logits, rtol=1e-6)
    assert net.outputs_op(batch).numpy().tolist() == np.argmax(logits, 1).tolist()


# ===================================================================== seq2seq chatbot
# tensorlayer/seq2seq-chatbot main.py @1a1980f
def create_model(encode_seqs, decode_seqs, src_vocab_size, emb_dim, is_train=True, reuse=None):
    with tl.layers.reuse(reuse):
        # for chatbot, you can use the same embedding layer,
        # for translation, you may want to use 2 seperated embedding layers
        net_encode = tl.layers.EmbeddingInputlayer(
            inputs=encode_seqs,
            vocabulary_size=src_vocab_size,
            embedding_size=emb_dim,
            name='seq_embedding')
        with tl.layers.reuse(net_encode):  # was: vs.reuse_variables()
            net_decode = tl.layers.EmbeddingInputlayer(
                inputs=decode_seqs,
                vocabulary_size=src_vocab_size,
                embedding_size=emb_dim,
                name='seq_embedding')

        net_rnn = tl.layers.Seq2Seq(
            net_encode, net_decode,
            cell_fn=tl.layers.BasicLSTMCell,
            n_hidden=emb_dim,
            initializer=tf.random_uniform_initializer(-0.1, 0.1),
            encode_sequence_length=tl.layers.retrieve_seq_length_op2(encode_seqs),
            decode_sequence_length=tl.layers.retrieve_seq_length_op2(decode_seqs),
            initial_state_encode=None,
            dropout=(0.5 if is_train else None),
            n_layer=3,
            return_seq_2d=True,
            name='seq2seq')

        net_out = tl.layers.DenseLayer(net_rnn, n_units=src_vocab_size, act=tf.identity,
                                       name='output')
    return net_out, net_rnn


def chatbot_count(vocab: int, emb_dim: int, n_layer: int = 3) -> int:
    return (vocab * emb_dim + 2 * (lstm(emb_dim, emb_dim) + (n_layer - 1) * lstm(emb_dim, emb_dim))
            + dense(emb_dim, vocab))


def test_chatbot_count_is_tensorlayers():
    # the Twitter corpus: 8002 words + start_id + end_id, emb_dim 1024
    assert chatbot_count(8004, 1024) == 66_756_420


def chatbot_nets(batch_size, src_vocab_size, emb_dim):
    """train(): the training network, then the batch-1 inference network on its variables."""
    encode_seqs = tf.TensorSpec(dtype=tf.int64, shape=[batch_size, None], name="encode_seqs")
    decode_seqs = tf.TensorSpec(dtype=tf.int64, shape=[batch_size, None], name="decode_seqs")
    net_out, _ = create_model(encode_seqs, decode_seqs, src_vocab_size, emb_dim, is_train=True,
                              reuse=None)
    net_out.print_params(False)

    encode_seqs2 = tf.TensorSpec(dtype=tf.int64, shape=[1, None], name="encode_seqs")
    decode_seqs2 = tf.TensorSpec(dtype=tf.int64, shape=[1, None], name="decode_seqs")
    net, net_rnn = create_model(encode_seqs2, decode_seqs2, src_vocab_size, emb_dim,
                                is_train=False, reuse=net_out)
    return net_out, net, net_rnn


def test_seq2seq_chatbot():
    # the program's sizes: vocabulary 8004 (Twitter corpus), emb_dim 1024, batch 32
    src_vocab_size = 8004
    start_id = src_vocab_size - 2  # end_id is src_vocab_size - 1
    net_out, net, net_rnn = chatbot_nets(32, src_vocab_size, 1024)

    assert len(net_out.all_layers) == 5  # two embedding inputs, encoder, decoder, output
    assert len(net_out.all_params) == 15 and len(net.all_params) == 15
    assert net_out.count_params() == net.count_params() == 66_756_420
    assert same_variables(net, net_out)
    assert net_out.output_shape == (None, src_vocab_size)

    # inference(): encode the query, then decode one word at a time from the kept state
    # (each sess.run(fetches, feed_dict) becomes a call; the state attributes are 1.11's)
    seed_id = [3, 5, 7, 0, 0]  # padded: the lengths come from the fed ids
    net_rnn.encoder(np.array([seed_id]))
    state = net_rnn.final_state_encode
    o = tf.nn.softmax(net([np.array([seed_id]), np.array([[start_id]])],
                          initial_state_decode=state))
    state = net_rnn.final_state_decode
    w_id = int(np.argmax(o[0]))
    # the same first word without the padding, and from the encoder inside the same call
    unpadded = tf.nn.softmax(net([np.array([seed_id[:3]]), np.array([[start_id]])]))
    np.testing.assert_allclose(o, unpadded, rtol=1e-5, atol=1e-7)
    o = tf.nn.softmax(net([np.array([seed_id]), np.array([[w_id]])], initial_state_decode=state))
    assert o.shape == (1, src_vocab_size)
    assert not np.allclose(net_rnn.final_state_decode[0].h, state[0].h)


def test_seq2seq_chatbot_training_batch():
    # one training step's forward pass, as train() pads a batch, on a small vocabulary and
    # embedding (both create_model arguments) to keep it fast
    batch_size, src_vocab_size, emb_dim = 32, 30, 16
    start_id = src_vocab_size - 2
    net_out, net, _ = chatbot_nets(batch_size, src_vocab_size, emb_dim)
    assert net_out.count_params() == chatbot_count(src_vocab_size, emb_dim)
    X = np.zeros((batch_size, 6), np.int64)
    X[:, :4] = rng().integers(1, start_id, (batch_size, 4))
    dec = np.concatenate([np.full((batch_size, 1), start_id), X[:, :5]], 1)
    logits = net_out([X, dec], is_train=True)  # dropout 0.5 on
    assert logits.shape == (batch_size * 6, src_vocab_size)
    # without dropout the inference network gives the training one's numbers
    np.testing.assert_allclose(net([X[:1], dec[:1]]), net_out([X, dec])[:6], rtol=1e-4,
                               atol=1e-6)
