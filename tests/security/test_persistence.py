"""Hostile parameter files and checkpoints: every case raises the exact error and changes no
variable (values compared before and after) and no file (the folder tree compared)."""
from __future__ import annotations

import io
import json
import logging
import os
import zipfile

import numpy as np
import pytest
import tensorflow as tf

import tlcore as tl
from tlcore.files import _atomic
from tlcore.files import _ckpt
from tlcore.layers.core import InputLayer
from tlcore.layers.dense import DenseLayer

from tests.security.conftest import tree


def net(widths=(3, 2), dtype=tf.float32, seed=0):
    tf.random.set_seed(seed)
    n = InputLayer([None, 4], dtype=dtype, name="in")
    for i, w in enumerate(widths):
        n = DenseLayer(n, n_units=w, name=f"d{i + 1}")
    return n


def values(network):
    return [v.numpy().copy() for v in network.all_params]


def assert_unchanged(network, before):
    for v, b in zip(network.all_params, before):
        np.testing.assert_array_equal(v.numpy(), b)


def npy(arr=None, *, header=None, data=None) -> bytes:
    """An .npy member: a real array, or a hand-made ``header`` dict with raw ``data``."""
    buf = io.BytesIO()
    if header is None:
        np.lib.format.write_array(buf, np.asarray(arr), allow_pickle=False)
    else:
        np.lib.format.write_array_header_1_0(buf, header)
        buf.write(data)
    return buf.getvalue()


def raw_npz(path, members: dict, compress=zipfile.ZIP_STORED) -> str:
    with zipfile.ZipFile(path, "w", compress) as zf:
        for name, content in members.items():
            zf.writestr(f"{name}.npy", content)
    return str(path)


def meta_member(meta) -> bytes:
    return npy(np.array(meta if isinstance(meta, str) else json.dumps(meta)))


def params_of(network) -> dict:
    return {f"arr_{i}": npy(v.numpy()) for i, v in enumerate(network.all_params)}


@pytest.fixture
def victim(tmp_path):
    """The network a hostile file is loaded into, its values, and the folder's tree."""
    network = net()
    return network, values(network)


def check_refused(tmp_path, victim, load, match, error=ValueError):
    network, before = victim
    files = tree(tmp_path)
    with pytest.raises(error, match=match):
        load(network)
    assert_unchanged(network, before)
    assert tree(tmp_path) == files


# ----------------------------------------------------------------------- npz metadata
COUNTS = [10**12, -5, "abc", True, 1.5, None, [4], 3, 5]


@pytest.mark.parametrize("count", COUNTS, ids=[repr(c) for c in COUNTS])
def test_npz_count_is_untrusted(tmp_path, victim, count):
    members = params_of(net(seed=1))
    members["__tlcore__"] = meta_member({"format": "tlcore.npz", "count": count})
    path = raw_npz(tmp_path / "m.npz", members)
    check_refused(tmp_path, victim, lambda n: tl.files.load_and_assign_npz(path, n),
                  rf"m\.npz.*'count' is {re_repr(count)} but the file holds 4 arr_<i> arrays")


def re_repr(x) -> str:
    import re

    return re.escape(repr(x))


DEEP = "[" * 100_000 + "]" * 100_000
BAD_META = {
    "list": ([1, 2], "expected a JSON object, found list"),
    "string": ("\"text\"", "expected a JSON object, found str"),
    "number": ("42", "expected a JSON object, found int"),
    "null": ("null", "expected a JSON object, found NoneType"),
    "not-json": ("{'single': quotes}", "corrupt tlcore metadata: Expecting property name"),
    "deep-list": (DEEP, "nested too deeply"),
    "deep-object": ('{"a":' * 100_000 + "1" + "}" * 100_000, "nested too deeply"),
    "format-not-str": ({"format": 5}, "'format' must be a string"),
}


def _meta_file(tmp_path, meta, arrays: dict) -> str:
    members = dict(arrays)
    members["__tlcore__"] = meta_member(meta)
    return raw_npz(tmp_path / "m.npz", members)


LOADERS = {
    "load_and_assign_npz": lambda path, n: tl.files.load_and_assign_npz(path, n),
    "load_and_assign_npz_dict": lambda path, n: tl.files.load_and_assign_npz_dict(path, n),
    "load_network": lambda path, n: tl.files.load_network(path),
}


@pytest.mark.parametrize("loader", LOADERS.values(), ids=LOADERS.keys())
@pytest.mark.parametrize("meta, message", BAD_META.values(), ids=BAD_META.keys())
def test_npz_metadata_is_untrusted(tmp_path, victim, loader, meta, message):
    path = _meta_file(tmp_path, meta, params_of(net(seed=1)))
    check_refused(tmp_path, victim, lambda n: loader(path, n), rf"m\.npz.*{message}")


@pytest.mark.parametrize("member, message", [
    (npy(np.arange(3)), "expected a JSON string, found a int64 array"),
    (npy(np.array([["{}"]])), r"expected a JSON string, found a <U2 array of shape \(1, 1\)"),
], ids=["int-array", "2d-string-array"])
def test_metadata_member_of_the_wrong_kind(tmp_path, victim, member, message):
    members = params_of(net(seed=1))
    members["__tlcore__"] = member
    path = raw_npz(tmp_path / "m.npz", members)
    check_refused(tmp_path, victim, lambda n: tl.files.load_and_assign_npz(path, n), message)


# ------------------------------------------------------------------- lying array headers
HEADERS = {
    "huge-1d": ({"descr": "<f4", "fortran_order": False, "shape": (10**12,)}, b"\0" * 16),
    "huge-2d": ({"descr": "<f4", "fortran_order": False, "shape": (10**6, 10**6)}, b"\0" * 48),
    "overflowing": ({"descr": "<f8", "fortran_order": False, "shape": (2**62, 2**62)}, b"\0" * 8),
    "short-data": ({"descr": "<f4", "fortran_order": False, "shape": (4, 3)}, b"\0" * 40),
    "long-data": ({"descr": "<f4", "fortran_order": False, "shape": (3,)}, b"\0" * 400),
    "wrong-itemsize": ({"descr": "<f8", "fortran_order": False, "shape": (4, 3)}, b"\0" * 48),
}


@pytest.mark.parametrize("header, data", HEADERS.values(), ids=HEADERS.keys())
def test_lying_array_header(tmp_path, victim, header, data):
    members = params_of(net(seed=1))
    members["arr_0"] = npy(header=header, data=data)
    path = raw_npz(tmp_path / "m.npz", members)
    check_refused(tmp_path, victim, lambda n: tl.files.load_and_assign_npz(path, n),
                  r"m\.npz' is not a readable npz file: array 'arr_0' declares shape .* but "
                  r"holds \d+ bytes")


@pytest.mark.parametrize("content", [b"", b"\x93NUMPY\x01", b"not npy at all",
                                     b"\x93NUMPY\x09\x00"],
                         ids=["empty", "cut-magic", "garbage", "bad-version"])
def test_broken_array_header(tmp_path, victim, content):
    members = params_of(net(seed=1))
    members["arr_1"] = content
    path = raw_npz(tmp_path / "m.npz", members)
    check_refused(tmp_path, victim, lambda n: tl.files.load_and_assign_npz(path, n),
                  r"m\.npz' is not a readable npz file: array 'arr_1' has no valid npy header")


def test_deflated_bomb_member(tmp_path, victim, monkeypatch):
    monkeypatch.setattr(_atomic, "_RATIO_FLOOR", 0)
    monkeypatch.setattr(_atomic, "_MAX_RATIO", 10)
    members = params_of(net(seed=1))
    members["arr_4"] = npy(np.zeros(500_000, np.float32))
    path = raw_npz(tmp_path / "m.npz", members, zipfile.ZIP_DEFLATED)
    check_refused(tmp_path, victim, lambda n: tl.files.load_and_assign_npz(path, n),
                  r"array 'arr_4' expands from \d+ to 2000128 bytes \(a zip bomb\?\)")


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 cut", b"plain text", None],
                         ids=["empty", "cut-zip", "text", "truncated-real"])
def test_unreadable_npz(tmp_path, victim, content):
    path = tmp_path / "m.npz"
    if content is None:
        tl.files.save_npz(net(seed=1).all_params, name=str(path))
        content = path.read_bytes()[:-200]
    path.write_bytes(content)
    check_refused(tmp_path, victim, lambda n: tl.files.load_and_assign_npz(str(path), n),
                  r"m\.npz' is not a readable npz file")


SHAPES = {
    "wider": ((5, 2), r"param 0 \(d1/W\): expected shape \(4, 3\), found \(4, 5\)"),
    "extra-layer": ((3, 2, 2), r"6 arrays given but the network has only 4 parameters"),
    "dtype": (None, r"param 0 \(d1/W\): expected dtype float32, found int32"),
}


@pytest.mark.parametrize("widths, message", SHAPES.values(), ids=SHAPES.keys())
def test_mismatched_arrays_assign_nothing(tmp_path, victim, widths, message):
    if widths is None:
        params = [v.numpy().astype(np.int32) for v in net(seed=1).all_params]
    else:
        params = net(widths, seed=1).all_params
    path = tl.files.save_npz(params, name=str(tmp_path / "m.npz"))
    check_refused(tmp_path, victim, lambda n: tl.files.load_and_assign_npz(path, n), message)


def test_success_only_when_something_was_assigned(tmp_path, victim, caplog):
    network, before = victim
    path = tl.files.save_npz([], name=str(tmp_path / "empty.npz"))
    with caplog.at_level(logging.INFO, logger="tlcore"):
        assert tl.files.load_and_assign_npz(path, network) is network
    assert "SUCCESS" not in caplog.text and "nothing was assigned" in caplog.text
    assert_unchanged(network, before)


def test_fewer_arrays_than_parameters_says_so(tmp_path, victim, caplog):
    network, before = victim
    src = net(seed=1)
    path = tl.files.save_npz(src.all_params[:2], name=str(tmp_path / "part.npz"))
    with caplog.at_level(logging.INFO, logger="tlcore"):
        tl.files.load_and_assign_npz(path, network)
    assert "holds 2 arrays for 4 parameters" in caplog.text
    assert "['d2/W', 'd2/b'] keep their values" in caplog.text
    assert "SUCCESS! (2 of 4 parameters)" in caplog.text
    for v, b in zip(network.all_params[2:], before[2:]):  # the rest kept their values
        np.testing.assert_array_equal(v.numpy(), b)


def test_npz_dict_with_no_matching_key_is_not_reported_restored(tmp_path, victim, caplog):
    network, before = victim
    path = tl.files.save_npz_dict(net(seed=1), name=str(tmp_path / "d.npz"))
    data = dict(np.load(path))
    renamed = {f"other/{k}": npy(v) for k, v in data.items() if k != "__tlcore__"}
    path = raw_npz(tmp_path / "r.npz", renamed)
    with caplog.at_level(logging.INFO, logger="tlcore"):
        tl.files.load_and_assign_npz_dict(path, network, strict=False)
    assert "nothing was assigned" in caplog.text and "restored" not in caplog.text
    assert_unchanged(network, before)


@pytest.mark.parametrize("value, message", [
    (json.loads("[" * 50 + "]" * 50), None),
    ({"__array__": "missing"}, "KeyError"),
    ({"__unknown__": 1}, "unknown tag"),
    ({"__dict__": [1, 2]}, "TypeError"),
], ids=["deep-ok", "missing-array", "unknown-tag", "bad-dict"])
def test_load_npy_to_any_untrusted_tree(tmp_path, value, message):
    path = raw_npz(tmp_path / "v.npy", {"__tlcore__": meta_member(
        {"format": "tlcore.any", "version": 1, "value": value})})
    if message is None:
        assert tl.files.load_npy_to_any(name=path) == value
        return
    with pytest.raises(ValueError, match=rf"v\.npy.*corrupt save_any_to_npy metadata.*{message}"):
        tl.files.load_npy_to_any(name=path)


def test_load_npy_to_any_too_deep(tmp_path):
    path = raw_npz(tmp_path / "v.npy", {"__tlcore__": meta_member(
        '{"format": "tlcore.any", "value": ' + '{"__tuple__": [' * 3000 + "1" + "]}" * 3000
        + "}")})
    with pytest.raises(ValueError, match=r"v\.npy.*nested too deeply"):
        tl.files.load_npy_to_any(name=path)


# -------------------------------------------------------------------------- checkpoints
@pytest.fixture(scope="module")
def saved_ckpt(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ckpt")
    src = net(seed=1)
    tl.files.save_ckpt(src, save_dir=str(folder), global_step=7, var_list=[tf.Variable(2.0)])
    saved_values[:] = values(src)
    return folder


saved_values: list = []


def _copy(src, dst):
    import shutil

    shutil.copytree(src, dst)
    return str(dst)


CKPT_NETS = {
    "wider": ((5, 2), r"d1/W: expected shape \(4, 5\), found \(4, 3\)"),
    "extra-layer": ((3, 2, 2), r"d3/W is not in the checkpoint"),
    "fewer-layers": ((3,), r"has network variables the network lacks: \['d2.SW', 'd2.Sb'\]"),
    "float64": (None, r"d1/W: expected dtype float64, found float32"),
}


@pytest.mark.parametrize("widths, message", CKPT_NETS.values(), ids=CKPT_NETS.keys())
def test_load_ckpt_checks_first_and_changes_nothing(tmp_path, saved_ckpt, widths, message):
    folder = _copy(saved_ckpt, tmp_path / "ck")
    network = net(widths or (3, 2), dtype=tf.float64 if widths is None else tf.float32)
    extra = tf.Variable(5.0)
    before, files = values(network), tree(tmp_path)
    with pytest.raises(ValueError, match=rf"load_ckpt: .*model\.ckpt-7 does not match.*{message}"
                                         rf".*nothing was restored"):
        tl.files.load_ckpt(network, save_dir=folder, var_list=[extra])
    assert_unchanged(network, before)
    assert extra.numpy() == 5.0 and tree(tmp_path) == files


def test_var_list_mismatch(tmp_path, saved_ckpt):
    folder = _copy(saved_ckpt, tmp_path / "ck")
    network, extra = net(), tf.Variable([1.0, 2.0])
    before = values(network)
    with pytest.raises(ValueError, match=r"var_list\[0\]: expected shape \(2,\), found \(\)"):
        tl.files.load_ckpt(network, save_dir=folder, var_list=[extra])
    assert_unchanged(network, before)
    assert list(extra.numpy()) == [1.0, 2.0]


def test_failed_restore_is_rolled_back(tmp_path, saved_ckpt, monkeypatch):
    # If TensorFlow fails half-way (the pre-check bypassed here), every variable is put back.
    folder = _copy(saved_ckpt, tmp_path / "ck")
    monkeypatch.setattr(_ckpt, "_precheck", lambda *a: None)
    network = net((3, 5))  # d1 matches (and is restored first), d2 does not
    before = values(network)
    with pytest.raises(ValueError, match=r"does not match the given objects.*nothing was restored"):
        tl.files.load_ckpt(network, save_dir=folder)
    assert_unchanged(network, before)


STATES = {
    "garbage": (b"garbage {{{", "unreadable"),
    "binary": (os.urandom(64) + b"\xff", "unreadable"),
    "unknown-field": (b'model_checkpoint_path: "model.ckpt-7"\nevil: 1\n', "unreadable"),
    "empty": (b"", "names no checkpoint"),
    "missing-files": (b'model_checkpoint_path: "model.ckpt-99"\n', r"model\.ckpt-99\.index does "
                      r"not exist"),
    "absolute": (b'model_checkpoint_path: "/etc/passwd"\n', "outside"),
    "dotdot": (b'model_checkpoint_path: "../elsewhere/model.ckpt-7"\n', "outside"),
}


@pytest.mark.parametrize("content, message", STATES.values(), ids=STATES.keys())
def test_garbage_state_file_is_an_error(tmp_path, saved_ckpt, content, message):
    folder = _copy(saved_ckpt, tmp_path / "ck")
    (tmp_path / "ck" / "checkpoint").write_bytes(content)
    network = net()
    before, files = values(network), tree(tmp_path)
    with pytest.raises(ValueError, match=rf"ck/checkpoint: .*{message}.*not a checkpoint state"):
        tl.files.load_ckpt(network, save_dir=folder)
    with pytest.raises(ValueError, match="not a checkpoint state file"):
        tl.files.latest_ckpt(folder)
    assert_unchanged(network, before)
    assert tree(tmp_path) == files


@pytest.mark.parametrize("damage", ["index", "data"])
def test_corrupt_checkpoint_files(tmp_path, saved_ckpt, damage):
    folder = _copy(saved_ckpt, tmp_path / "ck")
    for f in os.listdir(folder):
        if (damage == "index" and f.endswith(".index")) or (damage == "data" and ".data-" in f):
            (tmp_path / "ck" / f).write_bytes(b"\0garbage" * 8)
    network = net()
    before = values(network)
    with pytest.raises(ValueError, match=r"load_ckpt: .*model\.ckpt-7 (is unreadable|does not "
                                         r"match).*nothing was restored"):
        tl.files.load_ckpt(network, save_dir=folder)
    assert_unchanged(network, before)


def test_no_checkpoint_is_still_none(tmp_path):
    network = net()
    assert tl.files.load_ckpt(network, save_dir=str(tmp_path / "none")) is None
    assert tl.files.load_ckpt(network, save_dir=str(tmp_path)) is None


def test_matching_checkpoint_still_restores(tmp_path, saved_ckpt):
    folder = _copy(saved_ckpt, tmp_path / "ck")
    network, extra = net(seed=5), tf.Variable(0.0)
    assert tl.files.load_ckpt(network, save_dir=folder, var_list=[extra]) == 7
    for a, b in zip(values(network), saved_values):
        np.testing.assert_array_equal(a, b)
    assert extra.numpy() == 2.0
