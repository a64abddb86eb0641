"""Word vocabularies: counting, id mappings and vocabulary files (TensorLayer semantics)."""
from __future__ import annotations

import collections
import logging
import os
from typing import Any, Iterable, Mapping, Sequence

logger = logging.getLogger("tlcore")


class SimpleVocabulary:
    """A word -> id mapping with a fixed id for unknown words.

    Args:
        vocab: dict word -> id.
        unk_id: the id returned for words not in ``vocab``.

    >>> SimpleVocabulary({"a": 0, "b": 1}, unk_id=2).word_to_id("c")
    2
    """

    def __init__(self, vocab: Mapping[str, int], unk_id: int):
        self._vocab = dict(vocab)
        self._unk_id = int(unk_id)

    @property
    def vocab(self) -> dict[str, int]:
        return self._vocab

    @property
    def unk_id(self) -> int:
        return self._unk_id

    def word_to_id(self, word: str) -> int:
        """The id of ``word``, or ``unk_id``."""
        return self._vocab.get(word, self._unk_id)


class Vocabulary:
    """A vocabulary read from a ``word count`` file (as :func:`create_vocab` writes).

    Special words missing from the file are appended in the order start, end, unk, pad.

    Args:
        vocab_file: one ``word count`` per line; the first column is the word, its line its id.
        start_word, end_word, unk_word, pad_word: the special words.

    Attributes:
        vocab: dict word -> id; reverse_vocab: list id -> word;
        start_id, end_id, unk_id, pad_id: ids of the special words.
    """

    def __init__(self, vocab_file: str, start_word: str = "<S>", end_word: str = "</S>",
                 unk_word: str = "<UNK>", pad_word: str = "<PAD>"):
        if not os.path.exists(vocab_file):
            raise FileNotFoundError(f"Vocabulary: vocab_file {vocab_file!r} does not exist")
        logger.info("Initializing vocabulary from file: %s", vocab_file)
        with open(vocab_file, encoding="utf-8") as f:
            reverse_vocab = [line.split()[0] for line in f if line.strip()]
        for special in (start_word, end_word, unk_word, pad_word):
            if special not in reverse_vocab:
                reverse_vocab.append(special)
        self.reverse_vocab: list[str] = reverse_vocab
        self.vocab: dict[str, int] = {w: i for i, w in enumerate(reverse_vocab)}
        self.start_word, self.end_word = start_word, end_word
        self.unk_word, self.pad_word = unk_word, pad_word
        self.start_id = self.vocab[start_word]
        self.end_id = self.vocab[end_word]
        self.unk_id = self.vocab[unk_word]
        self.pad_id = self.vocab[pad_word]
        logger.info("    [TL] Vocabulary from %s : %s %s %s", vocab_file, start_word, end_word,
                    unk_word)
        logger.info("    vocabulary with %d words (includes start_word, end_word, unk_word)",
                    len(self.vocab))

    def word_to_id(self, word: str) -> int:
        """The id of ``word``, or ``unk_id``."""
        return self.vocab.get(word, self.unk_id)

    def id_to_word(self, word_id: int) -> str:
        """The word of ``word_id``, or ``unk_word`` for an id outside the vocabulary."""
        if 0 <= word_id < len(self.reverse_vocab):
            return self.reverse_vocab[word_id]
        return self.unk_word


def create_vocab(sentences: Iterable[Sequence[str]], word_counts_output_file: str,
                 min_word_count: int = 1) -> SimpleVocabulary:
    """Count the words of tokenized ``sentences`` and write a ``word count`` vocabulary file.

    Line 0 is ``<PAD> 0``; then the words seen at least ``min_word_count`` times, by descending
    count (ties keep first-seen order).

    Returns:
        ``SimpleVocabulary(vocab, unk_id=len(vocab))``.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "vocab.txt")
    >>> v = create_vocab([["<S>", "one", "two", "two", "</S>"]], path)
    >>> v.vocab["two"], v.vocab["<PAD>"], v.unk_id
    (1, 0, 5)
    """
    counter: collections.Counter[str] = collections.Counter()
    n_sentences = 0
    for sentence in sentences:
        counter.update(sentence)
        n_sentences += 1
    logger.info("Total words: %d", len(counter))
    word_counts = [(w, c) for w, c in counter.items() if c >= min_word_count]
    word_counts.sort(key=lambda wc: wc[1], reverse=True)  # stable: ties stay in first-seen order
    word_counts = [("<PAD>", 0)] + word_counts
    logger.info("Words in vocabulary: %d", len(word_counts))
    with open(word_counts_output_file, "w", encoding="utf-8") as f:
        f.write("\n".join(f"{w} {c}" for w, c in word_counts))
        f.write("\n")
    logger.info("Wrote vocabulary file: %s", word_counts_output_file)
    vocab = {w: i for i, (w, _) in enumerate(word_counts)}
    return SimpleVocabulary(vocab, unk_id=len(word_counts))


def build_vocab(data: Iterable[str]) -> dict[str, int]:
    """word -> id with ids ordered by descending count, ties by the word itself.

    >>> build_vocab(["b", "a", "c", "a", "b", "a"])
    {'a': 0, 'b': 1, 'c': 2}
    """
    counter = collections.Counter(data)
    pairs = sorted(counter.items(), key=lambda wc: (-wc[1], wc[0]))
    return {w: i for i, (w, _) in enumerate(pairs)}


def build_reverse_dictionary(word_to_id: Mapping[str, int]) -> dict[int, str]:
    """id -> word, the inverse of ``word_to_id``."""
    return {i: w for w, i in word_to_id.items()}


def build_words_dataset(words: Sequence[str] | None = None, vocabulary_size: int = 50000,
                        printable: bool = True, unk_key: str = "UNK"
                        ) -> tuple[list[int], list[list[Any]], dict[str, int], dict[int, str]]:
    """Ids of ``words``: the ``vocabulary_size - 1`` most common words, others UNK (id 0).

    Returns:
        ``data`` (ids), ``count`` (``[[unk_key, n_unk], [word, n], ...]``), ``dictionary``
        (word -> id) and ``reverse_dictionary`` (id -> word).

    Raises:
        ValueError: if the text has fewer distinct words than ``vocabulary_size``.

    >>> data, count, d, rd = build_words_dataset(["a", "b", "a", "c"], 3, False, "UNK")
    >>> data, count
    ([1, 2, 1, 0], [['UNK', 1], ['a', 2], ['b', 1]])
    """
    if words is None:
        raise ValueError("build_words_dataset: words must be a list of words, received None")
    counter = collections.Counter(words)
    if len(counter) < vocabulary_size:
        raise ValueError(
            f"build_words_dataset: vocabulary_size must be <= the number of distinct words "
            f"({len(counter)}), received {vocabulary_size}")
    count: list[list[Any]] = [[unk_key, -1]]
    count.extend([w, c] for w, c in counter.most_common(vocabulary_size - 1))
    dictionary = {w: i for i, (w, _) in enumerate(count)}
    data = [dictionary.get(w, 0) for w in words]
    count[0][1] = sum(1 for i in data if i == 0)
    reverse_dictionary = {i: w for w, i in dictionary.items()}
    if printable:
        logger.info("Real vocabulary size    %d", len(counter))
        logger.info("Limited vocabulary size %d", vocabulary_size)
    return data, count, dictionary, reverse_dictionary


def words_to_word_ids(data: Iterable[str] | None = None,
                      word_to_id: Mapping[str, int] | None = None,
                      unk_key: str = "UNK") -> list[int]:
    """Ids of ``data``; a word missing from ``word_to_id`` gets ``word_to_id[unk_key]``.

    >>> words_to_word_ids(["a", "zz"], {"UNK": 0, "a": 1})
    [1, 0]
    """
    if data is None or word_to_id is None:
        raise ValueError("words_to_word_ids: data and word_to_id are required")
    unk = word_to_id.get(unk_key)
    out = []
    for w in data:
        i = word_to_id.get(w, unk)
        if i is None:
            raise KeyError(f"words_to_word_ids: {w!r} is not in word_to_id and neither is "
                           f"unk_key {unk_key!r}")
        out.append(i)
    return out


def word_ids_to_words(data: Iterable[int], id_to_word: Mapping[int, str] | Sequence[str]
                      ) -> list[str]:
    """Words of the ids in ``data`` (``id_to_word`` is a dict or a list).

    >>> word_ids_to_words([1, 0], {0: "UNK", 1: "a"})
    ['a', 'UNK']
    """
    return [id_to_word[int(i)] for i in data]


def save_vocab(count: Sequence[Sequence[Any]] | None = None, name: str = "vocab.txt") -> str:
    """Write ``count`` (``[[word, n], ...]``, as from :func:`build_words_dataset`) as
    ``word n`` lines to ``name``; returns the path."""
    if count is None:
        count = []
    with open(name, "w", encoding="utf-8") as f:
        for w, c in count:
            f.write(f"{w} {int(c)}\n")
    logger.info("%d vocab saved to %s", len(count), os.path.abspath(name))
    return name
