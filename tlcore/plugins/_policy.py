"""Which plugins may load: the environment variables and a plugin's requirement on tlcore.

Every value that cannot be read is *reported* (as a problem string the registry turns into a
warning, or an error in strict mode), never silently read as something else. :class:`Policy`
is the decision for one load: read once, then asked about each discovered plugin.
"""
from __future__ import annotations

import fnmatch
import logging
import os
import re
from typing import TYPE_CHECKING, Any, Iterable

import attrs

from tlcore._version import __version__
from tlcore.plugins._status import Status

if TYPE_CHECKING:
    from tlcore.plugins._discovery import Candidate

logger = logging.getLogger("tlcore")

STRICT_VAR = "TLCORE_STRICT_PLUGINS"
ALLOW_VAR = "TLCORE_PLUGINS"
BLOCK_VAR = "TLCORE_DISABLE_PLUGINS"
_ON = {"1", "true", "yes", "on"}
_OFF = {"", "0", "false", "no", "off"}
# Entry-point names are identifier-like; '*', '?' and '[...]' are shell-style patterns.
_NAME = re.compile(r"^[A-Za-z0-9_.\-*?\[\]]+$")


def strict_mode(problems: list[str] | None = None) -> bool:
    """Whether ``TLCORE_STRICT_PLUGINS`` asks for strict mode.

    A value that is neither on (``1 true yes on``) nor off (``0 false no off``, empty) is
    appended to ``problems`` and read as *on*: whoever set it wanted something checked.
    """
    raw = os.environ.get(STRICT_VAR)
    value = (raw or "").strip().lower()
    if value in _ON:
        return True
    if value in _OFF:
        return False
    if problems is not None:
        problems.append(f"{STRICT_VAR}={raw!r} is not one of 1/true/yes/on or 0/false/no/off "
                        f"(empty); read as 1 (strict)")
    return True


@attrs.frozen
class NameList:
    """A parsed ``TLCORE_PLUGINS`` / ``TLCORE_DISABLE_PLUGINS``: plugin names or patterns."""

    var: str
    patterns: tuple[str, ...]

    def matches(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, p) for p in self.patterns)

    def unmatched(self, names: Iterable[str]) -> list[str]:
        """The patterns that match none of ``names``."""
        names = list(names)
        return [p for p in self.patterns if not any(fnmatch.fnmatchcase(n, p) for n in names)]


def name_list(var: str, problems: list[str]) -> NameList | None:
    """Parse ``var``: names separated by commas, semicolons or whitespace; shell patterns
    (``*``) allowed. Unset or empty is ``None``; a value without any name (``","``) and
    malformed names are reported and the variable is then ignored as a whole."""
    raw = os.environ.get(var)
    if raw is None or not raw.strip():
        return None
    items = [x for x in re.split(r"[,;\s]+", raw) if x]
    if not items:
        problems.append(f"{var}={raw!r} names no plugin; ignored (unset it, or list plugin "
                        f"names separated by commas)")
        return None
    bad = [x for x in items if not _NAME.match(x)]
    if bad:
        problems.append(f"{var}={raw!r}: {', '.join(repr(b) for b in bad)} is not a plugin "
                        f"name or pattern; the variable is ignored")
        return None
    return NameList(var, tuple(dict.fromkeys(items)))


def tlcore_requirement(dist: Any) -> tuple[str | None, str | None]:
    """``(specifier, error)``: what a distribution's ``Requires-Dist`` lines ask of tlcore.

    Lines whose environment marker does not hold here (``; python_version < "3"``,
    ``; extra == "x"``) do not apply; applying lines are combined. A line that names tlcore but
    cannot be parsed is an error (the plugin is then treated as incompatible).
    """
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    specs: list[str] = []
    for raw in getattr(dist, "requires", None) or ():
        try:
            req = Requirement(raw)
        except InvalidRequirement as e:
            head = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", str(raw))
            if head and canonicalize_name(head.group(1)) == "tlcore":
                return None, f"its requirement {raw!r} cannot be parsed: {e}"
            continue
        if canonicalize_name(req.name) != "tlcore":
            continue
        try:
            applies = req.marker is None or req.marker.evaluate({"extra": ""})
        except Exception as e:  # an undefined marker variable
            return None, f"its requirement {raw!r} has a marker that cannot be evaluated: {e}"
        if applies and str(req.specifier):
            specs.append(str(req.specifier))
    return (",".join(specs) or None), None


def compatible(spec: str | None) -> bool:
    """Whether this tlcore satisfies ``spec`` (an invalid specifier satisfies nothing)."""
    if not spec:
        return True
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        return SpecifierSet(spec).contains(__version__, prereleases=True)
    except InvalidSpecifier:
        return False


@attrs.frozen
class Policy:
    """The plugin environment as read for one load, and what it says about each plugin.

    Attributes:
        strict: failures raise :class:`PluginError` instead of warning.
        allow: ``TLCORE_PLUGINS`` (``None``: every plugin may load).
        block: ``TLCORE_DISABLE_PLUGINS`` (``None``: nothing is blocked).
        problems: the environment values that could not be read or match no plugin.
    """

    strict: bool
    allow: NameList | None
    block: NameList | None
    problems: list[str]

    @classmethod
    def read(cls, installed: Iterable[str]) -> Policy:
        """Read the environment now; a list pattern that matches none of ``installed`` (the
        plugin names found) is a problem too."""
        problems: list[str] = []
        strict = strict_mode(problems)
        allow, block = name_list(ALLOW_VAR, problems), name_list(BLOCK_VAR, problems)
        names = sorted(set(installed))
        for var_list in (allow, block):
            if var_list is None:
                continue
            for pattern in var_list.unmatched(names):
                problems.append(f"{var_list.var} names {pattern!r}, which matches no "
                                f"installed plugin (installed: {', '.join(names)})")
        return cls(strict, allow, block, problems)

    def blocks(self, name: str) -> bool:
        """Whether the block list names ``name`` literally (used to warn about ``core``)."""
        return self.block is not None and name in self.block.patterns

    def verdict(self, cand: Candidate) -> tuple[Status, str] | None:
        """``(BLOCKED or INCOMPATIBLE, error)`` for a plugin that must not be imported, or
        ``None`` when it may load. The built-in plugin always may."""
        if cand.builtin:
            return None
        why = (BLOCK_VAR if self.block is not None and self.block.matches(cand.name) else
               ALLOW_VAR if self.allow is not None and not self.allow.matches(cand.name) else
               None)
        if why is not None:
            logger.debug("%s is blocked by %s", cand.label, why)
            return Status.BLOCKED, f"blocked by {why}"
        error = cand.req_error
        if error is None and not compatible(cand.requires):
            error = (f"requires tlcore{cand.requires}, but tlcore {__version__} is installed; "
                     f"install a {cand.distribution} release made for tlcore {__version__}")
        return None if error is None else (Status.INCOMPATIBLE, error)
