"""The seed's DropConnect MLP on MNIST: three DropconnectDenseLayers (keep 0.8/0.5/0.5)."""
from __future__ import annotations

import argparse

from tlcore.examples.mnist_mlp import run

NAME = "mnist-dropconnect"


def main(args: argparse.Namespace) -> int:
    """``tlcore run mnist-dropconnect [--epochs N] [--batch-size B] [--seed S] [--lr LR]``."""
    return run(args, NAME, __doc__.splitlines()[0], dropconnect=True)
