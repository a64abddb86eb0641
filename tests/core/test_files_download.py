"""Tests for tlcore/files/_download.py and _datasets.py against a local HTTP server on
127.0.0.1 that the tests start: retries, resume, checksums, mirrors, safe extraction."""
from __future__ import annotations

import hashlib
import io
import os
import socket
import tarfile
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

import tlcore as tl
from tlcore.files import ChecksumError, DatasetSpec, RemoteFile, UnsafeArchiveError


class FileServer:
    """Serves ``files`` (url path -> bytes) with Range support; ``plans[path]`` is a list of
    one-shot misbehaviours ("500", "cut") applied to the next requests of that path."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.plans: dict[str, list[str]] = {}
        self.requests: list[tuple[str, str | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_GET(self):
                rng = self.headers.get("Range")
                server.requests.append((self.path, rng))
                body = server.files.get(self.path)
                plan = server.plans.get(self.path) or []
                action = plan.pop(0) if plan else None
                if action == "500":
                    self.send_error(500, "flaky")
                    return
                if body is None:
                    self.send_error(404)
                    return
                start = int(rng.split("=")[1].split("-")[0]) if rng else 0
                self.send_response(206 if rng else 200)
                if rng:
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                self.send_header("Content-Length", str(len(body) - start))
                self.end_headers()
                if action == "cut":  # send 40% of the bytes, then drop the connection
                    self.wfile.write(body[start:start + (len(body) - start) * 2 // 5])
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.wfile.write(body[start:])

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    srv = FileServer()
    yield srv
    srv.close()


@pytest.fixture(autouse=True)
def _quiet(monkeypatch):
    monkeypatch.setenv("TLCORE_PROGRESS", "0")


def payload(n: int = 300_000, seed: int = 0) -> bytes:
    return np.random.default_rng(seed).integers(0, 256, n, dtype=np.uint8).tobytes()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def spec_for(server, name="blob.bin", data=b"", **kw) -> DatasetSpec:
    return DatasetSpec("toy", [RemoteFile(name, urls=[f"{server.url}/{name}"], sha256=sha(data),
                                          size=len(data), **kw)])


def listing(folder) -> list[str]:
    return sorted(os.listdir(folder))


# ---------------------------------------------------------------------------------- fetch
def test_success_verified_and_atomic(server, tmp_path):
    data = payload()
    server.files["/blob.bin"] = data
    folder = tl.files.fetch(spec_for(server, data=data), tmp_path, backoff=0.01)
    assert folder == str(tmp_path / "toy")
    assert (tmp_path / "toy" / "blob.bin").read_bytes() == data
    assert listing(folder) == ["blob.bin"]  # no .part left
    assert len(server.requests) == 1


def test_checksum_mismatch_rejected_not_kept(server, tmp_path):
    data = payload()
    server.files["/blob.bin"] = payload(seed=1)  # the server sends other bytes
    spec = spec_for(server, data=data)
    with pytest.raises(ChecksumError, match=rf"blob\.bin.*expected sha256 {sha(data)}, got "
                                            rf"{sha(server.files['/blob.bin'])}"):
        tl.files.fetch(spec, tmp_path, backoff=0.01)
    assert listing(tmp_path / "toy") == []


def test_500_then_success_retries(server, tmp_path):
    data = payload()
    server.files["/blob.bin"] = data
    server.plans["/blob.bin"] = ["500"]
    tl.files.fetch(spec_for(server, data=data), tmp_path, retries=3, backoff=0.01)
    assert (tmp_path / "toy" / "blob.bin").read_bytes() == data
    assert len(server.requests) == 2


def test_persistent_500_gives_up_naming_attempts(server, tmp_path):
    data = payload(1000)
    server.files["/blob.bin"] = data
    server.plans["/blob.bin"] = ["500"] * 3
    with pytest.raises(tl.files.DownloadError, match=r"blob\.bin.*attempt 3\): HTTP 500"):
        tl.files.fetch(spec_for(server, data=data), tmp_path, retries=3, backoff=0.01)
    assert len(server.requests) == 3
    assert not (tmp_path / "toy" / "blob.bin").exists()


def test_connection_cut_resumes_with_range(server, tmp_path):
    data = payload()
    server.files["/blob.bin"] = data
    server.plans["/blob.bin"] = ["cut"]
    tl.files.fetch(spec_for(server, data=data), tmp_path, retries=3, backoff=0.01)
    assert (tmp_path / "toy" / "blob.bin").read_bytes() == data
    assert len(server.requests) == 2
    first, second = server.requests
    assert first[1] is None
    start = int(second[1].removeprefix("bytes=").rstrip("-"))
    assert 0 < start < len(data)  # resumed where it stopped, not from scratch
    assert listing(tmp_path / "toy") == ["blob.bin"]


def test_stale_part_from_another_version_is_discarded(server, tmp_path):
    data = payload(50_000)
    server.files["/blob.bin"] = data
    (tmp_path / "toy").mkdir()
    (tmp_path / "toy" / "blob.bin.part").write_bytes(payload(20_000, seed=7))
    tl.files.fetch(spec_for(server, data=data), tmp_path, backoff=0.01)
    assert (tmp_path / "toy" / "blob.bin").read_bytes() == data
    assert [r[1] for r in server.requests] == ["bytes=20000-", None]  # resumed, failed, fresh
    assert listing(tmp_path / "toy") == ["blob.bin"]


def test_present_and_valid_file_makes_no_request(server, tmp_path):
    data = payload(5000)
    (tmp_path / "toy").mkdir()
    (tmp_path / "toy" / "blob.bin").write_bytes(data)
    tl.files.fetch(spec_for(server, data=data), tmp_path)
    assert server.requests == []


def test_present_but_corrupt_file_is_downloaded_again(server, tmp_path):
    data = payload(5000)
    server.files["/blob.bin"] = data
    (tmp_path / "toy").mkdir()
    (tmp_path / "toy" / "blob.bin").write_bytes(data[:-1] + b"x")
    tl.files.fetch(spec_for(server, data=data), tmp_path, backoff=0.01)
    assert (tmp_path / "toy" / "blob.bin").read_bytes() == data
    assert len(server.requests) == 1


def test_mirror_fallback_after_404(server, tmp_path):
    data = payload(2000)
    server.files["/mirror2/blob.bin"] = data
    spec = DatasetSpec("toy", [RemoteFile("blob.bin", urls=[f"{server.url}/gone/blob.bin",
                                                            f"{server.url}/mirror2/blob.bin"],
                                          sha256=sha(data))])
    tl.files.fetch(spec, tmp_path, backoff=0.01)
    assert (tmp_path / "toy" / "blob.bin").read_bytes() == data
    assert [r[0] for r in server.requests] == ["/gone/blob.bin", "/mirror2/blob.bin"]


def test_data_dir_resolution(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("TLCORE_DATA_DIR", raising=False)
    assert tl.files.get_data_dir(create=False) == str(tmp_path / "cache" / "tlcore")
    assert not (tmp_path / "cache").exists()
    assert tl.files.get_data_dir() == str(tmp_path / "cache" / "tlcore")
    monkeypatch.setenv("TLCORE_DATA_DIR", str(tmp_path / "env"))
    assert tl.files.get_data_dir() == str(tmp_path / "env")
    assert tl.files.get_data_dir(tmp_path / "arg") == str(tmp_path / "arg")
    assert (tmp_path / "arg").is_dir()


def test_remote_file_needs_a_url():
    with pytest.raises(ValueError, match="'x'.*at least one URL"):
        RemoteFile("x", urls=[])


# -------------------------------------------------------------------------------- archives
def make_tar(entries) -> bytes:
    """entries: (name, data or None, kind, linkname) with kind in file/sym/hard."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, data, kind, link in entries:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
            else:
                info.type = tarfile.SYMTYPE if kind == "sym" else tarfile.LNKTYPE
                info.linkname = link
                tf.addfile(info)
    return buf.getvalue()


def test_maybe_download_and_extract_good_tar_once(server, tmp_path):
    data = make_tar([("pkg/a.txt", b"hello", "file", None), ("pkg/link", None, "sym", "a.txt")])
    server.files["/d/pkg.tar.gz"] = data
    work = tmp_path / "work"
    path = tl.files.maybe_download_and_extract("pkg.tar.gz", str(work), f"{server.url}/d/",
                                               extract=True, expected_bytes=len(data),
                                               sha256=sha(data), backoff=0.01)
    assert path == str(work / "pkg.tar.gz")
    assert (work / "pkg" / "a.txt").read_bytes() == b"hello"
    assert os.readlink(work / "pkg" / "link") == "a.txt"
    tl.files.maybe_download_and_extract("pkg.tar.gz", str(work), f"{server.url}/d/", extract=True,
                                        sha256=sha(data))
    assert len(server.requests) == 1  # present and valid: no second request


@pytest.mark.parametrize("entries, member", [
    ([("ok.txt", b"1", "file", None), ("../evil.txt", b"x", "file", None)], "../evil.txt"),
    ([("ok.txt", b"1", "file", None), ("/tmp/abs.txt", b"x", "file", None)], "/tmp/abs.txt"),
    ([("ok.txt", b"1", "file", None), ("esc", None, "sym", "../../outside")], "esc"),
    ([("ok.txt", b"1", "file", None), ("abs", None, "sym", "/etc/passwd")], "abs"),
    ([("ok.txt", b"1", "file", None), ("hard", None, "hard", "../outside")], "hard"),
], ids=["dotdot", "absolute", "symlink-out", "symlink-abs", "hardlink-out"])
def test_unsafe_tar_refused_and_nothing_extracted(tmp_path, entries, member):
    target = tmp_path / "target"
    target.mkdir()
    archive = tmp_path / "bad.tar.gz"
    archive.write_bytes(make_tar(entries))
    with pytest.raises(UnsafeArchiveError, match=rf"bad\.tar\.gz: member {member!r}"):
        tl.files.extract_archive(str(archive), str(target))
    assert listing(target) == []  # not even ok.txt
    assert listing(tmp_path) == ["bad.tar.gz", "target"]


def test_unsafe_tar_from_server_refused(server, tmp_path):
    data = make_tar([("../evil.txt", b"x", "file", None)])
    server.files["/evil.tar.gz"] = data
    work = tmp_path / "work"
    with pytest.raises(UnsafeArchiveError, match="'../evil.txt'"):
        tl.files.maybe_download_and_extract("evil.tar.gz", str(work), f"{server.url}/",
                                            extract=True, backoff=0.01)
    assert not (tmp_path / "evil.txt").exists()
    # Downloaded without a sha256 and unsafe: deleted (with its record), so the next call
    # downloads it again; no extraction marker, nothing reported done.
    assert listing(work) == []


def test_unsafe_zip_refused(tmp_path):
    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("ok.txt", "1")
        zf.writestr("../evil.txt", "x")
    target = tmp_path / "t"
    with pytest.raises(UnsafeArchiveError, match="member '../evil.txt'"):
        tl.files.extract_archive(str(archive), str(target))
    assert listing(target) == []


def test_zip_extracts(tmp_path):
    archive = tmp_path / "good.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("d/x.txt", "1")
    assert tl.files.extract_archive(str(archive)) == ["d"]
    assert (tmp_path / "d" / "x.txt").read_text() == "1"


def test_fetch_passes_timeout_and_deadline_on(server, tmp_path):
    data = payload(2000)
    server.files["/blob.bin"] = data
    with pytest.raises(ValueError, match="deadline must be a finite number of seconds > 0"):
        tl.files.fetch(spec_for(server, data=data), tmp_path, deadline=-1)
    assert server.requests == [] and not (tmp_path / "toy").exists()  # nothing created
    tl.files.fetch(spec_for(server, data=data), tmp_path, timeout=5, deadline=30)
    assert (tmp_path / "toy" / "blob.bin").read_bytes() == data
