"""TensorLayer 1.x's layer helpers that ported scripts call: ``get_variables_with_name``,
``get_layers_with_name``, ``LayersConfig``, and the no-ops ``initialize_global_variables``,
``set_name_reuse`` and ``clear_layers_name``.

tlcore has no global graph, so the look-ups take the network (any layer stands for the
network that ends in it) where TensorLayer searched the default graph.
"""
from __future__ import annotations

import abc
import logging
from typing import Any, ClassVar

import tensorflow as tf

from tlcore.layers.core import Layer

logger = logging.getLogger("tlcore")

__all__ = ["LayersConfig", "clear_layers_name", "get_layers_with_name",
           "get_variables_with_name", "initialize_global_variables", "set_name_reuse"]


class LayersConfig(abc.ABC):
    """TensorLayer's layer settings holder (abstract: it is never instantiated).

    ``tf_dtype`` is the dtype of an ``InputLayer`` built from a shape without ``dtype=`` (and so
    of the variables after it). ``set_keep`` is kept, empty, for code that reads it: the keep
    probabilities that 1.x fed through it are ``network.all_drop``'s variables in tlcore.
    """

    tf_dtype: ClassVar[tf.DType] = tf.float32
    set_keep: ClassVar[dict[str, Any]] = {}

    @abc.abstractmethod
    def __init__(self) -> None:
        """Not instantiable, as in TensorLayer."""


def get_variables_with_name(name: str | None = None, train_only: bool = True,
                            verbose: bool = False, *, net: Layer | None = None,
                            printable: bool | None = None) -> list[tf.Variable]:
    """The variables of ``net`` whose ``<layer>/<var>`` name contains ``name``.

    TensorLayer 1.11 searched the default graph: ``get_variables_with_name('dense', True,
    True)``. The same call takes the network here: ``get_variables_with_name('dense', True,
    True, net=network)``.

    Args:
        name: a substring of ``network.param_name(v)``, e.g. a layer-name prefix ``'g/'``.
        train_only: only trainable variables (else non-trainable ones such as BatchNorm's
            moving statistics too).
        verbose: log each variable found (``printable`` is TensorLayer's older spelling).
        net: the network to search.

    Returns:
        The matching variables, in ``all_params`` order.
    """
    if printable is not None:
        verbose = printable
    if name is None:
        raise ValueError("get_variables_with_name: pass the name (a substring of '<layer>/<var>')")
    if not isinstance(net, Layer):
        raise TypeError(f"get_variables_with_name({name!r}): tlcore has no global graph; pass the "
                        f"network to search: get_variables_with_name({name!r}, {train_only}, "
                        f"{verbose}, net=network), received net={net!r}")
    logger.info("  [*] geting variables with %s", name)
    pool = net.trainable_params if train_only else net.all_params
    found = [v for v in pool if name in net.param_name(v)]
    if verbose:
        for i, v in enumerate(found):
            logger.info("  got %3d: %-15s   %s", i, net.param_name(v), tuple(v.shape.as_list()))
    return found


def get_layers_with_name(net: Layer, name: str = "", verbose: bool = False) -> list[Layer]:
    """The layers of the network ending in ``net`` whose name contains ``name``, in order."""
    if not isinstance(net, Layer):
        raise TypeError(f"get_layers_with_name: expected a tlcore network (Layer), received "
                        f"{type(net).__name__}")
    found = [layer for layer in net.all_layers if name in layer.name]
    if verbose:
        for i, layer in enumerate(found):
            logger.info("  got %3d: %-15s   %s", i, layer.name, layer.output_shape)
    return found


def initialize_global_variables(sess: Any = None) -> None:
    """Does nothing, on purpose: tlcore's variables are initialized when a layer is built (there
    is no session). Kept so that ported scripts run unchanged; the line can be deleted."""


def set_name_reuse(enable: bool = True) -> None:
    """Does nothing, as in TensorLayer 1.11 (where it had become a no-op): layer names are
    checked per network, never globally. Share variables with ``tl.layers.reuse(network)``."""


def clear_layers_name() -> None:
    """Does nothing, as in TensorLayer 1.11: there is no global layer-name list to clear."""
