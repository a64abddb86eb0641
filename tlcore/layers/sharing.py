"""Weight sharing between networks: ``with tl.layers.reuse(net):`` (TensorLayer's
``reuse=True``), used by :meth:`Layer.add_param`."""
from __future__ import annotations

import contextlib
import contextvars
from typing import TYPE_CHECKING, Any, Iterator, Mapping

import tensorflow as tf

from tlcore.layers.utils import who

if TYPE_CHECKING:
    from tlcore.layers.core import Layer

__all__ = ["check_all_reused", "reuse", "reused_table", "reused_variable", "reusing"]

# ------------------------------------------------------------------------ weight sharing
#: ``<layer>/<var>`` -> variable of the networks whose variables are being reused, or None
_REUSE: contextvars.ContextVar[dict[str, tf.Variable] | None] = contextvars.ContextVar(
    "tlcore_reuse", default=None)


@contextlib.contextmanager
def reuse(*networks: Any) -> Iterator[None]:
    """Build layers on the variables of already-built ``networks`` (TensorLayer's ``reuse=True``).

    Inside the block, a layer that would create the variable ``<layer name>/<var name>`` takes
    the one of that name from ``networks`` instead, after checking its shape and dtype; a name
    the networks do not have is an error. Layers built outside the block get new variables, so
    a block can share a part of a network (one tower, one embedding).

    Calling one network on other inputs stays the first choice when the structure is the same;
    ``reuse`` is for a second network of another structure or fixed shape (an inference net with
    batch 1, another sequence length, a second lookup in a shared embedding).

    ``reuse(None)`` and ``reuse(False)`` do nothing, so a ported ``def model(x, reuse=None)``
    can write ``with tl.layers.reuse(reuse):`` and take ``reuse=net_train``.

    >>> net = DenseLayer(InputLayer([None, 4]), n_units=3, name="d")
    >>> with reuse(net):
    ...     net1 = DenseLayer(InputLayer([1, 4]), n_units=3, name="d")
    >>> net1.all_params[0] is net.all_params[0]
    True
    """
    if len(networks) == 1 and networks[0] in (None, False):
        yield
        return
    from tlcore.layers.core import Layer

    table: dict[str, tf.Variable] = dict(_REUSE.get() or {})
    for net in networks:
        for layer in (net if isinstance(net, (list, tuple)) else [net]):
            if not isinstance(layer, Layer):
                raise TypeError(f"tl.layers.reuse: expected the network (a tlcore Layer) whose "
                                f"variables to share, received {layer!r}; TensorLayer's "
                                f"reuse=True becomes reuse=<the first network>")
            table.update((layer.param_name(v), v) for v in layer.all_params)
    token = _REUSE.set(table)
    try:
        yield
    finally:
        _REUSE.reset(token)


def reused_table() -> dict[str, tf.Variable] | None:
    """``<layer>/<var>`` -> variable inside a ``reuse`` block, else ``None``."""
    return _REUSE.get()


def reusing() -> bool:
    """True inside a ``with reuse(network):`` block (layers there share that network's
    variables)."""
    return _REUSE.get() is not None


def reused_variable(layer: Layer, name: str, shape: tuple[int, ...], dtype: tf.DType,
                    table: Mapping[str, tf.Variable]) -> tf.Variable:
    """The reused network's ``<layer>/<name>`` variable, checked by shape and dtype."""
    key = f"{layer.name}/{name}"
    var = table.get(key)
    if var is None:
        near = sorted(k for k in table if k.split("/")[-1] == name)[:8]
        raise ValueError(f"{who(layer)}: tl.layers.reuse: the reused network has no variable "
                         f"{key!r}" + (f" (variables named {name!r}: {near})" if near else "")
                         + "; build the layer with the same name, or outside the reuse block")
    if tuple(var.shape.as_list()) != shape or var.dtype.base_dtype != dtype:
        raise ValueError(f"{who(layer)}: tl.layers.reuse: variable {key!r} has shape "
                         f"{tuple(var.shape.as_list())} and dtype {var.dtype.base_dtype.name} in "
                         f"the reused network, this layer needs shape {shape} and dtype "
                         f"{dtype.name}")
    return var


def check_all_reused(layer: Layer) -> None:
    """Inside ``reuse``, a layer whose variables did not come from ``add_param`` (a wrapped
    Keras layer) cannot share them: say so rather than silently train a copy."""
    table = _REUSE.get()
    if table is None:
        return
    shared = {id(v) for v in table.values()}
    own = [v for v in layer._own_params if id(v) not in shared]
    if own:
        raise ValueError(f"{who(layer)}: tl.layers.reuse cannot share the variables of this layer "
                         f"({[v.name for v in own][:4]}): it creates them itself; call the first "
                         f"network, or the wrapped object, on the new input instead")
