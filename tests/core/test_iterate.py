"""Tests for tlcore/iterate.py: the seed's examples, loop oracles and coverage properties."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tlcore as tl
from tlcore.iterate import minibatches, ptb_iterator, seq_minibatches, seq_minibatches2


# ------------------------------------------------------------------------- minibatches
def test_minibatches_drops_last_partial_batch_by_default():
    X, y = np.arange(20).reshape(10, 2), np.arange(10)
    batches = list(minibatches(X, y, batch_size=4))
    assert [b[1].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    np.testing.assert_array_equal(batches[0][0], X[:4])
    dyn = list(minibatches(X, y, batch_size=4, allow_dynamic_batch_size=True))
    assert [b[1].tolist() for b in dyn] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


@given(n=st.integers(0, 30), batch_size=st.integers(1, 8), dynamic=st.booleans(),
       shuffle=st.booleans(), seed=st.integers(0, 1000))
def test_minibatches_sizes_and_each_sample_at_most_once(n, batch_size, dynamic, shuffle, seed):
    X, y = np.arange(n) * 10, np.arange(n)
    batches = list(minibatches(X, y, batch_size, allow_dynamic_batch_size=dynamic,
                               shuffle=shuffle, seed=seed))
    sizes = [len(b[1]) for b in batches]
    full, rest = divmod(n, batch_size)
    assert sizes == [batch_size] * full + ([rest] if dynamic and rest else [])
    seen = np.concatenate([b[1] for b in batches]) if batches else np.array([], int)
    assert len(set(seen.tolist())) == len(seen)              # no sample twice
    assert len(seen) == (n if dynamic else full * batch_size)
    for xb, yb in batches:                                   # inputs stay paired with targets
        np.testing.assert_array_equal(xb, yb * 10)
    if not shuffle:
        np.testing.assert_array_equal(seen, np.arange(len(seen)))


def test_minibatches_shuffle_is_reproducible_with_seed_generator_and_global_state():
    X, y = np.arange(50), np.arange(50)
    order = lambda **kw: np.concatenate([b[1] for b in minibatches(X, y, 10, shuffle=True, **kw)])
    a, b = order(seed=7), order(seed=7)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, np.arange(50))
    np.testing.assert_array_equal(order(seed=np.random.default_rng(7)), a)
    np.random.seed(3)
    g1 = order()
    np.random.seed(3)
    np.testing.assert_array_equal(order(), g1)


def test_minibatches_lists_come_back_as_lists_when_shuffled():
    X, y = [f"s{i}" for i in range(6)], list(range(6))
    xb, yb = next(minibatches(X, y, 3, shuffle=True, seed=0))
    assert isinstance(xb, list) and isinstance(yb, list)
    assert xb == [f"s{i}" for i in yb]
    xb, yb = next(minibatches(X, y, 3))
    assert xb == ["s0", "s1", "s2"] and yb == [0, 1, 2]


@pytest.mark.parametrize("kwargs,match", [
    ({"inputs": np.zeros(5), "targets": np.zeros(4), "batch_size": 2},
     r"minibatches: inputs and targets must have the same length, received 5 inputs and 4"),
    ({"inputs": np.zeros(5), "targets": np.zeros(5), "batch_size": 0},
     r"minibatches: batch_size must be a positive int, received 0"),
    ({"inputs": np.zeros(5), "targets": np.zeros(5)},
     r"minibatches: batch_size must be a positive int, received None"),
], ids=["length", "zero-batch", "no-batch"])
def test_minibatches_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        next(minibatches(**kwargs))


# --------------------------------------------------------------------- seq_minibatches
def seq_oracle(inputs, targets, batch_size, seq_length, stride):
    """A direct loop over the definition."""
    out = []
    start = 0
    while start + (batch_size - 1) * stride + seq_length <= len(inputs):
        xs, ys = [], []
        for b in range(batch_size):
            s = start + b * stride
            xs.extend(inputs[s:s + seq_length])
            ys.extend(targets[s:s + seq_length])
        out.append((np.array(xs), np.array(ys)))
        start += batch_size * stride
    return out


@given(n=st.integers(1, 40), batch_size=st.integers(1, 4), seq_length=st.integers(1, 5),
       stride=st.integers(1, 3))
def test_seq_minibatches_matches_loop_oracle(n, batch_size, seq_length, stride):
    X = np.arange(n * 2).reshape(n, 2)
    y = np.arange(n) + 100
    got = list(seq_minibatches(X, y, batch_size, seq_length, stride))
    want = seq_oracle(X, y, batch_size, seq_length, stride)
    assert len(got) == len(want)
    for (gx, gy), (wx, wy) in zip(got, want):
        assert gx.shape == (batch_size * seq_length, 2) and gy.shape == (batch_size * seq_length,)
        np.testing.assert_array_equal(gx, wx)
        np.testing.assert_array_equal(gy, wy)


def test_seq_minibatches_hand_example():
    X, y = np.arange(8), np.arange(8) * 10
    got = [(a.tolist(), b.tolist()) for a, b in seq_minibatches(X, y, 2, 3, stride=1)]
    assert got == [([0, 1, 2, 1, 2, 3], [0, 10, 20, 10, 20, 30]),
                   ([2, 3, 4, 3, 4, 5], [20, 30, 40, 30, 40, 50]),
                   ([4, 5, 6, 5, 6, 7], [40, 50, 60, 50, 60, 70])]


# -------------------------------------------------------------------- seq_minibatches2
def test_seq_minibatches2_docstring_example_and_dtypes():
    batches = list(seq_minibatches2(list(range(20)), list(range(20, 40)), batch_size=2,
                                    num_steps=3))
    assert len(batches) == 3
    x, y = batches[0]
    assert x.tolist() == [[0, 1, 2], [10, 11, 12]] and y.tolist() == [[20, 21, 22], [30, 31, 32]]
    assert batches[2][0].tolist() == [[6, 7, 8], [16, 17, 18]]
    X = np.arange(40, dtype=np.float32).reshape(20, 2)
    y = np.arange(20).astype(np.int64)
    x, t = next(seq_minibatches2(X, y, 2, 3))
    assert x.shape == (2, 3, 2) and x.dtype == np.float32 and t.dtype == np.int64
    np.testing.assert_array_equal(x[1, 0], X[10])


def test_seq_minibatches2_errors():
    with pytest.raises(ValueError, match=r"seq_minibatches2: epoch_size == 0"):
        next(seq_minibatches2(np.arange(6), np.arange(6), 2, 3))
    with pytest.raises(ValueError, match=r"seq_minibatches2: inputs and targets must have"):
        next(seq_minibatches2(np.arange(6), np.arange(5), 2, 1))


# ------------------------------------------------------------------------ ptb_iterator
def test_ptb_iterator_seed_example():
    got = [(x.tolist(), y.tolist()) for x, y in ptb_iterator(list(range(20)), batch_size=2,
                                                              num_steps=3)]
    assert got == [
        ([[0, 1, 2], [10, 11, 12]], [[1, 2, 3], [11, 12, 13]]),
        ([[3, 4, 5], [13, 14, 15]], [[4, 5, 6], [14, 15, 16]]),
        ([[6, 7, 8], [16, 17, 18]], [[7, 8, 9], [17, 18, 19]]),
    ]


@given(n=st.integers(2, 60), batch_size=st.integers(1, 4), num_steps=st.integers(1, 6))
def test_ptb_iterator_windows_are_shifted_by_one(n, batch_size, num_steps):
    data = np.arange(n) * 3
    batch_len = n // batch_size
    epoch_size = (batch_len - 1) // num_steps
    if epoch_size <= 0:   # -1 when a row is empty: also an error, not a silent empty epoch
        with pytest.raises(ValueError, match=r"ptb_iterator: epoch_size == 0, decrease "
                                             r"batch_size or num_steps"):
            next(ptb_iterator(data, batch_size, num_steps))
        return
    steps = list(ptb_iterator(data, batch_size, num_steps))
    assert len(steps) == epoch_size
    for i, (x, y) in enumerate(steps):
        assert x.shape == y.shape == (batch_size, num_steps) and x.dtype == np.int32
        for row in range(batch_size):   # row r is the r-th contiguous segment of the stream
            base = row * batch_len + i * num_steps
            np.testing.assert_array_equal(x[row], data[base:base + num_steps])
            np.testing.assert_array_equal(y[row], data[base + 1:base + num_steps + 1])
    # consecutive windows tile each row without gaps
    np.testing.assert_array_equal(np.concatenate([x for x, _ in steps], 1)[:, 1:],
                                  np.concatenate([y for _, y in steps], 1)[:, :-1])


def test_ptb_iterator_on_real_ptb(shared_data):
    path = next(shared_data.rglob("ptb.valid.txt"), None)
    if path is None:
        pytest.skip("ptb.valid.txt not in shared data")
    words = path.read_text().replace("\n", "<eos>").split()
    vocab = {w: i for i, w in enumerate(sorted(set(words)))}
    ids = [vocab[w] for w in words]
    steps = list(ptb_iterator(ids, batch_size=20, num_steps=35))
    assert len(steps) == (len(ids) // 20 - 1) // 35
    x, y = steps[-1]
    assert x.shape == (20, 35)
    np.testing.assert_array_equal(x[:, 1:], y[:, :-1])


def test_iterate_imports_no_tensorflow():
    code = "import sys, tlcore.iterate; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert tl.iterate.ptb_iterator is ptb_iterator


def test_docstring_examples_run():
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module("tlcore.iterate"))
    assert result.attempted > 0 and result.failed == 0
