"""``tlcore plugins`` and ``tlcore layers``: what is installed, without importing any target.

Both read only the plugins' manifests, so they run without importing TensorFlow, and neither
crashes on a broken plugin: its status and error are part of the listing. With
``TLCORE_STRICT_PLUGINS=1`` the listing is still printed in full, and the exit code is 1 when a
plugin failed or is incompatible (so a plugin's CI can run ``tlcore plugins``).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import warnings
from typing import Any, Callable, Iterator, Sequence, TypeVar

from tlcore.plugins import PluginWarning, get_registry
from tlcore.plugins._known import KNOWN
from tlcore.plugins._policy import STRICT_VAR, strict_mode
from tlcore.plugins._registry import (CORE, FAILED, INCOMPATIBLE, LOADED, PluginInfo, Registry,
                                      install_hint)

_T = TypeVar("_T")


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Send whatever plugin code prints (Python or C level) to stderr meanwhile, so that it
    cannot corrupt a listing on stdout (``--json`` output is parsed by programs)."""
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        saved = os.dup(1)  # the process's stdout, whatever sys.stdout is at the moment
        os.dup2(2, 1)
    except OSError:  # no file descriptors (an embedded interpreter)
        saved = -1
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stderr.flush()
        if saved >= 0:
            os.dup2(saved, 1)
            os.close(saved)


def _guarded(fn: Callable[[], _T]) -> _T:
    with _stdout_to_stderr():
        return fn()


def _load_lenient(reg: Registry) -> tuple[bool, list[str]]:
    """Load the registry with strict mode off (a listing must show every plugin); return
    whether strict mode was asked for and the environment's problems (printed to stderr)."""
    saved = os.environ.pop(STRICT_VAR, None)
    try:
        with warnings.catch_warnings():
            # The listing shows each problem in its status and error columns.
            warnings.simplefilter("ignore", PluginWarning)
            _guarded(reg.load)
    finally:
        if saved is not None:
            os.environ[STRICT_VAR] = saved
    problems = list(reg.problems)
    strict = strict_mode(problems)
    for problem in problems:
        print(f"tlcore: warning: {problem}", file=sys.stderr)
    for info in reg.shadowed():
        print(f"tlcore: warning: plugin {info.name!r} of {info.distribution} {info.version} "
              f"was not loaded ({info.status}), another plugin has that name"
              + (f": {info.error}" if info.error else ""), file=sys.stderr)
    return strict, problems


def _table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    fmt = "  ".join(f"{{:{w}}}" for w in widths[:-1]) + "  {}"
    return [fmt.format(*header).rstrip(), *(fmt.format(*r).rstrip() for r in rows)]


def _provides_summary(info: PluginInfo) -> str:
    parts = [f"{len(v)} {k if len(v) != 1 else k[:-1]}" for k, v in info.provides.items() if v]
    return ", ".join(parts) or "-"


def cmd_plugins(args: argparse.Namespace) -> int:
    """List plugins, the core first: name, distribution, version, status, error and what each
    provides (counts; ``--all`` lists every registered name). ``--json`` prints a JSON list of
    objects with the keys ``name, distribution, version, status, error, provides``.
    """
    reg = get_registry()
    strict, problems = _load_lenient(reg)
    if getattr(args, "check", False):
        return _check(reg, problems)
    # The core first, then by name: discovery order depends on sys.path.
    infos = sorted(reg.plugins(), key=lambda i: (i.name != CORE, i.name))
    if args.json:
        print(json.dumps([i.to_dict() for i in infos], indent=2))
    else:
        rows = [(i.name, i.distribution, i.version, i.status, _provides_summary(i)) for i in infos]
        lines = _table(rows, ("NAME", "DISTRIBUTION", "VERSION", "STATUS", "PROVIDES"))
        print(lines[0])
        for info, line in zip(infos, lines[1:]):
            print(line)
            if info.error:
                print(f"    error: {info.error}")
            if args.all:
                for kind, names in info.provides.items():
                    print(f"    {kind}: {', '.join(names)}")
    bad = [i.name for i in (*reg.plugins(), *reg.shadowed())
           if i.status in (FAILED, INCOMPATIBLE)]
    if strict and (bad or problems):
        what = (f"these plugins did not load: {', '.join(bad)}" if bad
                else "the environment has problems (see the warnings above)")
        print(f"tlcore: {STRICT_VAR} is set and {what}", file=sys.stderr)
        return 1
    return 0


def _check(reg: Registry, problems: list[str]) -> int:
    """``tlcore plugins --check``: import every registered target and validate it (a layer is
    a ``tlcore.layers.Layer`` subclass, a helper/dataset/example callable). One line per
    problem on stderr; exit 1 when any target, plugin or environment value is wrong."""
    failures = _guarded(reg.check)
    bad = [i for i in (*reg.plugins(), *reg.shadowed()) if i.status in (FAILED, INCOMPATIBLE)]
    for info in bad:
        print(f"tlcore: plugin {info.name!r} ({info.distribution} {info.version}) is "
              f"{info.status}: {info.error}", file=sys.stderr)
    for _entry, error in failures:
        print(f"tlcore: {error}", file=sys.stderr)
    n = sum(len(reg.entries(k)) for k in ("layers", "modules", "datasets", "examples"))
    print(f"checked {n} registered names of {len(reg.plugins())} plugins: "
          f"{len(failures)} failed")
    return 1 if failures or bad or problems else 0


def cmd_layers(args: argparse.Namespace) -> int:
    """List registered layers matching a shell-style pattern, without importing them.

    The USE AS column gives the name to write after ``tl.layers.``: the plain name, or the
    qualified id ``plugin.Name`` where several plugins register the same name.
    """
    reg = get_registry()
    _load_lenient(reg)
    pattern = args.pattern or "*"
    found = reg.find("layers", pattern)
    counts: dict[str, int] = {}
    for e in reg.entries("layers"):
        counts[e.name] = counts.get(e.name, 0) + 1

    def use_as(e: Any) -> str:
        return e.name if counts[e.name] == 1 or e.plugin == CORE else e.qualified

    if args.json:
        print(json.dumps([{"name": e.name, "qualified": e.qualified, "use_as": use_as(e),
                           "plugin": e.plugin, "target": e.target_path,
                           "aliases": list(e.aliases)} for e in found], indent=2))
    elif found:
        rows = [(use_as(e), e.plugin, e.target_path
                 + (f"  (aliases: {', '.join(e.aliases)})" if e.aliases else "")) for e in found]
        print("\n".join(_table(rows, ("USE AS", "PLUGIN", "TARGET"))))
    _hint_missing(reg, pattern, {e.name for e in found}, quiet=bool(args.json))
    if not found:
        if not args.json:
            print(f"no registered layer matches {pattern!r} (see 'tlcore plugins')",
                  file=sys.stderr)
        return 1
    return 0


def _hint_missing(reg: Registry, pattern: str, shown: set[str], *, quiet: bool) -> None:
    """Name the distributions that would provide matching layers that are not installed."""
    if quiet or pattern in ("", "*"):
        return
    import fnmatch

    pat = (pattern if any(c in pattern for c in "*?[") else f"*{pattern}*").lower()
    loaded = {i.distribution for i in reg.plugins() if i.status == LOADED}
    missing: dict[str, list[str]] = {}
    for name, dist in KNOWN["layers"].items():
        if name not in shown and dist not in loaded and fnmatch.fnmatchcase(name.lower(), pat):
            missing.setdefault(dist, []).append(name)
    for dist, names in sorted(missing.items()):
        print(f"not installed: {', '.join(sorted(names))} ({install_hint(dist)})",
              file=sys.stderr)
