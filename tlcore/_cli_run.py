"""``tlcore run``, ``tlcore examples`` and ``tlcore info``.

Examples are registered by plugins (``register_examples``) as ``main(args) -> int`` targets.
``args`` carries the common options (``epochs``, ``batch_size``, ``seed``, ``data_dir``,
``out``, ``quiet``) and ``extra``, the example's own options; an example may set
``args.result = {"test_acc": ...}`` for the summary line printed here.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
import warnings
from typing import Any

from tlcore.cli import ArgumentParser, UsageError
from tlcore.plugins import UnknownNameError, get_registry

#: ``--seed`` must fit numpy's and TensorFlow's seeds.
_MAX_SEED = 2**32 - 1


def _common_parser() -> argparse.ArgumentParser:
    # The options of 'tlcore run' again: argparse hands everything after the example name to
    # ``extra``, so 'tlcore run mnist-mlp --epochs 40' is re-read here.
    p = ArgumentParser(prog="tlcore run", add_help=False)
    p.add_argument("--epochs", type=int, default=argparse.SUPPRESS)
    p.add_argument("--batch-size", type=int, default=argparse.SUPPRESS)
    p.add_argument("--seed", type=int, default=argparse.SUPPRESS)
    p.add_argument("--data-dir", default=argparse.SUPPRESS)
    p.add_argument("--out", default=argparse.SUPPRESS)
    p.add_argument("--quiet", action="store_true", default=argparse.SUPPRESS)
    p.add_argument("--strategy", choices=("none", "mirrored", "multiworker"),
                   default=argparse.SUPPRESS)
    return p


def cmd_run(args: argparse.Namespace) -> int:
    """Run a registered example; print its final test accuracy and where its model went."""
    extra = list(getattr(args, "extra", None) or [])
    if extra and extra[0] == "--":
        extra = extra[1:]
    known, rest = _common_parser().parse_known_args(extra)
    for key, value in vars(known).items():
        setattr(args, key, value)
    args.extra = rest
    _check_options(args)
    try:
        main = get_registry().get("examples", args.example)
    except UnknownNameError as e:
        raise UsageError(str(e)) from e
    if args.quiet:
        os.environ["TLCORE_PROGRESS"] = "0"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up chatter
    from tlcore import set_verbosity

    set_verbosity("INFO")
    strategy = _make_strategy(args)
    if strategy is False:
        return 2
    args.result = {}
    start = time.perf_counter()
    if strategy is None:  # no TensorFlow import here: an example's --help stays fast
        code = int(main(args) or 0)
    else:
        from tlcore.training.cluster import maybe_scope

        with maybe_scope(strategy):  # fit picks up the strategy of the enclosing scope
            code = int(main(args) or 0)
    took = time.perf_counter() - start
    result = getattr(args, "result", None) or {}
    if code == 0:
        parts = [f"{args.example}: done in {took:.1f}s"]
        if result.get("test_acc") is not None:
            parts.append(f"test accuracy {result['test_acc']:.4f}")
        if result.get("model"):
            parts.append(f"model saved to {result['model']}")
        print("; ".join(parts), flush=True)
    return code


def _check_options(args: argparse.Namespace) -> None:
    """Refuse bad common options before anything runs (nothing is written)."""
    for opt in ("epochs", "batch_size"):
        value = getattr(args, opt, None)
        if value is not None and value < 1:
            raise UsageError(f"--{opt.replace('_', '-')} must be >= 1, received "
                             f"{value}")
    seed = getattr(args, "seed", None)
    if seed is not None and not 0 <= seed <= _MAX_SEED:
        raise UsageError(f"--seed must be in [0, {_MAX_SEED}], received {seed}")
    data_dir = getattr(args, "data_dir", None)
    if data_dir is not None and not os.path.isdir(data_dir):
        raise UsageError(f"--data-dir {data_dir!r} "
                         + ("is not a directory" if os.path.exists(data_dir)
                            else "does not exist"))
    env = os.environ.get("TLCORE_DATA_DIR")
    if data_dir is None and env and os.path.exists(env) and not os.path.isdir(env):
        raise UsageError(f"$TLCORE_DATA_DIR {env!r} is a file, not a directory")
    _check_writable(getattr(args, "out", None) or "out")


def _check_writable(out: str) -> None:
    """``--out`` (or the folder that would hold it) must be a writable directory."""
    path = os.path.abspath(out)
    probe = path
    while not os.path.exists(probe):
        probe = os.path.dirname(probe)
    if not os.path.isdir(probe):
        raise UsageError(f"--out {out!r}: {probe!r} is a file, not a directory")
    try:  # os.access says yes to root even on a read-only file system: really try
        with tempfile.TemporaryFile(dir=probe):
            pass
    except OSError as e:
        raise UsageError(f"--out {out!r}: {probe!r} is not writable "
                         f"({e.strerror or e})") from e


def _make_strategy(args: argparse.Namespace) -> Any:
    """``--strategy``: the strategy (None for none), or False after printing a config error.

    On a machine without GPU, ``mirrored`` splits the CPU into ``$TLCORE_CPU_REPLICAS``
    (default 2) logical devices. Non-chief workers write under ``OUT/worker-N``.
    """
    kind = getattr(args, "strategy", None) or "none"
    if kind == "none":
        args.strategy = None
        return None
    from tlcore.training.cluster import is_chief, make_strategy

    try:
        strategy = make_strategy(kind, cpu_replicas=int(os.environ.get("TLCORE_CPU_REPLICAS")
                                                        or 2))
    except (ValueError, OSError) as e:
        print(f"tlcore run: --strategy {kind}: {e}", file=sys.stderr)
        return False
    if not is_chief(strategy):
        resolver = strategy.cluster_resolver
        args.out = os.path.join(getattr(args, "out", None) or "out",
                                f"{resolver.task_type}-{resolver.task_id}")
    args.strategy = strategy
    return strategy


def cmd_examples(args: argparse.Namespace) -> int:
    """List the registered examples: name, plugin and one line of description."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        entries = get_registry().entries("examples")
    if not entries:
        print("no examples registered")
        return 0
    rows = [(e.name, e.plugin, _summary(e)) for e in entries]
    width = [max(len(r[i]) for r in rows) for i in range(2)]
    for name, plugin, summary in rows:
        print(f"{name:{width[0]}}  {plugin:{width[1]}}  {summary}".rstrip())
    print("\nrun one with: tlcore run NAME [--epochs N --batch-size B --seed S --out DIR]")
    return 0


def _summary(entry: Any) -> str:
    """The first docstring line of the example's function (or else its module), read
    without importing it."""
    import ast
    import importlib.util

    target = entry.target
    if not isinstance(target, str):
        doc = getattr(target, "__doc__", None) or ""
        return doc.strip().splitlines()[0] if doc.strip() else ""
    module, _, attr = target.partition(":")
    try:
        spec = importlib.util.find_spec(module)
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            return ""
        with open(spec.origin, encoding="utf-8") as f:
            tree = ast.parse(f.read())
        doc = ast.get_docstring(tree) or ""
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == attr and attr != "main":
                doc = ast.get_docstring(node) or doc
        doc = doc.replace("``", "")
    except (ImportError, OSError, SyntaxError, ValueError):
        return ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def cmd_info(args: argparse.Namespace) -> int:
    """Versions, devices, plugins and the data directory."""
    from tlcore import __version__

    print(f"tlcore {__version__}")
    print(f"python {platform.python_version()} ({sys.executable})")
    print(f"platform {platform.platform()}; {os.cpu_count()} CPUs")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        import tensorflow as tf

        print(f"tensorflow {tf.__version__}")
        devices = ", ".join(d.name.replace("/physical_device:", "")
                            for d in tf.config.list_physical_devices()) or "none"
        print(f"devices {devices}")
    except ImportError as e:  # pragma: no cover - tensorflow is a requirement
        print(f"tensorflow not importable: {e}")
    try:
        import keras

        print(f"keras {keras.__version__}")
    except ImportError:  # pragma: no cover
        print("keras not installed")
    import numpy

    print(f"numpy {numpy.__version__}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plugins = get_registry().plugins()
    print("plugins:")
    for p in sorted(plugins, key=lambda i: (i.name != "core", i.name)):
        line = f"  {p.name} ({p.distribution} {p.version}): {p.status}"
        if p.error:
            line += f" - {p.error}"
        print(line)
    try:
        from tlcore.files._datasets import get_data_dir

        data_dir = get_data_dir(None, create=False)
    except OSError as e:  # e.g. $TLCORE_DATA_DIR names a file: show it, info must not fail
        data_dir = f"unusable: {e}"
    except (ImportError, AttributeError):  # pragma: no cover - files not installed
        data_dir = os.environ.get("TLCORE_DATA_DIR", "(default)")
    print(f"data dir {data_dir} (set with --data-dir or $TLCORE_DATA_DIR)")
    return 0
