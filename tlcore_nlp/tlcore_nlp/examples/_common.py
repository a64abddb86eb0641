"""Shared pieces of the nlp examples: the core's example helpers plus ``say``."""
from __future__ import annotations

import argparse

from tlcore.examples.support import (add_pictures, list_pictures, logger, out_dir, parse_options,
                                     seed_everything, set_result)

__all__ = ["add_pictures", "list_pictures", "logger", "out_dir", "parse_options", "say",
           "seed_everything", "set_result"]


def say(args: argparse.Namespace, msg: str) -> None:
    """An example's own progress line (the seed's printed output); silent with ``--quiet``."""
    if not getattr(args, "quiet", False):
        print(msg, flush=True)
