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
import stat
import tempfile
import threading
import zipfile
from typing import IO, Any, Iterator, Mapping

import numpy as np

logger = logging.getLogger("tlcore")

#: npz key of the JSON metadata (a plain unicode array, so it loads without pickle).
META_KEY = "__tlcore__"


_UMASK_LOCK = threading.Lock()


def _new_file_mode(path: str) -> int:
    """The mode ``open(path, "w")`` would give: the existing file's, else 0666 minus the umask
    (mkstemp's 0600 would make saved models unreadable to the user's group)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        pass
    with _UMASK_LOCK:  # os.umask can only be read by setting it
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


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
            os.fchmod(f.fileno(), _new_file_mode(path))
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
    with (atomic_write(path) as f,
          zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as zf):
        for key, arr in prepared.items():
            with zf.open(f"{key}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, arr, allow_pickle=False)


class NpzContents:
    """Everything in an npz file, read eagerly: ``arrays`` (key -> ndarray) and ``meta``."""

    def __init__(self, path: str, arrays: dict[str, np.ndarray], meta: dict[str, Any] | None,
                 pickled: list[str]) -> None:
        self.path, self.arrays, self.meta, self.pickled = path, arrays, meta, pickled


#: A deflated member may expand at most this much (when large); honest arrays are far below.
_MAX_RATIO = 1000
_RATIO_FLOOR = 64 * 2**20


def _bad(path: str, why: str) -> ValueError:
    return ValueError(f"{path!r} is not a readable npz file: {why}; nothing was loaded")


def _check_headers(path: str, zf: zipfile.ZipFile) -> None:
    """Check every member's npy header against what the member holds, before reading any data:
    a header that lies about its shape (or claims a huge array) is refused without allocating."""
    for info in zf.infolist():
        key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
        with zf.open(info) as f:
            try:
                version = np.lib.format.read_magic(f)
                if version == (1, 0):
                    shape, _, dtype = np.lib.format.read_array_header_1_0(f)
                else:
                    shape, _, dtype = np.lib.format.read_array_header_2_0(f)
            except (ValueError, EOFError, OSError, zipfile.BadZipFile) as e:
                raise _bad(path, f"array {key!r} has no valid npy header ({e})") from e
            header = f.tell()
        if dtype.hasobject:  # pickled: its size is unknown; read only with allow_pickle
            continue
        n = dtype.itemsize
        for d in shape:
            n *= int(d)  # Python ints: a lying 10**12 x 10**12 header cannot overflow
        stored = info.file_size - header
        if n != stored:
            raise _bad(path, f"array {key!r} declares shape {tuple(shape)} {dtype} ({n} bytes) "
                             f"but holds {stored} bytes")
        if info.compress_type != zipfile.ZIP_STORED and info.file_size > _RATIO_FLOOR and \
                info.file_size > _MAX_RATIO * max(info.compress_size, 1):
            raise _bad(path, f"array {key!r} expands from {info.compress_size} to "
                             f"{info.file_size} bytes (a zip bomb?)")


def _parse_meta(path: str, text: str) -> dict[str, Any]:
    try:
        meta = json.loads(text)
    except RecursionError as e:
        raise ValueError(f"{path!r}: corrupt tlcore metadata: nested too deeply") from e
    except ValueError as e:
        raise ValueError(f"{path!r}: corrupt tlcore metadata: {e}") from e
    if not isinstance(meta, dict):
        raise ValueError(f"{path!r}: corrupt tlcore metadata: expected a JSON object, found "
                         f"{type(meta).__name__}")
    if not isinstance(meta.get("format", ""), str):
        raise ValueError(f"{path!r}: corrupt tlcore metadata: 'format' must be a string, "
                         f"found {meta['format']!r}")
    return meta


def read_npz(path: str, *, allow_pickle: bool = False) -> NpzContents:
    """Read every array of an npz file, turning a truncated or corrupt file into ``ValueError``.

    Every member's header is checked against its stored size before anything is read, and the
    ``__tlcore__`` metadata must be a JSON object. Object (pickled) arrays are read only with
    ``allow_pickle=True``; otherwise their keys are listed in ``pickled`` and left out of
    ``arrays``.
    """
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such file: {path!r}")
    arrays: dict[str, np.ndarray] = {}
    pickled: list[str] = []
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                _check_headers(path, zf)
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
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError, MemoryError) as e:
        if isinstance(e, ValueError) and str(e).startswith(repr(path)):
            raise
        raise ValueError(f"{path!r} is not a readable npz file (truncated or corrupt?): "
                         f"{type(e).__name__}: {e}") from e
    meta = None
    if META_KEY in arrays:
        value = arrays.pop(META_KEY)
        if value.dtype.kind != "U" or value.shape != ():
            raise ValueError(f"{path!r}: corrupt tlcore metadata: expected a JSON string, found "
                             f"a {value.dtype} array of shape {value.shape}")
        meta = _parse_meta(path, str(value))
    return NpzContents(path, arrays, meta, pickled)
