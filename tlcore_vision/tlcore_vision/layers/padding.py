"""Padding: PadLayer (``tf.pad`` with any mode) and ZeroPad1d/2d/3d (channels last)."""
from __future__ import annotations

from typing import Any, ClassVar

import tensorflow as tf

from tlcore.layers.utils import shape_str, who
from tlcore.layers.core import Layer


def _is_nat(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


class PadLayer(Layer):
    """``tf.pad(inputs, padding, mode)``.

    Args:
        prev_layer: parent layer.
        padding: one ``(before, after)`` pair of non-negative ints per input dim, batch included,
            e.g. ``[[0, 0], [2, 2], [2, 2], [0, 0]]``.
        mode: ``'CONSTANT'`` (zeros), ``'REFLECT'`` or ``'SYMMETRIC'``.

    >>> PadLayer(InputLayer([None, 4, 4, 3]), [[0, 0], [1, 1], [2, 2], [0, 0]]).output_shape
    (None, 6, 8, 3)
    """

    def __init__(self, prev_layer: Layer, padding: Any = None, mode: str = "CONSTANT",
                 name: str | None = None) -> None:
        ok = isinstance(padding, (list, tuple)) and padding and all(
            isinstance(p, (list, tuple)) and len(p) == 2 and all(_is_nat(v) for v in p)
            for p in padding)
        if not ok:
            raise ValueError(f"{who(self)}: padding must be a list of (before, after) pairs of "
                             f"non-negative ints, one per input dim, received {padding!r}")
        if not isinstance(mode, str) or mode.upper() not in ("CONSTANT", "REFLECT", "SYMMETRIC"):
            raise ValueError(f"{who(self)}: mode must be 'CONSTANT', 'REFLECT' or 'SYMMETRIC', "
                             f"received {mode!r}")
        self.padding = tuple(tuple(int(v) for v in p) for p in padding)
        self.mode = mode.upper()
        super().__init__(prev_layer, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        if input_shape.rank != len(self.padding):
            raise ValueError(f"{who(self)}: padding has {len(self.padding)} pairs but the input "
                             f"has rank {input_shape.rank}, shape {shape_str(input_shape)}")
        if self.mode != "CONSTANT":
            limit = 0 if self.mode == "REFLECT" else 1  # REFLECT needs pad < dim, SYMMETRIC <=
            for d, (a, b) in zip(input_shape.as_list(), self.padding):
                if d is not None and max(a, b) > d - 1 + limit:
                    raise ValueError(f"{who(self)}: {self.mode} padding {self.padding} is too "
                                     f"large for input shape {shape_str(input_shape)}")

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        dims = [None if d is None else d + a + b
                for d, (a, b) in zip(input_spec.shape.as_list(), self.padding)]
        return tf.TensorSpec(dims, input_spec.dtype)

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        return tf.pad(inputs, self.padding, mode=self.mode)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "padding": [list(p) for p in self.padding],
                "mode": self.mode}


class ZeroPadND(PadLayer):
    """Base of ZeroPad{1,2,3}d: zeros around the ``rank`` spatial dims of channels-last input."""

    rank: ClassVar[int] = 2

    def __init__(self, prev_layer: Layer, padding: Any = 1, name: str | None = None) -> None:
        self.pairs = self._pairs(padding)
        super().__init__(prev_layer, [(0, 0), *self.pairs, (0, 0)], "CONSTANT", name=name)

    def _pairs(self, padding: Any) -> tuple[tuple[int, int], ...]:
        r = self.rank
        if _is_nat(padding):
            return ((padding, padding),) * r
        if isinstance(padding, (list, tuple)):
            if r == 1 and len(padding) == 2 and all(_is_nat(v) for v in padding):
                return (tuple(padding),)
            if len(padding) == r and all(_is_nat(v) for v in padding):
                return tuple((v, v) for v in padding)
            if len(padding) == r and all(isinstance(p, (list, tuple)) and len(p) == 2 and
                                         all(_is_nat(v) for v in p) for p in padding):
                return tuple(tuple(p) for p in padding)
        forms = "an int or (left, right)" if r == 1 else \
            f"an int, {r} ints, or {r} (before, after) pairs"
        raise ValueError(f"{who(self)}: padding must be {forms} of non-negative ints, received "
                         f"{padding!r}")

    def get_config(self) -> dict[str, Any]:
        pairs = [list(p) for p in self.pairs]
        return {"name": self.name, "padding": pairs[0] if self.rank == 1 else pairs}


class ZeroPad1d(ZeroPadND):
    """Zeros before/after the width of ``(batch, w, c)``: ``padding`` is an int or a pair.

    >>> ZeroPad1d(InputLayer([None, 5, 2]), (1, 2)).output_shape
    (None, 8, 2)
    """

    rank = 1


class ZeroPad2d(ZeroPadND):
    """Zeros around ``(batch, h, w, c)``: ``padding`` is an int, ``(ph, pw)`` (symmetric) or
    ``((top, bottom), (left, right))``.

    >>> ZeroPad2d(InputLayer([None, 5, 5, 2]), ((1, 0), (2, 3))).output_shape
    (None, 6, 10, 2)
    """

    rank = 2


class ZeroPad3d(ZeroPadND):
    """Zeros around ``(batch, d, h, w, c)``: an int, 3 ints or 3 pairs.

    >>> ZeroPad3d(InputLayer([None, 2, 2, 2, 1]), 1).output_shape
    (None, 4, 4, 4, 1)
    """

    rank = 3
