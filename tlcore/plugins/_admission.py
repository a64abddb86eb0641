"""One load of every plugin: the policy's verdict, the loader, the name table, and who keeps a
plugin name that several distributions use.

Failures are isolated here: a plugin that is blocked, incompatible or failed gets its status
and error (and one warning), and loading goes on with the next; in strict mode the first
failure raises :class:`PluginError` instead. The built-in plugin's failure always raises.
"""
from __future__ import annotations

import logging
import os
import sys
import warnings
from typing import Iterable

from tlcore.plugins._discovery import CORE, Candidate
from tlcore.plugins._errors import PluginError, PluginWarning
from tlcore.plugins._loading import LoadFailure, Loader, blame
from tlcore.plugins._names import NameTable
from tlcore.plugins._policy import BLOCK_VAR, Policy
from tlcore.plugins._status import PluginInfo, Status

logger = logging.getLogger("tlcore")
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # tlcore/


class Reporter:
    """Issues one :class:`PluginWarning` per plugin and problem, however often plugins load."""

    def __init__(self) -> None:
        self._warned: set[tuple[str, str]] = set()

    def warn(self, msg: str, *, key: tuple[str, str],
             where: tuple[str, int] | None = None) -> None:
        """Warn once per ``key``, pointing at the plugin's code (``where``: file and line) or
        else at the first caller outside tlcore."""
        if key in self._warned:
            return
        self._warned.add(key)
        logger.debug(msg)
        if where is not None:
            warnings.warn_explicit(msg, PluginWarning, where[0], where[1])
            return
        level, frame = 1, sys._getframe(0)
        while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
            frame, level = frame.f_back, level + 1
        warnings.warn(msg, PluginWarning, stacklevel=level)


class Admission:
    """The outcome of one load (filled by :meth:`run`, partly so when strict mode raised).

    Attributes:
        plugins: plugin name -> its info, whatever its status, in discovery order.
        shadowed: namesakes that were not loaded because another one keeps the name.
        table: the loaded plugins' entries.
        problems: environment values that could not be read.
    """

    def __init__(self, reporter: Reporter) -> None:
        self.plugins: dict[str, PluginInfo] = {}
        self.shadowed: list[PluginInfo] = []
        self.table = NameTable()
        self.loader = Loader()
        self.problems: list[str] = []
        self._report = reporter

    def run(self, cands: Iterable[Candidate]) -> None:
        """Read the environment, then admit each candidate in order (the core first)."""
        cands = list(cands)
        policy = Policy.read(c.name for c in cands)
        self.problems = policy.problems
        for problem in policy.problems:
            if policy.strict:
                raise PluginError(problem, plugin="(environment)")
            self._report.warn(problem, key=("(environment)", problem))
        if policy.blocks(CORE):
            self._report.warn(f"{BLOCK_VAR} lists 'core', which cannot be blocked; ignored",
                              key=(CORE, "block"))
        for cand in cands:
            self._place(cand, policy)

    def _place(self, cand: Candidate, policy: Policy) -> None:
        """Admit ``cand`` under its name, or keep it aside as a namesake (shadowed)."""
        taken = self.plugins.get(cand.name)
        if taken is not None and taken.status in (Status.LOADED, Status.BLOCKED):
            if taken.status == Status.BLOCKED:  # the lists name plugins: a namesake too
                info = PluginInfo(cand.name, cand.distribution, cand.version, Status.BLOCKED,
                                  taken.error)
            else:
                info = self._fail(cand, f"plugin name {cand.name!r} is already taken by "
                                        f"{taken.distribution} {taken.version}", policy.strict)
            self.shadowed.append(info)
            return
        info = self._admit(cand, policy)
        if taken is None:
            self.plugins[cand.name] = info
        elif info.status == Status.LOADED:
            # A failed or incompatible plugin (an impostor, an old copy) that happens to be
            # found first must not shadow a working plugin of the same name.
            self.shadowed.append(taken)
            self.plugins[cand.name] = info
        else:
            self.shadowed.append(info)

    def _admit(self, cand: Candidate, policy: Policy) -> PluginInfo:
        """Apply the policy, then load: the plugin's status."""
        verdict = policy.verdict(cand)
        if verdict is not None:
            status, error = verdict
            if status == Status.INCOMPATIBLE:
                msg = f"{cand.label} is incompatible and was not loaded: {error}"
                if policy.strict:
                    raise PluginError(msg, plugin=cand.name)
                self._report.warn(msg, key=(cand.name, msg))
            return PluginInfo(cand.name, cand.distribution, cand.version, status, error)
        try:
            entries = self.loader.load(cand)
        except LoadFailure as f:
            return self._fail(cand, f.error, policy.strict, exc=f.cause)
        provides: dict[str, list[str]] = {}
        for entry in entries:
            for msg in self.table.add(entry):
                self._report.warn(msg, key=(entry.plugin, msg))
            provides.setdefault(entry.kind, []).append(entry.name)
        return PluginInfo(cand.name, cand.distribution, cand.version, Status.LOADED, None,
                          {k: tuple(v) for k, v in provides.items()})

    def _fail(self, cand: Candidate, error: str, strict: bool, *,
              exc: BaseException | None = None) -> PluginInfo:
        msg = f"{cand.label} failed and was skipped: {error}"
        if strict or cand.builtin:
            raise PluginError(msg, plugin=cand.name) from exc
        self._report.warn(msg, key=(cand.name, msg), where=blame(exc, cand.module))
        return PluginInfo(cand.name, cand.distribution, cand.version, Status.FAILED, error)
