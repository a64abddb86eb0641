"""Output-shape formulas (TensorLayer's/TF's) and hypothesis strategies for the vision tests."""
from __future__ import annotations

import math

from hypothesis import strategies as st


def conv_len(n: int, k: int, s: int = 1, d: int = 1, padding: str = "SAME") -> int:
    """Output length of a convolution or pooling window (TF's formula)."""
    if padding.upper() == "SAME":
        return math.ceil(n / s)
    return math.ceil((n - (k - 1) * d) / s)


def deconv_len(n: int, k: int, s: int, padding: str = "SAME") -> int:
    """Output length of a transposed convolution (tf.layers / Keras formula)."""
    return n * s if padding.upper() == "SAME" else n * s + max(k - s, 0)


paddings = st.sampled_from(["SAME", "VALID", "same", "valid"])


@st.composite
def conv_geometry(draw, rank: int, max_n: int = 7, max_k: int = 3, dilation: bool = True):
    """(spatial sizes, kernel, strides, dilations, padding) that make a valid convolution."""
    k = tuple(draw(st.integers(1, max_k)) for _ in range(rank))
    strided = draw(st.booleans()) if dilation else True
    s = tuple(draw(st.integers(1, 3)) if strided else 1 for _ in range(rank))
    d = tuple(1 if strided else draw(st.integers(1, 2)) for _ in range(rank))
    pad = draw(paddings)
    lo = [1 if pad.upper() == "SAME" else (kk - 1) * dd + 1 for kk, dd in zip(k, d)]
    n = tuple(draw(st.integers(lo_i, max(lo_i, max_n))) for lo_i in lo)
    return n, k, s, d, pad
