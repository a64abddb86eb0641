"""``tlcore plot HISTORY.json -o curves.png``: training curves from a saved history."""
from __future__ import annotations

import argparse
import json
import os
import sys


def cmd_plot(args: argparse.Namespace) -> int:
    """Draw loss and every metric per epoch from a history JSON; print the picture's path."""
    output = args.output or os.path.splitext(args.history)[0] + ".png"
    try:
        with open(args.history, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        print(f"tlcore plot: cannot read history {args.history!r}: {e}", file=sys.stderr)
        return 2
    if not isinstance(data, dict) or not isinstance(data.get("epochs"), list):
        print(f"tlcore plot: {args.history!r} is not a training history: expected a JSON object "
              f"with an 'epochs' list (TrainingHistory.save), received "
              f"{type(data).__name__} with keys {sorted(data) if isinstance(data, dict) else []}",
              file=sys.stderr)
        return 2
    from tlcore.visualize import training_curves

    try:
        path = training_curves(data, name=output)
    except (ImportError, ValueError, OSError) as e:
        print(f"tlcore plot: {e}", file=sys.stderr)
        return 1
    print(path)
    return 0
