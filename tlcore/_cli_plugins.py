"""``tlcore plugins`` and ``tlcore layers``: what is installed, without importing any target.

Both read only the plugins' manifests, so they run without importing TensorFlow, and neither
crashes on a broken plugin: its status and error are part of the listing. With
``TLCORE_STRICT_PLUGINS=1`` the listing is still printed in full, and the exit code is 1 when a
plugin failed or is incompatible (so a plugin's CI can run ``tlcore plugins``).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from typing import Any, Sequence

from tlcore.plugins import PluginWarning, get_registry
from tlcore.plugins._known import KNOWN
from tlcore.plugins._registry import CORE, FAILED, INCOMPATIBLE, LOADED, PluginInfo, Registry

_STRICT = "TLCORE_STRICT_PLUGINS"


def _load_lenient(reg: Registry) -> bool:
    """Load the registry with strict mode off (a listing must show every plugin); return
    whether strict mode was asked for."""
    strict = os.environ.get(_STRICT, "").strip().lower() in {"1", "true", "yes", "on"}
    saved = os.environ.pop(_STRICT, None)
    try:
        with warnings.catch_warnings():
            # The listing shows each problem in its status and error columns.
            warnings.simplefilter("ignore", PluginWarning)
            reg.load()
    finally:
        if saved is not None:
            os.environ[_STRICT] = saved
    return strict


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
    strict = _load_lenient(reg)
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
    bad = [i.name for i in reg.plugins() if i.status in (FAILED, INCOMPATIBLE)]
    if strict and bad:
        print(f"tlcore: {_STRICT} is set and these plugins did not load: {', '.join(bad)}",
              file=sys.stderr)
        return 1
    return 0


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
        print(f"not installed: {', '.join(sorted(names))} (pip install {dist})", file=sys.stderr)
