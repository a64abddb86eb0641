"""Safe extraction of tar and zip archives (datasets come as archives from the internet).

Every member is checked before anything is written:

- names: no absolute path, no drive letter, no ``..`` component, no NUL;
- kinds: regular files, directories and links only (no devices, fifos);
- links: every symlink and hard link is resolved *as if all links of the archive existed*
  (following chains such as ``a -> l8/etc``, ``l8 -> l7/..``, ..., ``l1 -> .``) and must stay
  inside the archive's own tree; so must the folder a member is written through;
- bounds: member count, total size and expansion ratio (zip bombs) have limits.

The archive is then unpacked into a temporary folder inside the target, checked again on disk
(every symlink must resolve inside it, every hard link must have all its names inside it), and
only then are its top-level entries moved into place. An entry of the same name that already
exists in the target is never replaced: the extraction stops before moving anything.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tarfile
import tempfile
import zipfile
from typing import Any

#: Default bounds; ``extract_archive`` takes each as an argument.
MAX_MEMBERS = 1_000_000
MAX_BYTES = 64 * 2**30
MAX_RATIO = 200
#: The ratio bound applies only above this many bytes: small archives of repetitive text
#: legitimately compress far better than 200:1.
_RATIO_FLOOR = 64 * 2**20
_MAX_LINK_HOPS = 64


class UnsafeArchiveError(ValueError):
    """An archive member would land outside the extraction directory, or the archive exceeds
    the extraction bounds; nothing was extracted."""


def _refuse(archive: str, member: str, why: str) -> UnsafeArchiveError:
    return UnsafeArchiveError(f"{archive}: member {member!r} {why}; refusing to extract the "
                              f"archive (nothing was extracted)")


def _parts(archive: str, member: str) -> list[str]:
    """The member's path components, after refusing absolute paths and ``..``."""
    norm = member.replace("\\", "/")
    if "\x00" in member:
        raise _refuse(archive, member, "contains a NUL byte")
    if norm.startswith("/") or os.path.isabs(member) or (len(norm) > 1 and norm[1] == ":"):
        raise _refuse(archive, member, "has an absolute path")
    parts = [p for p in norm.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise _refuse(archive, member, "contains '..'")
    return parts


class _Tree:
    """The archive's tree as it will be on disk, with links resolved virtually."""

    def __init__(self, archive: str) -> None:
        self.archive = archive
        self.symlinks: dict[tuple[str, ...], str] = {}

    def resolve(self, member: str, parts: list[str], hops: int = 0) -> tuple[str, ...]:
        """Resolve a path (components relative to the root) through the archive's symlinks;
        raise if any step leaves the root."""
        out: list[str] = []
        todo = list(parts)
        while todo:
            comp = todo.pop(0)
            if comp in ("", "."):
                continue
            if comp == "..":
                if not out:
                    raise _refuse(self.archive, member, "resolves (through the archive's links) "
                                  "to a path outside the extraction directory")
                out.pop()
                continue
            link = self.symlinks.get((*out, comp))
            if link is None:
                out.append(comp)
                continue
            hops += 1
            if hops > _MAX_LINK_HOPS:
                raise _refuse(self.archive, member, "is part of a symlink loop or a chain "
                              f"longer than {_MAX_LINK_HOPS} links")
            if link.startswith("/") or os.path.isabs(link):
                raise _refuse(self.archive, member, f"goes through a symlink to the absolute "
                              f"path {link!r}")
            todo = link.replace("\\", "/").split("/") + todo  # relative to the link's folder
        return tuple(out)


def _check_bounds(archive: str, count: int, total: int, *, max_members: int, max_bytes: int,
                  max_ratio: float) -> None:
    if count > max_members:
        raise UnsafeArchiveError(f"{archive}: more than {max_members} members (max_members); "
                                 f"refusing to extract the archive (nothing was extracted)")
    if total > max_bytes:
        raise UnsafeArchiveError(f"{archive}: its members hold {total} bytes, more than "
                                 f"max_bytes={max_bytes}; refusing to extract the archive "
                                 f"(nothing was extracted)")
    packed = max(os.path.getsize(archive), 1)
    if total > _RATIO_FLOOR and total > max_ratio * packed:
        raise UnsafeArchiveError(f"{archive}: {packed} bytes expand to {total} bytes, a ratio "
                                 f"above max_ratio={max_ratio} (a zip bomb?); refusing to "
                                 f"extract the archive (nothing was extracted)")


def _check_tar(archive: str, tf: tarfile.TarFile, *, max_members: int, max_bytes: int,
               max_ratio: float) -> list[tarfile.TarInfo]:
    members: list[tarfile.TarInfo] = []
    total = 0
    for m in tf:  # iterate (not getmembers) so a million-member archive stops early
        members.append(m)
        total += max(m.size, 0) if m.isfile() else 0
        _check_bounds(archive, len(members), total, max_members=max_members,
                      max_bytes=max_bytes, max_ratio=max_ratio)
    tree = _Tree(archive)
    for m in members:
        _parts(archive, m.name)
        if not (m.isfile() or m.isdir() or m.issym() or m.islnk()):
            raise _refuse(archive, m.name, "is a device, fifo or other special file")
        if m.issym():
            tree.symlinks[tuple(_parts(archive, m.name))] = m.linkname
    for m in members:  # now that every link is known, resolve each member and link target
        parts = tuple(_parts(archive, m.name))
        # Writing through a link (a member under a symlinked folder, or a file over a symlink)
        # would follow it on disk: refuse, so that every member path is a real path.
        own = len(parts) - 1 if m.issym() else len(parts)
        for i in range(1, own + 1):
            if parts[:i] in tree.symlinks:
                raise _refuse(archive, m.name, f"is written through the symlink "
                              f"{'/'.join(parts[:i])!r}")
        if m.issym():
            if not m.linkname:
                raise _refuse(archive, m.name, "is a symlink with an empty target")
            tree.resolve(m.name, list(parts))
        elif m.islnk():  # a hard link names another member, relative to the archive root
            if os.path.isabs(m.linkname) or m.linkname.replace("\\", "/").startswith("/"):
                raise _refuse(archive, m.name, f"is a hard link to the absolute path "
                              f"{m.linkname!r}")
            tree.resolve(m.name, m.linkname.replace("\\", "/").split("/"))
    return members


def _check_zip(archive: str, zf: zipfile.ZipFile, *, max_members: int, max_bytes: int,
               max_ratio: float) -> None:
    infos = zf.infolist()
    _check_bounds(archive, len(infos), sum(i.file_size for i in infos), max_members=max_members,
                  max_bytes=max_bytes, max_ratio=max_ratio)
    for info in infos:
        _parts(archive, info.filename)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise _refuse(archive, info.filename, "is a symlink")
        if stat.S_IFMT(mode) and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise _refuse(archive, info.filename, "is a device, fifo or other special file")


def _check_on_disk(archive: str, root: str) -> None:
    """After extraction: every symlink resolves inside ``root`` and every hard-linked file has
    all its names inside ``root``."""
    root = os.path.realpath(root)
    inodes: dict[tuple[int, int], int] = {}
    nlinks: dict[tuple[int, int], tuple[int, str]] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root)
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                real = os.path.realpath(path)
                if real != root and not real.startswith(root + os.sep):
                    raise _refuse(archive, rel, "is a link that resolves outside the "
                                  "extraction directory after extraction")
            elif stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
                key = (st.st_dev, st.st_ino)
                inodes[key] = inodes.get(key, 0) + 1
                nlinks[key] = (st.st_nlink, rel)
            elif not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
                raise _refuse(archive, rel, "is a special file after extraction")
    for key, seen in inodes.items():
        if seen < nlinks[key][0]:
            raise _refuse(archive, nlinks[key][1], "is a hard link to a file outside the "
                          "extraction directory")


def extract_archive(archive: str, target: str | None = None, *, max_members: int = MAX_MEMBERS,
                    max_bytes: int = MAX_BYTES, max_ratio: float = MAX_RATIO) -> list[str]:
    """Extract a tar (any compression) or zip archive into ``target`` (default: its folder).

    Args:
        archive: the archive file.
        target: the folder to extract into (created if needed).
        max_members: refuse archives with more members.
        max_bytes: refuse archives whose members hold more bytes in total.
        max_ratio: refuse archives expanding more than this (above 64 MiB).

    Returns:
        The top-level names extracted.

    Raises:
        UnsafeArchiveError: a member has an absolute path or ``..``, is a special file, is a
            link (or goes through links) leaving the archive's tree, or a bound is exceeded.
        FileExistsError: a top-level entry of the archive already exists in ``target``.
        ValueError: the file is not a readable tar or zip archive.

    In every case of an error, nothing was extracted into ``target``.
    """
    target = os.path.abspath(target or os.path.dirname(os.path.abspath(archive)))
    bounds: dict[str, Any] = {"max_members": max_members, "max_bytes": max_bytes,
                              "max_ratio": max_ratio}
    os.makedirs(target, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".extract-", dir=target)
    try:
        try:
            if tarfile.is_tarfile(archive):
                with tarfile.open(archive) as tf:
                    members = _check_tar(archive, tf, **bounds)
                    tf.extractall(tmp, members=members, filter="data")
            elif zipfile.is_zipfile(archive):
                with zipfile.ZipFile(archive) as zf:
                    _check_zip(archive, zf, **bounds)
                    zf.extractall(tmp)
            else:
                raise ValueError(f"{archive}: not a tar or zip archive")
        except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError, ValueError) as e:
            if isinstance(e, UnsafeArchiveError):
                raise
            if isinstance(e, tarfile.FilterError):  # tarfile's own filter found something
                raise UnsafeArchiveError(f"{archive}: {e}; refusing to extract the archive "
                                         f"(nothing was extracted)") from e
            if isinstance(e, ValueError) and str(e).startswith(archive):
                raise
            raise ValueError(f"{archive}: cannot extract it (truncated or corrupt?): "
                             f"{type(e).__name__}: {e}") from e
        _check_on_disk(archive, tmp)
        names = sorted(os.listdir(tmp))
        clash = [n for n in names if os.path.lexists(os.path.join(target, n))]
        if clash:
            raise FileExistsError(f"{archive}: {', '.join(map(repr, clash))} already exist"
                                  f"{'s' if len(clash) == 1 else ''} in {target}; refusing to "
                                  f"replace it (move it away to extract again)")
        moved: list[str] = []
        try:
            for n in names:
                os.rename(os.path.join(tmp, n), os.path.join(target, n))
                moved.append(n)
        except OSError:
            for n in moved:  # all or nothing: put back what was moved
                with contextlib.suppress(OSError):
                    os.rename(os.path.join(target, n), os.path.join(tmp, n))
            raise
        return names
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


__all__ = ["UnsafeArchiveError", "extract_archive"]
