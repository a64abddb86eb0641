"""Tests for tlcore_nlp/nlp (tl.nlp): vocabularies, text, skip-gram batches, sampling, translate
helpers and BLEU, on the seed's documented examples and hand-checked numbers."""
from __future__ import annotations

import gzip
import math
import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tlcore_nlp import nlp


# --- skip-gram batches -------------------------------------------------------------------------
def test_skip_gram_seed_docstring_example():
    # TensorLayer's docstring: data 0..19, batch 8, num_skips 2, skip_window 1 gives centre words
    # [1 1 2 2 3 3 4 4] and, per centre, its two neighbours in random order.
    batch, labels, idx = nlp.generate_skip_gram_batch(list(range(20)), batch_size=8, num_skips=2,
                                                      skip_window=1, data_index=0)
    assert batch.dtype == np.int32 and labels.dtype == np.int32 and labels.shape == (8, 1)
    assert batch.tolist() == [1, 1, 2, 2, 3, 3, 4, 4]
    for c in (1, 2, 3, 4):
        assert sorted(labels[batch == c, 0].tolist()) == [c - 1, c + 1]
    assert idx == 7
    # continuing from the returned index slides on
    batch2, _, _ = nlp.generate_skip_gram_batch(list(range(20)), 8, 2, 1, data_index=idx)
    assert batch2.tolist() == [8, 8, 9, 9, 10, 10, 11, 11]


@given(st.integers(1, 3), st.integers(0, 30), st.integers(0, 10**6))
def test_skip_gram_labels_are_distinct_window_neighbours(skip_window, start, seed):
    data = list(range(100, 140))
    num_skips = 2 * skip_window
    batch, labels, _ = nlp.generate_skip_gram_batch(data, 4 * num_skips, num_skips, skip_window,
                                                    data_index=start, rng=random.Random(seed))
    for i in range(4):
        centre = batch[i * num_skips]
        got = labels[i * num_skips:(i + 1) * num_skips, 0]
        assert (batch[i * num_skips:(i + 1) * num_skips] == centre).all()
        # num_skips == 2*skip_window: every neighbour exactly once, never the centre
        pos = data.index(int(centre))
        expect = [data[(pos + d) % len(data)] for d in range(-skip_window, skip_window + 1) if d]
        assert sorted(got.tolist()) == sorted(expect)


def test_skip_gram_seeded_rng_is_reproducible():
    a = nlp.generate_skip_gram_batch(list(range(50)), 16, 2, 2, rng=random.Random(3))
    b = nlp.generate_skip_gram_batch(list(range(50)), 16, 2, 2, rng=random.Random(3))
    np.testing.assert_array_equal(a[1], b[1])


@pytest.mark.parametrize("batch_size, num_skips, skip_window, match", [
    (7, 2, 1, "multiple of num_skips"),
    (8, 4, 1, "num_skips must be <= 2"),
])
def test_skip_gram_bad_arguments(batch_size, num_skips, skip_window, match):
    with pytest.raises(ValueError, match=match):
        nlp.generate_skip_gram_batch(list(range(20)), batch_size, num_skips, skip_window)


# --- sampling ----------------------------------------------------------------------------------
def test_sample_top_1_is_argmax_and_never_outside_top_k():
    p = np.array([0.1, 0.5, 0.05, 0.3, 0.05], dtype=np.float32)
    assert nlp.sample_top(p, top_k=1) == 1
    rng = np.random.default_rng(0)
    draws = {nlp.sample_top(p, top_k=2, rng=rng) for _ in range(200)}
    assert draws == {1, 3}
    assert nlp.sample(p, temperature=None) == 1


def test_sample_follows_probabilities_and_temperature():
    p = np.array([0.2, 0.8])
    rng = np.random.default_rng(1)
    freq = np.mean([nlp.sample(p, rng=rng) for _ in range(4000)])
    assert abs(freq - 0.8) < 0.03
    # temperature 0.5 squares the odds: 0.8^2 / (0.8^2 + 0.2^2) = 0.941
    freq = np.mean([nlp.sample(p, temperature=0.5, rng=rng) for _ in range(4000)])
    assert abs(freq - 0.64 / 0.68) < 0.02
    # float32 softmax output that does not sum to exactly 1 is accepted
    q = np.full(1000, 1 / 1000, dtype=np.float32) * np.float32(1.0001)
    assert 0 <= nlp.sample(q, rng=rng) < 1000


def test_sample_bad_arguments():
    with pytest.raises(ValueError, match="top_k must be in"):
        nlp.sample_top([0.5, 0.5], top_k=3)
    with pytest.raises(ValueError, match="non-negative"):
        nlp.sample([0.5, -0.1])


# --- vocabularies ------------------------------------------------------------------------------
def test_build_vocab_orders_by_count_then_word():
    words = "c b a b a a d".split()
    assert nlp.build_vocab(words) == {"a": 0, "b": 1, "c": 2, "d": 3}
    assert nlp.build_reverse_dictionary({"a": 0, "b": 1}) == {0: "a", 1: "b"}


def test_build_words_dataset_unk_is_zero_and_counted():
    words = "the cat the dog the cat a".split()
    data, count, dictionary, reverse = nlp.build_words_dataset(words, 3, False, "_UNK")
    assert count == [["_UNK", 2], ["the", 3], ["cat", 2]]
    assert dictionary == {"_UNK": 0, "the": 1, "cat": 2}
    assert data == [1, 2, 1, 0, 1, 2, 0]
    assert nlp.word_ids_to_words(data[:3], reverse) == ["the", "cat", "the"]
    assert nlp.words_to_word_ids(["cat", "bird"], dictionary, unk_key="_UNK") == [2, 0]
    with pytest.raises(ValueError, match="vocabulary_size must be <="):
        nlp.build_words_dataset(words, 10, False)


def test_create_vocab_file_and_vocabulary(tmp_path):
    # the seed's example: sentences processed with start/end words
    sentences = [nlp.process_sentence(s) for s in ("how are you?", "how old are you?")]
    assert sentences[0] == ["<S>", "how", "are", "you", "?", "</S>"]
    path = tmp_path / "vocab.txt"
    v = nlp.create_vocab(sentences, str(path), min_word_count=1)
    lines = path.read_text().splitlines()
    assert lines[0] == "<PAD> 0"
    assert sorted(lines[1:6]) == sorted(["<S> 2", "how 2", "are 2", "you 2", "? 2"])
    assert lines[-2:] == ["</S> 2", "old 1"] or lines[-1] == "old 1"
    assert v.unk_id == len(lines) and v.word_to_id("zebra") == v.unk_id
    voc = nlp.Vocabulary(str(path), unk_word="<UNK>")
    # <S>, </S>, <PAD> are in the file; only <UNK> is appended, at the end
    assert voc.reverse_vocab[-1] == "<UNK>" and voc.unk_id == len(lines)
    assert voc.pad_id == 0 and voc.id_to_word(voc.start_id) == "<S>"
    assert voc.word_to_id("zebra") == voc.unk_id and voc.id_to_word(10**6) == "<UNK>"
    # save_vocab writes the count list back
    out = tmp_path / "count.txt"
    nlp.save_vocab([["UNK", 3], ["the", 9]], name=str(out))
    assert out.read_text() == "UNK 3\nthe 9\n"


def test_process_sentence_splits_punctuation_and_contractions():
    assert nlp.process_sentence("I don't like it, really.", None, None) == \
        ["i", "do", "n't", "like", "it", ",", "really", "."]
    assert nlp.process_sentence("He's 3.5 m tall", end_word=None) == \
        ["<S>", "he", "'s", "3.5", "m", "tall"]


def test_read_words_and_analogies(tmp_path):
    f = tmp_path / "t.txt"
    f.write_text(" a b \n c \n")  # PTB's layout: a space before each line end
    assert nlp.read_words(str(f)) == ["a", "b", "<eos>", "c", "<eos>"]
    assert nlp.simple_read_words(str(f)) == " a b \n c \n"
    # TensorLayer's plain str.replace: without that space the marker sticks to the word
    f.write_text("a b\nc")
    assert nlp.read_words(str(f)) == ["a", "b<eos>c"]
    assert nlp.read_words(str(f), replace=("\n", " ")) == ["a", "b", "c"]
    q = tmp_path / "q.txt"
    q.write_text(": capital\nAthens Greece Baghdad Iraq\nathens greece paris france\na b c\n")
    ids = nlp.read_analogies_file(str(q), {"athens": 0, "greece": 1, "baghdad": 2, "iraq": 3})
    assert ids.dtype == np.int32 and ids.tolist() == [[0, 1, 2, 3]]


# --- translate helpers -------------------------------------------------------------------------
def test_translate_tokenize_i_go_into_bucket_5_10(tmp_path):
    data = tmp_path / "train.en.gz"
    with gzip.open(data, "wb") as f:
        f.write(b"I go .\nI go home 123 .\nYou go !\n")
    vocab_path = tmp_path / "vocab.en"
    nlp.create_vocabulary(str(vocab_path), str(data), 100)
    vocab, rev = nlp.initialize_vocabulary(str(vocab_path))
    assert rev[:4] == [b"_PAD", b"_GO", b"_EOS", b"_UNK"]
    # counts: go 3, I 2, . 2, home 1, 000 1 (digits -> 0), You 1, ! 1
    assert rev[4] == b"go" and set(rev[5:7]) == {b"I", b"."} and b"000" in rev
    assert nlp.basic_tokenizer(b"I go.") == [b"I", b"go", b"."]
    ids = nlp.sentence_to_token_ids("I go .", vocab)
    assert ids == [vocab[b"I"], vocab[b"go"], vocab[b"."]]
    assert nlp.sentence_to_token_ids("I fly 42 .", vocab) == [vocab[b"I"], nlp.UNK_ID,
                                                              nlp.UNK_ID, vocab[b"."]]
    buckets = [(5, 10), (10, 15), (20, 25), (40, 50)]
    bucket = next(b for b in buckets if len(ids) < b[0])
    assert bucket == (5, 10)
    out = tmp_path / "ids.en"
    nlp.data_to_token_ids(str(data), str(out), str(vocab_path))
    assert out.read_text().splitlines()[0] == " ".join(map(str, ids))


def test_initialize_vocabulary_missing_file(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        nlp.initialize_vocabulary(str(tmp_path / "nope"))


# --- BLEU --------------------------------------------------------------------------------------
def test_bleu_fixed_case_matches_sacrebleu():
    hyps = ["the cat is on the mat", "a dog runs very fast today"]
    refs = ["the cat sat on the mat", "a dog runs very fast"]
    # clipped precisions 10/12, 7/10, 4/8, 2/6; hyp_len 12 >= ref_len 11 so no brevity penalty.
    # sacrebleu 2.x corpus_bleu(hyps, [refs], tokenize='none').score == 55.83948264724184
    expect = 100 * (10 / 12 * 7 / 10 * 4 / 8 * 2 / 6) ** 0.25
    assert nlp.moses_multi_bleu(hyps, refs) == pytest.approx(expect, abs=1e-9)
    assert expect == pytest.approx(55.83948264724184, abs=1e-9)


def test_bleu_brevity_penalty_lowercase_and_zero():
    # all precisions 1, hyp 4 tokens vs ref 5: BP = exp(1 - 5/4); sacrebleu gives 77.88007830714052
    assert nlp.moses_multi_bleu(["a dog runs very"], ["a dog runs very fast"]) == \
        pytest.approx(100 * math.exp(-0.25), abs=1e-9)
    assert nlp.moses_multi_bleu(["A Dog runs very"], ["a dog runs very fast"]) < 50
    assert nlp.moses_multi_bleu(["A Dog runs very"], ["a dog runs very fast"], lowercase=True) \
        == pytest.approx(77.88007830714052, abs=1e-9)
    assert nlp.moses_multi_bleu(["x y z w"], ["a b c d"]) == 0.0
    assert nlp.moses_multi_bleu([], []) == 0.0
    # several references: clipped by the max count over references, closest reference length
    assert nlp.moses_multi_bleu(["a dog runs very"], [["a cat", "a dog runs very"]]) == 100.0


def test_tl_nlp_face_lists_everything():
    for name in nlp.__all__:
        assert hasattr(nlp, name), name
