"""Shared helpers of the hostile-input suite: file-tree snapshots (to assert that nothing was
written, changed or escaped), archive builders and the local HTTP server on 127.0.0.1."""
from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile
from pathlib import Path
from typing import Any, Iterable

import pytest

from tests.core.test_files_download import FileServer


def tree(root: str | os.PathLike) -> dict[str, Any]:
    """Every entry under ``root``: relative path -> file bytes, ``('link', target)``,
    ``'dir'`` or the file mode of anything else. Links are not followed."""
    root = os.fspath(root)
    out: dict[str, Any] = {}
    if not os.path.lexists(root):
        return out
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root)
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(path))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = "dir"
            elif stat.S_ISREG(st.st_mode):
                out[rel] = Path(path).read_bytes()
            else:
                out[rel] = st.st_mode
    return out


def make_tar(path: str | os.PathLike, entries: Iterable[tuple], mode: str = "w:gz") -> str:
    """Write a tar of ``entries``: ``(name, "file", bytes)``, ``(name, "dir")``,
    ``(name, "sym", target)``, ``(name, "hard", target)``, ``(name, "fifo"|"chr")``."""
    with tarfile.open(path, mode) as tf:
        for name, kind, *rest in entries:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(rest[0])
                tf.addfile(info, io.BytesIO(rest[0]))
                continue
            info.type = {"dir": tarfile.DIRTYPE, "sym": tarfile.SYMTYPE, "hard": tarfile.LNKTYPE,
                         "fifo": tarfile.FIFOTYPE, "chr": tarfile.CHRTYPE}[kind]
            if kind in ("sym", "hard"):
                info.linkname = rest[0]
            if kind == "dir":
                info.mode = 0o755
            tf.addfile(info)
    return os.fspath(path)


def make_zip(path: str | os.PathLike, entries: Iterable[tuple]) -> str:
    """Write a zip of ``(name, bytes)`` or ``(name, bytes, unix_mode)`` entries."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data, *mode in entries:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if mode:
                info.external_attr = mode[0] << 16
            zf.writestr(info, data)
    return os.fspath(path)


@pytest.fixture
def server():
    """A local HTTP server on 127.0.0.1 (see tests/core/test_files_download.py)."""
    srv = FileServer()
    yield srv
    srv.close()


@pytest.fixture(autouse=True)
def _no_progress_bars(monkeypatch):
    monkeypatch.setenv("TLCORE_PROGRESS", "0")
