"""Atomic file writes and the pickle-free npz container every ``tl.files`` writer uses.

A write goes to a temporary file in the destination's directory and is moved over the
destination with ``os.replace`` only once complete, so a crash, a full disk or an exception
leaves either the old file untouched or the new file whole, never a truncated one.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import zipfile
from typing import IO, Any, Iterator, Mapping

import numpy as np

logger = logging.getLogger("tlcore")

#: npz key of the JSON metadata (a plain unicode array, so it loads without pickle).
META_KEY = "__tlcore__"


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb") -> Iterator[IO[Any]]:
    """Open a temporary file next to ``path``; on success it replaces ``path`` atomically.

    On any exception the temporary file is removed and ``path`` is left as it was.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, mode) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:  # KeyboardInterrupt too: never leave a partial file behind
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def write_npz(path: str | os.PathLike, arrays: Mapping[str, Any], meta: Mapping[str, Any]) -> None:
    """Write ``arrays`` (name -> array) plus a JSON ``meta`` record as an npz file, atomically.

    Arrays are stored with ``allow_pickle=False``: an object array raises ``ValueError``
    before anything is written.
    """
    prepared = {}
    for key, value in arrays.items():
        if key == META_KEY:
            raise ValueError(f"{META_KEY!r} is reserved for tlcore's metadata")
        arr = np.asarray(value)
        if arr.dtype.hasobject:
            raise ValueError(f"array {key!r} has dtype object, which can only be stored with "
                             f"pickle; convert it to a numeric or string array")
        prepared[key] = arr
    prepared[META_KEY] = np.array(json.dumps(dict(meta)))
    with atomic_write(path) as f, zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        for key, arr in prepared.items():
            with zf.open(f"{key}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, arr, allow_pickle=False)


class NpzContents:
    """Everything in an npz file, read eagerly: ``arrays`` (key -> ndarray) and ``meta``."""

    def __init__(self, path: str, arrays: dict[str, np.ndarray], meta: dict[str, Any] | None,
                 pickled: list[str]) -> None:
        self.path, self.arrays, self.meta, self.pickled = path, arrays, meta, pickled


def read_npz(path: str, *, allow_pickle: bool = False) -> NpzContents:
    """Read every array of an npz file, turning a truncated or corrupt file into ``ValueError``.

    Object (pickled) arrays are read only with ``allow_pickle=True``; otherwise their keys are
    listed in ``pickled`` and left out of ``arrays``.
    """
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such file: {path!r}")
    arrays: dict[str, np.ndarray] = {}
    pickled: list[str] = []
    try:
        with np.load(path, allow_pickle=allow_pickle) as npz:
            if not isinstance(npz, np.lib.npyio.NpzFile):
                raise ValueError("it holds a single array, not an npz archive")
            for key in npz.files:
                try:
                    arrays[key] = npz[key]
                except ValueError as e:
                    if "allow_pickle" not in str(e):
                        raise
                    pickled.append(key)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as e:
        raise ValueError(f"{path!r} is not a readable npz file (truncated or corrupt?): "
                         f"{type(e).__name__}: {e}") from e
    meta = None
    if META_KEY in arrays:
        try:
            meta = json.loads(str(arrays.pop(META_KEY)))
        except ValueError as e:
            raise ValueError(f"{path!r}: corrupt tlcore metadata: {e}") from e
    return NpzContents(path, arrays, meta, pickled)
