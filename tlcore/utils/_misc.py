"""Small helpers of ``tl.utils`` that need no training loop (and no TensorFlow import)."""
from __future__ import annotations

import logging
import random
from collections import Counter
from numbers import Real
from typing import Any, Iterable, Mapping

import numpy as np

__all__ = ["class_balancing_oversample", "dict_to_one", "flatten_list", "get_random_int",
           "list_string_to_dict", "set_keep"]

logger = logging.getLogger("tlcore")


def dict_to_one(dp_dict: Mapping[str, Any]) -> dict[str, float]:
    """``{name: 1.0}`` for every key of ``dp_dict`` (usually ``network.all_drop``).

    In TensorLayer 1.x this dict was fed to disable dropout. In tlcore dropout is already off
    unless the network is called with ``is_train=True``; to change the keep variables
    themselves use ``set_keep(network.all_drop, dict_to_one(network.all_drop))``.

    >>> dict_to_one({"drop1": 0.8, "drop2": 0.5})
    {'drop1': 1.0, 'drop2': 1.0}
    """
    return {name: 1.0 for name in dp_dict}


def set_keep(all_drop: Mapping[str, Any], keep: float | Mapping[str, float]) -> dict[str, float]:
    """Assign keep probabilities to the variables of ``all_drop``; return the previous values.

    Args:
        all_drop: ``network.all_drop`` (dropout layer name -> keep-probability variable).
        keep: one probability in (0, 1] for every layer, or ``{layer name: probability}`` for
            some of them (e.g. the output of :func:`dict_to_one`).

    Nothing is assigned unless every value is valid, so a bad call leaves the network as it was.
    Pass the returned dict back to restore::

        old = tl.utils.set_keep(net.all_drop, 1.0)
        ...
        tl.utils.set_keep(net.all_drop, old)
    """
    values = dict.fromkeys(all_drop, keep) if not isinstance(keep, Mapping) else dict(keep)
    unknown = sorted(set(values) - set(all_drop))
    if unknown:
        raise ValueError(f"set_keep: no dropout layer named {', '.join(map(repr, unknown))} in "
                         f"all_drop, whose layers are {sorted(all_drop)}")
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, Real) or not 0 < value <= 1:
            raise ValueError(f"set_keep: keep of {name!r} must be a number in (0, 1], received "
                             f"{value!r}")
    previous = {name: float(np.asarray(all_drop[name])) for name in all_drop}
    for name, value in values.items():
        all_drop[name].assign(float(value))
    return previous


def flatten_list(list_of_list: Iterable[Iterable[Any]]) -> list[Any]:
    """Concatenate a list of lists one level deep.

    >>> flatten_list([[1, 2, 3], [4, 5], [6]])
    [1, 2, 3, 4, 5, 6]
    """
    return [item for sub in list_of_list for item in sub]


def class_balancing_oversample(X_train: Any = None, y_train: Any = None, printable: bool = True,
                               *, seed: int | np.random.Generator | None = None
                               ) -> tuple[np.ndarray, np.ndarray]:
    """Oversample every class up to the size of the largest one.

    Each smaller class is repeated whole as often as it fits, and the shortfall is filled with
    distinct samples of that class drawn at random (``seed``: int or Generator). The result is
    grouped by class in ascending label order: shuffle it (``tl.iterate.minibatches(...,
    shuffle=True)``) before training.

    Args:
        X_train: samples, any shape ``[n, ...]``.
        y_train: ``n`` class labels.
        printable: log the class counts before and after at INFO on the ``tlcore`` logger.
        seed: randomness of the partial repeat.

    Returns:
        ``(X, y)`` numpy arrays with ``n_classes * max_count`` samples.

    >>> X, y = class_balancing_oversample(np.arange(4)[:, None], [0, 0, 0, 1], False, seed=0)
    >>> sorted(y.tolist()), X[y == 1].ravel().tolist()
    ([0, 0, 0, 1, 1, 1], [3, 3, 3])
    """
    X, y = np.asarray(X_train), np.asarray(y_train)
    if X.ndim == 0 or y.ndim != 1 or len(X) != len(y):
        raise ValueError(f"class_balancing_oversample: expected X_train [n, ...] and y_train [n], "
                         f"received shapes {X.shape} and {y.shape}")
    if len(y) == 0:
        return X.copy(), y.copy()
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    counts = Counter(y.tolist())
    most = max(counts.values())
    if printable:
        logger.info("[class_balancing_oversample] classes: %s, each oversampled to %d",
                    dict(sorted(counts.items())), most)
    parts = []
    for label in sorted(counts):
        idx = np.flatnonzero(y == label)
        reps, rest = divmod(most, len(idx))
        parts.append(np.concatenate([np.tile(idx, reps), rng.choice(idx, rest, replace=False)]))
    take = np.concatenate(parts)
    return X[take], y[take]


def get_random_int(min_v: int = 0, max_v: int = 10, number: int = 5,
                   seed: int | None = None) -> list[int]:
    """``number`` random ints in ``[min_v, max_v]`` (both ends included).

    ``seed`` makes the list repeatable (``seed=0`` too, unlike TensorLayer, which ignored it).

    >>> get_random_int(0, 10, 3, seed=1) == get_random_int(0, 10, 3, seed=1)
    True
    """
    if min_v > max_v:
        raise ValueError(f"get_random_int: min_v must not exceed max_v, received min_v={min_v!r}, "
                         f"max_v={max_v!r}")
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        raise ValueError(f"get_random_int: number must be an int >= 0, received {number!r}")
    rnd = random.Random(seed)
    return [rnd.randint(min_v, max_v) for _ in range(number)]


def list_string_to_dict(string: Iterable[str]) -> dict[str, int]:
    """``{item: index}`` for a list of strings (a later duplicate wins).

    >>> list_string_to_dict(["a", "b", "c"])
    {'a': 0, 'b': 1, 'c': 2}
    """
    return {item: idx for idx, item in enumerate(string)}
