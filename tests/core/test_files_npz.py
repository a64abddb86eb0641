"""Tests for tlcore/files/_npz.py and _atomic.py: parameter files, all-or-nothing assignment,
no pickle without opt-in, atomic writes."""
from __future__ import annotations

import os

import numpy as np
import pytest
import tensorflow as tf

import tlcore as tl
from tlcore.layers.core import InputLayer
from tlcore.layers.dense import DenseLayer
from tlcore.layers.dropout import DropoutLayer


def mlp(n_out: int = 2, n_hidden: int = 3, seed: int = 0):
    tf.random.set_seed(seed)
    net = InputLayer([None, 4], name="input")
    net = DropoutLayer(net, keep=0.8, name="drop1")
    net = DenseLayer(net, n_units=n_hidden, act=tf.nn.relu, name="relu1")
    return DenseLayer(net, n_units=n_out, name="output")


def values(net):
    return [v.numpy().copy() for v in net.all_params]


def assert_same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


# ------------------------------------------------------------------------------ round trips
def test_save_npz_round_trip_without_pickle():
    src, dst = mlp(seed=1), mlp(seed=2)
    path = tl.files.save_npz(src.all_params, name="model.npz")
    with np.load(path, allow_pickle=False) as raw:  # our format never needs pickle
        assert {"arr_0", "arr_1", "arr_2", "arr_3"} <= set(raw.files)
    loaded = tl.files.load_npz(name="model.npz")
    assert_same(loaded, values(src))
    assert tl.files.load_and_assign_npz(name="model.npz", network=dst) is dst
    assert_same(values(dst), values(src))


def test_save_npz_accepts_network_and_appends_suffix():
    src = mlp()
    assert tl.files.save_npz(src, name="model") == "model.npz"
    assert_same(tl.files.load_npz(name="model.npz"), values(src))


def test_assign_params_prefix_leaves_the_rest():
    src, dst = mlp(seed=1), mlp(seed=2)
    before = values(dst)
    tl.files.assign_params(values(src)[:2], dst)
    after = values(dst)
    assert_same(after[:2], values(src)[:2])
    assert_same(after[2:], before[2:])


def test_strict_assign_needs_one_array_per_parameter():
    src, dst = mlp(seed=1), mlp(seed=2)
    before = values(dst)
    with pytest.raises(ValueError, match=r"2 arrays given but the network has 4 parameters; "
                                         r"nothing was assigned"):
        tl.files.assign_params(values(src)[:2], dst, strict=True)
    tl.files.save_npz(values(src)[:3], name="short.npz")
    with pytest.raises(ValueError, match=r"short\.npz.*3 arrays given.*has 4 parameters"):
        tl.files.load_and_assign_npz(name="short.npz", network=dst, strict=True)
    assert_same(values(dst), before)
    tl.files.assign_params(values(src), dst, strict=True)
    assert_same(values(dst), values(src))


def test_load_and_assign_npz_into_a_list_of_variables():
    """Variables that belong to no network (an optimizer's slots) load all or nothing too."""
    src, dst = mlp(seed=1), mlp(seed=2)
    tl.files.save_npz(src, name="model.npz")
    assert tl.files.load_and_assign_npz(name="model.npz", network=dst.all_params,
                                        strict=True) == dst.all_params
    assert_same(values(dst), values(src))
    before = values(dst)
    with pytest.raises(ValueError, match=r"param 0 \(relu1/W\): expected shape \(4, 3\), "
                                         r"found \(2,\).*nothing was assigned"):
        tl.files.assign_params(values(src)[::-1], dst.all_params)
    assert_same(values(dst), before)


def test_write_and_read_npz_are_public_and_atomic(tmp_path):
    path = str(tmp_path / "state.npz")
    tl.files.write_npz(path, {"x": np.arange(3)}, {"format": "mine", "step": 7})
    contents = tl.files.read_npz(path)
    assert contents.meta == {"format": "mine", "step": 7}
    np.testing.assert_array_equal(contents.arrays["x"], np.arange(3))
    assert [n for n in os.listdir(tmp_path) if n.endswith(".tmp")] == []
    with pytest.raises(ValueError, match=r"dtype object"):
        tl.files.write_npz(path, {"x": np.array([{}], dtype=object)}, {})
    assert tl.files.read_npz(path).meta["step"] == 7  # the refused write left the file as it was


def test_load_and_assign_npz_missing_file_returns_none(caplog):
    assert tl.files.load_and_assign_npz(name="nope.npz", network=mlp()) is None
    assert "nope.npz" in caplog.text


def test_npz_dict_round_trip_by_layer_var_keys():
    src, dst = mlp(seed=1), mlp(seed=2)
    tl.files.save_npz_dict(src, name="d.npz")
    with np.load("d.npz", allow_pickle=False) as raw:
        assert {"relu1/W", "relu1/b", "output/W", "output/b"} <= set(raw.files)
    tl.files.load_and_assign_npz_dict(name="d.npz", network=dst)
    assert_same(values(dst), values(src))


def test_npz_dict_list_with_network_argument():
    src, dst = mlp(seed=1), mlp(seed=2)
    tl.files.save_npz_dict(src.all_params, name="d.npz", network=src)
    tl.files.load_and_assign_npz_dict(name="d.npz", network=dst)
    assert_same(values(dst), values(src))


# ---------------------------------------------------------------- bad input, nothing changed
def test_truncated_file_clear_error_and_no_change():
    src, dst = mlp(seed=1), mlp(seed=2)
    tl.files.save_npz(src, name="model.npz")
    data = open("model.npz", "rb").read()
    with open("model.npz", "wb") as f:
        f.write(data[: len(data) // 2])
    before = values(dst)
    with pytest.raises(ValueError, match=r"model\.npz.*truncated or corrupt"):
        tl.files.load_and_assign_npz(name="model.npz", network=dst)
    assert_same(values(dst), before)


def test_wrong_shape_names_index_layer_shapes_and_assigns_nothing():
    src, dst = mlp(n_out=2, seed=1), mlp(n_out=5, seed=2)  # params 0, 1 fit; 2, 3 do not
    tl.files.save_npz(src, name="model.npz")
    before = values(dst)
    with pytest.raises(ValueError, match=r"param 2 \(output/W\): expected shape \(3, 5\), "
                                         r"found \(3, 2\).*nothing was assigned"):
        tl.files.load_and_assign_npz(name="model.npz", network=dst)
    assert_same(values(dst), before)  # not even the fitting relu1/W and relu1/b


def test_wrong_count_is_refused():
    dst = mlp()
    params = values(dst) + [np.zeros(3, np.float32)]
    before = values(dst)
    with pytest.raises(ValueError, match=r"5 arrays given but the network has only 4"):
        tl.files.assign_params(params, dst)
    assert_same(values(dst), before)


def test_wrong_dtype_is_refused():
    dst = mlp()
    params = values(dst)
    params[1] = params[1].astype(np.int32)
    before = values(dst)
    with pytest.raises(ValueError,
                       match=r"param 1 \(relu1/b\): expected dtype float32, found int32"):
        tl.files.assign_params(params, dst)
    assert_same(values(dst), before)


def test_dict_unknown_and_missing_keys_named_nothing_changed():
    src = mlp(seed=1)
    np.savez("d.npz", **{"relu1/W": values(src)[0], "extra/W": np.zeros(2, np.float32)})
    dst = mlp(seed=2)
    before = values(dst)
    with pytest.raises(ValueError, match=r"not in the network: \['extra/W'\].*missing from the "
                                         r"file: \['output/W', 'output/b', 'relu1/b'\]"):
        tl.files.load_and_assign_npz_dict(name="d.npz", network=dst)
    assert_same(values(dst), before)
    tl.files.load_and_assign_npz_dict(name="d.npz", network=dst, strict=False)
    np.testing.assert_array_equal(dst.all_params[0].numpy(), values(src)[0])


def test_dict_wrong_shape_nothing_changed():
    src, dst = mlp(n_out=2, seed=1), mlp(n_out=5, seed=2)
    tl.files.save_npz_dict(src, name="d.npz")
    before = values(dst)
    with pytest.raises(ValueError, match=r"output/W: expected shape \(3, 5\), found \(3, 2\)"):
        tl.files.load_and_assign_npz_dict(name="d.npz", network=dst)
    assert_same(values(dst), before)


def test_tensorlayer_1x_pickled_file_needs_opt_in():
    src, dst = mlp(seed=1), mlp(seed=2)
    # What TensorLayer 1.x wrote: np.savez(name, params=[...]), a pickled object array.
    params = np.empty(4, dtype=object)
    params[:] = values(src)
    np.savez("tl1.npz", params=params)
    before = values(dst)
    with pytest.raises(ValueError, match=r"TensorLayer 1\.x file.*pickle.*allow_pickle=True"):
        tl.files.load_and_assign_npz(name="tl1.npz", network=dst)
    assert_same(values(dst), before)
    tl.files.load_and_assign_npz(name="tl1.npz", network=dst, allow_pickle=True)
    assert_same(values(dst), values(src))


def test_dict_loader_rejects_positional_file():
    tl.files.save_npz(mlp(), name="model.npz")
    with pytest.raises(ValueError, match="use load_and_assign_npz"):
        tl.files.load_and_assign_npz_dict(name="model.npz", network=mlp())


# ---------------------------------------------------------------------------- atomic writes
def test_failed_write_keeps_old_file_and_leaves_no_temp(monkeypatch):
    tl.files.save_npz(mlp(seed=1), name="model.npz")
    old = open("model.npz", "rb").read()
    real, calls = np.lib.format.write_array, []

    def failing(*args, **kwargs):  # fail on the third array, after two were written
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", failing)
    with pytest.raises(OSError, match="disk full"):
        tl.files.save_npz(mlp(seed=2), name="model.npz")
    assert open("model.npz", "rb").read() == old
    assert os.listdir(".") == ["model.npz"]


def test_object_arrays_are_never_pickled_on_save():
    with pytest.raises(ValueError, match="dtype object"):
        tl.files.save_npz([np.array([{"a": 1}], dtype=object)], name="x.npz")
    assert not os.path.exists("x.npz")


# ------------------------------------------------------------------------- any python value
def test_save_any_round_trip_without_pickle():
    value = {"data": list(range(40)), "count": [["UNK", 3], ["the", 10]],
             "dictionary": {"UNK": 0, "the": 1}, "reverse_dictionary": {0: "UNK", 1: "the"},
             "emb": np.arange(6, dtype=np.float32).reshape(2, 3), "lr": 0.5, "t": (1, "a"),
             "n": np.int64(7), "none": None}
    tl.files.save_any_to_npy(value, name="file.npy")
    with np.load("file.npy", allow_pickle=False) as raw:  # readable without pickle
        assert raw.files
    back = tl.files.load_npy_to_any(name="file.npy")
    np.testing.assert_array_equal(back.pop("emb"), value.pop("emb"))
    assert back == value
    assert isinstance(back["t"], tuple) and isinstance(back["data"], list)


def test_save_any_unsupported_object_needs_opt_in():
    class Thing:
        pass

    with pytest.raises(TypeError, match="without pickle.*allow_pickle=True"):
        tl.files.save_any_to_npy({"x": Thing()}, name="o.npy")
    assert not os.path.exists("o.npy")


def test_load_tensorlayer_1x_npy_needs_opt_in():
    np.save("tl1.npy", np.array({"a": 1, "b": [1, 2]}, dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="pickle.*allow_pickle=True"):
        tl.files.load_npy_to_any(name="tl1.npy")
    assert tl.files.load_npy_to_any(name="tl1.npy", allow_pickle=True) == {"a": 1, "b": [1, 2]}


def test_load_plain_npy_array():
    np.save("a.npy", np.arange(5))
    np.testing.assert_array_equal(tl.files.load_npy_to_any(name="a.npy"), np.arange(5))


# ---------------------------------------------------------------------------- file helpers
def test_file_helpers(tmp_path):
    d = tmp_path / "imgs"
    assert tl.files.exists_or_mkdir(str(d), verbose=False) is False
    assert tl.files.exists_or_mkdir(str(d), verbose=False) is True
    for n in ["img10.jpg", "img2.jpg", "img1.jpg", "notes.txt"]:
        (d / n).write_text(n)
    (d / "sub10").mkdir()
    (d / "sub9").mkdir()
    assert tl.files.load_file_list(str(d), printable=False) == ["img1.jpg", "img2.jpg", "img10.jpg"]
    assert tl.files.load_file_list(str(d), regx=r"\.txt$", printable=False, keep_prefix=True) == [
        os.path.join(str(d), "notes.txt")]
    assert tl.files.load_folder_list(str(d)) == [str(d / "sub9"), str(d / "sub10")]
    assert tl.files.file_exists(str(d / "notes.txt")) and not tl.files.file_exists(str(d))
    assert tl.files.folder_exists(str(d))
    assert tl.files.read_file(str(d / "notes.txt")) == "notes.txt"
    tl.files.del_file(str(d / "notes.txt"))
    assert not (d / "notes.txt").exists()
    tl.files.del_folder(str(d))
    assert not d.exists()
    assert sorted(["a10", "a2", "a1"], key=tl.files.natural_keys) == ["a1", "a2", "a10"]


def test_assign_params_to_keras_variables():
    import keras

    kv = keras.Variable(np.zeros((2, 3), np.float32), name="k")
    tl.files.assign_params([np.ones((2, 3), np.float32)], [kv])
    np.testing.assert_array_equal(np.asarray(kv), np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"param 0 \(k\): expected shape \(2, 3\), found \(3,\)"):
        tl.files.assign_params([np.ones(3, np.float32)], [kv])
