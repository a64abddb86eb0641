"""Tests for tlcore_nlp/datasets.py: real files from ../shared/data (PTB, text8 prefix, Multi30k),
small local files for the rest; no test touches the network."""
from __future__ import annotations

import pickle
import zipfile

import numpy as np
import pytest

import tlcore as tl
from tlcore.files import ChecksumError
from tlcore_nlp import datasets as D


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    def no_fetch(spec, path=None, **kw):
        raise AssertionError(f"tried to download {spec.name}")
    monkeypatch.setattr(D, "fetch", no_fetch)


@pytest.fixture(scope="module")
def ptb(shared_data):
    return D.load_ptb_dataset(path=shared_data)


def test_ptb_counts_and_vocab(ptb):
    train, valid, test, vocab_size = ptb
    assert (len(train), len(valid), len(test), vocab_size) == (929589, 73760, 82430, 10000)
    assert all(isinstance(i, int) for i in train[:100])
    assert max(max(train), max(valid), max(test)) == 9999 and min(train) == 0
    # id 0 is the most frequent word ("the"), ids follow (-count, word); <eos> ends each line
    words = tl.nlp.read_words(str(_ptb_dir() / "ptb.train.txt"))
    vocab = tl.nlp.build_vocab(words)
    assert vocab["the"] == 0 and vocab["<unk>"] == 1 and vocab["<eos>"] == 2
    assert train[:5] == [vocab[w] for w in words[:5]]
    assert train.count(vocab["<eos>"]) == 42068  # one per line of ptb.train.txt


def _ptb_dir():
    from tests.conftest import _shared_data

    return _shared_data() / "ptb"


def test_ptb_folder_given_directly_and_via_env(shared_data, ptb, monkeypatch):
    got = D.load_ptb_dataset(path=shared_data / "ptb")
    assert got[1] == ptb[1] and got[3] == 10000
    monkeypatch.setenv("TLCORE_DATA_DIR", str(shared_data))
    assert tl.files.load_ptb_dataset()[2] == ptb[2]


def test_ptb_bad_local_file_is_refused(tmp_path):
    for s in ("train", "valid", "test"):
        (tmp_path / f"ptb.{s}.txt").write_text(" a b \n")
    with pytest.raises(ChecksumError, match="ptb.train.txt: expected sha256"):
        D.load_ptb_dataset(path=tmp_path)


def test_text8_prefix(shared_data):
    words = tl.files.load_matt_mahoney_text8_dataset(path=shared_data)
    assert len(words) == 2636
    assert words[:6] == ["anarchism", "originated", "as", "a", "term", "of"]
    assert words[-2:] == ["anarcho", "syndicalists"]
    assert D.load_matt_mahoney_text8_dataset(path=shared_data / "text8_prefix16k") == words


def test_text8_from_zip(tmp_path):
    folder = tmp_path / "matt_mahoney_text8"
    folder.mkdir()
    with zipfile.ZipFile(folder / "text8.zip", "w") as z:
        z.writestr("text8", " the quick brown fox")
    assert D.load_matt_mahoney_text8_dataset(path=tmp_path) == ["the", "quick", "brown", "fox"]


def test_multi30k(shared_data):
    tr_en, tr_fr, va_en, va_fr, te_en, te_fr = tl.files.load_multi30k_dataset(path=shared_data)
    assert [len(x) for x in (tr_en, tr_fr, va_en, va_fr, te_en, te_fr)] == \
        [29000, 29000, 1014, 1014, 1000, 1000]
    assert tr_en[0] == "Two young, White males are outside near many bushes."
    assert tr_fr[0] == "Deux jeunes hommes blancs sont dehors près de buissons."
    assert not any(s.endswith("\n") for s in te_fr)
    fr_en = D.load_multi30k_dataset(path=shared_data / "multi30k", src="fr", tgt="en")
    assert fr_en[4] == te_fr and fr_en[5] == te_en
    with pytest.raises(ValueError, match="two different languages"):
        D.load_multi30k_dataset(path=shared_data, src="en", tgt="de")


def test_imdb_processing_keeps_pairs_and_maps_ids():
    X = [[i + 1] * (i + 1) for i in range(10)]          # review i: length i+1, all ids i+1
    labels = list(range(10))                           # label = review number
    X_tr, y_tr, X_te, y_te = D.imdb_from_sequences(X, labels, nb_words=8, maxlen=None,
                                                   test_split=0.2, seed=113)
    assert len(X_tr) == 8 and len(X_te) == 2 and X_tr.dtype == object
    assert sorted(y_tr.tolist() + y_te.tolist()) == labels and y_tr.tolist() != labels[:8]
    for x, y in zip(list(X_tr) + list(X_te), y_tr.tolist() + y_te.tolist()):
        assert len(x) == y + 2 and x[0] == 1                       # start_char, then the words
        expect = y + 1 + 3                                          # id + index_from
        assert x[1:] == [expect if expect < 8 else 2] * (y + 1)     # >= nb_words -> oov_char
    # the same seed gives the same split; maxlen drops reviews of maxlen ids or more
    again = D.imdb_from_sequences(X, labels, nb_words=8, seed=113)
    assert again[1].tolist() == y_tr.tolist()
    _, y_tr, _, y_te = D.imdb_from_sequences(X, labels, maxlen=5, test_split=0.5)
    assert sorted(y_tr.tolist() + y_te.tolist()) == [0, 1, 2]       # lengths 2, 3, 4 < 5
    # oov_char=None drops out-of-range ids (skip_top too)
    X_tr, y_tr, _, _ = D.imdb_from_sequences([[1, 2, 9]], [1], nb_words=10, skip_top=5,
                                             oov_char=None, test_split=0.0)
    assert X_tr[0] == [5]  # [start 1, 4, 5, 12]: 1 and 4 < skip_top, 12 >= nb_words
    with pytest.raises(ValueError, match="increase maxlen"):
        D.imdb_from_sequences(X, labels, maxlen=1)


def test_imdb_loader_rejects_unverified_file(tmp_path):
    np.savez(tmp_path / "imdb.npz", x_train=np.zeros(3))
    with pytest.raises(ChecksumError):
        D.load_imdb_dataset(path=tmp_path)


def test_read_npz_safely_object_arrays_without_pickle_gadgets(tmp_path):
    ragged = np.empty(2, dtype=object)
    ragged[0], ragged[1] = [1, 2, 3], [4]
    np.savez(tmp_path / "ok.npz", x=ragged, y=np.arange(2))
    got = D.read_npz_safely(str(tmp_path / "ok.npz"))
    assert got["x"].tolist() == [[1, 2, 3], [4]] and got["y"].tolist() == [0, 1]

    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))
    bad = np.empty(1, dtype=object)
    bad[0] = Evil()
    np.savez(tmp_path / "bad.npz", x=bad)
    with pytest.raises(pickle.UnpicklingError, match="refusing to load builtins.print"):
        D.read_npz_safely(str(tmp_path / "bad.npz"))


def test_nietzsche_and_wmt_use_local_files(tmp_path):
    (tmp_path / "nietzsche.txt").write_text("PREFACE\n\nSupposing that Truth is a woman")
    assert D.load_nietzsche_dataset(path=tmp_path).startswith("PREFACE\n")
    wmt = tmp_path / "wmt_en_fr"
    wmt.mkdir()
    for stem in ("giga-fren.release2.fixed", "newstest2013"):
        for lang in ("en", "fr"):
            (wmt / f"{stem}.{lang}").write_text("x\n")
    train, dev = tl.files.load_wmt_en_fr_dataset(path=tmp_path)
    assert train == str(wmt / "giga-fren.release2.fixed") and dev == str(wmt / "newstest2013")


def test_specs_are_registered():
    for name in ("ptb", "matt_mahoney_text8", "imdb", "nietzsche", "wmt_en_fr", "multi30k"):
        assert tl.files.get_dataset_spec(name).name == name
