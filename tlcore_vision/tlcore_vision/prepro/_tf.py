"""TensorFlow image augmentation for ``tf.data`` pipelines (graph ops, no numpy).

Thin wrappers over ``tf.image`` with one rule for seeds: ``seed=None`` draws from TensorFlow's
global random state; an int is an op seed (reproducible after ``tf.random.set_seed``); a pair
``(a, b)`` or shape-[2] tensor uses the stateless op, so the result depends on the seed alone
(derive a per-example seed in a pipeline, e.g. from ``ds.enumerate()``).

``cifar10_augment(image, is_train)`` is the seed tutorial's CIFAR-10 pipeline.
"""
from __future__ import annotations

from typing import Any, Sequence

import tensorflow as tf


def _stateless(seed: Any) -> bool:
    if seed is None or isinstance(seed, int):
        return False
    return tf.get_static_value(tf.shape(seed)) is not None and tuple(
        tf.get_static_value(tf.shape(seed))) == (2,)


def _split(seed: Any, i: int) -> Any:
    """Independent sub-seed ``i`` of a stateless seed (different ops must not share it)."""
    return tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), num=i + 1)[i]


def random_crop(image: tf.Tensor, size: Sequence[int], seed: Any = None) -> tf.Tensor:
    """Crop a random window of ``size`` (e.g. ``[24, 24, 3]``) at a uniform offset."""
    if _stateless(seed):
        return tf.image.stateless_random_crop(image, size, seed=seed)
    return tf.image.random_crop(image, size, seed=seed)


def random_flip_left_right(image: tf.Tensor, seed: Any = None) -> tf.Tensor:
    """Flip left-right with probability 1/2."""
    if _stateless(seed):
        return tf.image.stateless_random_flip_left_right(image, seed=seed)
    return tf.image.random_flip_left_right(image, seed=seed)


def random_flip_up_down(image: tf.Tensor, seed: Any = None) -> tf.Tensor:
    """Flip up-down with probability 1/2."""
    if _stateless(seed):
        return tf.image.stateless_random_flip_up_down(image, seed=seed)
    return tf.image.random_flip_up_down(image, seed=seed)


def random_brightness(image: tf.Tensor, max_delta: float, seed: Any = None) -> tf.Tensor:
    """Add one delta, uniform in ``[-max_delta, max_delta]``, to every pixel."""
    if _stateless(seed):
        return tf.image.stateless_random_brightness(image, max_delta, seed=seed)
    return tf.image.random_brightness(image, max_delta, seed=seed)


def random_contrast(image: tf.Tensor, lower: float, upper: float, seed: Any = None) -> tf.Tensor:
    """Scale the deviation from each channel's mean by a factor uniform in ``[lower, upper]``."""
    if _stateless(seed):
        return tf.image.stateless_random_contrast(image, lower, upper, seed=seed)
    return tf.image.random_contrast(image, lower, upper, seed=seed)


def per_image_standardization(image: tf.Tensor) -> tf.Tensor:
    """``(x - mean) / max(std, 1/sqrt(N))`` per image (``tf.image.per_image_standardization``)."""
    return tf.image.per_image_standardization(image)


def central_crop(image: tf.Tensor, size: Any) -> tf.Tensor:
    """Central crop: ``size`` an int or ``(h, w)`` in pixels (padding with zeros if larger, as
    ``tf.image.resize_with_crop_or_pad``), or a float in (0, 1] as ``tf.image.central_crop``'s
    fraction."""
    if isinstance(size, float):
        return tf.image.central_crop(image, size)
    h, w = (size, size) if isinstance(size, int) else size
    return tf.image.resize_with_crop_or_pad(image, h, w)


def cifar10_augment(image: tf.Tensor, is_train: bool, seed: Any = None, size: int = 24
                    ) -> tf.Tensor:
    """The seed's CIFAR-10 preprocessing of one ``[32, 32, 3]`` image (values 0-255).

    Training: random crop 24x24, random left-right flip, random brightness (max delta 63),
    random contrast (0.2-1.8), per-image standardization. Test: central 24x24 crop and
    standardization.

    >>> ds = ds.map(lambda x, y: (cifar10_augment(x, True), y), num_parallel_calls=AUTOTUNE)
    """
    image = tf.cast(image, tf.float32)
    if is_train:
        stateless = _stateless(seed)
        s = [(_split(seed, i) if stateless else (None if seed is None else seed + i))
             for i in range(4)]
        image = random_crop(image, [size, size, image.shape[-1] or 3], seed=s[0])
        image = random_flip_left_right(image, seed=s[1])
        image = random_brightness(image, max_delta=63, seed=s[2])
        image = random_contrast(image, lower=0.2, upper=1.8, seed=s[3])
    else:
        image = central_crop(image, size)
    return per_image_standardization(image)
