"""Helpers for writing a ``tlcore run`` example (core's and plugins'): option parsing from
``args.extra``, seeding, the output folder, saving and the result summary, the MNIST split,
the pictures an example writes."""
from __future__ import annotations

import argparse
import logging
import math
import os
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from tlcore.owner import ParamOwner

logger = logging.getLogger("tlcore")


def parse_options(args: argparse.Namespace, name: str, description: str,
                  add: Callable[[argparse.ArgumentParser], None] | None = None
                  ) -> argparse.Namespace:
    """Parse the example's own options from ``args.extra`` (``--help`` lists them).

    A bad value is a one-line usage error (exit 2) before anything runs: ``--lr`` must be
    finite and > 0, ``--print-freq`` and ``--limit`` >= 1.
    """
    from tlcore.cli import ArgumentParser

    parser = ArgumentParser(
        prog=f"tlcore run {name}", description=description,
        epilog="Common options (before or after the name): --epochs N, --batch-size B, "
               "--seed S, --data-dir D, --out DIR, --quiet.")
    if add is not None:
        add(parser)
    # Hidden: use only the first N samples (or words) of each split, for fast tests.
    parser.add_argument("--limit", type=int, default=None, help=argparse.SUPPRESS)
    opts = parser.parse_args(list(getattr(args, "extra", None) or []))
    if opts.limit is not None and opts.limit < 1:
        parser.error(f"--limit must be >= 1, received {opts.limit}")
    lr = getattr(opts, "lr", None)
    if lr is not None and not (math.isfinite(lr) and lr > 0):
        parser.error(f"--lr must be a finite number > 0, received {lr}")
    freq = getattr(opts, "print_freq", None)
    if freq is not None and freq < 1:
        parser.error(f"--print-freq must be >= 1, received {freq}")
    return opts


def seed_everything(seed: int | None) -> None:
    """Seed Python, numpy and TensorFlow (weights, dropout) when a seed is given."""
    if seed is not None:
        import keras

        keras.utils.set_random_seed(seed)


def load_mnist(args: argparse.Namespace, limit: int | None, shape: tuple[int, ...] = (-1, 784)
               ) -> tuple[Any, ...]:
    """The seed's MNIST split (50000/10000/10000), cut to ``limit`` samples per split."""
    import tlcore as tl

    data = tl.files.load_mnist_dataset(shape=shape, path=getattr(args, "data_dir", None))
    if limit is not None:
        data = tuple(a[:limit] for a in data)
    X_train, y_train, X_val, y_val, X_test, y_test = data
    logger.info("X_train.shape %s", X_train.shape)
    logger.info("y_train.shape %s", y_train.shape)
    logger.info("X_val.shape %s", X_val.shape)
    logger.info("y_val.shape %s", y_val.shape)
    logger.info("X_test.shape %s", X_test.shape)
    logger.info("y_test.shape %s", y_test.shape)
    logger.info("X %s   y %s", X_train.dtype, y_train.dtype)
    return data


def out_dir(args: argparse.Namespace, name: str) -> str:
    """``<--out>/<example name>``, created."""
    folder = os.path.join(getattr(args, "out", None) or "out", name)
    os.makedirs(folder, exist_ok=True)
    return folder


def save_model(network: ParamOwner, args: argparse.Namespace, name: str,
               filename: str = "model.npz") -> str:
    """Save ``network.all_params`` with ``tl.files.save_npz`` under ``out_dir``."""
    import tlcore as tl

    path = tl.files.save_npz(network.all_params, name=os.path.join(out_dir(args, name),
                                                                   filename))
    args.result = {**(getattr(args, "result", None) or {}), "model": path}
    return path


def set_result(args: argparse.Namespace, **values: Any) -> None:
    """Record results for the summary line of ``tlcore run``."""
    args.result = {**(getattr(args, "result", None) or {}), **values}


def add_pictures(args: argparse.Namespace, *paths: str) -> None:
    """Record pictures the example wrote (listed by :func:`list_pictures`)."""
    result = getattr(args, "result", None) or {}
    args.result = {**result, "pictures": [*result.get("pictures", []), *paths]}


def save_curves(history: Any, args: argparse.Namespace, name: str) -> str:
    """Save a ``fit``/``pretrain`` history as ``history.json`` and draw it as ``curves.png``
    under ``out_dir`` (``tlcore plot history.json`` redraws it)."""
    folder = out_dir(args, name)
    history.save(os.path.join(folder, "history.json"))
    path = history.plot(os.path.join(folder, "curves.png"))
    add_pictures(args, path)
    return path


def list_pictures(args: argparse.Namespace, level: int = logging.INFO) -> list[str]:
    """Log the pictures written in this run, one line each (the last lines of an example)."""
    pictures = list((getattr(args, "result", None) or {}).get("pictures", []))
    if pictures:
        logger.log(level, "pictures written (%d):", len(pictures))
        for path in pictures:
            logger.log(level, "  %s", path)
    return pictures
