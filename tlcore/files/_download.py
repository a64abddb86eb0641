"""Robust downloads, and the extraction step of dataset archives.

- :func:`download_file` streams with ``requests`` into ``<dest>.part`` (tqdm progress, off with
  ``progress=False`` or ``TLCORE_PROGRESS=0``), retries 5xx answers and connection errors with
  exponential backoff, resumes an interrupted ``.part`` with an HTTP ``Range`` request, tries
  mirrors in order, checks size and sha256, and only then renames the file into place. A file
  already present and valid is returned without any request.
- Without a sha256, a download must prove it is whole: its Content-Length was met, or its
  chunked body ended properly, or (for a body closed without a length) its gzip/zip/tar format
  is complete. An HTML page where data was expected is refused. A record of the size is kept
  beside such a file (see ``_verify``), so that a later call does not trust a damaged file.
- No download waits forever: ``timeout`` bounds every wait for the server, ``deadline`` the
  whole download (default: an hour, more for big files at 50 kB/s).
- :func:`maybe_download_and_extract` is TensorLayer's entry point on top of both; an archive
  whose extraction fails is deleted (when tlcore downloaded it), so the next call fetches it
  again; see ``_archive`` for the extraction checks.
"""
from __future__ import annotations

import contextlib
import logging
import math
import os
import time
from typing import Any, Sequence

from tlcore.files._archive import UnsafeArchiveError, extract_archive
from tlcore.files._verify import (complete_by_format, expects_html, is_valid, looks_like_html,
                                  read_record, remove_download, sha256sum, write_record)

logger = logging.getLogger("tlcore")

_CHUNK = 1 << 16
#: The automatic deadline: at least this long, and long enough for the file at _MIN_RATE.
_DEFAULT_DEADLINE = 3600.0
_MIN_RATE = 50_000.0
_TEXT_SUFFIXES = (".txt", ".csv", ".tsv", ".json", ".xml", ".md")


class DownloadError(OSError):
    """A download failed after all retries and mirrors; the message lists each attempt."""


class ChecksumError(ValueError):
    """A file's sha256 (or size) is not the expected one; the file was removed."""


def _progress_enabled(progress: bool | None) -> bool:
    if progress is not None:
        return progress
    return os.environ.get("TLCORE_PROGRESS", "1").strip().lower() not in {"0", "false", "no", "off"}


def plain_name(what: str, name: Any) -> str:
    """``name`` if it is a single, ordinary path component (it cannot leave its folder)."""
    if not isinstance(name, str) or not name or name in (".", "..") or any(
            c in name for c in ("/", "\\", "\x00")) or os.path.isabs(name) or (
            len(name) > 1 and name[1] == ":"):
        raise ValueError(f"{what} must be a plain file or folder name (no '/', '\\', '..', "
                         f"drive or NUL), received {name!r}")
    return name


class _DeadlineError(DownloadError):
    """The overall deadline passed: not worth retrying."""


class _Transient(Exception):
    """Worth retrying (5xx, connection reset, short body)."""


class _Clock:
    """The overall deadline of one download_file call."""

    def __init__(self, deadline: float | None, size: int | None) -> None:
        self.start = time.monotonic()
        self.auto = deadline is None
        self.seconds = _DEFAULT_DEADLINE if deadline is None else deadline
        if size:
            self.expect(size)

    def expect(self, nbytes: int) -> None:
        if self.auto:
            self.seconds = max(self.seconds, nbytes / _MIN_RATE)

    def left(self) -> float:
        return self.start + self.seconds - time.monotonic()


def _check_url(url: Any) -> str:
    if not isinstance(url, str) or not url.lower().startswith(("http://", "https://")):
        raise DownloadError(f"{url!r} is not an http(s) URL")
    return url


def _open(session: Any, url: str, headers: dict[str, str], timeout: float) -> Any:
    import requests

    try:
        resp = session.get(url, stream=True, headers=headers, timeout=timeout)
    except requests.TooManyRedirects as e:
        raise DownloadError(f"{url}: too many redirects (a redirect loop?)") from e
    except (requests.exceptions.InvalidSchema, requests.exceptions.MissingSchema,
            requests.exceptions.InvalidURL) as e:
        raise DownloadError(f"{url}: redirected to a URL that is not http(s): {e}") from e
    except (requests.ConnectionError, requests.Timeout) as e:
        raise _Transient(f"{type(e).__name__}: {e}") from e
    except requests.RequestException as e:
        raise DownloadError(f"{url}: {type(e).__name__}: {e}") from e
    for hop in [*resp.history, resp]:  # a custom session may have non-HTTP adapters
        if not hop.url.lower().startswith(("http://", "https://")):
            resp.close()
            raise DownloadError(f"{url}: redirected to {hop.url!r}, which is not http(s)")
    return resp


def _stream_once(session: Any, url: str, part: str, *, timeout: float, clock: _Clock,
                 progress: bool, label: str) -> bool:
    """One GET into ``part``; returns whether the transfer's completeness was known (a
    Content-Length or a chunked body)."""
    import urllib3

    have = os.path.getsize(part) if os.path.exists(part) else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    resp = _open(session, url, headers, min(timeout, max(clock.left(), 0.001)))
    with contextlib.closing(resp):
        if resp.status_code == 416 and have:  # nothing left to send: .part is complete
            return True
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
        # Text files are sometimes served as text/html: for them only the body sniff counts.
        if "text/html" in resp.headers.get("Content-Type", "").lower() and not have and \
                not expects_html(label) and not label.lower().endswith(_TEXT_SUFFIXES):
            raise DownloadError(f"{url}: the server sent an HTML page (Content-Type "
                                f"{resp.headers['Content-Type']}), not {label}")
        length = resp.headers.get("Content-Length")
        total = have + int(length) if length is not None and length.isdigit() else None
        chunked = "chunked" in resp.headers.get("Transfer-Encoding", "").lower()
        if total is not None:
            clock.expect(total)
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=total, initial=have, unit="B", unit_scale=True, unit_divisor=1024,
                       desc=label, leave=False)
        got = have
        os.makedirs(os.path.dirname(os.path.abspath(part)), exist_ok=True)  # only now: no
        try:                                                                # empty folders
            with open(part, "ab" if have else "wb") as f:
                first = not have
                while True:
                    if clock.left() <= 0:
                        raise _DeadlineError(
                            f"{url}: {label} was not complete within the deadline of "
                            f"{clock.seconds:g}s ({got} bytes received; a slow or stalled "
                            f"server?). The partial download is kept in {part} and resumes "
                            f"next time; pass deadline= to allow longer")
                    # read1 returns as soon as any bytes arrive, so a server that trickles
                    # bytes cannot keep us past the deadline.
                    chunk = resp.raw.read1(_CHUNK, decode_content=True)
                    if not chunk:
                        break
                    if first and looks_like_html(label, chunk):
                        raise DownloadError(f"{url}: the server sent an HTML page, not {label}")
                    first = False
                    f.write(chunk)
                    got += len(chunk)
                    if bar is not None:
                        bar.update(len(chunk))
        except (urllib3.exceptions.HTTPError, ConnectionError, TimeoutError) as e:
            raise _Transient(f"interrupted after {os.path.getsize(part)} bytes: "
                             f"{type(e).__name__}") from e
        except DownloadError:
            if first:  # an HTML page: nothing of it is kept
                with contextlib.suppress(FileNotFoundError):
                    os.remove(part)
            raise
        finally:
            if bar is not None:
                bar.close()
        if total is not None and os.path.getsize(part) < total:
            raise _Transient(f"short read: {os.path.getsize(part)} of {total} bytes")
        return total is not None or chunked


def _check_args(timeout: float, deadline: float | None, retries: int) -> None:
    for what, value in (("timeout", timeout), ("deadline", deadline)):
        if value is None and what == "deadline":
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                math.isfinite(value) and value > 0):
            raise ValueError(f"download_file: {what} must be a finite number of seconds > 0, "
                             f"received {value!r}")
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 1:
        raise ValueError(f"download_file: retries must be an int >= 1, received {retries!r}")


def download_file(urls: str | Sequence[str], dest: str, *, sha256: str | None = None,
                  size: int | None = None, retries: int = 5, backoff: float = 1.0,
                  timeout: float = 60.0, deadline: float | None = None,
                  progress: bool | None = None, session: Any = None) -> str:
    """Download the first working mirror of ``urls`` to ``dest`` and verify it.

    Args:
        urls: one http(s) URL or mirrors to try in order.
        dest: the final path; it appears only once complete and verified.
        sha256: expected hex digest; a mismatch removes the download and raises
            :class:`ChecksumError` (after trying the other mirrors).
        size: expected number of bytes.
        retries: attempts per mirror for 5xx answers and connection errors; an interrupted
            transfer resumes from ``<dest>.part`` with a ``Range`` request.
        backoff: seconds before the first retry, doubled after each.
        timeout: seconds to wait for the server (connecting, and between bytes).
        deadline: seconds for the whole download, retries included (default: one hour, or
            the time the file takes at 50 kB/s if longer).
        progress: show a tqdm bar (default: on unless ``TLCORE_PROGRESS=0``).
        session: a ``requests.Session`` (one is created if None).

    Returns:
        ``dest``.

    Raises:
        DownloadError: every mirror failed (HTTP errors, redirect loops, redirects to non-HTTP
            URLs, an HTML page instead of data, an incomplete body, the deadline).
        ChecksumError: the downloaded bytes do not match ``sha256``/``size``.
    """
    import requests

    _check_args(timeout, deadline, retries)
    urls = [urls] if isinstance(urls, str) else list(urls)
    if not urls:
        raise ValueError(f"download_file: no URL given for {dest!r}")
    if is_valid(dest, sha256, size):
        logger.info("%s: already present and valid", dest)
        return dest
    if os.path.exists(dest):
        logger.warning("%s exists but is not valid (checksum, size or an incomplete earlier "
                       "download); downloading again", dest)
    part = f"{dest}.part"
    name = os.path.basename(dest)
    clock = _Clock(deadline, size)
    own_session = session is None
    session = session or requests.Session()
    failures: list[str] = []
    checksum_failure: ChecksumError | None = None
    stale_part = os.path.exists(part)  # from an earlier run, resumed but not yet trusted
    try:
        for url in urls:
            for attempt in range(retries):
                if clock.left() <= 0:
                    failures.append(f"the deadline of {clock.seconds:g}s passed")
                    raise DownloadError(f"could not download {name}: " + "; ".join(failures))
                try:
                    _check_url(url)
                    logger.info("Downloading %s from %s", name, url)
                    known = _stream_once(session, url, part, timeout=timeout, clock=clock,
                                         progress=_progress_enabled(progress), label=name)
                except _Transient as e:
                    failures.append(f"{url} (attempt {attempt + 1}): {e}")
                    if attempt + 1 < retries:
                        time.sleep(max(0.0, min(backoff * 2 ** attempt, clock.left())))
                    continue
                except DownloadError as e:
                    failures.append(str(e))
                    if isinstance(e, _DeadlineError):
                        raise DownloadError(f"could not download {name}: "
                                            + "; ".join(failures)) from e
                    break
                if sha256 is None and size is None and not known:
                    whole = complete_by_format(part, name)
                    if whole is not True:
                        os.remove(part)
                        failures.append(
                            f"{url}: the server closed the connection without saying how long "
                            f"{name} is, and " + ("its data ends early" if whole is False else
                                                  "without sha256= or size= there is no way "
                                                  "to tell whether it is complete"))
                        if whole is False and attempt + 1 < retries:
                            continue
                        break
                got_size = os.path.getsize(part)
                got = sha256sum(part) if sha256 else None
                if (size is not None and got_size != size) or (sha256 and got != sha256.lower()):
                    os.remove(part)  # a wrong file is never kept
                    if stale_part:  # maybe a leftover .part of another version: once more, fresh
                        stale_part = False
                        continue
                    bad_sum = sha256 is not None and got != sha256.lower()
                    what = (f"expected sha256 {sha256}, got {got}" if bad_sum
                            else f"expected {size} bytes, got {got_size}")
                    checksum_failure = ChecksumError(f"{name} from {url}: {what}; the download "
                                                     f"was deleted")
                    failures.append(str(checksum_failure))
                    break
                if sha256 is None:  # before the rename: a crash leaves no trusted file
                    write_record(dest, part, url)
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


def marker(path: str) -> str:
    """The file recording that archive ``path`` was extracted."""
    return os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.extracted")


def extract_once(path: str, folder: str) -> None:
    """Extract archive ``path`` into ``folder`` unless its marker says it was; an archive
    tlcore downloaded without a sha256 that cannot be extracted safely is deleted, so that it
    is fetched again (a file the user placed, or one matching its published sha256, stays)."""
    if os.path.exists(marker(path)):
        return
    logger.info("Extracting %s", path)
    try:
        extract_archive(path, folder)
    except (UnsafeArchiveError, ValueError) as e:
        if read_record(path) is None:
            raise
        remove_download(path)
        raise type(e)(f"{e}; the downloaded archive was deleted and will be downloaded again "
                      f"next time") from e
    with open(marker(path), "w"):
        pass


def maybe_download_and_extract(filename: str, working_directory: str,
                               url_source: str | Sequence[str], extract: bool = False,
                               expected_bytes: int | None = None, sha256: str | None = None, *,
                               progress: bool | None = None, retries: int = 5,
                               backoff: float = 1.0, timeout: float = 60.0,
                               deadline: float | None = None) -> str:
    """Download ``url_source + filename`` into ``working_directory`` unless it is already there
    (and valid), then optionally extract it there (TensorLayer's helper).

    Args:
        filename: the file name (a plain name), appended to each URL prefix.
        working_directory: where the file goes (created if needed).
        url_source: a URL prefix (ending in ``/``) or several mirror prefixes.
        extract: extract a tar/zip archive into ``working_directory`` once (a marker file
            ``.<filename>.extracted`` records a completed extraction).
        expected_bytes: the expected size.
        sha256: the expected hex digest.
        timeout, deadline: as in :func:`download_file`.

    Returns:
        The path of the downloaded file.
    """
    plain_name("maybe_download_and_extract: filename", filename)
    prefixes = [url_source] if isinstance(url_source, str) else list(url_source)
    path = os.path.join(working_directory, filename)
    if not is_valid(path, sha256, expected_bytes):
        with contextlib.suppress(FileNotFoundError):
            os.remove(marker(path))  # a new archive must be extracted again
    download_file([p + filename for p in prefixes], path, sha256=sha256, size=expected_bytes,
                  progress=progress, retries=retries, backoff=backoff, timeout=timeout,
                  deadline=deadline)
    if extract:
        extract_once(path, working_directory)
    return path


__all__ = ["ChecksumError", "DownloadError", "UnsafeArchiveError", "download_file",
           "extract_archive", "is_valid", "maybe_download_and_extract", "sha256sum"]
