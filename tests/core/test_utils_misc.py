"""Tests for tlcore/utils/_misc.py (dict_to_one, set_keep, flatten_list,
class_balancing_oversample, get_random_int, list_string_to_dict)."""
from __future__ import annotations

import subprocess
import sys
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tlcore as tl
from tlcore.utils import _misc as M


def test_exported_through_tl_utils():
    for name in M.__all__:
        assert getattr(tl.utils, name) is getattr(M, name)
        assert name in tl.utils.__all__


def test_misc_imports_no_tensorflow():
    code = "import sys, tlcore.utils._misc; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------- dict_to_one / set_keep
class FakeVar:
    """Stands for a tf.Variable: ``assign`` and numpy conversion are all set_keep uses."""

    def __init__(self, value):
        self.value = value

    def assign(self, value):
        self.value = value

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.value, dtype=dtype)


def test_dict_to_one_gives_one_for_every_layer():
    assert M.dict_to_one({"drop1": 0.8, "drop2": 0.5}) == {"drop1": 1.0, "drop2": 1.0}
    assert M.dict_to_one({}) == {}


def test_set_keep_on_a_real_network():
    from tlcore.layers import DenseLayer, DropoutLayer, InputLayer

    net = InputLayer([None, 4], name="in")
    net = DropoutLayer(net, keep=0.8, name="drop1")
    net = DenseLayer(net, n_units=3, name="d")
    net = DropoutLayer(net, keep=0.5, name="drop2")
    old = M.set_keep(net.all_drop, M.dict_to_one(net.all_drop))
    assert old == pytest.approx({"drop1": 0.8, "drop2": 0.5})
    assert {k: float(v.numpy()) for k, v in net.all_drop.items()} == {"drop1": 1.0, "drop2": 1.0}
    x = np.ones((2, 4), np.float32)
    # keep 1 everywhere: training mode is deterministic and equals inference
    np.testing.assert_allclose(net(x, is_train=True), net(x, is_train=False), rtol=1e-6)
    M.set_keep(net.all_drop, old)
    assert float(net.all_drop["drop2"].numpy()) == pytest.approx(0.5)
    M.set_keep(net.all_drop, 0.9)
    assert [round(float(v.numpy()), 6) for v in net.all_drop.values()] == [0.9, 0.9]


def test_set_keep_partial_dict():
    drop = {"a": FakeVar(0.5), "b": FakeVar(0.6)}
    assert M.set_keep(drop, {"b": 1}) == {"a": 0.5, "b": 0.6}
    assert (drop["a"].value, drop["b"].value) == (0.5, 1.0)


@pytest.mark.parametrize("keep,match", [
    (0.0, r"set_keep: keep of 'a' must be a number in \(0, 1\], received 0.0"),
    ({"a": 1.0, "b": 1.5}, r"keep of 'b' must be a number in \(0, 1\], received 1.5"),
    ({"zz": 1.0}, r"set_keep: no dropout layer named 'zz' in all_drop, whose layers are "
                  r"\['a', 'b'\]"),
    (True, r"received True"),
], ids=["zero", "too-big", "unknown", "bool"])
def test_set_keep_validates_everything_before_assigning(keep, match):
    drop = {"a": FakeVar(0.5), "b": FakeVar(0.6)}
    with pytest.raises(ValueError, match=match):
        M.set_keep(drop, keep)
    assert (drop["a"].value, drop["b"].value) == (0.5, 0.6)   # nothing half-done


# ------------------------------------------------------------------------ flatten_list
@given(st.lists(st.lists(st.integers(), max_size=4), max_size=5))
def test_flatten_list_matches_sum(lol):
    assert M.flatten_list(lol) == sum(lol, [])


def test_flatten_list_one_level_only():
    assert M.flatten_list([[1, [2]], [], [3]]) == [1, [2], 3]


# ----------------------------------------------------------- class_balancing_oversample
@given(labels=st.lists(st.integers(0, 3), min_size=1, max_size=25), seed=st.integers(0, 99))
def test_oversample_balances_and_keeps_pairs(labels, seed):
    y = np.array(labels)
    X = np.stack([np.arange(len(y)), y * 100], 1).reshape(len(y), 2, 1)  # any rank; id + label
    Xo, yo = M.class_balancing_oversample(X, y, printable=False, seed=seed)
    counts = Counter(labels)
    most = max(counts.values())
    assert Counter(yo.tolist()) == {c: most for c in counts}
    assert Xo.shape == (most * len(counts), 2, 1) and Xo.dtype == X.dtype
    np.testing.assert_array_equal(Xo[:, 1, 0], yo * 100)          # sample stays with its label
    ids = Xo[:, 0, 0]
    np.testing.assert_array_equal(y[ids], yo)
    for c in counts:                                               # every original sample kept,
        own = ids[yo == c]                                         # repeats as even as possible
        times = Counter(own.tolist())
        assert set(times) == set(np.flatnonzero(y == c).tolist())
        assert max(times.values()) - min(times.values()) <= 1


def test_oversample_seed_repeats_and_hand_example():
    X = np.arange(7)[:, None].astype(np.float32)
    y = np.array([0, 0, 0, 0, 0, 1, 1])
    a = M.class_balancing_oversample(X, y, printable=False, seed=3)
    b = M.class_balancing_oversample(X, y, printable=False, seed=np.random.default_rng(3))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], [0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    np.testing.assert_array_equal(a[0][:5, 0], [0, 1, 2, 3, 4])
    assert sorted(a[0][5:, 0].tolist())[:4] == [5, 5, 6, 6]


def test_oversample_logs_counts(caplog):
    with caplog.at_level("INFO", logger="tlcore"):
        M.class_balancing_oversample(np.zeros((3, 2)), [1, 1, 2], seed=0)
    assert "classes: {1: 2, 2: 1}, each oversampled to 2" in caplog.text


def test_oversample_shape_error():
    with pytest.raises(ValueError, match=r"class_balancing_oversample: expected X_train "
                                         r"\[n, \.\.\.\] and y_train \[n\], received shapes "
                                         r"\(3, 2\) and \(2,\)"):
        M.class_balancing_oversample(np.zeros((3, 2)), [0, 1])


# ---------------------------------------------------------------------- get_random_int
@given(lo=st.integers(-5, 5), span=st.integers(0, 5), number=st.integers(0, 20),
       seed=st.integers(0, 50))
def test_get_random_int_range_count_and_seed(lo, span, number, seed):
    out = M.get_random_int(lo, lo + span, number, seed=seed)
    assert len(out) == number and all(lo <= v <= lo + span for v in out)
    assert out == M.get_random_int(lo, lo + span, number, seed=seed)


def test_get_random_int_includes_both_ends_and_seed_zero_counts():
    assert set(M.get_random_int(0, 2, 300, seed=0)) == {0, 1, 2}
    assert M.get_random_int(0, 1000, 5, seed=0) == M.get_random_int(0, 1000, 5, seed=0)
    with pytest.raises(ValueError, match=r"get_random_int: min_v must not exceed max_v"):
        M.get_random_int(3, 1)
    with pytest.raises(ValueError, match=r"get_random_int: number must be an int >= 0, "
                                         r"received -1"):
        M.get_random_int(number=-1)


# ----------------------------------------------------------------- list_string_to_dict
def test_list_string_to_dict():
    assert M.list_string_to_dict(["a", "b", "c"]) == {"a": 0, "b": 1, "c": 2}
    assert M.list_string_to_dict(["x", "y", "x"]) == {"x": 2, "y": 1}   # later duplicate wins
    assert M.list_string_to_dict([]) == {}


def test_docstring_examples_run():
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module("tlcore.utils._misc"))
    assert result.attempted > 0 and result.failed == 0
