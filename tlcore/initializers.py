"""``tl.initializers``: TensorLayer/TF1-style initializer helpers returning Keras 3 initializers.

Ported code replaces ``tf.truncated_normal_initializer(stddev=0.02)`` with
``tl.initializers.truncated_normal(stddev=0.02)``; the defaults are those of the TF1
initializers that TensorLayer code called, so a call without arguments means the same thing.
Every result is a ``keras.initializers.Initializer`` (``init(shape, dtype) -> Tensor``) that
layers accept as ``W_init=`` / ``b_init=`` and that serializes in ``get_config``.
"""
from __future__ import annotations

from typing import Any, Sequence

import keras
import numpy as np

__all__ = [
    "BilinearUpsampling",
    "constant",
    "deconv2d_bilinear_upsampling_initializer",
    "ones",
    "random_normal",
    "random_uniform",
    "truncated_normal",
    "zeros",
]


def truncated_normal(mean: float = 0.0, stddev: float = 1.0,
                     seed: int | None = None) -> keras.initializers.Initializer:
    """Normal values, redrawn when more than two ``stddev`` from ``mean``.

    TensorLayer's dense and conv layers default to ``truncated_normal(stddev=0.1)`` or
    ``stddev=0.02``.
    """
    _check_stddev("truncated_normal", stddev)
    return keras.initializers.TruncatedNormal(mean=mean, stddev=stddev, seed=seed)


def random_normal(mean: float = 0.0, stddev: float = 1.0,
                  seed: int | None = None) -> keras.initializers.Initializer:
    """Normal values with ``mean`` and ``stddev``."""
    _check_stddev("random_normal", stddev)
    return keras.initializers.RandomNormal(mean=mean, stddev=stddev, seed=seed)


def random_uniform(minval: float = 0.0, maxval: float = 1.0,
                   seed: int | None = None) -> keras.initializers.Initializer:
    """Uniform values in ``[minval, maxval)``."""
    if not minval < maxval:
        raise ValueError(f"random_uniform: minval must be less than maxval, received "
                         f"minval={minval!r}, maxval={maxval!r}")
    return keras.initializers.RandomUniform(minval=minval, maxval=maxval, seed=seed)


def constant(value: float = 0.0) -> keras.initializers.Initializer:
    """Every element equal to the scalar ``value``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise ValueError(f"constant: value must be a scalar number, received {value!r}")
    return keras.initializers.Constant(float(value))


def zeros() -> keras.initializers.Initializer:
    """All zeros (TensorLayer's default bias initializer)."""
    return keras.initializers.Zeros()


def ones() -> keras.initializers.Initializer:
    """All ones."""
    return keras.initializers.Ones()


def _check_stddev(fn: str, stddev: Any) -> None:
    if isinstance(stddev, bool) or not isinstance(stddev, (int, float, np.number)) or stddev <= 0:
        raise ValueError(f"{fn}: stddev must be a number > 0, received {stddev!r}")


def _bilinear_kernel(shape: tuple[int, int, int, int]) -> np.ndarray:
    size, _, n_out, _ = shape
    factor = (size + 1) // 2
    center = factor - 1 if size % 2 == 1 else factor - 0.5
    og = 1 - np.abs(np.arange(size) - center) / factor
    kernel = np.outer(og, og)  # separable: the 1-d tent filter along rows times along columns
    weights = np.zeros(shape, np.float64)
    for i in range(n_out):
        weights[:, :, i, i] = kernel
    return weights


@keras.saving.register_keras_serializable(package="tlcore")
class BilinearUpsampling(keras.initializers.Initializer):
    """Transposed-conv kernel that performs bilinear upsampling, channel ``i`` to channel ``i``.

    Made by :func:`deconv2d_bilinear_upsampling_initializer`; ``shape`` is the kernel shape
    ``[size, size, out_channels, in_channels]`` of ``tf.nn.conv2d_transpose``.
    """

    def __init__(self, shape: Sequence[int]) -> None:
        self.shape = _check_bilinear_shape(shape)

    def __call__(self, shape: Sequence[int], dtype: Any = None) -> Any:
        if tuple(int(d) for d in shape) != self.shape:
            raise ValueError(f"deconv2d_bilinear_upsampling_initializer: made for kernel shape "
                             f"{self.shape}, received shape {tuple(shape)}")
        dtype = keras.backend.standardize_dtype(dtype or keras.config.floatx())
        return keras.ops.convert_to_tensor(_bilinear_kernel(self.shape), dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"shape": list(self.shape)}


def _check_bilinear_shape(shape: Sequence[int]) -> tuple[int, int, int, int]:
    fn = "deconv2d_bilinear_upsampling_initializer"
    try:
        dims = tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        raise ValueError(f"{fn}: shape must be 4 ints [size, size, out_channels, in_channels], "
                         f"received {shape!r}") from None
    if len(dims) != 4 or min(dims) <= 0:
        raise ValueError(f"{fn}: shape must be 4 positive ints [size, size, out_channels, "
                         f"in_channels], received {shape!r}")
    if dims[0] != dims[1]:
        raise ValueError(f"{fn}: only square filters are supported, received shape {dims}")
    if dims[3] < dims[2]:
        raise ValueError(f"{fn}: in_channels (shape[3]) must be >= out_channels (shape[2]), "
                         f"received shape {dims}")
    return dims[0], dims[1], dims[2], dims[3]


def deconv2d_bilinear_upsampling_initializer(shape: Sequence[int]) -> BilinearUpsampling:
    """Initializer of a transposed-conv kernel that upsamples each channel bilinearly.

    Args:
        shape: ``[size, size, out_channels, in_channels]`` with ``in_channels >= out_channels``;
            for an upsampling factor ``f`` use ``size = 2 * f - f % 2`` and stride ``f``.

    >>> init = deconv2d_bilinear_upsampling_initializer([4, 4, 1, 1])
    >>> np.round(np.asarray(init([4, 4, 1, 1]))[:, :, 0, 0][0], 4).tolist()
    [0.0625, 0.1875, 0.1875, 0.0625]
    """
    return BilinearUpsampling(shape)
