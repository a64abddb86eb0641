"""Is a downloaded file whole? Checksums, the record kept beside each download, format checks.

A file downloaded without a known sha256 gets a record ``.<name>.download`` (JSON: size,
sha256, url) written before the file is moved into place; later, the file counts as present
and valid only if it still has that size. A file without a record (placed by the user) and
without an expected sha256/size is trusted unless it is visibly broken: an HTML page where
data was expected, or a gzip/bz2/xz/zip/tar file that ends early.
"""
from __future__ import annotations

import bz2
import contextlib
import gzip
import hashlib
import json
import lzma
import os
import tarfile
import zipfile
from typing import Any

from tlcore.files._atomic import atomic_write

_HTML_SUFFIXES = (".html", ".htm", ".xhtml")


def sha256sum(path: str) -> str:
    """The hex sha256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def record_path(path: str) -> str:
    """Where the download record of ``path`` is kept."""
    return os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.download")


def write_record(path: str, data_file: str, url: str) -> None:
    """Record the size and sha256 of ``data_file`` (about to become ``path``)."""
    record = {"size": os.path.getsize(data_file), "sha256": sha256sum(data_file), "url": url}
    with atomic_write(record_path(path), "w") as f:
        json.dump(record, f)


def read_record(path: str) -> dict[str, Any] | None:
    """The download record of ``path``; an unreadable record counts as a broken download."""
    try:
        with open(record_path(path), encoding="utf-8") as f:
            record = json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"size": -1}
    return record if isinstance(record, dict) else {"size": -1}


def remove_download(path: str) -> None:
    """Delete a downloaded file and its record."""
    for p in (path, record_path(path)):
        with contextlib.suppress(FileNotFoundError):
            os.remove(p)


def expects_html(name: str) -> bool:
    """True if a file of this name is meant to be an HTML page."""
    return name.lower().endswith(_HTML_SUFFIXES)


def looks_like_html(path: str, head: bytes | None = None) -> bool:
    """True if a file that should hold data starts like an HTML page (an error page)."""
    if expects_html(path):
        return False
    if head is None:
        with open(path, "rb") as f:
            head = f.read(512)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<!doctype html", b"<html", b"<head", b"<?xml version")) and (
        b"<html" in text or b"<!doctype html" in text)


def complete_by_format(path: str, name: str | None = None) -> bool | None:
    """Whether a compressed or archive file is complete (True/False), None for other formats.
    The format is told by ``name`` (default: ``path``)'s extension.

    Reads the whole file: gzip, bz2 and xz streams are decompressed to their end marker (and
    gzip's CRC and length checked), zip needs its central directory, tar every header.
    """
    name = (name or path).lower()
    try:
        if name.endswith((".gz", ".tgz")):
            opener: Any = gzip.open
        elif name.endswith((".bz2", ".tbz2")):
            opener = bz2.open
        elif name.endswith((".xz", ".txz")):
            opener = lzma.open
        elif name.endswith((".zip", ".npz")):
            if not zipfile.is_zipfile(path):
                return False
            with zipfile.ZipFile(path) as zf:
                return zf.testzip() is None
        elif name.endswith(".tar"):
            with tarfile.open(path) as tf:
                for _ in tf:
                    pass
            return True
        else:
            return None
        with opener(path, "rb") as f:
            while f.read(1 << 20):
                pass
        return True
    except (OSError, EOFError, ValueError, tarfile.TarError, zipfile.BadZipFile, lzma.LZMAError):
        return False


def is_valid(path: str, sha256: str | None = None, size: int | None = None) -> bool:
    """True if ``path`` is present and whole: it matches ``size`` and ``sha256`` where given,
    the size in its download record where there is one, and is not visibly broken otherwise."""
    if not os.path.isfile(path):
        return False
    got = os.path.getsize(path)
    if size is not None and got != size:
        return False
    if sha256 is not None:
        return sha256sum(path) == sha256.lower()
    record = read_record(path)
    if record is not None:
        return record.get("size") == got
    if size is not None:
        return True
    return not looks_like_html(path) and complete_by_format(path) is not False
