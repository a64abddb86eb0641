"""TensorLayer's small file helpers: existence checks, deletion, listing, natural sort."""
from __future__ import annotations

import logging
import os
import re
import shutil
from typing import Any

logger = logging.getLogger("tlcore")


def file_exists(filepath: str) -> bool:
    """True if ``filepath`` is an existing file."""
    return os.path.isfile(filepath)


def folder_exists(folderpath: str) -> bool:
    """True if ``folderpath`` is an existing directory."""
    return os.path.isdir(folderpath)


def del_file(filepath: str) -> None:
    """Delete a file."""
    os.remove(filepath)


def del_folder(folderpath: str) -> None:
    """Delete a directory and everything under it."""
    shutil.rmtree(folderpath)


def read_file(filepath: str) -> str:
    """The text content of a file."""
    with open(filepath, encoding="utf-8") as f:
        return f.read()


def load_file_list(path: str | None = None, regx: str = r"\.jpg", printable: bool = True,
                   keep_prefix: bool = False) -> list[str]:
    """Files in ``path`` (default: the current directory) whose name matches ``regx``
    (``re.search``), naturally sorted; with ``keep_prefix`` the paths include ``path``."""
    path = os.getcwd() if path is None else path
    pattern = re.compile(regx)
    names = sorted((f for f in os.listdir(path) if pattern.search(f)), key=natural_keys)
    if keep_prefix:
        names = [os.path.join(path, f) for f in names]
    if printable:
        logger.info("Match file list = %s", names)
        logger.info("Number of files = %d", len(names))
    return names


def load_folder_list(path: str = "") -> list[str]:
    """The sub-directories of ``path`` as paths (``path/<name>``), naturally sorted."""
    path = path or os.getcwd()
    return [os.path.join(path, d) for d in sorted(os.listdir(path), key=natural_keys)
            if os.path.isdir(os.path.join(path, d))]


def exists_or_mkdir(path: str, verbose: bool = True) -> bool:
    """Create ``path`` (and parents) if missing. Returns True if it existed already."""
    if os.path.isdir(path):
        if verbose:
            logger.info("[*] %s exists ...", path)
        return True
    os.makedirs(path, exist_ok=True)
    if verbose:
        logger.info("[*] creates %s ...", path)
    return False


def natural_keys(text: str) -> list[Any]:
    """Sort key that orders embedded numbers by value: ``img2`` before ``img10``.

    >>> sorted(["a10", "a2", "a1"], key=natural_keys)
    ['a1', 'a2', 'a10']
    """
    return [int(c) if c.isdigit() else c for c in re.split(r"(\d+)", text)]
