"""Loading pretrained weights into the model definitions (all or nothing)."""
from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING, Any, Callable, Sequence

if TYPE_CHECKING:
    from tlcore.owner import Network, ParamOwner


def restore_params(network: ParamOwner, path: str, *, allow_pickle: bool = False) -> ParamOwner:
    """Assign the arrays of the npz file ``path`` to ``network.all_params`` by position.

    Two layouts are read:

    - a ``tl.files.save_npz`` file (``arr_0``, ``arr_1``, ...; or a TensorLayer 1.x ``params``
      file with ``allow_pickle=True``, which runs pickle: trusted files only), as TensorLayer's
      MobileNet and SqueezeNet weights;
    - any other npz of plain arrays, taken in sorted key order, as TensorLayer read the
      third-party ``vgg16_weights.npz`` (``conv1_1_W``, ``conv1_1_b``, ..., ``fc8_b``).

    Only the first ``len(network.all_params)`` arrays are used, so a truncated network
    (``end_with='fc2_relu'``) takes the matching prefix. Shapes are all checked before anything
    is assigned; a mismatch names the parameter and its layer.

    Returns:
        ``network``.
    """
    import tlcore as tl

    if not os.path.isfile(path):
        raise FileNotFoundError(f"restore_params: no weights file at {path!r} (the pretrained "
                                f"weights are not shipped; download them first)")
    # tl.files reads it check-first: every member's header against its size, no pickle
    contents = tl.files.read_npz(path)
    keys = [*contents.arrays, *contents.pickled]
    tl_format = "params" in keys or any(k.startswith("arr_") for k in keys)
    if tl_format:
        arrays = list(tl.files.load_npz(name=path, allow_pickle=allow_pickle))
    elif contents.pickled:
        raise ValueError(f"restore_params: {path!r}: arrays {contents.pickled} are pickled "
                         f"objects; nothing was assigned")
    else:
        arrays = [contents.arrays[k] for k in sorted(k for k in keys if not k.startswith("__"))]
    n = len(network.all_params)
    if len(arrays) < n:
        raise ValueError(f"restore_params: {path!r} holds {len(arrays)} arrays, the network "
                         f"needs {n}")
    return tl.files.assign_params(arrays[:n], network)


def attach_restore(network: Network) -> Network:
    """Give ``network`` TensorLayer's ``network.restore_params(path)`` method."""
    # TensorLayer's models carried the method; the protocol does not declare it
    bound = functools.partial(restore_params, network)
    network.restore_params = bound  # type: ignore[attr-defined]
    return network


def check_is_train(model: str, is_train: Any) -> None:
    if is_train is not None and not isinstance(is_train, bool):
        raise ValueError(f"{model}: is_train must be None or a bool, received {is_train!r}")


def check_end_with(model: str, end_with: str, names: Sequence[str]) -> None:
    if end_with not in names:
        raise ValueError(f"{model}: end_with must be one of the layer names {list(names)}, "
                         f"received {end_with!r}")


def build_until(net: Any, steps: Sequence[tuple[str, Callable[[Any, str], Any]]],
                end_with: str, reuse: Any = None) -> Any:
    """Apply ``step(net, name)`` in order up to and including the layer named ``end_with``,
    on the variables of the network ``reuse`` if given (``tl.layers.reuse``)."""
    import tlcore as tl

    with tl.layers.reuse(reuse):
        for name, step in steps:
            net = step(net, name)
            if name == end_with:
                break
    return net
