"""SqueezeNet 1.1 (Iandola et al. 2016) as TensorLayer 1.x's ``SqueezeNetV1`` built it.

Fire modules ``fireN.squeeze1x1`` -> (``fireN.expand1x1`` | ``fireN.expand3x3``) -> concat;
1,235,496 parameters; the ``tensorlayer/pretrained-models`` ``squeezenet.npz`` is a
``save_npz`` file in this parameter order. Input: RGB scaled to [0, 1].
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from tlcore_vision.models._restore import (attach_restore, build_until, check_end_with,
                                           check_is_train)

_FIRES = ((2, 16, 64), (3, 16, 64), "max", (4, 32, 128), (5, 32, 128), "max", (6, 48, 192),
          (7, 48, 192), (8, 64, 256), (9, 64, 256))


def _steps(is_train: bool | None) -> list:
    import tlcore as tl

    L, relu = tl.layers, tf.nn.relu

    def fire(net: Any, name: str, squeeze: int, expand: int) -> Any:
        s = L.Conv2d(net, squeeze, (1, 1), (1, 1), relu, "SAME", name=f"{name}.squeeze1x1")
        e1 = L.Conv2d(s, expand, (1, 1), (1, 1), relu, "SAME", name=f"{name}.expand1x1")
        e3 = L.Conv2d(s, expand, (3, 3), (1, 1), relu, "SAME", name=f"{name}.expand3x3")
        return L.ConcatLayer([e1, e3], concat_dim=-1, name=f"{name}.concat")

    steps: list = [
        ("conv1", lambda n, name: L.Conv2d(n, 64, (3, 3), (2, 2), relu, "SAME", name=name)),
        ("maxpool1", lambda n, name: L.MaxPool2d(n, (3, 3), (2, 2), "VALID", name=name))]
    pools = 1
    for f in _FIRES:
        if f == "max":
            pools += 1
            steps.append((f"maxpool{pools}", lambda n, name: L.MaxPool2d(
                n, (3, 3), (2, 2), "VALID", name=name)))
        else:
            steps.append((f"fire{f[0]}", lambda n, name, f=f: fire(n, name, f[1], f[2])))
    steps += [
        ("drop1", lambda n, name: L.DropoutLayer(n, keep=0.5, is_fix=True,
                                                 is_train=is_train is not False, name=name)),
        ("conv10", lambda n, name: L.Conv2d(n, 1000, (1, 1), (1, 1), padding="VALID",
                                            name=name)),
        ("output", lambda n, name: L.GlobalMeanPool2d(n, name=name))]
    return steps


def SqueezeNetV1(x_or_input_layer: Any = None, end_with: str = "output",
                 is_train: bool | None = None, reuse: Any = None) -> Any:
    """SqueezeNet 1.1: conv 3x3/2, max-pool, 8 fire modules with two more max-pools, dropout,
    conv 1x1 to 1000 channels, global mean pool.

    Args:
        x_or_input_layer: an ``InputLayer`` or a shape (default ``[None, 224, 224, 3]``).
        end_with: last layer: ``'conv1'``, ``'maxpool1'``, ``'fire2'`` ... ``'fire9'``,
            ``'maxpool2'``, ``'maxpool3'``, ``'drop1'``, ``'conv10'`` or ``'output'``.

        is_train: ``False`` makes the dropout the identity for good (TensorLayer's test
            graph); ``None`` (default) or ``True`` follow the call.
        reuse: ``None``, or an already built network of this model whose variables this one
            uses (see ``tl.layers.reuse``).

    Dropout is active only when the network is called with ``is_train=True``, so one network
    serves training and inference.

    >>> SqueezeNetV1([None, 224, 224, 3]).count_params()
    1235496
    """
    import tlcore as tl

    check_is_train("SqueezeNetV1", is_train)
    steps = _steps(is_train)
    check_end_with("SqueezeNetV1", end_with, [n for n, _ in steps])
    x = x_or_input_layer
    net = x if isinstance(x, tl.layers.Layer) else tl.layers.InputLayer(
        [None, 224, 224, 3] if x is None else x, name="input")
    return attach_restore(build_until(net, steps, end_with, reuse))
