"""Parameter files: ``save_npz`` / ``load_npz`` / ``assign_params`` and the ``_dict`` variants,
plus ``save_any_to_npy`` / ``load_npy_to_any``.

Format (``save_npz``): an npz archive with ``arr_0 .. arr_{N-1}`` in ``all_params`` order and a
``__tlcore__`` key holding JSON metadata (format, count, names). It needs no pickle, so
``np.load(path, allow_pickle=False)`` reads it. ``save_npz_dict`` stores ``<layer>/<var>`` keys.
A TensorLayer 1.x file (one pickled ``params`` object array) loads only when the caller passes
``allow_pickle=True``, because unpickling can run arbitrary code.

Assignment is all-or-nothing: every shape and dtype is checked before any variable changes.
"""
from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any, Mapping, Sequence, TypeGuard, cast

import numpy as np

from tlcore._version import __version__
from tlcore.files._atomic import atomic_write, read_npz, write_npz

if TYPE_CHECKING:
    from tlcore.owner import ParamOwner

logger = logging.getLogger("tlcore")

_NPZ_FORMAT = "tlcore.npz"
_DICT_FORMAT = "tlcore.npz_dict"
_ANY_FORMAT = "tlcore.any"


# ------------------------------------------------------------------------------- helpers
def _is_network(obj: object) -> TypeGuard[ParamOwner]:
    return hasattr(obj, "all_params") and hasattr(obj, "param_name")


def _as_array(value: Any) -> np.ndarray:
    if hasattr(value, "numpy"):
        value = value.numpy()
    return np.asarray(value)


def _npz_name(name: str) -> str:
    # np.savez appends .npz to names without it; TensorLayer files rely on that.
    return name if name.endswith(".npz") else f"{name}.npz"


def _existing(path: str) -> str:
    if not os.path.exists(path) and os.path.exists(f"{path}.npz"):
        return f"{path}.npz"
    return path


def _var_label(network: object, var: Any) -> str:
    try:
        return network.param_name(var)  # type: ignore[attr-defined]
    except (KeyError, AttributeError):
        return getattr(var, "name", "?").split(":")[0]


def _shape(x: Any) -> tuple[int, ...]:
    return tuple(int(d) for d in x.shape)


def _check_assignable(what: str, value: np.ndarray, var: Any) -> str | None:
    """Why ``value`` cannot go into ``var``, or None if it can."""
    expected = _shape(var)  # tf.Variable and keras.Variable alike
    if _shape(value) != expected:
        return f"{what}: expected shape {expected}, found {_shape(value)}"
    vdt = _np_dtype(var)
    # Same kind only (float16 into float32 is fine, float into int is not): a silent
    # truncation would hide a file that does not belong to this network.
    if not (value.dtype.kind == vdt.kind or {value.dtype.kind, vdt.kind} <= {"i", "u"}):
        return f"{what}: expected dtype {vdt.name}, found {value.dtype.name}"
    return None


def _np_dtype(var: Any) -> np.dtype:
    dt = var.dtype
    return np.dtype(getattr(dt, "as_numpy_dtype", dt))


def _assign_all(pairs: list[tuple[Any, np.ndarray]]) -> None:
    # Everything was validated; the assignments themselves cannot fail on shape or dtype.
    for var, value in pairs:
        var.assign(value.astype(_np_dtype(var), copy=False))


# ------------------------------------------------------------------------ positional npz
def save_npz(save_list: Any = None, name: str = "model.npz") -> str:
    """Save a list of variables or arrays (or a network's ``all_params``) in order.

    Args:
        save_list: variables, tensors or arrays, e.g. ``network.all_params``; a network is
            taken as its ``all_params``.
        name: the file; ``.npz`` is appended if missing (as ``np.savez`` does).

    Returns:
        The path written. The write is atomic: on failure the old file is unchanged.

    >>> save_npz(network.all_params, name="model.npz")  # doctest: +SKIP
    """
    network = save_list if _is_network(save_list) else None
    items = list(network.all_params if network is not None else (save_list or []))
    arrays = {f"arr_{i}": _as_array(v) for i, v in enumerate(items)}
    names = [_var_label(network, v) if network is not None else
             getattr(v, "name", f"arr_{i}").split(":")[0] for i, v in enumerate(items)]
    path = _npz_name(name)
    write_npz(path, arrays, {"format": _NPZ_FORMAT, "version": 1, "tlcore": __version__,
                             "count": len(items), "names": names})
    logger.info("[*] model.npz saved: %s (%d arrays)", path, len(items))
    return path


def load_npz(path: str = "", name: str = "model.npz",
             allow_pickle: bool = False) -> list[np.ndarray]:
    """Load the arrays written by :func:`save_npz` (or a TensorLayer 1.x ``params`` file).

    Args:
        path: directory of the file (joined with ``name``).
        name: file name.
        allow_pickle: read a TensorLayer 1.x file, whose ``params`` is a pickled object array.
            Unpickling can execute code from the file: pass True only for files you trust.

    Returns:
        The list of numpy arrays, in saved order.

    Raises:
        ValueError: the file is truncated or corrupt, or needs pickle without the opt-in.
    """
    file = _existing(os.path.join(path, name))
    contents = read_npz(file, allow_pickle=allow_pickle)
    arrays, meta = contents.arrays, contents.meta
    if "params" in contents.pickled:
        raise ValueError(
            f"{file!r} is a TensorLayer 1.x file whose 'params' is a pickled object array; "
            f"loading it runs pickle, which can execute code from the file. If you trust it, "
            f"call load_npz(..., allow_pickle=True) (or load_and_assign_npz(..., "
            f"allow_pickle=True)) and re-save it with save_npz to drop the pickle")
    if contents.pickled:
        raise ValueError(f"{file!r}: arrays {contents.pickled} are pickled objects; pass "
                         f"allow_pickle=True only if you trust the file")
    if meta is not None and meta.get("format") not in (None, _NPZ_FORMAT):
        raise ValueError(f"{file!r} was written by {meta.get('format')!r}, not save_npz; use "
                         f"load_and_assign_npz_dict for save_npz_dict files")
    if "params" in arrays and meta is None:  # TensorLayer 1.x
        params = arrays["params"]
        return [np.asarray(p) for p in params]
    keys = [k for k in arrays if k.startswith("arr_") and k[4:].isdigit()]
    count = _count(file, meta, len(keys)) if meta is not None else len(keys)
    expected = [f"arr_{i}" for i in range(count)]
    missing = [k for k in expected if k not in arrays]
    if missing or set(keys) != set(expected) or (meta is None and set(arrays) != set(expected)):
        raise ValueError(f"{file!r} is not a save_npz file: expected keys arr_0..arr_{count - 1}, "
                         f"found {sorted(arrays)[:8]}{' ...' if len(arrays) > 8 else ''}")
    return [arrays[k] for k in expected]


def _count(file: str, meta: Mapping[str, Any], found: int) -> int:
    """The metadata's ``count``, which must be the number of ``arr_<i>`` arrays in the file."""
    count = meta.get("count", found)
    if isinstance(count, bool) or not isinstance(count, int) or count != found:
        raise ValueError(f"{file!r}: corrupt tlcore metadata: 'count' is {count!r} but the file "
                         f"holds {found} arr_<i> arrays; nothing was loaded")
    return count


def _params_of(network: ParamOwner | Sequence[Any]) -> list[Any]:
    if _is_network(network):
        return network.all_params
    return list(cast("Sequence[Any]", network))


def assign_params(params: Sequence[Any], network: ParamOwner | Sequence[Any], *,
                  strict: bool = False) -> Any:
    """Assign ``params[i]`` to ``network.all_params[i]`` for each i, all or nothing.

    ``network`` is a parameter owner (a network, a model with ``all_params``) or a list of
    variables (e.g. an optimizer's). ``params`` may be shorter than ``all_params`` (a prefix,
    e.g. pretrained lower layers) unless ``strict``, which requires one array per parameter.
    Every count, shape and dtype is checked first; on any mismatch nothing is assigned and the
    error names the index, the ``layer/variable``, and the expected and found shape.

    Returns:
        ``network``.
    """
    variables = _params_of(network)
    params = list(params)
    if len(params) > len(variables) or (strict and len(params) != len(variables)):
        raise ValueError(f"assign_params: {len(params)} arrays given but the network has "
                         f"{'only ' if len(params) > len(variables) else ''}{len(variables)} "
                         f"parameters; nothing was assigned")
    pairs, problems = [], []
    for i, (value, var) in enumerate(zip(params, variables)):
        value = _as_array(value)
        why = _check_assignable(f"param {i} ({_var_label(network, var)})", value, var)
        if why:
            problems.append(why)
        pairs.append((var, value))
    if problems:
        raise ValueError("assign_params: " + "; ".join(problems) + "; nothing was assigned")
    _assign_all(pairs)
    return network


def load_and_assign_npz(name: str | None = None, network: ParamOwner | Sequence[Any] | None = None,
                        allow_pickle: bool = False, *, strict: bool = False) -> Any:
    """Load a :func:`save_npz` file into ``network`` (all or nothing; see :func:`assign_params`,
    whose ``strict`` requires the file to hold exactly one array per parameter).

    Returns:
        ``network``, or None (with an error log) when the file does not exist, as in
        TensorLayer.
    """
    if network is None:
        raise ValueError("load_and_assign_npz: network is None; pass the network to assign to")
    if name is None or not os.path.exists(_existing(name)):
        logger.error("file %s doesn't exist.", name)
        return None
    params = load_npz(name=_existing(name), allow_pickle=allow_pickle)
    try:
        assign_params(params, network, strict=strict)
    except ValueError as e:
        raise ValueError(f"{_existing(name)!r}: {e}") from e
    variables = _params_of(network)
    total = len(variables)
    if not params:
        logger.warning("[!] %s holds no arrays: nothing was assigned", name)
        return network
    if len(params) < total:
        rest = [_var_label(network, v) for v in variables[len(params):]]
        logger.warning("[!] %s holds %d arrays for %d parameters: assigned the first %d; %s "
                       "keep their values", name, len(params), total, len(params), rest)
    logger.info("[*] Load %s SUCCESS! (%d of %d parameters)", name, len(params), total)
    return network


# ------------------------------------------------------------------------- keyed npz
def save_npz_dict(save_list: Any = None, name: str = "model.npz",
                  network: ParamOwner | None = None) -> str:
    """Save variables under ``<layer>/<var>`` keys (``network.param_name``).

    Args:
        save_list: a network (its ``all_params``) or a list of its variables.
        name: the file.
        network: the network the variables belong to (for their names); without it the
            variables' own names are used.

    Returns:
        The path written (atomically).
    """
    if _is_network(save_list):
        network, save_list = save_list, save_list.all_params
    arrays: dict[str, np.ndarray] = {}
    for v in save_list or []:
        key = (_var_label(network, v) if network is not None
               else getattr(v, "name", "").split(":")[0])
        if not key:
            raise ValueError("save_npz_dict: every item needs a name; pass variables and network=")
        if key in arrays:
            raise ValueError(f"save_npz_dict: two parameters are both named {key!r}")
        arrays[key] = _as_array(v)
    path = _npz_name(name)
    write_npz(path, arrays, {"format": _DICT_FORMAT, "version": 1, "tlcore": __version__})
    logger.info("[*] model saved: %s (%d arrays)", path, len(arrays))
    return path


def _assign_by_key(arrays: Mapping[str, np.ndarray], network: ParamOwner, source: str,
                   strict: bool = True) -> int:
    """Assign by ``<layer>/<var>`` key, all or nothing; returns the number assigned."""
    by_name = {network.param_name(v): v for v in network.all_params}
    file_keys = {k[:-2] if k.endswith(":0") else k: k for k in arrays}  # TL 1.x keys end in :0
    unknown = sorted(set(file_keys) - set(by_name))
    missing = sorted(set(by_name) - set(file_keys))
    if strict and (unknown or missing):
        parts = []
        if unknown:
            parts.append(f"keys not in the network: {unknown}")
        if missing:
            parts.append(f"network parameters missing from the file: {missing}")
        raise ValueError(f"{source}: {'; '.join(parts)}; nothing was assigned (pass strict=False "
                         f"to assign the matching keys only)")
    for k in unknown + missing:
        logger.warning("%s: %s skipped (%s)", source, k,
                       "not in the network" if k in unknown else "not in the file")
    pairs, problems = [], []
    for key, var in by_name.items():
        if key in file_keys:
            value = arrays[file_keys[key]]
            why = _check_assignable(key, value, var)
            if why:
                problems.append(why)
            pairs.append((var, value))
    if problems:
        raise ValueError(f"{source}: " + "; ".join(problems) + "; nothing was assigned")
    _assign_all(pairs)
    if not pairs:
        logger.warning("%s: no key matches the network: nothing was assigned", source)
    return len(pairs)


def load_and_assign_npz_dict(name: str = "model.npz", network: ParamOwner | None = None, *,
                             strict: bool = True, allow_pickle: bool = False) -> Any:
    """Assign a :func:`save_npz_dict` file to ``network`` by ``<layer>/<var>`` key.

    All or nothing: unknown keys, parameters missing from the file (unless ``strict=False``),
    and wrong shapes or dtypes raise ``ValueError`` naming them, and no variable changes.

    Returns:
        ``network``, or None (with an error log) if the file does not exist.
    """
    if network is None:
        raise ValueError("load_and_assign_npz_dict: pass network=, the network whose "
                         "parameters the file's keys name")
    file = _existing(name)
    if not os.path.exists(file):
        logger.error("file %s doesn't exist.", name)
        return None
    contents = read_npz(file, allow_pickle=allow_pickle)
    if contents.pickled:
        raise ValueError(f"{file!r}: arrays {contents.pickled} are pickled objects; pass "
                         f"allow_pickle=True only if you trust the file")
    if contents.meta is not None and contents.meta.get("format") == _NPZ_FORMAT:
        raise ValueError(f"{file!r} was written by save_npz (positional); use "
                         f"load_and_assign_npz")
    if _assign_by_key(contents.arrays, network, repr(file), strict=strict):
        logger.info("[*] Model restored from npz_dict %s", name)
    return network


# ---------------------------------------------------------------------- any python value
class _Encoder:
    """Python value <-> JSON tree with arrays moved out (no pickle)."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def _put(self, arr: np.ndarray) -> str:
        key = f"a{len(self.arrays)}"
        self.arrays[key] = arr
        return key

    def encode(self, x: Any) -> Any:
        if x is None or isinstance(x, (bool, str)):
            return x
        if isinstance(x, (int, float)) and not isinstance(x, np.generic):
            return x
        if isinstance(x, np.generic):
            return {"__scalar__": self._put(np.asarray(x))}
        if isinstance(x, np.ndarray) or hasattr(x, "numpy"):
            arr = _as_array(x)
            if arr.dtype.hasobject:
                raise TypeError("object arrays need pickle")
            return {"__array__": self._put(arr)}
        if isinstance(x, list):
            if len(x) > 16 and all(type(i) is int for i in x):  # e.g. word2vec's data list
                return {"__intlist__": self._put(np.asarray(x, dtype=np.int64))}
            return [self.encode(i) for i in x]
        if isinstance(x, tuple):
            return {"__tuple__": [self.encode(i) for i in x]}
        if isinstance(x, dict):
            return {"__dict__": [[self.encode(k), self.encode(v)] for k, v in x.items()]}
        raise TypeError(f"cannot store a {type(x).__name__} without pickle")

    def decode(self, x: Any, arrays: Mapping[str, np.ndarray]) -> Any:
        if isinstance(x, list):
            return [self.decode(i, arrays) for i in x]
        if not isinstance(x, dict):
            return x
        if "__array__" in x:
            return arrays[x["__array__"]]
        if "__scalar__" in x:
            return arrays[x["__scalar__"]][()]
        if "__intlist__" in x:
            return arrays[x["__intlist__"]].tolist()
        if "__tuple__" in x:
            return tuple(self.decode(i, arrays) for i in x["__tuple__"])
        if "__dict__" in x:
            return {_hashable(self.decode(k, arrays)): self.decode(v, arrays)
                    for k, v in x["__dict__"]}
        raise ValueError(f"unknown tag in stored value: {sorted(x)}")


def _hashable(k: Any) -> Any:
    return tuple(_hashable(i) for i in k) if isinstance(k, list) else k


def save_any_to_npy(save_dict: Any = None, name: str = "file.npy",
                    allow_pickle: bool = False) -> str:
    """Save a dict (or any value) of arrays, numbers, strings, lists, tuples and dicts.

    Without pickle the value is stored as JSON plus arrays (an npz container under ``name``).
    Other objects raise ``TypeError`` unless ``allow_pickle=True``, which writes TensorLayer's
    pickled 0-d object array instead.

    Returns:
        The path written (atomically).
    """
    save_dict = {} if save_dict is None else save_dict
    enc = _Encoder()
    try:
        tree = enc.encode(save_dict)
    except TypeError as e:
        if not allow_pickle:
            raise TypeError(f"save_any_to_npy: {e}; store plain arrays, numbers, strings, lists "
                            f"and dicts, or pass allow_pickle=True") from e
        with atomic_write(name) as f:
            np.save(f, np.array(save_dict, dtype=object), allow_pickle=True)
        return name
    write_npz(name, enc.arrays, {"format": _ANY_FORMAT, "version": 1, "value": tree})
    return name


def load_npy_to_any(path: str = "", name: str = "file.npy", allow_pickle: bool = False) -> Any:
    """Load what :func:`save_any_to_npy` stored (or a plain ``np.save`` array).

    A TensorLayer 1.x file (a pickled 0-d object array) needs ``allow_pickle=True``; only pass
    it for files you trust.
    """
    file = os.path.join(path, name)
    with open(file, "rb") as f:
        is_zip = f.read(4) == b"PK\x03\x04"
    if is_zip:
        contents = read_npz(file)
        if contents.meta is None or contents.meta.get("format") != _ANY_FORMAT:
            raise ValueError(f"{file!r} is an npz archive but not a save_any_to_npy file")
        try:
            return _Encoder().decode(contents.meta.get("value"), contents.arrays)
        except RecursionError as e:
            raise ValueError(f"{file!r}: corrupt save_any_to_npy metadata: nested too "
                             f"deeply") from e
        except (KeyError, TypeError, ValueError, IndexError) as e:
            raise ValueError(f"{file!r}: corrupt save_any_to_npy metadata: "
                             f"{type(e).__name__}: {e}") from e
    try:
        value = np.load(file, allow_pickle=allow_pickle)
    except ValueError as e:
        if "allow_pickle" in str(e):
            raise ValueError(f"{file!r} holds a pickled object (TensorLayer 1.x format); loading "
                             f"it runs pickle, which can execute code from the file: pass "
                             f"allow_pickle=True only if you trust it") from e
        raise ValueError(f"{file!r} is not a readable .npy file: {e}") from e
    if value.dtype.hasobject and value.shape == ():
        return value.item()
    return value


__all__ = ["assign_params", "load_and_assign_npz", "load_and_assign_npz_dict", "load_npy_to_any",
           "load_npz", "save_any_to_npy", "save_npz", "save_npz_dict"]
