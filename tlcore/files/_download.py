"""Robust downloads and safe archive extraction.

- :func:`download_file` streams with ``requests`` into ``<dest>.part`` (tqdm progress, off with
  ``progress=False`` or ``TLCORE_PROGRESS=0``), retries 5xx answers and connection errors with
  exponential backoff, resumes an interrupted ``.part`` with an HTTP ``Range`` request, tries
  mirrors in order, checks size and sha256, and only then renames the file into place. A file
  already present and valid is returned without any request.
- :func:`extract_archive` unpacks tar/zip archives after checking every member: absolute paths,
  ``..`` components and links pointing outside the target are refused (the error names the
  member), and nothing is extracted from a refused archive.
- :func:`maybe_download_and_extract` is TensorLayer's entry point on top of both.
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import stat
import tarfile
import tempfile
import time
import zipfile
from typing import Any, Sequence

logger = logging.getLogger("tlcore")

_CHUNK = 1 << 16


class DownloadError(OSError):
    """A download failed after all retries and mirrors; the message lists each attempt."""


class ChecksumError(ValueError):
    """A file's sha256 (or size) is not the expected one; the file was removed."""


class UnsafeArchiveError(ValueError):
    """An archive member would land outside the extraction directory."""


def sha256sum(path: str) -> str:
    """The hex sha256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def is_valid(path: str, sha256: str | None = None, size: int | None = None) -> bool:
    """True if ``path`` exists and matches ``size`` and ``sha256`` where given."""
    if not os.path.isfile(path):
        return False
    if size is not None and os.path.getsize(path) != size:
        return False
    return sha256 is None or sha256sum(path) == sha256.lower()


def _progress_enabled(progress: bool | None) -> bool:
    if progress is not None:
        return progress
    return os.environ.get("TLCORE_PROGRESS", "1").strip().lower() not in {"0", "false", "no", "off"}


class _Transient(Exception):
    """Worth retrying (5xx, connection reset, short body)."""


def _stream_once(session: Any, url: str, part: str, *, timeout: float, progress: bool,
                 label: str) -> None:
    import requests

    have = os.path.getsize(part) if os.path.exists(part) else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        resp = session.get(url, stream=True, headers=headers, timeout=timeout)
    except (requests.ConnectionError, requests.Timeout) as e:
        raise _Transient(f"{type(e).__name__}: {e}") from e
    with contextlib.closing(resp):
        if resp.status_code == 416 and have:  # nothing left to send: .part is complete
            return
        if resp.status_code >= 500:
            raise _Transient(f"HTTP {resp.status_code}")
        if resp.status_code >= 400:
            raise DownloadError(f"HTTP {resp.status_code} for {url}")
        if resp.status_code != 206:  # the server ignored Range: start over
            have = 0
        elif not resp.headers.get("Content-Range", f"bytes {have}-").startswith(f"bytes {have}-"):
            os.remove(part)  # a range other than the one asked for: start over
            raise _Transient(f"server answered Range {have}- with "
                             f"{resp.headers.get('Content-Range')!r}")
        length = resp.headers.get("Content-Length")
        total = have + int(length) if length is not None and length.isdigit() else None
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=total, initial=have, unit="B", unit_scale=True, unit_divisor=1024,
                       desc=label, leave=False)
        try:
            with open(part, "ab" if have else "wb") as f:
                for chunk in resp.iter_content(_CHUNK):
                    f.write(chunk)
                    if bar is not None:
                        bar.update(len(chunk))
        except (requests.ConnectionError, requests.Timeout,
                requests.exceptions.ChunkedEncodingError) as e:
            raise _Transient(f"interrupted after {os.path.getsize(part)} bytes: "
                             f"{type(e).__name__}") from e
        finally:
            if bar is not None:
                bar.close()
        if total is not None and os.path.getsize(part) < total:
            raise _Transient(f"short read: {os.path.getsize(part)} of {total} bytes")


def download_file(urls: str | Sequence[str], dest: str, *, sha256: str | None = None,
                  size: int | None = None, retries: int = 5, backoff: float = 1.0,
                  timeout: float = 60.0, progress: bool | None = None,
                  session: Any = None) -> str:
    """Download the first working mirror of ``urls`` to ``dest`` and verify it.

    Args:
        urls: one URL or mirrors to try in order.
        dest: the final path; it appears only once complete and verified.
        sha256: expected hex digest; a mismatch removes the download and raises
            :class:`ChecksumError` (after trying the other mirrors).
        size: expected number of bytes.
        retries: attempts per mirror for 5xx answers and connection errors; an interrupted
            transfer resumes from ``<dest>.part`` with a ``Range`` request.
        backoff: seconds before the first retry, doubled after each.
        timeout: seconds to wait for the server.
        progress: show a tqdm bar (default: on unless ``TLCORE_PROGRESS=0``).
        session: a ``requests.Session`` (one is created if None).

    Returns:
        ``dest``.
    """
    import requests

    urls = [urls] if isinstance(urls, str) else list(urls)
    if not urls:
        raise ValueError(f"download_file: no URL given for {dest!r}")
    if is_valid(dest, sha256, size):
        logger.info("%s: already present and valid", dest)
        return dest
    if os.path.exists(dest):
        logger.warning("%s exists but does not match its checksum; downloading again", dest)
    os.makedirs(os.path.dirname(os.path.abspath(dest)), exist_ok=True)
    part = f"{dest}.part"
    name = os.path.basename(dest)
    own_session = session is None
    session = session or requests.Session()
    failures: list[str] = []
    checksum_failure: ChecksumError | None = None
    stale_part = os.path.exists(part)  # from an earlier run, resumed but not yet trusted
    try:
        for url in urls:
            for attempt in range(retries):
                try:
                    logger.info("Downloading %s from %s", name, url)
                    _stream_once(session, url, part, timeout=timeout,
                                 progress=_progress_enabled(progress), label=name)
                except _Transient as e:
                    failures.append(f"{url} (attempt {attempt + 1}): {e}")
                    if attempt + 1 < retries:
                        time.sleep(backoff * 2 ** attempt)
                    continue
                except DownloadError as e:
                    failures.append(str(e))
                    break
                got_size = os.path.getsize(part)
                got = sha256sum(part) if sha256 else None
                if (size is not None and got_size != size) or (sha256 and got != sha256.lower()):
                    os.remove(part)  # a wrong file is never kept
                    if stale_part:  # maybe a leftover .part of another version: once more, fresh
                        stale_part = False
                        continue
                    what = (f"expected sha256 {sha256}, got {got}" if sha256 and got != sha256.lower()
                            else f"expected {size} bytes, got {got_size}")
                    checksum_failure = ChecksumError(f"{name} from {url}: {what}; the download "
                                                     f"was deleted")
                    failures.append(str(checksum_failure))
                    break
                os.replace(part, dest)
                return dest
    finally:
        if own_session:
            session.close()
    if checksum_failure is not None:
        if len(failures) == 1:
            raise checksum_failure
        raise ChecksumError(f"could not download a valid {name}: " + "; ".join(failures))
    raise DownloadError(f"could not download {name}: " + "; ".join(failures)
                        + (f". A partial download is kept in {part} and will be resumed"
                           if os.path.exists(part) else ""))


# ----------------------------------------------------------------------------- extraction
def _inside(root: str, path: str) -> bool:
    root = os.path.realpath(root)
    path = os.path.realpath(path)
    return path == root or path.startswith(root + os.sep)


def _check_name(archive: str, member: str) -> None:
    norm = member.replace("\\", "/")
    if norm.startswith("/") or os.path.isabs(member) or (len(norm) > 1 and norm[1] == ":"):
        raise UnsafeArchiveError(f"{archive}: member {member!r} has an absolute path; refusing "
                                 f"to extract the archive")
    if ".." in norm.split("/"):
        raise UnsafeArchiveError(f"{archive}: member {member!r} contains '..'; refusing to "
                                 f"extract the archive")


def _check_tar(archive: str, tf: tarfile.TarFile, target: str) -> list[tarfile.TarInfo]:
    members = tf.getmembers()
    for m in members:
        _check_name(archive, m.name)
        dest = os.path.join(target, m.name)
        if not _inside(target, dest):
            raise UnsafeArchiveError(f"{archive}: member {m.name!r} would be written outside "
                                     f"{target}")
        if m.issym() or m.islnk():
            base = os.path.dirname(dest) if m.issym() else target
            link = m.linkname
            if os.path.isabs(link) or not _inside(target, os.path.join(base, link)):
                kind = "symlink" if m.issym() else "hard link"
                raise UnsafeArchiveError(f"{archive}: member {m.name!r} is a {kind} to {link!r}, "
                                         f"outside the extraction directory; refusing to extract")
        elif not (m.isfile() or m.isdir()):
            raise UnsafeArchiveError(f"{archive}: member {m.name!r} is a device or fifo; refusing "
                                     f"to extract")
    return members


def _check_zip(archive: str, zf: zipfile.ZipFile, target: str) -> None:
    for info in zf.infolist():
        _check_name(archive, info.filename)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise UnsafeArchiveError(f"{archive}: member {info.filename!r} is a symlink; refusing "
                                     f"to extract")
        if not _inside(target, os.path.join(target, info.filename)):
            raise UnsafeArchiveError(f"{archive}: member {info.filename!r} would be written "
                                     f"outside {target}")


def extract_archive(archive: str, target: str | None = None) -> list[str]:
    """Extract a tar (any compression) or zip archive into ``target`` (default: its directory).

    Every member is checked before anything is written; the archive is unpacked into a
    temporary directory inside ``target`` and its top-level entries are then moved into place.

    Returns:
        The top-level names extracted.

    Raises:
        UnsafeArchiveError: a member has an absolute path or ``..``, or is a link leaving
            ``target``; nothing is extracted.
    """
    target = os.path.abspath(target or os.path.dirname(os.path.abspath(archive)))
    os.makedirs(target, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".extract-", dir=target)
    try:
        if tarfile.is_tarfile(archive):
            with tarfile.open(archive) as tf:
                members = _check_tar(archive, tf, target)
                kwargs = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                tf.extractall(tmp, members=members, **kwargs)
        elif zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zf:
                _check_zip(archive, zf, target)
                zf.extractall(tmp)
        else:
            raise ValueError(f"{archive}: not a tar or zip archive")
        names = sorted(os.listdir(tmp))
        for n in names:
            dest = os.path.join(target, n)
            if os.path.isdir(dest) and not os.path.islink(dest):
                shutil.rmtree(dest)
            elif os.path.lexists(dest):
                os.remove(dest)
            os.replace(os.path.join(tmp, n), dest)
        return names
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _marker(path: str) -> str:
    return os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.extracted")


def maybe_download_and_extract(filename: str, working_directory: str, url_source: str | Sequence[str],
                               extract: bool = False, expected_bytes: int | None = None,
                               sha256: str | None = None, *, progress: bool | None = None,
                               retries: int = 5, backoff: float = 1.0) -> str:
    """Download ``url_source + filename`` into ``working_directory`` unless it is already there
    (and valid), then optionally extract it there (TensorLayer's helper).

    Args:
        filename: the file name, appended to each URL prefix.
        working_directory: where the file goes (created if needed).
        url_source: a URL prefix (ending in ``/``) or several mirror prefixes.
        extract: extract a tar/zip archive into ``working_directory`` once (a marker file
            ``.<filename>.extracted`` records a completed extraction).
        expected_bytes: the expected size.
        sha256: the expected hex digest.

    Returns:
        The path of the downloaded file.
    """
    prefixes = [url_source] if isinstance(url_source, str) else list(url_source)
    path = os.path.join(working_directory, filename)
    download_file([p + filename for p in prefixes], path, sha256=sha256, size=expected_bytes,
                  progress=progress, retries=retries, backoff=backoff)
    if extract and not os.path.exists(_marker(path)):
        logger.info("Extracting %s", path)
        extract_archive(path, working_directory)
        open(_marker(path), "w").close()
    return path
