"""MobileNet V1 (Howard et al. 2017, width 1.0) as TensorLayer 1.x's ``MobileNetV1`` built it.

``conv`` block then 13 depthwise-separable blocks ``depth1`` ... ``depth13`` (depthwise 3x3 ->
BatchNorm+relu6 -> 1x1 conv -> BatchNorm+relu6), global mean pool, 1x1 conv to 1000 classes.
4,253,864 parameters (BatchNorm moving statistics included), as Keras' MobileNet; the
``tensorlayer/pretrained-models`` ``mobilenet.npz`` is a ``save_npz`` file in this order.
Input: RGB scaled to [0, 1].
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from tlcore_vision.models._restore import (attach_restore, build_until, check_end_with,
                                           check_is_train)

#: (n_filter, stride) of depth1 ... depth13
_DEPTH = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
          (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1))


def _steps(is_train: bool | None) -> list:
    import tlcore as tl

    L, relu6 = tl.layers, tf.nn.relu6

    def bn(net: Any, name: str) -> Any:
        return L.BatchNormLayer(net, decay=0.99, act=relu6, is_train=is_train, name=name)

    def conv_block(net: Any, name: str) -> Any:
        net = L.Conv2d(net, 32, (3, 3), (2, 2), b_init=None, name=f"{name}.conv")
        return bn(net, f"{name}.batchnorm")

    def depth_block(net: Any, name: str, n_filter: int, stride: int) -> Any:
        net = L.DepthwiseConv2d(net, (3, 3), (stride, stride), b_init=None,
                                name=f"{name}.depthwise")
        net = bn(net, f"{name}.batchnorm1")
        net = L.Conv2d(net, n_filter, (1, 1), (1, 1), b_init=None, name=f"{name}.conv")
        return bn(net, f"{name}.batchnorm2")

    steps: list = [("conv", conv_block)]
    for i, (n_filter, stride) in enumerate(_DEPTH, start=1):
        steps.append((f"depth{i}", lambda n, name, f=n_filter, s=stride: depth_block(
            n, name, f, s)))
    steps += [
        ("globalmeanpool", lambda n, name: L.GlobalMeanPool2d(n, name=name)),
        ("reshape", lambda n, name: L.ReshapeLayer(n, shape=[-1, 1, 1, 1024], name=name)),
        # TensorLayer: conv 'out' then FlattenLayer 'flatten', both built for end_with='out'
        ("out", lambda n, name: L.FlattenLayer(L.Conv2d(n, 1000, (1, 1), (1, 1), name=name),
                                               name="flatten"))]
    return steps


def MobileNetV1(x_or_input_layer: Any = None, end_with: str = "out",
                is_train: bool | None = None, reuse: Any = None) -> Any:
    """MobileNet V1 (alpha 1.0): 1000-way logits of shape ``(batch, 1000)``.

    Args:
        x_or_input_layer: an ``InputLayer`` or a shape (default ``[None, 224, 224, 3]``).
        end_with: last block: ``'conv'``, ``'depth1'`` ... ``'depth13'``,
            ``'globalmeanpool'``, ``'reshape'`` or ``'out'``.

        is_train: passed to every BatchNormLayer: ``None`` (default) or ``True`` follow the
            call, ``False`` freezes them (moving statistics, fixed scale and offset), e.g. to
            fine-tune around pretrained weights.
        reuse: ``None``, or an already built network of this model whose variables this one
            uses (see ``tl.layers.reuse``).

    BatchNorm uses batch statistics when the network is called with ``is_train=True`` and the
    moving statistics otherwise, so one network serves training and inference.

    >>> MobileNetV1([None, 224, 224, 3]).count_params()
    4253864
    """
    import tlcore as tl

    check_is_train("MobileNetV1", is_train)
    steps = _steps(is_train)
    check_end_with("MobileNetV1", end_with, [n for n, _ in steps])
    x = x_or_input_layer
    net = x if isinstance(x, tl.layers.Layer) else tl.layers.InputLayer(
        [None, 224, 224, 3] if x is None else x, name="input")
    return attach_restore(build_until(net, steps, end_with, reuse))
