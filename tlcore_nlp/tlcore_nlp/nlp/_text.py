"""Reading text files: words, whole texts, analogy questions; sentence tokenizing without nltk."""
from __future__ import annotations

import logging
import re
from typing import Mapping

import numpy as np

logger = logging.getLogger("tlcore")


def _read_text(filename: str) -> str:
    with open(filename, "rb") as f:
        raw = f.read()
    return raw.decode("utf-8")


def simple_read_words(filename: str = "nietzsche.txt") -> str:
    """The whole text of ``filename`` as one string."""
    return _read_text(filename)


def read_words(filename: str = "nietzsche.txt", replace: tuple[str, str] | None = None
               ) -> list[str]:
    """The whitespace-separated words of ``filename`` after ``text.replace(*replace)``.

    Args:
        replace: ``(old, new)``; default ``("\\n", "<eos>")`` marks each line end, as PTB needs.
    """
    if replace is None:
        replace = ("\n", "<eos>")
    return _read_text(filename).replace(*replace).split()


def read_analogies_file(eval_file: str = "questions-words.txt",
                        word2id: Mapping[str, int] | None = None) -> np.ndarray:
    """The analogy questions of ``eval_file`` (word2vec's ``questions-words.txt`` format) as ids.

    Lines starting with ``:`` are section headers. A question with a word not in ``word2id``
    (or without exactly 4 words) is skipped. Words are lower-cased before the look-up.

    Returns:
        int32 array of shape ``[n_questions, 4]``.
    """
    if word2id is None:
        word2id = {}
    questions = []
    skipped = 0
    with open(eval_file, "rb") as f:
        for raw in f:
            if raw.startswith(b":"):
                continue
            words = raw.decode("utf-8").strip().lower().split(" ")
            ids = [word2id.get(w.strip()) for w in words]
            if None in ids or len(ids) != 4:
                skipped += 1
            else:
                questions.append(ids)
    logger.info("Eval analogy file: %s", eval_file)
    logger.info("Questions: %d", len(questions))
    logger.info("Skipped: %d", skipped)
    return np.array(questions, dtype=np.int32).reshape(-1, 4)


# A small Penn-Treebank-like tokenizer (what nltk.word_tokenize mostly does on plain sentences):
# contractions split before the apostrophe ("don't" -> "do", "n't"), punctuation apart,
# decimal numbers and hyphenated words kept whole.
_TOKEN_RE = re.compile(
    r"\w+(?=n't\b)|n't\b|'(?:s|re|ve|ll|d|m)\b|\d+(?:[.,]\d+)+|\w+(?:-\w+)*|\.\.\.|[^\w\s]",
    re.UNICODE)


def process_sentence(sentence: str, start_word: str | None = "<S>",
                     end_word: str | None = "</S>") -> list[str]:
    """Lower-case and tokenize ``sentence``, adding ``start_word``/``end_word`` when not None.

    TensorLayer used ``nltk.word_tokenize``; this regex tokenizer needs no nltk and agrees with
    it on ordinary sentences (punctuation and English contractions are split off).

    >>> process_sentence("how are you?")
    ['<S>', 'how', 'are', 'you', '?', '</S>']
    """
    tokens = _TOKEN_RE.findall(sentence.lower())
    if start_word is not None:
        tokens = [start_word] + tokens
    if end_word is not None:
        tokens.append(end_word)
    return tokens
