"""Dataset specs and the data directory: what plugins use to write their loaders.

A loader describes its files once and calls :func:`fetch`::

    from tlcore.files import DatasetSpec, RemoteFile, fetch

    CIFAR10 = DatasetSpec(
        name="cifar10",
        files=[RemoteFile("cifar-10-python.tar.gz",
                          urls=["https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"],
                          sha256="6d958be0...", size=170498071, extract=True)],
        homepage="https://www.cs.toronto.edu/~kriz/cifar.html")

    def load_cifar10_dataset(shape=(-1, 32, 32, 3), path=None):
        folder = fetch(CIFAR10, path)          # <data dir>/cifar10, downloaded and verified
        ...
    load_cifar10_dataset.spec = CIFAR10        # lets tl.files.get_dataset_spec("cifar10") find it

and registers the loader in its manifest (``register_datasets``: ``register("cifar10",
"tlcore_vision.datasets:load_cifar10_dataset")``), which makes it ``tl.files.load_cifar10_dataset``.

The data directory is the ``path`` argument, else ``$TLCORE_DATA_DIR``, else the user cache
(``$XDG_CACHE_HOME/tlcore`` or ``~/.cache/tlcore``; ``%LOCALAPPDATA%\\tlcore`` on Windows).
Each dataset lives in ``<data dir>/<spec.name>/``. Files already there that verify are used
without any network request.
"""
from __future__ import annotations

import os
from typing import Any, Iterable, Sequence

import attrs

from tlcore.files._download import download_file, extract_once, marker, plain_name
from tlcore.files._verify import is_valid

ENV_DATA_DIR = "TLCORE_DATA_DIR"


def _tuple_of_str(value: str | Sequence[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


@attrs.frozen
class RemoteFile:
    """One file of a dataset.

    Attributes:
        filename: the name it is saved under (in the dataset's folder).
        urls: full URLs of mirrors, tried in order.
        sha256: expected hex digest (strongly recommended; None skips the check).
        size: expected size in bytes, or None.
        extract: unpack this tar/zip archive into the dataset's folder after download.
    """

    filename: str = attrs.field()
    urls: tuple[str, ...] = attrs.field(converter=_tuple_of_str)
    sha256: str | None = None
    size: int | None = None
    extract: bool = False

    @urls.validator
    def _check_urls(self, attribute: Any, value: tuple[str, ...]) -> None:
        if not value:
            raise ValueError(f"RemoteFile {self.filename!r}: needs at least one URL")

    @filename.validator
    def _check_filename(self, attribute: Any, value: str) -> None:
        plain_name("RemoteFile filename", value)  # it must stay in the dataset's folder


def _file_tuple(files: Iterable[RemoteFile]) -> tuple[RemoteFile, ...]:
    """DatasetSpec.files as a tuple (a typed converter: mypy cannot type ``converter=tuple``)."""
    return tuple(files)


@attrs.frozen
class DatasetSpec:
    """A dataset's name and files, as :func:`fetch` downloads them.

    Attributes:
        name: the folder under the data directory (and the registered loader's name).
        files: the :class:`RemoteFile` list.
        homepage, license, description: for ``tlcore info`` and documentation.
    """

    name: str = attrs.field()
    files: tuple[RemoteFile, ...] = attrs.field(converter=_file_tuple)
    homepage: str = ""
    license: str = ""
    description: str = ""

    @name.validator
    def _check_name(self, attribute: Any, value: str) -> None:
        plain_name("DatasetSpec name", value)  # it must stay in the data directory


def get_data_dir(path: str | os.PathLike | None = None, *, create: bool = True) -> str:
    """The base data directory: ``path``, else ``$TLCORE_DATA_DIR``, else the user cache dir.

    The directory is created unless ``create=False`` (e.g. for ``tlcore info``).
    """
    source = "path"
    if path is not None:
        base = os.fspath(path)
    elif os.environ.get(ENV_DATA_DIR):
        base, source = os.environ[ENV_DATA_DIR], f"${ENV_DATA_DIR}"
    elif os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        base = os.path.join(os.environ["LOCALAPPDATA"], "tlcore")
    else:
        cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        base = os.path.join(cache, "tlcore")
    base = os.path.abspath(os.path.expanduser(base))
    if os.path.exists(base) and not os.path.isdir(base):
        raise NotADirectoryError(f"the data directory {base!r} (from {source}) is a file, not a "
                                 f"directory")
    if create:
        os.makedirs(base, exist_ok=True)
    return base


def fetch(spec: DatasetSpec, path: str | os.PathLike | None = None, *, progress: bool | None = None,
          retries: int = 5, backoff: float = 1.0, timeout: float = 60.0,
          deadline: float | None = None) -> str:
    """Make every file of ``spec`` present and verified in ``<data dir>/<spec.name>``.

    Valid files are used as they are (no request); others are downloaded (mirrors, retries,
    resume, sha256) and archives marked ``extract`` are unpacked safely once. ``timeout`` and
    ``deadline`` are :func:`~tlcore.files.download_file`'s, for each file.

    Returns:
        The dataset's folder.
    """
    # Folders are created by the first download, so that a failed fetch leaves nothing.
    folder = os.path.join(get_data_dir(path, create=False), spec.name)
    for rf in spec.files:
        dest = os.path.join(folder, rf.filename)
        if not is_valid(dest, rf.sha256, rf.size):
            if os.path.exists(marker(dest)):
                os.remove(marker(dest))  # a new archive must be extracted again
            download_file(rf.urls, dest, sha256=rf.sha256, size=rf.size, progress=progress,
                          retries=retries, backoff=backoff, timeout=timeout, deadline=deadline)
        if rf.extract:
            extract_once(dest, folder)
    os.makedirs(folder, exist_ok=True)
    return folder


def get_dataset_spec(name: str) -> DatasetSpec:
    """The :class:`DatasetSpec` of registered dataset ``name`` (its loader's ``spec``)."""
    from tlcore.plugins import get_registry

    loader = get_registry().get("datasets", name)
    spec = getattr(loader, "spec", None)
    if not isinstance(spec, DatasetSpec):
        raise LookupError(f"dataset {name!r} is registered but its loader declares no spec")
    return spec
