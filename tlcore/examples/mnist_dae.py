"""The seed's denoising autoencoder on MNIST: ReconLayer pretraining with 50% input corruption."""
from __future__ import annotations

import argparse
import os
from typing import Any

from tlcore.examples.support import (add_pictures, list_pictures, load_mnist, logger, out_dir,
                                     parse_options, save_curves, save_model, seed_everything,
                                     set_result)

NAME = "mnist-dae"
EPOCHS, BATCH_SIZE, LEARNING_RATE = 10, 128, 1e-4


def _options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", choices=("relu", "sigmoid"), default="relu",
                   help="code activation: relu (softplus decoder, L1 sparsity) or sigmoid "
                        "(sigmoid decoder, KL sparsity); default relu")
    p.add_argument("--n-units", type=int, default=196, help="code size (default 196)")
    p.add_argument("--lr", type=float, default=LEARNING_RATE,
                   help=f"Adam learning rate (default {LEARNING_RATE:g})")
    p.add_argument("--print-freq", type=int, default=5, help="log every N epochs (default 5)")


def recon_test_loss(tl: object, recon: object, X_test: object) -> float:
    """Mean over samples of the summed squared reconstruction error, dropout off."""
    import numpy as np

    out = tl.utils.predict(recon, X_test, batch_size=1000)  # type: ignore[attr-defined]
    return float(np.mean(np.sum((out - X_test) ** 2, axis=1)))


def pretrain_pictures(tl: Any, recon: Any, X_test: Any, args: argparse.Namespace, name: str,
                      n_epoch: int, print_freq: int, keep: float = 0.5) -> None:
    """The features ``pretrain`` saved (``w1pre_<epoch>.npz``, drawn as ``w1pre_<epoch>.png``
    as TensorLayer did; the last epoch's too, from the live weights) and ``denoise.png``: 10
    test digits, their corrupted version (each pixel kept with probability ``keep``) and the
    autoencoder's reconstruction of it."""
    import numpy as np

    folder = out_dir(args, name)
    for epoch in range(1, n_epoch + 1):
        path = os.path.join(folder, f"w1pre_{epoch}.npz")
        if epoch == 1 or epoch % print_freq == 0:
            W = tl.files.load_npz(name=path)[0]
        elif epoch == n_epoch:  # TensorLayer saved no file for it; the live weights are it
            W = recon.encoder.W
        else:
            continue
        add_pictures(args, tl.vis.W(W, second=10, saveable=True, shape=[28, 28],
                                    name=path[:-len(".npz")]))
    digits = np.asarray(X_test[:10], dtype=np.float32)
    mask = np.random.default_rng(args.seed).random(digits.shape) < keep
    noisy = digits * mask / keep  # what the corrupting DropoutLayer feeds while training
    rebuilt = np.asarray(recon(noisy, is_train=False))
    add_pictures(args, tl.vis.image_rows(
        [digits, noisy, rebuilt], ["test digits", f"noisy (keep {keep:g})", "reconstructed"],
        shape=(28, 28), name=os.path.join(folder, "denoise")))


def main(args: argparse.Namespace) -> int:
    """``tlcore run mnist-dae [--epochs N] [--model relu|sigmoid]``."""
    opts = parse_options(args, NAME, __doc__.splitlines()[0], _options)
    import tensorflow as tf

    import tlcore as tl

    epochs = args.epochs or EPOCHS
    batch_size = args.batch_size or BATCH_SIZE
    seed_everything(args.seed)
    X_train, _, X_val, _, X_test, _ = load_mnist(args, opts.limit)
    act, act_recon = ((tf.nn.relu, tf.nn.softplus) if opts.model == "relu"
                      else (tf.nn.sigmoid, tf.nn.sigmoid))
    L = tl.layers
    net = L.InputLayer([None, 784], name="input")
    net = L.DropoutLayer(net, keep=0.5, name="denoising1")
    net = L.DenseLayer(net, n_units=opts.n_units, act=act, name=f"{opts.model}1")
    recon = L.ReconLayer(net, x_recon=None, n_units=784, act=act_recon, name="recon_layer1")
    recon.print_params()
    recon.print_layers()
    history = recon.pretrain(X_train, X_val, denoise_name="denoising1", n_epoch=epochs,
                   batch_size=batch_size, print_freq=opts.print_freq, save=True,
                   save_name="w1pre_", optimizer=tf.keras.optimizers.Adam(opts.lr),
                   save_dir=out_dir(args, NAME), seed=args.seed)
    loss = recon_test_loss(tl, recon, X_test)
    logger.info("   test recon loss (mse): %f", loss)
    set_result(args, test_recon_loss=loss)
    save_model(recon, args, NAME, f"{opts.model}.npz")
    pretrain_pictures(tl, recon, X_test, args, NAME, epochs, opts.print_freq)
    save_curves(history, args, NAME)
    list_pictures(args)
    return 0
