"""Shared pieces of the nlp examples: option parsing, seeding, output folder, results."""
from __future__ import annotations

import argparse
import logging
import os
from typing import Any, Callable

logger = logging.getLogger("tlcore")


def parse_options(args: argparse.Namespace, name: str, description: str,
                  add: Callable[[argparse.ArgumentParser], None] | None = None
                  ) -> argparse.Namespace:
    """Parse the example's own options from ``args.extra`` (``--help`` lists them)."""
    parser = argparse.ArgumentParser(
        prog=f"tlcore run {name}", description=description,
        epilog="Common options (before or after the name): --epochs N, --batch-size B, "
               "--seed S, --data-dir D, --out DIR, --quiet.")
    if add is not None:
        add(parser)
    # Hidden: use only the first N words of each split (fast tests).
    parser.add_argument("--limit", type=int, default=None, help=argparse.SUPPRESS)
    opts = parser.parse_args(list(getattr(args, "extra", None) or []))
    if opts.limit is not None and opts.limit < 1:
        parser.error(f"--limit must be >= 1, received {opts.limit}")
    return opts


def seed_everything(seed: int | None) -> None:
    """Seed Python, numpy and TensorFlow when a seed is given."""
    if seed is not None:
        import keras

        keras.utils.set_random_seed(seed)


def out_dir(args: argparse.Namespace, name: str) -> str:
    """``<--out>/<example name>``, created."""
    folder = os.path.join(getattr(args, "out", None) or "out", name)
    os.makedirs(folder, exist_ok=True)
    return folder


def set_result(args: argparse.Namespace, **values: Any) -> None:
    """Record results for the summary line of ``tlcore run``."""
    args.result = {**(getattr(args, "result", None) or {}), **values}


def say(args: argparse.Namespace, msg: str) -> None:
    """An example's own progress line (the seed's printed output); silent with ``--quiet``."""
    if not getattr(args, "quiet", False):
        print(msg, flush=True)
