"""The seed's CIFAR-10 CNN with local response normalization, augmented through tf.data."""
from __future__ import annotations

import argparse
import os
import time
from typing import Any

from tlcore.examples.support import (add_pictures, list_pictures, logger, out_dir,
                                     parse_options, save_model, seed_everything, set_result)

NAME = "cifar10-cnn"
#: The seed: batch 128, Adam 1e-4, 50000 steps (128 epochs) for about 86% test accuracy.
EPOCHS, BATCH_SIZE, LEARNING_RATE, L2 = 10, 128, 1e-4, 0.004


def build(tl: Any, tf: Any) -> Any:
    """conv 5x5x64 -> max-pool 3/2 -> LRN -> conv 5x5x64 -> LRN -> max-pool 3/2 -> 384 -> 192
    -> 10 on 24x24x3 crops (1,068,298 parameters)."""
    L, init = tl.layers, tl.initializers
    relu = tf.nn.relu
    net = L.InputLayer([None, 24, 24, 3], name="input")
    net = L.Conv2d(net, 64, (5, 5), (1, 1), act=relu, padding="SAME",
                   W_init=init.truncated_normal(stddev=5e-2), name="cnn1")
    net = L.MaxPool2d(net, (3, 3), (2, 2), padding="SAME", name="pool1")
    net = L.LocalResponseNormLayer(net, depth_radius=4, bias=1.0, alpha=0.001 / 9.0, beta=0.75,
                                   name="norm1")
    net = L.Conv2d(net, 64, (5, 5), (1, 1), act=relu, padding="SAME",
                   W_init=init.truncated_normal(stddev=5e-2), name="cnn2")
    net = L.LocalResponseNormLayer(net, depth_radius=4, bias=1.0, alpha=0.001 / 9.0, beta=0.75,
                                   name="norm2")
    net = L.MaxPool2d(net, (3, 3), (2, 2), padding="SAME", name="pool2")
    net = L.FlattenLayer(net, name="flatten")
    dense_init = init.truncated_normal(stddev=0.04)
    net = L.DenseLayer(net, n_units=384, act=relu, W_init=dense_init, b_init=0.1, name="d1relu")
    net = L.DenseLayer(net, n_units=192, act=relu, W_init=dense_init, b_init=0.1, name="d2relu")
    return L.DenseLayer(net, n_units=10, W_init=init.truncated_normal(stddev=1 / 192.0),
                        b_init=0.0, name="output")


def _options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lr", type=float, default=LEARNING_RATE,
                   help=f"Adam learning rate (default {LEARNING_RATE:g})")
    p.add_argument("--print-freq", type=int, default=1, help="log every N epochs (default 1)")


def _datasets(tf: Any, prepro: Any, data: tuple, batch_size: int, seed: int | None) -> tuple:
    X_train, y_train, X_test, y_test = data
    auto = tf.data.AUTOTUNE
    train = tf.data.Dataset.from_tensor_slices((X_train, y_train))
    train = train.shuffle(len(X_train), seed=seed, reshuffle_each_iteration=True)
    train = train.map(lambda x, y: (prepro.cifar10_augment(x, True), y), num_parallel_calls=auto)
    train = train.batch(batch_size).prefetch(auto)
    test = tf.data.Dataset.from_tensor_slices((X_test, y_test))
    test = test.map(lambda x, y: (prepro.cifar10_augment(x, False), y), num_parallel_calls=auto)
    return train, test.batch(batch_size).prefetch(auto)


def pictures(tl: Any, network: Any, train_ds: Any, args: argparse.Namespace) -> None:
    """``cnn1.png``: the first layer's 64 colour 5x5 filters; ``augmented.png``: 64 training
    images as the network sees them (random crop, flip, brightness/contrast, standardized)."""
    folder = out_dir(args, NAME)
    add_pictures(args, tl.vis.CNN2d(network.all_params[0], second=10, saveable=True,
                                    name=os.path.join(folder, "cnn1")))
    images = next(iter(train_ds))[0].numpy()[:64]
    add_pictures(args, tl.vis.images2d(images, second=10, saveable=True,
                                       name=os.path.join(folder, "augmented")))


def main(args: argparse.Namespace) -> int:
    """``tlcore run cifar10-cnn [--epochs N] [--batch-size B] [--seed S] [--data-dir D]``."""
    opts = parse_options(args, NAME, __doc__.splitlines()[0], _options)
    import tensorflow as tf

    import tlcore as tl
    from tlcore.training import Callback

    epochs = args.epochs or EPOCHS
    batch_size = args.batch_size or BATCH_SIZE
    seed_everything(args.seed)
    data = tl.files.load_cifar10_dataset(shape=(-1, 32, 32, 3), path=args.data_dir)
    if opts.limit is not None:
        data = tuple(a[:opts.limit] for a in data)
    for name, a in zip(("X_train", "y_train", "X_test", "y_test"), data):
        logger.info("%s.shape %s", name, a.shape)
    train_ds, test_ds = _datasets(tf, tl.prepro, data, batch_size, args.seed)

    network = build(tl, tf)
    network.print_params()
    network.print_layers()
    optimizer = tf.keras.optimizers.Adam(opts.lr)
    # the seed's weight decay: L2 (0.004) on the two hidden dense layers' W, as l2_loss
    decayed = [layer.W for layer in network.all_layers if layer.name in ("d1relu", "d2relu")]

    def loss_of(out: Any, y: Any) -> Any:
        return tl.cost.cross_entropy(out, y) + L2 * tf.add_n([tf.nn.l2_loss(w) for w in decayed])

    n_steps = -(-len(data[0]) // batch_size)

    class SeedLog(Callback):
        """The seed's cifar10 lines ("Epoch 1 : Step 0-390 of 3910 took ...", test loss/acc)."""

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            if logs.get("val_loss") is None:
                return
            logger.info("Epoch %d : Step %d-%d of %d took %fs", epoch, (epoch - 1) * n_steps,
                        epoch * n_steps, epochs * n_steps, time.perf_counter() - self.start)
            logger.info("   train loss: %f", logs["train_loss"])
            logger.info("   test loss: %f", logs["val_loss"])
            logger.info("   test acc: %f", logs["val_acc"])

    # The augmented tf.data pipelines feed fit directly (batches of (x, y)); validation on the
    # test pipeline every print_freq epochs, the first and the last.
    history = tl.utils.fit(network, optimizer, loss_of, train_ds, None, acc=tl.cost.accuracy,
                           n_epoch=epochs, print_freq=opts.print_freq, X_val=test_ds,
                           eval_train=False, callbacks=[SeedLog()])
    test_acc = history.last("val_acc")
    set_result(args, test_acc=test_acc)
    save_model(network, args, NAME)
    logger.info("model and logs in %s", out_dir(args, NAME))
    pictures(tl, network, train_ds, args)
    list_pictures(args)
    return 0
