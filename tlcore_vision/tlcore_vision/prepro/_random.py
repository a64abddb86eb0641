"""The random source of ``tl.prepro``: a passed numpy Generator or the module-level one.

TensorLayer drew from ``np.random`` (global state). Here every random function takes
``rng=None``: a ``numpy.random.Generator`` to use, else the module Generator that
:func:`set_seed` re-seeds, so ``set_seed(0)`` makes a whole augmentation pipeline reproducible.
"""
from __future__ import annotations

import numpy as np

_GLOBAL: list[np.random.Generator] = [np.random.default_rng()]


def set_seed(seed: int | None) -> None:
    """Re-seed the module Generator used by every ``tl.prepro`` function given no ``rng``.

    >>> set_seed(0); a = rotation(x, 30, is_random=True)
    >>> set_seed(0); b = rotation(x, 30, is_random=True)   # a == b
    """
    _GLOBAL[0] = np.random.default_rng(seed)


def get_rng(rng: np.random.Generator | None = None) -> np.random.Generator:
    """``rng`` if given (a Generator; an int seeds a new one), else the module Generator."""
    if rng is None:
        return _GLOBAL[0]
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(f"tl.prepro: rng must be a numpy.random.Generator, an int seed or None, "
                    f"received {type(rng).__name__}")
