"""The ``tlcore`` command. Sub-commands import only what they need, so ``--help`` is fast.

Errors: :func:`main` is the one top-level handler. A usage error (a bad option or value)
prints one line ``tlcore ...: error: ...`` and exits 2; any other failure (a corrupt data
file, an offline download, a full disk) prints one line and exits 1. ``TLCORE_DEBUG=1`` shows
the traceback instead.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import NoReturn, Sequence

DEBUG_ENV = "TLCORE_DEBUG"


class UsageError(Exception):
    """A bad command line: printed as one line, exit code 2."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse whose errors are one line (``prog: error: message``, exit 2), no usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _debug() -> bool:
    return os.environ.get(DEBUG_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def _one_line(e: BaseException) -> str:
    text = " ".join(str(e).split())
    return text or type(e).__name__


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``tlcore`` (no TensorFlow import)."""
    parser = ArgumentParser(prog="tlcore", description="tlcore: TensorLayer on TF2.")
    from tlcore._version import __version__

    parser.add_argument("--version", action="version", version=f"tlcore {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("plugins", help="list plugins, their status and what they provide")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--all", action="store_true", help="also list every registered name")
    p.add_argument("--check", action="store_true",
                   help="import and validate every registered target; exit 1 on a problem")
    p.set_defaults(func="tlcore._cli_plugins:cmd_plugins")

    p = sub.add_parser("layers", help="list registered layers (without importing them)")
    p.add_argument("pattern", nargs="?", default="*", help="shell-style pattern, e.g. 'Conv*'")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func="tlcore._cli_plugins:cmd_layers")

    p = sub.add_parser("examples", help="list runnable examples")
    p.set_defaults(func="tlcore._cli_run:cmd_examples")

    p = sub.add_parser("info", help="versions, devices, plugins and data directory")
    p.set_defaults(func="tlcore._cli_run:cmd_info")

    p = sub.add_parser("plot", help="draw a training history (JSON) as curves, e.g. "
                                    "'tlcore plot out/mnist-mlp/history.json -o curves.png'")
    p.add_argument("history", help="history JSON written by TrainingHistory.save (or a "
                                   "checkpoint's history.json)")
    p.add_argument("-o", "--output", default=None,
                   help="picture to write (default: the history's name with .png)")
    p.set_defaults(func="tlcore._cli_plot:cmd_plot")

    p = sub.add_parser("run", help="run an example, e.g. 'tlcore run mnist-mlp'")
    p.add_argument("example", help="example name (see 'tlcore examples')")
    p.add_argument("--epochs", type=int, default=None, help="number of epochs (example default)")
    p.add_argument("--batch-size", type=int, default=None, help="batch size (example default)")
    p.add_argument("--seed", type=int, default=None, help="random seed for a reproducible run")
    p.add_argument("--data-dir", default=None, help="dataset directory ($TLCORE_DATA_DIR)")
    p.add_argument("--out", default="out", help="where the model and logs are written")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.add_argument("--strategy", choices=("none", "mirrored", "multiworker"), default="none",
                   help="tf.distribute strategy for examples that train with tl.utils.fit: "
                        "mirrored (this machine's devices) or multiworker (TF_CONFIG); see "
                        "docs/distributed.md")
    p.add_argument("extra", nargs=argparse.REMAINDER,
                   help="options passed on to the example (e.g. --config small)")
    p.set_defaults(func="tlcore._cli_run:cmd_run")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tlcore`` console script; returns the exit code (0 success,
    1 failure, 2 usage error, 130 interrupted). ``--help`` raises ``SystemExit(0)``."""
    try:
        args = build_parser().parse_args(argv)
        from tlcore._log import show_logs
        from tlcore.plugins._registry import import_target

        # The seed's INFO lines, or warnings only with --quiet (which `run` may receive among
        # the options it passes on, parsed later).
        quiet = getattr(args, "quiet", False) or "--quiet" in (getattr(args, "extra", None) or ())
        show_logs("WARNING" if quiet else "INFO")
        return int(import_target(args.func)(args) or 0)
    except SystemExit as e:  # argparse's usage errors (already printed as one line)
        if e.code in (0, None):
            raise
        if isinstance(e.code, int):
            return e.code
        print(f"tlcore: error: {e.code}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("tlcore: interrupted", file=sys.stderr)
        return 130
    except UsageError as e:
        if _debug():
            raise
        print(f"tlcore {(argv or sys.argv[1:] or ['?'])[0]}: error: {_one_line(e)}",
              file=sys.stderr)
        return 2
    except Exception as e:
        missing = _missing_tensorflow(e)
        if missing is not None and not _debug():
            # `pip install tlcore` leaves the TensorFlow flavour (CPU, CUDA) to the user.
            print(f"tlcore: {missing} is not installed; install TensorFlow with "
                  f"pip install 'tlcore[cpu]' (NVIDIA GPU: 'tlcore[gpu]'; from a source "
                  f"checkout: pip install './[cpu]')", file=sys.stderr)
            return 1
        if _debug():
            raise
        print(f"tlcore: error: {type(e).__name__}: {_one_line(e)} (set {DEBUG_ENV}=1 for the "
              f"traceback)", file=sys.stderr)
        return 1


def _missing_tensorflow(exc: BaseException | None) -> str | None:
    """``"tensorflow"`` or ``"keras"`` if ``exc`` (or its cause) is that import failing."""
    while exc is not None:
        if isinstance(exc, ModuleNotFoundError):
            top = (exc.name or "").split(".")[0]
            if top in ("tensorflow", "keras"):
                return top
        exc = exc.__cause__
    return None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
