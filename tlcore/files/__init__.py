"""``tl.files``: persistence (npz, checkpoints, networks, SavedModel), downloads, datasets.

``tl.files.load_<name>_dataset`` resolves through the plugin registry, so plugins add loaders
(``load_ptb_dataset`` from tlcore-nlp). Names resolve lazily; importing is cheap.
"""
from __future__ import annotations

import importlib
import re
from typing import Any

#: public name -> private module under tlcore.files that defines it
_EXPORTS: dict[str, str] = {
    # persistence (_npz, _ckpt, _network)
    "save_npz": "_npz",
    "load_npz": "_npz",
    "assign_params": "_npz",
    "load_and_assign_npz": "_npz",
    "save_npz_dict": "_npz",
    "load_and_assign_npz_dict": "_npz",
    "save_any_to_npy": "_npz",
    "load_npy_to_any": "_npz",
    "save_ckpt": "_ckpt",
    "load_ckpt": "_ckpt",
    "latest_ckpt": "_ckpt",
    "save_network": "_network",
    "load_network": "_network",
    "network_to_config": "_network",
    "network_from_config": "_network",
    "export_saved_model": "_network",
    "atomic_write": "_atomic",
    "write_npz": "_atomic",
    "read_npz": "_atomic",
    "NpzContents": "_atomic",
    # downloads and dataset specs (_download, _datasets, _mnist)
    "maybe_download_and_extract": "_download",
    "download_file": "_download",
    "extract_archive": "_archive",
    "sha256sum": "_verify",
    "DownloadError": "_download",
    "ChecksumError": "_download",
    "UnsafeArchiveError": "_archive",
    "DatasetSpec": "_datasets",
    "RemoteFile": "_datasets",
    "fetch": "_datasets",
    "get_data_dir": "_datasets",
    "get_dataset_spec": "_datasets",
    "MNIST": "_mnist",
    "FASHION_MNIST": "_mnist",
    # file helpers (_helpers)
    "file_exists": "_helpers",
    "folder_exists": "_helpers",
    "del_file": "_helpers",
    "del_folder": "_helpers",
    "read_file": "_helpers",
    "load_file_list": "_helpers",
    "load_folder_list": "_helpers",
    "exists_or_mkdir": "_helpers",
    "natural_keys": "_helpers",
}

__all__ = sorted(_EXPORTS)

#: TensorLayer loader names that do not follow ``load_<name>_dataset``.
_LEGACY_LOADERS = {"load_cropped_svhn": "cropped_svhn"}

_LOADER = re.compile(r"^load_(?P<name>\w+?)_dataset$")


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        obj = getattr(importlib.import_module(f"tlcore.files.{_EXPORTS[name]}"), name)
        globals()[name] = obj
        return obj
    match = _LOADER.match(name)
    if match or name in _LEGACY_LOADERS:
        from tlcore.plugins import get_registry

        return get_registry().get("datasets", match["name"] if match else _LEGACY_LOADERS[name])
    raise AttributeError(f"module 'tlcore.files' has no attribute {name!r}")


def __dir__() -> list[str]:
    from tlcore.plugins import get_registry

    loaders = [f"load_{n}_dataset" for n in get_registry().names("datasets")]
    return sorted(set(globals()) | set(__all__) | set(loaders))
