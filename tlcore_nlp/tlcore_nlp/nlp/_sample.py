"""Drawing a word id from a probability vector (text generation)."""
from __future__ import annotations

import logging
from typing import Sequence

import numpy as np

logger = logging.getLogger("tlcore")


def _probs(a: Sequence[float] | np.ndarray | None, who: str) -> np.ndarray:
    if a is None:
        raise ValueError(f"{who}: a must be a probability vector, received None")
    p = np.asarray(a, dtype=np.float64).reshape(-1)
    if p.size == 0 or not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError(f"{who}: a must be finite and non-negative, received {a!r}")
    total = p.sum()
    if total <= 0:
        raise ValueError(f"{who}: a must have a positive sum, received {a!r}")
    # float32 softmax outputs rarely sum to exactly 1; numpy's multinomial/choice reject that
    return p / total


def sample(a: Sequence[float] | np.ndarray | None = None, temperature: float | None = 1.0,
           rng: np.random.Generator | None = None) -> int:
    """An index drawn from probabilities ``a`` re-weighted by ``temperature``.

    ``temperature=1`` samples from ``a``; ``None`` returns the argmax; ``< 1`` sharpens and
    ``> 1`` flattens (``p ** (1 / temperature)``, renormalized).

    Args:
        rng: a ``numpy.random.Generator`` (default: numpy's global random state).
    """
    p = _probs(a, "sample")
    if temperature is None:
        return int(np.argmax(p))
    if temperature <= 0:
        raise ValueError(f"sample: temperature must be > 0 or None, received {temperature}")
    if temperature != 1:
        with np.errstate(divide="ignore"):
            logp = np.log(p) / temperature
        logp -= logp.max()  # exp in a safe range even for a large vocabulary
        p = np.exp(logp)
        p /= p.sum()
    draw = (rng or np.random).multinomial(1, p)
    return int(np.argmax(draw))


def sample_top(a: Sequence[float] | np.ndarray | None = None, top_k: int = 10,
               rng: np.random.Generator | None = None) -> int:
    """An index drawn from the ``top_k`` largest probabilities of ``a`` (renormalized).

    ``top_k=1`` is the argmax.

    Args:
        rng: a ``numpy.random.Generator`` (default: numpy's global random state).
    """
    p = _probs(a, "sample_top")
    if not 1 <= top_k <= p.size:
        raise ValueError(f"sample_top: top_k must be in [1, {p.size}], received {top_k}")
    idx = np.argpartition(p, -top_k)[-top_k:]
    probs = p[idx]
    if probs.sum() <= 0:
        return int(idx[np.argmax(probs)])
    probs = probs / probs.sum()
    return int((rng or np.random).choice(idx, p=probs))
