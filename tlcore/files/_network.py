"""Whole networks: ``save_network`` / ``load_network`` (architecture + weights) and
``export_saved_model`` (a SavedModel that serves without tlcore).

A network file is an npz archive: ``<layer>/<var>`` weight arrays (as ``save_npz_dict``) plus a
``__tlcore__`` JSON record of the architecture, one entry per layer in topological order::

    {"format": "tlcore.network", "version": 1, "output": "output",
     "layers": [{"class": "DenseLayer", "plugin": "core", "name": "relu1",
                 "parents": ["drop1"], "config": {"n_units": 800, "act": "relu", ...}}, ...]}

``class`` is the name the layer class is registered under, and loading resolves it through the
plugin registry only: nothing in a file can make tlcore import a module. A layer from a plugin
that is not installed fails with the registry's "pip install tlcore-vision" hint.
"""
from __future__ import annotations

import keyword
import logging
import os
import re
import shutil
from typing import Any

import numpy as np

from tlcore._version import __version__
from tlcore.files._atomic import read_npz, write_npz
from tlcore.files._npz import _assign_by_key

logger = logging.getLogger("tlcore")

_FORMAT = "tlcore.network"


def _registered_name(registry: Any, layer: Any) -> tuple[str, str]:
    cls = type(layer)
    entry = registry.owner_of("layers", cls)
    if entry is None:  # registered under another path (e.g. re-exported): match by identity
        for e in registry.entries("layers"):
            if e.name == cls.__name__ and registry.get("layers", e.qualified) is cls:
                entry = e
                break
    if entry is None:
        raise ValueError(f"{cls.__name__} {layer.name!r}: its class is not registered by any "
                         f"plugin, so the network cannot be saved by name; register it with a "
                         f"register_layers hook")
    try:  # store the short name when it resolves to this very entry, else the qualified id
        short_ok = registry.entry("layers", entry.name) == entry
    except Exception:
        short_ok = False
    return (entry.name if short_ok else entry.qualified), entry.plugin


def network_to_config(network: Any) -> dict[str, Any]:
    """The JSON-ready architecture of ``network`` (see the module docstring)."""
    from tlcore.plugins import get_registry

    registry = get_registry()
    layers = []
    for layer in network.all_layers:
        cls_name, plugin = _registered_name(registry, layer)
        layers.append({"class": cls_name, "plugin": plugin, "name": layer.name,
                       "parents": [p.name for p in layer.prev_layers],
                       "config": layer.get_config()})
    return {"format": _FORMAT, "version": 1, "tlcore": __version__, "output": network.name,
            "layers": layers}


def network_from_config(config: dict[str, Any], source: str = "config") -> Any:
    """Rebuild a network from :func:`network_to_config`'s output, through the registry only."""
    from tlcore.plugins import PluginError, get_registry

    if config.get("format") != _FORMAT:
        raise ValueError(f"{source}: not a tlcore network (format {config.get('format')!r})")
    registry = get_registry()
    built: dict[str, Any] = {}
    for spec in config["layers"]:
        try:
            cls = registry.get("layers", spec["class"])
        except (LookupError, PluginError) as e:
            raise _reworded(e, f"{source}: layer {spec['name']!r} needs layer class "
                               f"{spec['class']!r} (saved from plugin {spec.get('plugin')!r}): "
                               f"{e}") from e
        try:
            parents = [built[p] for p in spec["parents"]]
        except KeyError as e:
            raise ValueError(f"{source}: layer {spec['name']!r} names unknown parent {e}") from e
        prev = parents if getattr(cls, "multi_input", False) else (parents[0] if parents else None)
        built[spec["name"]] = cls.from_config(prev, spec["config"])
    if config["output"] not in built:
        raise ValueError(f"{source}: output layer {config['output']!r} is not among its layers")
    return built[config["output"]]


def _reworded(e: Exception, message: str) -> Exception:
    """The same registry exception type and attributes, with ``message``."""
    from tlcore.plugins import AmbiguousNameError, PluginError, UnknownNameError

    if isinstance(e, UnknownNameError):
        return UnknownNameError(message, kind=e.kind, name=e.name)
    if isinstance(e, AmbiguousNameError):
        return AmbiguousNameError(message, kind=e.kind, name=e.name, candidates=e.candidates)
    if isinstance(e, PluginError):
        return PluginError(message, plugin=e.plugin)
    return LookupError(message)


def save_network(network: Any, path: str) -> str:
    """Save ``network``'s architecture and weights to one file, atomically.

    Returns:
        ``path``.

    >>> save_network(net, "model.tlnet.npz")  # doctest: +SKIP
    >>> net2 = load_network("model.tlnet.npz")  # doctest: +SKIP
    """
    config = network_to_config(network)
    arrays = {network.param_name(v): np.asarray(v.numpy()) for v in network.all_params}
    write_npz(path, arrays, config)
    logger.info("[*] network saved: %s (%d layers, %d arrays)", path, len(config["layers"]),
                len(arrays))
    return path


def load_network(path: str) -> Any:
    """Rebuild a network saved by :func:`save_network` and assign its weights.

    Raises:
        UnknownNameError: a layer class is not registered (e.g. its plugin is not installed);
            the message names the layer and the distribution to install when known.
        ValueError: the file is truncated or corrupt, or the weights do not fit.
    """
    contents = read_npz(path)
    if contents.meta is None or contents.meta.get("format") != _FORMAT:
        raise ValueError(f"{path!r} is not a save_network file")
    network = network_from_config(contents.meta, source=repr(path))
    _assign_by_key(contents.arrays, network, repr(path), strict=True)
    return network


def export_saved_model(network: Any, export_dir: str, input_signature: Any = None) -> str:
    """Export ``network(x, is_train=False)`` as a TensorFlow SavedModel.

    The result needs only TensorFlow: ``m = tf.saved_model.load(export_dir); m(x)`` (or the
    ``serving_default`` signature) computes the network's output.

    Args:
        network: the network.
        export_dir: the SavedModel directory.
        input_signature: a list of ``tf.TensorSpec``, one per InputLayer; defaults to the
            InputLayers' shapes and dtypes.

    Returns:
        ``export_dir``.
    """
    import tensorflow as tf

    ins = network.input_layers
    if input_signature is None:
        # feed_spec: what an input layer is fed when its output differs (ids -> embeddings)
        input_signature = [getattr(layer, "feed_spec", layer.output_spec) for layer in ins]
    input_signature = list(input_signature)
    if len(input_signature) != len(ins):
        raise ValueError(f"export_saved_model: the network has {len(ins)} InputLayers "
                         f"{[layer.name for layer in ins]}, received {len(input_signature)} "
                         f"input specs")
    names: list[str] = []
    for layer in ins:  # signature argument names must be unique Python identifiers
        ident = re.sub(r"\W", "_", layer.name)
        if not ident.isidentifier() or keyword.iskeyword(ident):
            ident = f"x_{ident}"
        while ident in names:
            ident += "_"
        names.append(ident)
    input_signature = [tf.TensorSpec(s.shape, s.dtype, name=n)
                       for s, n in zip(input_signature, names)]

    def serve(*xs: Any) -> Any:
        return network(xs[0] if len(xs) == 1 else list(xs), is_train=False)

    module = tf.Module(name="tlcore_network")
    module.params = list(network.all_params)  # tracked, so the weights are saved
    # Non-parameter variables that forward reads (RNN state, keep probabilities) must be tracked
    # too, or saving stops at an "untracked resource".
    module.states = [v for layer in network.all_layers for v in layer.state_variables]
    module.__call__ = tf.function(serve, input_signature=input_signature)
    export_dir = os.fspath(export_dir)
    if os.path.isdir(export_dir) and os.listdir(export_dir) and not os.path.exists(
            os.path.join(export_dir, "saved_model.pb")):
        raise ValueError(f"export_saved_model: {export_dir!r} exists and is not a SavedModel; "
                         f"refusing to replace it (choose an empty or new directory)")
    tmp = f"{export_dir.rstrip(os.sep)}.tmp-export"
    if os.path.isdir(tmp):
        shutil.rmtree(tmp)
    tf.saved_model.save(module, tmp, signatures={"serving_default": module.__call__})
    if os.path.isdir(export_dir):  # an old SavedModel (or empty dir), replaced once complete
        shutil.rmtree(export_dir)
    os.replace(tmp, export_dir)
    logger.info("[*] SavedModel exported: %s", export_dir)
    return export_dir
