"""Hostile and broken servers (a local HTTP server on 127.0.0.1) and hostile names: every case
raises the exact error, leaves no final file, and writes nothing outside its folder."""
from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import math
import os
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import tlcore as tl
from tlcore.files import DatasetSpec, DownloadError, RemoteFile

from tests.security.conftest import make_tar, tree

BODY = os.urandom(40_000)


class Server:
    """``routes[path]`` is a function ``(handler) -> None`` that answers the request."""

    def __init__(self) -> None:
        self.routes: dict = {}
        self.hits: list[str] = []
        srv = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                srv.hits.append(self.path)
                route = srv.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                else:
                    route(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02},
                         daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def _server():
    s = Server()
    yield s
    s.close()


@pytest.fixture
def srv(_server):
    _server.routes.clear()
    _server.hits.clear()
    return _server


def send(body: bytes, *, length: bool = True, ctype: str = "application/octet-stream",
         cut: int | None = None):
    """A route: 200 with ``body`` (cut to ``cut`` bytes), with or without Content-Length
    (without it, HTTP/1.0 ends the body by closing the connection)."""
    def route(h):
        h.send_response(200)
        h.send_header("Content-Type", ctype)
        if length:
            h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body[:cut])
    return route


def redirect(location: str):
    def route(h):
        h.send_response(302)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()
    return route


def trickle(h):
    h.send_response(200)
    h.send_header("Content-Length", "100000")
    h.end_headers()
    for _ in range(100):  # one byte every 50 ms: never idle long enough for a read timeout
        try:
            h.wfile.write(b"x")
            h.wfile.flush()
        except OSError:
            return
        time.sleep(0.05)


def stall(h):
    h.send_response(200)
    h.send_header("Content-Length", "100")
    h.end_headers()
    time.sleep(1.5)


@pytest.fixture
def work(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "outside.txt").write_text("sentinel")
    return tmp_path


def dl(srv, work, name, **kw):
    kw.setdefault("backoff", 0.01)
    kw.setdefault("retries", 2)
    return tl.files.download_file(f"{srv.url}/{name}", str(work / "data" / name), **kw)


# ------------------------------------------------------------------ incomplete bodies
def _archive_bytes(suffix: str) -> bytes:
    raw = os.urandom(60_000)
    if suffix in (".gz", ".tgz"):
        return gzip.compress(raw)
    if suffix == ".bz2":
        return bz2.compress(raw)
    if suffix == ".xz":
        return lzma.compress(raw)
    buf = io.BytesIO()
    if suffix in (".zip", ".npz"):
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("a.npy" if suffix == ".npz" else "a", raw)
        return buf.getvalue()
    import tarfile

    with tarfile.open(fileobj=buf, mode="w") as tf:
        info = tarfile.TarInfo("a")
        info.size = len(raw)
        tf.addfile(info, io.BytesIO(raw))
    return buf.getvalue()


FORMATS = [".gz", ".tgz", ".bz2", ".xz", ".zip", ".npz", ".tar"]


@pytest.mark.parametrize("suffix", FORMATS)
def test_cut_body_without_length_is_not_kept(srv, work, suffix):
    body = _archive_bytes(suffix)
    srv.routes[f"/f{suffix}"] = send(body, length=False, cut=len(body) // 2)
    before = tree(work)
    with pytest.raises(DownloadError, match=rf"f\{suffix}.*without saying how long.*ends early"):
        dl(srv, work, f"f{suffix}")
    assert tree(work) == before
    assert len(srv.hits) == 2  # retried, then gave up


@pytest.mark.parametrize("suffix", FORMATS)
def test_whole_body_without_length_is_accepted_when_its_format_proves_it(srv, work, suffix):
    body = _archive_bytes(suffix)
    srv.routes[f"/f{suffix}"] = send(body, length=False)
    dl(srv, work, f"f{suffix}")
    assert (work / "data" / f"f{suffix}").read_bytes() == body


def test_unknown_format_without_length_or_checksum_is_refused(srv, work):
    srv.routes["/f.bin"] = send(BODY, length=False)
    before = tree(work)
    with pytest.raises(DownloadError, match=r"no way to tell whether it is complete"):
        dl(srv, work, "f.bin")
    assert tree(work) == before
    dl(srv, work, "f.bin", size=len(BODY))  # with an expected size it is fine
    assert (work / "data" / "f.bin").read_bytes() == BODY


@pytest.mark.parametrize("name, ctype, body", [
    ("f.tar.gz", "text/html; charset=utf-8", b"<html><body>404 Not Found</body></html>"),
    ("f.bin", "text/html", b"<!DOCTYPE html><html>Service unavailable</html>"),
    ("f.npz", "application/octet-stream", b"<!doctype html>\n<html><p>login</p></html>"),
    ("f.txt", "text/plain", b"  \n<html><head><title>Error</title></head></html>"),
], ids=["tgz-typed", "bin-typed", "npz-sniffed", "txt-sniffed"])
@pytest.mark.parametrize("sha", [False, True], ids=["no-sha", "sha"])
def test_html_error_page_never_becomes_the_file(srv, work, name, ctype, body, sha):
    srv.routes[f"/{name}"] = send(body, ctype=ctype)
    before = tree(work)
    with pytest.raises(DownloadError, match=rf"sent an HTML page.*{name}"):
        dl(srv, work, name, sha256="ab" * 32 if sha else None)
    assert tree(work) == before


def test_text_file_served_as_text_html_is_fine(srv, work):
    srv.routes["/words.txt"] = send(b"the quick brown fox", ctype="text/html")
    dl(srv, work, "words.txt")
    assert (work / "data" / "words.txt").read_bytes() == b"the quick brown fox"


def test_html_file_is_not_mistaken_for_an_error_page(srv, work):
    srv.routes["/page.html"] = send(b"<html>fine</html>", ctype="text/html")
    dl(srv, work, "page.html")
    assert (work / "data" / "page.html").read_bytes() == b"<html>fine</html>"


# ---------------------------------------------------- present and valid, later
@pytest.mark.parametrize("damage", ["truncate", "grow", "garbage-record", "record-not-object"])
def test_damaged_earlier_download_is_downloaded_again(srv, work, damage):
    srv.routes["/f.bin"] = send(BODY)
    dest = work / "data" / "f.bin"
    dl(srv, work, "f.bin")
    record = work / "data" / ".f.bin.download"
    assert json.loads(record.read_text())["size"] == len(BODY)
    if damage == "truncate":
        dest.write_bytes(BODY[:1000])
    elif damage == "grow":
        dest.write_bytes(BODY + b"x")
    elif damage == "garbage-record":
        record.write_text("{not json")
    else:
        record.write_text("[1, 2]")
    dl(srv, work, "f.bin")
    assert dest.read_bytes() == BODY
    assert len(srv.hits) == 2


@pytest.mark.parametrize("content", [b"<html>503</html>", gzip.compress(BODY)[:500]],
                         ids=["html-page", "truncated-gzip"])
def test_broken_file_left_by_an_older_version_is_not_trusted(srv, work, content):
    good = gzip.compress(BODY)
    srv.routes["/f.gz"] = send(good)
    (work / "data" / "f.gz").write_bytes(content)  # no record, no expected checksum
    dl(srv, work, "f.gz")
    assert (work / "data" / "f.gz").read_bytes() == good
    assert srv.hits == ["/f.gz"]


def test_intact_user_file_without_record_is_used_as_is(srv, work):
    (work / "data" / "f.gz").write_bytes(gzip.compress(BODY))
    dl(srv, work, "f.gz")
    assert srv.hits == []


def test_archive_whose_extraction_failed_is_downloaded_again(srv, work):
    broken = make_tar(work / "good.tar.gz", [("pkg/a.txt", "file", b"1")])
    good = open(broken, "rb").read()
    os.remove(broken)
    srv.routes["/pkg.tar.gz"] = send(b"\x1f\x8b\x08\x00" + os.urandom(300))  # corrupt, typed ok
    target = work / "data"
    with pytest.raises(ValueError, match="not a tar or zip.*will be downloaded again"):
        tl.files.maybe_download_and_extract("pkg.tar.gz", str(target), f"{srv.url}/",
                                            extract=True, backoff=0.01, retries=1)
    assert tree(target) == {}
    srv.routes["/pkg.tar.gz"] = send(make_tar_bytes_bad_member())
    with pytest.raises(tl.files.UnsafeArchiveError, match="will be downloaded again"):
        tl.files.maybe_download_and_extract("pkg.tar.gz", str(target), f"{srv.url}/",
                                            extract=True, backoff=0.01, retries=1)
    assert tree(target) == {}  # deleted with its record, no marker
    srv.routes["/pkg.tar.gz"] = send(good)
    tl.files.maybe_download_and_extract("pkg.tar.gz", str(target), f"{srv.url}/", extract=True,
                                        backoff=0.01)
    assert (target / "pkg" / "a.txt").read_bytes() == b"1"
    assert (target / ".pkg.tar.gz.extracted").exists()


def make_tar_bytes_bad_member() -> bytes:
    buf = io.BytesIO()
    import tarfile

    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        info = tarfile.TarInfo("../evil.txt")
        info.size = 1
        tf.addfile(info, io.BytesIO(b"x"))
    return buf.getvalue()


def test_user_placed_archive_that_fails_is_kept(work):
    (work / "data" / "pkg.tar.gz").write_bytes(make_tar_bytes_bad_member())
    before = tree(work)
    with pytest.raises(tl.files.UnsafeArchiveError, match="'../evil.txt'"):
        tl.files.maybe_download_and_extract("pkg.tar.gz", str(work / "data"),
                                            "http://127.0.0.1:9/", extract=True)
    assert tree(work) == before  # the user's file is not deleted


# ------------------------------------------------------------------- slow servers
def test_trickling_server_hits_the_deadline(srv, work):
    srv.routes["/slow.bin"] = trickle
    start = time.monotonic()
    with pytest.raises(DownloadError, match=r"slow\.bin.*deadline of 0.4s"):
        dl(srv, work, "slow.bin", deadline=0.4, timeout=5)
    assert time.monotonic() - start < 3
    assert not (work / "data" / "slow.bin").exists()


def test_deadline_also_bounds_the_retries(srv, work):
    srv.routes["/stall.bin"] = stall
    start = time.monotonic()
    with pytest.raises(DownloadError, match=r"stall\.bin.*the deadline of 0.3s passed"):
        dl(srv, work, "stall.bin", timeout=0.2, retries=50, deadline=0.3)
    assert time.monotonic() - start < 3
    assert not (work / "data" / "stall.bin").exists()


def test_stalled_server_times_out(srv, work):
    srv.routes["/stall.bin"] = stall
    with pytest.raises(DownloadError, match=r"stall\.bin.*attempt 2\).*(Timeout|timed out)"):
        dl(srv, work, "stall.bin", timeout=0.2, retries=2)
    assert not (work / "data" / "stall.bin").exists()


@pytest.mark.parametrize("kw", [{"timeout": 0}, {"timeout": -1}, {"timeout": math.nan},
                                {"timeout": math.inf}, {"timeout": "5"}, {"deadline": 0},
                                {"deadline": -3}, {"deadline": math.inf}, {"retries": 0},
                                {"retries": True}],
                         ids=lambda kw: "-".join(f"{k}={v}" for k, v in kw.items()))
def test_bad_timeouts_rejected_before_any_request(srv, work, kw):
    before = tree(work)
    with pytest.raises(ValueError, match=rf"download_file: {list(kw)[0]} must be"):
        dl(srv, work, "f.bin", **kw)
    assert tree(work) == before and srv.hits == []


# --------------------------------------------------------------------- redirects, URLs
@pytest.mark.parametrize("location, message", [
    ("/loop-b", "too many redirects"),
    ("file:///etc/passwd", "not http"),
    ("ftp://127.0.0.1/f.bin", "not http"),
    ("gopher://127.0.0.1/x", "not http"),
], ids=["loop", "file", "ftp", "gopher"])
def test_bad_redirects_name_the_url(srv, work, location, message):
    srv.routes["/loop-a"] = redirect(location)
    srv.routes["/loop-b"] = redirect("/loop-a")
    before = tree(work)
    with pytest.raises(DownloadError, match=rf"{srv.url}/loop-a.*{message}"):
        tl.files.download_file(f"{srv.url}/loop-a", str(work / "data" / "f.bin"), backoff=0.01)
    assert tree(work) == before


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "/etc/passwd",
                                 "javascript:alert(1)"])
def test_non_http_urls_refused(work, url):
    before = tree(work)
    with pytest.raises(DownloadError, match="is not an http"):
        tl.files.download_file(url, str(work / "data" / "f.bin"), backoff=0.01)
    assert tree(work) == before


# ------------------------------------------------------------------------ hostile names
BAD_NAMES = ["../escape.bin", "/etc/passwd", "a/b.bin", "..", ".", "", "a\\..\\b", "C:evil",
             "x\x00y"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_filename_cannot_leave_the_folder(srv, work, name):
    before = tree(work)
    with pytest.raises(ValueError, match="filename must be a plain file or folder name"):
        tl.files.maybe_download_and_extract(name, str(work / "data"), f"{srv.url}/")
    with pytest.raises(ValueError, match="RemoteFile filename must be a plain"):
        RemoteFile(name, urls=[f"{srv.url}/x"])
    assert tree(work) == before and srv.hits == []


@pytest.mark.parametrize("name", BAD_NAMES + [None, 3])
def test_dataset_name_cannot_leave_the_data_dir(name):
    with pytest.raises(ValueError, match="DatasetSpec name must be a plain"):
        DatasetSpec(name, [])


@pytest.mark.parametrize("how", ["env", "path"])
def test_data_dir_that_is_a_file(work, monkeypatch, how):
    afile = work / "outside.txt"
    spec = DatasetSpec("toy", [RemoteFile("f.bin", urls=["http://127.0.0.1:9/f.bin"])])
    if how == "env":
        monkeypatch.setenv("TLCORE_DATA_DIR", str(afile))
    before = tree(work)
    with pytest.raises(NotADirectoryError,
                       match=rf"{afile}.*\(from {'[$]TLCORE_DATA_DIR' if how == 'env' else 'path'}"
                             rf"\) is a file"):
        tl.files.fetch(spec, None if how == "env" else str(afile))
    assert tree(work) == before
