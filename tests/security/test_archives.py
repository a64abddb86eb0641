"""Hostile archives: every case raises the exact error, extracts nothing into the target, and
writes nothing outside it (the whole tmp_path tree is compared before and after)."""
from __future__ import annotations

import os
import tarfile
import zipfile

import pytest

import tlcore as tl
from tlcore.files import UnsafeArchiveError
from tlcore.files import _archive

from tests.security.conftest import make_tar, make_zip, tree

OK = ("ok.txt", "file", b"fine")


def chain(depth: int, reported_order: bool = True) -> list[tuple]:
    """The reported hole: ``a -> l<depth>/etc``, ..., ``l2 -> l1/..``, ``l1 -> .``, each listed
    before the link it uses: when each is created the next does not exist yet, so each looks
    inside the target (tarfile's own "data" filter passes them all), but once all exist ``a``
    climbs ``depth - 1`` levels up."""
    entries: list[tuple] = [("l1", "sym", ".")]
    entries += [(f"l{i}", "sym", f"l{i - 1}/..") for i in range(2, depth + 1)]
    entries += [("a", "sym", f"l{depth}/etc")]
    return entries[::-1] if reported_order else entries


TAR_CASES = {
    "chain-8": chain(8),
    "chain-3": chain(3),
    "chain-8-links-first": chain(8, reported_order=False),
    "chain-then-file-through-it": chain(4) + [("a/passwd", "file", b"x")],
    "dotdot": [("../evil.txt", "file", b"x")],
    "dotdot-nested": [("d/../../evil.txt", "file", b"x")],
    "dotdot-backslash": [("d\\..\\..\\evil.txt", "file", b"x")],
    "absolute": [("/tmp/abs.txt", "file", b"x")],
    "drive-letter": [("C:/evil.txt", "file", b"x")],
    "symlink-abs": [("abs", "sym", "/etc/passwd")],
    "symlink-up": [("esc", "sym", "../outside")],
    "symlink-deep-up": [("d", "dir"), ("d/esc", "sym", "../../outside")],
    "symlink-dotdot-from-dir": [("d", "dir"), ("d/up", "sym", ".."), ("d/up2", "sym", "up/..")],
    "symlink-loop": [("x", "sym", "y"), ("y", "sym", "x")],
    "symlink-self": [("x", "sym", "x/x")],
    "symlink-empty": [("x", "sym", "")],
    "dir-symlink-then-file": [("d", "sym", "."), ("d/f.txt", "file", b"x")],
    "file-over-symlink": [("t", "dir"), ("f", "sym", "t"), ("f", "file", b"x")],
    "hard-up": [("hard", "hard", "../outside")],
    "hard-abs": [("hard", "hard", "/etc/passwd")],
    "hard-through-symlink": [("esc", "sym", "l2/.."), ("l2", "sym", ".."),
                             ("hard", "hard", "esc/x")],
    "fifo": [("pipe", "fifo")],
    "char-device": [("dev", "chr")],
}


@pytest.fixture
def place(tmp_path):
    """tmp_path/target (with a user file), tmp_path/outside (a sentinel), tmp_path/src."""
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "mine.txt").write_text("user data")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "etc").mkdir()
    (tmp_path / "src").mkdir()
    return tmp_path


@pytest.mark.parametrize("entries", TAR_CASES.values(), ids=TAR_CASES.keys())
@pytest.mark.parametrize("compression", ["w:gz", "w"], ids=["tgz", "tar"])
def test_hostile_tar_refused_nothing_written(place, entries, compression):
    archive = make_tar(place / "src" / "bad.tar", [OK, *entries], compression)
    before = tree(place)
    with pytest.raises(UnsafeArchiveError, match=r"bad\.tar: member .*refusing to extract"):
        tl.files.extract_archive(archive, str(place / "target"))
    assert tree(place) == before  # not even ok.txt; no temporary folder left


def test_chain_never_resolves_outside_even_past_the_member_checks(place, monkeypatch):
    # The second line of defence: with the member checks switched off, the on-disk check after
    # extraction still refuses, before anything is moved into the target (tarfile's "data"
    # filter, still on, lets this order of links through).
    monkeypatch.setattr(_archive, "_check_tar", lambda archive, tf, **kw: tf.getmembers())
    archive = make_tar(place / "src" / "bad.tar.gz", [OK, *chain(8)])
    before = tree(place)
    with pytest.raises(UnsafeArchiveError, match=r"resolves outside the extraction directory"):
        tl.files.extract_archive(archive, str(place / "target"))
    assert tree(place) == before
    assert not os.path.lexists(place / "target" / "a")


def test_safe_links_inside_still_extract(place):
    archive = make_tar(place / "src" / "good.tar.gz", [
        ("pkg", "dir"), ("pkg/data.txt", "file", b"1"), ("pkg/link", "sym", "data.txt"),
        ("pkg/sub", "dir"), ("pkg/sub/up", "sym", "../data.txt"),
        ("pkg/hard", "hard", "pkg/data.txt")])
    assert tl.files.extract_archive(archive, str(place / "target")) == ["pkg"]
    assert (place / "target" / "pkg" / "sub" / "up").read_bytes() == b"1"
    assert (place / "target" / "pkg" / "hard").read_bytes() == b"1"
    assert (place / "target" / "mine.txt").read_text() == "user data"


ZIP_CASES = {
    "dotdot": [("../evil.txt", b"x")],
    "absolute": [("/tmp/evil.txt", b"x")],
    "backslash-dotdot": [("..\\evil.txt", b"x")],
    "drive-letter": [("C:\\evil.txt", b"x")],
    "symlink": [("link", b"/etc/passwd", 0o120777)],
    "symlink-inside": [("link", b"ok.txt", 0o120777)],
    "fifo": [("pipe", b"", 0o010644)],
    "dotdot-nested": [("d/../../evil.txt", b"x")],
}


@pytest.mark.parametrize("entries", ZIP_CASES.values(), ids=ZIP_CASES.keys())
def test_hostile_zip_refused_nothing_written(place, entries):
    archive = make_zip(place / "src" / "bad.zip", [("ok.txt", b"fine"), *entries])
    before = tree(place)
    with pytest.raises(UnsafeArchiveError, match=r"bad\.zip: member .*refusing to extract"):
        tl.files.extract_archive(archive, str(place / "target"))
    assert tree(place) == before


def _many(n):
    return [(f"f{i}", "file", b"x") for i in range(n)]


BOUND_CASES = {
    "tar-members": ("tar", _many(6), {"max_members": 5}, r"more than 5 members"),
    "tar-bytes": ("tar", [("big", "file", b"z" * 5000)], {"max_bytes": 4096},
                  r"5000 bytes, more than max_bytes=4096"),
    "tar-ratio": ("tar", [("zeros", "file", b"\0" * 400_000)], {"max_ratio": 10},
                  r"ratio above max_ratio=10"),
    "zip-members": ("zip", [(f"f{i}", b"x") for i in range(6)], {"max_members": 5},
                    r"more than 5 members"),
    "zip-bytes": ("zip", [("big", b"z" * 5000)], {"max_bytes": 4096},
                  r"more than max_bytes=4096"),
    "zip-ratio": ("zip", [("zeros", b"\0" * 400_000)], {"max_ratio": 10},
                  r"ratio above max_ratio=10"),
}


@pytest.mark.parametrize("kind, entries, bounds, message", BOUND_CASES.values(),
                         ids=BOUND_CASES.keys())
def test_extraction_bounds(place, monkeypatch, kind, entries, bounds, message):
    monkeypatch.setattr(_archive, "_RATIO_FLOOR", 0)  # small archives would be exempt
    maker = make_tar if kind == "tar" else make_zip
    archive = maker(place / "src" / f"bomb.{kind}", entries)
    before = tree(place)
    with pytest.raises(UnsafeArchiveError, match=message):
        tl.files.extract_archive(archive, str(place / "target"), **bounds)
    assert tree(place) == before


@pytest.mark.parametrize("existing", ["dir", "file", "link"])
def test_existing_entry_of_the_same_name_is_never_replaced(place, existing):
    target = place / "target"
    if existing == "dir":
        (target / "pkg").mkdir()
        (target / "pkg" / "notes.txt").write_text("my notes")
    elif existing == "file":
        (target / "pkg").write_text("my file")
    else:
        (target / "pkg").symlink_to("mine.txt")
    archive = make_tar(place / "src" / "pkg.tar.gz", [("pkg", "dir"),
                                                      ("pkg/data.txt", "file", b"1"),
                                                      ("other.txt", "file", b"2")])
    before = tree(place)
    with pytest.raises(FileExistsError, match=r"'pkg' already exists in .*refusing to replace"):
        tl.files.extract_archive(archive, str(target))
    assert tree(place) == before  # other.txt not moved either: all or nothing


@pytest.mark.parametrize("content", [b"", b"not an archive at all", b"<html>404</html>",
                                     b"\x1f\x8b\x08\x00garbage"],
                         ids=["empty", "text", "html", "broken-gzip"])
def test_not_an_archive(place, content):
    archive = place / "src" / "x.tar.gz"
    archive.write_bytes(content)
    before = tree(place)
    with pytest.raises(ValueError, match=r"x\.tar\.gz: (not a tar or zip|cannot extract)"):
        tl.files.extract_archive(str(archive), str(place / "target"))
    assert tree(place) == before


@pytest.mark.parametrize("kind", ["tar", "zip"])
def test_truncated_archive(place, kind):
    path = place / "src" / f"t.{kind}"
    if kind == "tar":
        make_tar(path, [("a", "file", os.urandom(50_000)), ("b", "file", os.urandom(50_000))],
                 "w")
    else:
        make_zip(path, [("a", os.urandom(50_000)), ("b", os.urandom(50_000))])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    before = tree(place)
    with pytest.raises(ValueError, match=rf"t\.{kind}: (not a tar or zip|cannot extract)"):
        tl.files.extract_archive(str(path), str(place / "target"))
    assert tree(place) == before


def test_downloaded_chain_archive_is_refused_and_deleted(server, place):
    # Through maybe_download_and_extract: refused, the unverified download is deleted (so
    # the next call fetches it again), no extraction marker, nothing outside.
    src = make_tar(place / "src" / "evil.tar.gz", [OK, *chain(8)])
    server.files["/evil.tar.gz"] = open(src, "rb").read()
    work = place / "target"
    before = tree(place)
    with pytest.raises(UnsafeArchiveError, match="was deleted and will be downloaded again"):
        tl.files.maybe_download_and_extract("evil.tar.gz", str(work), f"{server.url}/",
                                            extract=True, backoff=0.01)
    assert tree(place) == before


def test_tarfile_and_zipfile_are_the_stdlib_ones():
    # The checks rely on the standard library's readers (no third-party archive handling).
    assert _archive.tarfile is tarfile and _archive.zipfile is zipfile
