"""VGG16 and VGG19 (Simonyan and Zisserman 2014) as TensorLayer 1.x built them.

Layer names and order follow TensorLayer (``conv1_1`` ... ``pool5``, ``flatten``, ``fc1_relu``,
``fc2_relu``, ``fc3_relu``; the last is the 1000-way logits despite its name), so the
third-party ``vgg16_weights.npz`` assigns in sorted key order. The input is RGB in 0-255;
``conv1_1`` subtracts the ImageNet mean first, as TensorLayer's ``preprocess`` scope did.
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from tlcore_vision.layers.conv import Conv2d
from tlcore_vision.models._restore import attach_restore, build_until, check_end_with

#: ImageNet RGB mean subtracted from the input
VGG_MEAN = (123.68, 116.779, 103.939)


class VGGInputConv2d(Conv2d):
    """``Conv2d`` that subtracts the ImageNet RGB mean (0-255 scale) from its input first.

    Folding the preprocessing into ``conv1_1`` keeps TensorLayer's layer list (no extra layer).
    """

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        return super().forward(inputs - tf.constant(VGG_MEAN, inputs.dtype), is_train=is_train)


_BLOCKS = {16: (2, 2, 3, 3, 3), 19: (2, 2, 4, 4, 4)}
_FILTERS = (64, 128, 256, 512, 512)


def _steps(depth: int) -> list:
    import tlcore as tl

    L = tl.layers
    steps: list = []
    for block, (n_conv, n_filter) in enumerate(zip(_BLOCKS[depth], _FILTERS), start=1):
        for i in range(1, n_conv + 1):
            cls = VGGInputConv2d if (block, i) == (1, 1) else Conv2d
            steps.append((f"conv{block}_{i}", lambda net, name, cls=cls, n=n_filter: cls(
                net, n, (3, 3), (1, 1), act=tf.nn.relu, padding="SAME", name=name)))
        steps.append((f"pool{block}", lambda net, name: L.MaxPool2d(
            net, (2, 2), (2, 2), padding="SAME", name=name)))
    steps.append(("flatten", lambda net, name: L.FlattenLayer(net, name=name)))
    steps.append(("fc1_relu", lambda net, name: L.DenseLayer(net, n_units=4096, act=tf.nn.relu,
                                                            name=name)))
    steps.append(("fc2_relu", lambda net, name: L.DenseLayer(net, n_units=4096, act=tf.nn.relu,
                                                            name=name)))
    steps.append(("fc3_relu", lambda net, name: L.DenseLayer(net, n_units=1000, name=name)))
    return steps


def _input(x: Any) -> Any:
    import tlcore as tl

    if isinstance(x, tl.layers.Layer):
        return x
    return tl.layers.InputLayer([None, 224, 224, 3] if x is None else x, name="input")


def _vgg(depth: int, x: Any, end_with: str, reuse: Any) -> Any:
    steps = _steps(depth)
    check_end_with(f"VGG{depth}", end_with, [n for n, _ in steps])
    return attach_restore(build_until(_input(x), steps, end_with, reuse))


def VGG16(x_or_input_layer: Any = None, end_with: str = "fc3_relu", reuse: Any = None) -> Any:
    """VGG16: 13 3x3 convolutions in 5 max-pooled blocks, then 4096-4096-1000 dense layers.

    Args:
        x_or_input_layer: an ``InputLayer``, or what ``InputLayer`` accepts (a shape such as
            ``[None, 224, 224, 3]``, a TensorSpec, an array); default ``[None, 224, 224, 3]``.
        end_with: the last layer to build (``'conv1_1'`` ... ``'pool5'``, ``'flatten'``,
            ``'fc1_relu'``, ``'fc2_relu'``, ``'fc3_relu'``), e.g. ``'pool5'`` for features.
        reuse: ``None``, or an already built VGG whose variables this one uses (TensorLayer's
            ``reuse=True`` named no network; see ``tl.layers.reuse``), e.g. a batch-1 copy.

    Returns:
        The network (its last layer) with ``restore_params(path)`` for ``vgg16_weights.npz``.
        Full: 23 layers (with the InputLayer), 32 parameter arrays, 138,357,544 parameters.

    >>> vgg = VGG16([None, 224, 224, 3], end_with='pool5')
    >>> vgg.output_shape
    (None, 7, 7, 512)
    """
    return _vgg(16, x_or_input_layer, end_with, reuse)


def VGG19(x_or_input_layer: Any = None, end_with: str = "fc3_relu", reuse: Any = None) -> Any:
    """VGG19: as :func:`VGG16` with 4 convolutions in blocks 3 to 5 (16 in all).

    Full: 26 layers, 38 parameter arrays, 143,667,240 parameters.
    """
    return _vgg(19, x_or_input_layer, end_with, reuse)
