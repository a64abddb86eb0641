"""Corpus BLEU in pure Python (what Moses' ``multi-bleu.perl`` computes), no download, no Perl."""
from __future__ import annotations

import collections
import math
from typing import Sequence


def _ngrams(tokens: Sequence[str], n: int) -> collections.Counter[tuple[str, ...]]:
    return collections.Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def corpus_bleu_stats(hypotheses: Sequence[str], references: Sequence[Sequence[str]],
                      lowercase: bool = False, max_order: int = 4
                      ) -> tuple[list[int], list[int], int, int]:
    """Clipped n-gram matches and totals per order, hypothesis and reference lengths.

    ``references[i]`` lists the references of ``hypotheses[i]``. Tokens are whitespace-split.
    The reference length of a sentence is the reference length closest to the hypothesis
    length (the shorter on a tie), as in multi-bleu.perl and sacrebleu.
    """
    matches = [0] * max_order
    totals = [0] * max_order
    hyp_len = ref_len = 0
    for hyp, refs in zip(hypotheses, references, strict=True):
        if lowercase:
            hyp, refs = hyp.lower(), [r.lower() for r in refs]
        h = hyp.split()
        rs = [r.split() for r in refs]
        hyp_len += len(h)
        ref_len += min((abs(len(r) - len(h)), len(r)) for r in rs)[1]
        for n in range(1, max_order + 1):
            h_counts = _ngrams(h, n)
            max_ref: collections.Counter[tuple[str, ...]] = collections.Counter()
            for r in rs:
                max_ref |= _ngrams(r, n)  # union keeps the max count over references
            matches[n - 1] += sum(min(c, max_ref[g]) for g, c in h_counts.items())
            totals[n - 1] += max(len(h) - n + 1, 0)
    return matches, totals, hyp_len, ref_len


def moses_multi_bleu(hypotheses: Sequence[str], references: Sequence[str] | Sequence[Sequence[str]],
                     lowercase: bool = False) -> float:
    """Corpus BLEU (0-100) of tokenized ``hypotheses`` against ``references``.

    The score of ``multi-bleu.perl`` (TensorLayer downloaded and ran that Perl script): clipped
    n-gram precisions for n = 1..4 summed over the corpus, their geometric mean, times the
    brevity penalty ``exp(1 - ref_len / hyp_len)`` when the output is shorter. A zero precision
    gives 0. This equals sacrebleu's ``corpus_bleu(..., tokenize='none')`` whenever every
    precision is non-zero (sacrebleu then smooths nothing). Unlike the script, the result is not
    rounded to 2 decimals.

    Args:
        hypotheses: one string per sentence, tokens separated by spaces.
        references: one reference string per hypothesis, or a list of references each.
        lowercase: compare lower-cased text (``-lc``).

    >>> round(moses_multi_bleu(["the cat sat on the mat"], ["the cat sat on the mat"]), 2)
    100.0
    """
    if len(hypotheses) == 0:
        return 0.0
    if len(references) != len(hypotheses):
        raise ValueError(f"moses_multi_bleu: need one reference (or list of references) per "
                         f"hypothesis, received {len(references)} for {len(hypotheses)}")
    refs = [[r] if isinstance(r, str) else list(r) for r in references]
    matches, totals, hyp_len, ref_len = corpus_bleu_stats(hypotheses, refs, lowercase)
    if hyp_len == 0 or min(matches) == 0:
        return 0.0
    log_precision = sum(math.log(m / t) for m, t in zip(matches, totals)) / len(matches)
    bp = 1.0 if hyp_len >= ref_len else math.exp(1.0 - ref_len / hyp_len)
    return 100.0 * bp * math.exp(log_precision)
