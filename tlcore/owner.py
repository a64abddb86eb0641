"""Who owns parameters: the :class:`ParamOwner` protocol, the :class:`Network` protocol, and
:class:`OwnsParams`, the mixin that gives a model which is not a layer the same bookkeeping.

Anything with ``all_params``, ``trainable_params``, ``param_name``, ``count_params`` and
``print_params`` is a parameter owner: every layer (it stands for its network), and a hand-made
model such as tlcore-nlp's translation model. ``tl.files`` saves, loads and checkpoints any
owner; type a function that takes one as ``network: ParamOwner`` (or ``Network`` when it also
needs the layer graph). Importing this module does not import TensorFlow.

>>> from tlcore.owner import OwnsParams, ParamOwner
>>> class Model(OwnsParams):
...     def __init__(self) -> None:
...         self.init_params("model")
...         self.W = self.add_param("W", (3, 2), "glorot_uniform")
>>> m = Model()
>>> isinstance(m, ParamOwner), m.param_name(m.W), m.count_params()
(True, 'model/W', 6)
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Iterable, Protocol, Sequence, runtime_checkable

if TYPE_CHECKING:
    import tensorflow as tf

__all__ = ["Network", "OwnsParams", "ParamOwner", "count_params", "print_params"]

logger = logging.getLogger("tlcore")


@runtime_checkable
class ParamOwner(Protocol):
    """What ``tl.files`` and the trainers need of a model: its variables and their names."""

    @property
    def all_params(self) -> list[Any]:
        """Every variable in creation order, non-trainable ones included."""

    @property
    def trainable_params(self) -> list[Any]:
        """The trainable subset of ``all_params``, same order."""

    def param_name(self, var: Any) -> str:
        """A stable name such as ``<layer>/<var>`` (raises ``KeyError`` for a stranger)."""

    def count_params(self) -> int:
        """Number of scalars in ``all_params``."""

    def print_params(self, details: bool = True) -> None:
        """Log each parameter's name, shape and dtype, then the total."""


@runtime_checkable
class Network(ParamOwner, Protocol):
    """A parameter owner that is also a layer graph (every tlcore layer): callable on inputs."""

    name: str

    @property
    def all_layers(self) -> list[Any]:
        """Every layer of the network, topological order, inputs included."""

    @property
    def input_layers(self) -> list[Any]:
        """The InputLayers, in the order ``__call__`` takes a list of inputs."""

    @property
    def output_shape(self) -> Any:
        """Static output shape (``None`` for unknown dims); a list for list outputs."""

    def __call__(self, inputs: Any, is_train: bool = False, **kwargs: Any) -> Any:
        """Run the network."""


def count_params(variables: Iterable[Any]) -> int:
    """Number of scalars in ``variables`` (tf or Keras variables, arrays)."""
    total = 0
    for v in variables:
        n = 1
        for d in v.shape:
            n *= int(d)
        total += n
    return total


def print_params(owner: ParamOwner, details: bool = True) -> None:
    """Log ``param i: name shape dtype`` (with mean, median, std when ``details``) per parameter
    of ``owner``, then ``num of params``, as TensorLayer's ``print_params``."""
    import numpy as np

    for i, v in enumerate(owner.all_params):
        line = (f"  param {i:3d}: {owner.param_name(v):30s} {str(tuple(v.shape)):20s} "
                f"{v.dtype.name}")
        if details:
            a = np.asarray(v.numpy(), dtype=np.float64)
            line += f" (mean: {a.mean():f}, median: {np.median(a):f}, std: {a.std():f})"
        logger.info(line)
    logger.info("  num of params: %d", owner.count_params())


class OwnsParams:
    """Parameter bookkeeping for a model that is not a layer (a layer has its own).

    Call :meth:`init_params` once, then create variables with :meth:`add_param`, which takes an
    initializer the way ``Layer.add_param`` does: a name, a Keras initializer or a
    ``(shape, dtype) -> Tensor`` callable, and clones an unseeded Keras initializer per variable
    (the one cloning path of tlcore, so ``keras.utils.set_random_seed`` fixes the weights).
    """

    def init_params(self, prefix: str, dtype: Any = "float32") -> None:
        """Start with no parameters; names will be ``<prefix>/<name>``."""
        import tensorflow as tf

        self.name: str = prefix
        self.dtype = tf.as_dtype(dtype)
        self._owned: list[tf.Variable] = []
        self._owned_names: dict[int, str] = {}

    def add_param(self, name: str, shape: Sequence[int], init: Any, *, trainable: bool = True,
                  dtype: Any = None) -> tf.Variable:
        """Create the variable ``<prefix>/<name>`` with ``init(shape, dtype)`` and list it."""
        import tensorflow as tf

        from tlcore.layers._fresh import fresh
        from tlcore.layers.utils import get_init

        if not hasattr(self, "_owned"):
            raise RuntimeError(f"{type(self).__name__}: call init_params(prefix) before "
                               f"add_param")
        full = f"{self.name}/{name}"
        if full in self._owned_names.values():
            raise ValueError(f"{type(self).__name__} {self.name!r}: a parameter named {full!r} "
                             f"already exists")
        dtype = tf.as_dtype(dtype or self.dtype)
        shape = tuple(int(d) for d in shape)
        resolved = get_init(init)
        if resolved is None:
            raise ValueError(f"{type(self).__name__} {self.name!r}: parameter {name!r} needs an "
                             f"initializer")
        value = fresh(resolved)(shape, dtype=dtype)
        var = tf.Variable(value, trainable=trainable, name=full, dtype=dtype)
        self._owned.append(var)
        self._owned_names[id(var)] = full
        return var

    @property
    def all_params(self) -> list[tf.Variable]:
        """Every variable in creation order."""
        return list(self._owned)

    @property
    def trainable_params(self) -> list[tf.Variable]:
        """The trainable subset of :attr:`all_params`, same order."""
        return [v for v in self._owned if v.trainable]

    def param_name(self, var: Any) -> str:
        """``<prefix>/<name>`` of one of this model's variables."""
        try:
            return self._owned_names[id(var)]
        except KeyError:
            raise KeyError(f"variable {getattr(var, 'name', var)!r} is not a parameter of "
                           f"{type(self).__name__} {self.name!r}") from None

    def count_params(self) -> int:
        """Number of scalars in :attr:`all_params`."""
        return count_params(self._owned)

    def print_params(self, details: bool = True) -> None:
        """Log each parameter and the total (see :func:`print_params`)."""
        print_params(self, details)
