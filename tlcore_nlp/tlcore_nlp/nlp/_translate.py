"""The TensorFlow translate tutorial's data helpers: bytes tokens, vocabulary files, token ids.

Everything is bytes, as in TensorLayer: a sentence given as ``str`` is UTF-8 encoded first.
Vocabulary files hold one token a line; the special tokens ``_PAD, _GO, _EOS, _UNK`` take ids
0-3. Data files ending in ``.gz`` are read through gzip.
"""
from __future__ import annotations

import gzip
import logging
import os
import re
from typing import IO, Any, Callable, Mapping, Sequence, cast

from tlcore.files import atomic_write

logger = logging.getLogger("tlcore")

_PAD, _GO, _EOS, _UNK = b"_PAD", b"_GO", b"_EOS", b"_UNK"
_START_VOCAB = [_PAD, _GO, _EOS, _UNK]
_DEFAULT_START_VOCAB = tuple(_START_VOCAB)
PAD_ID, GO_ID, EOS_ID, UNK_ID = 0, 1, 2, 3

_WORD_SPLIT = re.compile(b"([.,!?\"':;)(])")
_DIGIT_RE = re.compile(rb"\d")

Tokenizer = Callable[[bytes], Sequence[bytes]]


def _as_bytes(sentence: str | bytes) -> bytes:
    return sentence.encode("utf-8") if isinstance(sentence, str) else bytes(sentence)


def _open(path: str, mode: str) -> IO[Any]:
    if path.endswith(".gz"):
        return cast(IO[Any], gzip.open(path, mode))
    return open(path, mode)


def basic_tokenizer(sentence: str | bytes, _WORD_SPLIT: re.Pattern = _WORD_SPLIT) -> list[bytes]:
    """Split on whitespace, then split the punctuation ``.,!?"':;)(`` off each fragment.

    >>> basic_tokenizer("I go.")
    [b'I', b'go', b'.']
    """
    words: list[bytes] = []
    for fragment in _as_bytes(sentence).strip().split():
        words.extend(re.split(_WORD_SPLIT, fragment))
    return [w for w in words if w]


def _tokens(sentence: bytes, tokenizer: Tokenizer | None, normalize_digits: bool,
            digit_re: re.Pattern) -> list[bytes]:
    words = tokenizer(sentence) if tokenizer else basic_tokenizer(sentence)
    if normalize_digits:
        return [re.sub(digit_re, b"0", _as_bytes(w)) for w in words]
    return [_as_bytes(w) for w in words]


def create_vocabulary(vocabulary_path: str, data_path: str, max_vocabulary_size: int,
                      tokenizer: Tokenizer | None = None, normalize_digits: bool = True,
                      _DIGIT_RE: re.Pattern = _DIGIT_RE,
                      _START_VOCAB: Sequence[bytes] | None = None) -> None:
    """Write the vocabulary of ``data_path`` to ``vocabulary_path`` unless that file exists.

    The special tokens (default ``_PAD, _GO, _EOS, _UNK``) come first, then tokens by
    descending count (ties in first-seen order), cut to ``max_vocabulary_size`` lines. With
    ``normalize_digits`` every digit becomes ``0``.
    """
    if os.path.exists(vocabulary_path):
        logger.info("Vocabulary %s from data %s exists", vocabulary_path, data_path)
        return
    start = list(_START_VOCAB if _START_VOCAB is not None else _DEFAULT_START_VOCAB)
    logger.info("Creating vocabulary %s from data %s", vocabulary_path, data_path)
    vocab: dict[bytes, int] = {}
    with _open(data_path, "rb") as f:
        for counter, line in enumerate(f, 1):
            if counter % 100000 == 0:
                logger.info("  processing line %d", counter)
            for w in _tokens(line, tokenizer, normalize_digits, _DIGIT_RE):
                vocab[w] = vocab.get(w, 0) + 1
    vocab_list = [_as_bytes(w) for w in start] + sorted(vocab, key=vocab.__getitem__,
                                                        reverse=True)
    vocab_list = vocab_list[:max_vocabulary_size]
    with atomic_write(vocabulary_path, "wb") as f:
        for w in vocab_list:
            f.write(w + b"\n")


def initialize_vocabulary(vocabulary_path: str) -> tuple[dict[bytes, int], list[bytes]]:
    """``(vocab, rev_vocab)`` of a vocabulary file: token -> id and the token list."""
    if not os.path.exists(vocabulary_path):
        raise ValueError(f"initialize_vocabulary: vocabulary file {vocabulary_path!r} not found")
    with open(vocabulary_path, "rb") as f:
        rev_vocab = [line.strip() for line in f]
    vocab = {w: i for i, w in enumerate(rev_vocab)}
    return vocab, rev_vocab


def sentence_to_token_ids(sentence: str | bytes, vocabulary: Mapping[bytes, int],
                          tokenizer: Tokenizer | None = None, normalize_digits: bool = True,
                          UNK_ID: int = UNK_ID, _DIGIT_RE: re.Pattern = _DIGIT_RE) -> list[int]:
    """Token ids of ``sentence``; unknown tokens get ``UNK_ID``.

    >>> sentence_to_token_ids("I have a dog", {b"I": 1, b"have": 2, b"a": 4, b"dog": 7})
    [1, 2, 4, 7]
    """
    return [vocabulary.get(w, UNK_ID)
            for w in _tokens(_as_bytes(sentence), tokenizer, normalize_digits, _DIGIT_RE)]


def data_to_token_ids(data_path: str, target_path: str, vocabulary_path: str,
                      tokenizer: Tokenizer | None = None, normalize_digits: bool = True,
                      UNK_ID: int = UNK_ID, _DIGIT_RE: re.Pattern = _DIGIT_RE) -> None:
    """Write the token ids of each line of ``data_path`` (space-separated) to ``target_path``,
    unless that file exists."""
    if os.path.exists(target_path):
        logger.info("Target path %s exists", target_path)
        return
    logger.info("Tokenizing data in %s", data_path)
    vocab, _ = initialize_vocabulary(vocabulary_path)
    with _open(data_path, "rb") as src, atomic_write(target_path, "w") as dst:
        for counter, line in enumerate(src, 1):
            if counter % 100000 == 0:
                logger.info("  tokenizing line %d", counter)
            ids = sentence_to_token_ids(line, vocab, tokenizer, normalize_digits, UNK_ID=UNK_ID,
                                        _DIGIT_RE=_DIGIT_RE)
            dst.write(" ".join(str(i) for i in ids) + "\n")  # ascii: digits and spaces
