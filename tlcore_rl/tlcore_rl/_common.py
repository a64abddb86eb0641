"""Pieces the trainers share: a fast numpy actor for Dense chains, parameter files, env helpers."""
from __future__ import annotations

import logging
import math
import os
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np
import tensorflow as tf

if TYPE_CHECKING:
    from tlcore.owner import Network, ParamOwner

logger = logging.getLogger("tlcore")


# ------------------------------------------------------------------------------ fast acting
def _np_act(act: Callable[..., Any]) -> Callable[[np.ndarray], np.ndarray] | None:
    """The numpy twin of a layer activation, or None when there is none we trust."""
    from tlcore.layers.utils import identity

    table: dict[Any, Callable[[np.ndarray], np.ndarray]] = {
        identity: lambda z: z,
        tf.nn.relu: lambda z: np.maximum(z, 0),
        tf.nn.tanh: np.tanh,
        tf.tanh: np.tanh,
        tf.nn.sigmoid: lambda z: 1.0 / (1.0 + np.exp(-z)),
        tf.sigmoid: lambda z: 1.0 / (1.0 + np.exp(-z)),
    }
    try:
        return table.get(act)
    except TypeError:  # unhashable callable
        return None


class NumpyDenseChain:
    """Runs ``InputLayer -> DenseLayer -> ... -> DenseLayer`` in numpy on one observation.

    Acting calls the network once per environment step with a batch of one, where a TF call
    costs far more than the arithmetic. The weights are a snapshot: call :meth:`refresh` after
    every update. The first layer skips zero inputs (Pong frame differences are ~99 % zeros),
    so it reads only the rows of ``W`` it needs.
    """

    def __init__(self, layers: Sequence[Any]) -> None:
        self.layers = list(layers)
        acts = [_np_act(layer.act) for layer in self.layers]
        if any(a is None for a in acts):  # from_network checks this; direct use must too
            raise ValueError("every layer needs an activation with a numpy twin (identity, "
                             "relu, tanh, sigmoid)")
        self.acts: list[Callable[[np.ndarray], np.ndarray]] = [a for a in acts if a is not None]
        self.weights: list[tuple[np.ndarray, np.ndarray | None]] = []
        self.refresh()

    @classmethod
    def try_build(cls, network: Network) -> NumpyDenseChain | None:
        """A chain for ``network`` if it is a plain Dense stack on one rank-2 input, else None."""
        from tlcore.layers.core import InputLayer
        from tlcore.layers.dense import DenseLayer

        layers = network.all_layers
        if (len(layers) < 2 or type(layers[0]) is not InputLayer
                or layers[0].output_spec.shape.rank != 2
                or any(type(layer) is not DenseLayer for layer in layers[1:])
                or any(layer.prev_layers != (prev,) for prev, layer in zip(layers, layers[1:]))
                or any(_np_act(layer.act) is None for layer in layers[1:])):
            return None
        return cls(layers[1:])

    def refresh(self) -> None:
        """Copy the current weights out of the network."""
        self.weights = [(layer.W.numpy(), None if layer.b is None else layer.b.numpy())
                        for layer in self.layers]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Output of the network for one observation ``x`` of shape ``[n_in]``."""
        x = np.asarray(x, dtype=np.float32).reshape(-1)
        W, b = self.weights[0]
        nz = np.flatnonzero(x != 0)  # 4x faster than flatnonzero on floats
        h = x[nz] @ W[nz] if nz.size < 0.25 * x.size else x @ W
        if b is not None:
            h = h + b
        h = self.acts[0](h)
        for (W, b), act in zip(self.weights[1:], self.acts[1:]):
            h = h @ W
            if b is not None:
                h = h + b
            h = act(h)
        return h


def softmax_np(z: np.ndarray) -> np.ndarray:
    """Numerically stable softmax in float64."""
    z = np.asarray(z, dtype=np.float64)
    if z.size <= 16:  # a handful of actions: Python floats beat numpy's per-call overhead
        zs = z.tolist()
        m = max(zs)
        e = [math.exp(v - m) for v in zs]
        s = sum(e)
        return np.array([v / s for v in e])
    e = np.exp(z - z.max())
    return e / e.sum()


# ----------------------------------------------------------------------------- parameters
# Parameters go through tl.files (save_npz / load_and_assign_npz: atomic, all or nothing); the
# trainer's own state is a tl.files npz too, its scalars in the JSON metadata.
_STATE_FORMAT = "tlcore_rl.state"


def save_params(network: ParamOwner, path: str) -> None:
    """Write ``network.all_params`` to ``path`` with ``tl.files.save_npz`` (atomically)."""
    from tlcore import files

    files.save_npz(network, name=path)


def save_state(path: str, scalars: dict[str, Any], arrays: Sequence[np.ndarray]) -> None:
    """A trainer's own state (counters, RNG, optimizer slots) next to the model file."""
    from tlcore import files

    files.write_npz(path, {f"arr_{i}": np.asarray(a) for i, a in enumerate(arrays)},
                    {"format": _STATE_FORMAT, "version": 1, "state": scalars})


def load_state(path: str) -> tuple[dict[str, Any], list[np.ndarray]]:
    """What :func:`save_state` wrote: the scalars and the arrays in order."""
    from tlcore import files

    contents = files.read_npz(path)
    meta = contents.meta or {}
    arrays = contents.arrays
    if meta.get("format") != _STATE_FORMAT or not isinstance(meta.get("state"), dict):
        raise ValueError(f"{path!r} is not a trainer state file (format {meta.get('format')!r}, "
                         f"expected {_STATE_FORMAT!r})")
    keys = [f"arr_{i}" for i in range(len(arrays))]
    if sorted(arrays) != sorted(keys):
        raise ValueError(f"{path!r}: expected arrays arr_0..arr_{len(arrays) - 1}, found "
                         f"{sorted(arrays)[:8]}")
    return meta["state"], [arrays[k] for k in keys]


def state_path(model_path: str) -> str:
    """``out/model_pong.npz`` -> ``out/model_pong.state.npz``."""
    root, _ = os.path.splitext(model_path)
    return root + ".state.npz"


def optimizer_arrays(optimizer: Any) -> list[np.ndarray]:
    return [np.asarray(v.numpy()) for v in optimizer.variables]


def restore(network: ParamOwner, path: str, optimizer: Any = None) -> dict[str, Any] | None:
    """Resume from :func:`save_params`' file and, when ``optimizer`` is given and the
    :func:`state_path` file exists, its state: every file is read and checked, then the
    network's and the optimizer's variables are assigned in one all-or-nothing step.

    Returns:
        The saved trainer scalars, or None when there is no state file (or no optimizer).
    """
    from tlcore import files

    params = files.load_npz(name=path)
    sp = state_path(path)
    scalars: dict[str, Any] | None = None
    slots: list[np.ndarray] = []
    slot_vars: list[Any] = []
    if optimizer is not None and os.path.exists(sp):
        scalars, slots = load_state(sp)
        slot_vars = list(optimizer.variables)
    try:
        files.assign_params([*params, *slots], [*network.all_params, *slot_vars], strict=True)
    except ValueError as e:
        where = f"{path!r} and {sp!r}" if slot_vars else repr(path)
        raise ValueError(f"{where} (parameters{' and optimizer state' if slot_vars else ''}): "
                         f"{e}") from e
    return scalars


# ------------------------------------------------------------------------------ envs
def space_n(env: Any) -> int:
    """Number of actions of a discrete action space (errors name the space otherwise)."""
    n = getattr(env.action_space, "n", None)
    if n is None:
        raise ValueError(f"expected an environment with a Discrete action space, received "
                         f"{env.action_space}")
    return int(n)


def rng_state(rng: np.random.Generator) -> dict[str, Any]:
    return dict(rng.bit_generator.state)


def set_rng_state(rng: np.random.Generator, state: dict[str, Any]) -> None:
    rng.bit_generator.state = state
