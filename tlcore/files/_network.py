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
from typing import TYPE_CHECKING, Any

import numpy as np

from tlcore._version import __version__
from tlcore.files._atomic import read_npz, write_npz
from tlcore.files._npz import _assign_by_key

if TYPE_CHECKING:
    from tlcore.owner import Network

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


def network_to_config(network: Network) -> dict[str, Any]:
    """The JSON-ready architecture of ``network`` (see the module docstring)."""
    from tlcore.plugins import get_registry

    registry = get_registry()
    layers = []
    for layer in network.all_layers:
        cls_name, plugin = _registered_name(registry, layer)
        info = registry.plugin(plugin)
        # The distribution to name when the file is loaded where the plugin is missing.
        dist = info.distribution if info is not None and info.distribution else None
        layers.append({"class": cls_name, "plugin": plugin, "distribution": dist,
                       "name": layer.name, "parents": [p.name for p in layer.prev_layers],
                       "config": layer.get_config()})
    return {"format": _FORMAT, "version": 1, "tlcore": __version__, "output": network.name,
            "layers": layers}


_ENTRY_KEYS = {"class", "name", "parents", "config"}
_OPTIONAL_KEYS = {"plugin", "distribution"}
#: what a saved distribution name may look like (a file is untrusted: it only reaches a message)
_DIST_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


class _EntryError(ValueError):
    pass


def _entry_label(i: int, spec: Any) -> str:
    name = spec.get("name") if isinstance(spec, dict) else None
    return f"layer entry {i}" + (f" ({name!r})" if isinstance(name, str) else "")


def _check_entry(spec: Any, built: dict[str, Any]) -> None:
    """The shape of one ``layers`` entry: keys, their types, parents already built."""
    if not isinstance(spec, dict):
        raise _EntryError(f"expected an object with keys {sorted(_ENTRY_KEYS)}, found "
                          f"{type(spec).__name__} {spec!r:.60}")
    missing = sorted(_ENTRY_KEYS - set(spec))
    extra = sorted(set(spec) - _ENTRY_KEYS - _OPTIONAL_KEYS)
    if missing or extra:
        raise _EntryError("; ".join(([f"missing {missing}"] if missing else [])
                                    + ([f"unknown keys {extra}"] if extra else [])))
    for key, kind in (("class", str), ("name", str), ("parents", list), ("config", dict)):
        if not isinstance(spec[key], kind) or (kind is str and not spec[key]):
            raise _EntryError(f"{key!r} must be a{' non-empty' if kind is str else ''} "
                              f"{kind.__name__}, found {spec[key]!r:.60}")
    if not isinstance(spec.get("plugin", ""), (str, type(None))):
        raise _EntryError(f"'plugin' must be a string, found {spec['plugin']!r:.60}")
    if spec["name"] in built:
        raise _EntryError(f"a layer named {spec['name']!r} appears twice")
    cfg_name = spec["config"].get("name", spec["name"])
    if cfg_name != spec["name"]:
        raise _EntryError(f"its config names it {cfg_name!r}, not {spec['name']!r}")
    for p in spec["parents"]:
        if not isinstance(p, str) or p not in built:
            raise _EntryError(f"names unknown parent {p!r} (parents must come earlier in "
                              f"'layers')")


def _own_from_config(cls: Any) -> bool:
    from tlcore.layers.core import Layer

    return getattr(cls.from_config, "__func__", None) is not getattr(Layer.from_config,
                                                                     "__func__", None)


def _check_config(cls: Any, config: dict[str, Any], is_input: bool) -> None:
    """Config keys against the constructor, and values that would reach code by name."""
    import inspect

    from tlcore.layers._utils import get_act

    params = list(inspect.signature(cls.__init__).parameters.values())[1:]  # no self
    # A class with its own from_config may use other keys; its constructor's TypeError names
    # them then.
    plain = is_input or not _own_from_config(cls)
    if plain and not any(p.kind is p.VAR_KEYWORD for p in params):
        allowed = {p.name for p in (params if is_input else params[1:])}  # not prev
        allowed.add("fed_args")  # Layer.from_config binds these to the loaded inputs
        unknown = sorted(set(config) - allowed)
        if unknown:
            raise _EntryError(f"unknown config keys {unknown} ({cls.__name__} takes "
                              f"{sorted(allowed)})")
    for key, value in config.items():
        if key == "act" or key.endswith("_act"):
            if value is None:
                continue
            # Only public names: get_act also searches tf.nn, whose private attributes (such
            # as '_sys', the sys module) must not be reachable from a file.
            ok = isinstance(value, str) and value.isidentifier() and not value.startswith("_")
            try:
                ok = ok and callable(get_act(value)) and not inspect.ismodule(get_act(value))
            except (ValueError, TypeError):
                ok = False
            if not ok:
                raise _EntryError(f"config {key!r}: unknown activation {value!r} (use a tf.nn "
                                  f"or tl.act function name)")
        elif isinstance(value, dict) and ("module" in value or "class_name" in value):
            _check_keras_object(key, value)


def _check_keras_object(key: str, value: dict[str, Any]) -> None:
    """A serialized initializer must name a public class of ``keras.initializers``: Keras'
    deserializer would otherwise import the module the file names."""
    import keras

    cls = value.get("class_name")
    ok = (value.get("module") == "keras.initializers" and isinstance(cls, str)
          and not cls.startswith("_") and isinstance(getattr(keras.initializers, cls, None), type)
          and value.get("registered_name") in (None, cls)
          and isinstance(value.get("config", {}), dict)
          and set(value) <= {"module", "class_name", "config", "registered_name"})
    if not ok:
        raise _EntryError(f"config {key!r}: {value!r:.120} is not a keras.initializers object")


def network_from_config(config: dict[str, Any], source: str = "config") -> Network:
    """Rebuild a network from :func:`network_to_config`'s output, through the registry only.

    Every malformed entry raises one ``ValueError`` naming ``source``, the layer entry and the
    problem: not an object, missing or unknown keys, a config name other than the entry's,
    parents that are unknown or come later, an InputLayer with parents or another layer
    without, unknown config keys, a config key the layer needs but the file lacks (never
    defaulted), an unknown activation, an initializer that is not a Keras one.
    """
    from tlcore.layers.core import InputLayer
    from tlcore.plugins import PluginError, get_registry

    if not isinstance(config, dict) or config.get("format") != _FORMAT:
        found = config.get("format") if isinstance(config, dict) else type(config).__name__
        raise ValueError(f"{source}: not a tlcore network (format {found!r})")
    layers = config.get("layers")
    if not isinstance(layers, list) or not layers:
        raise ValueError(f"{source}: 'layers' must be a non-empty list, found {layers!r:.60}")
    registry = get_registry()
    built: dict[str, Any] = {}
    for i, spec in enumerate(layers):
        where = f"{source}: {_entry_label(i, spec)}"
        try:
            _check_entry(spec, built)
            try:
                cls = registry.get("layers", spec["class"])
            except (LookupError, PluginError) as e:
                raise _reworded(e, f"{where} needs layer class {spec['class']!r} (saved from "
                                   f"plugin {spec.get('plugin')!r}): {e}"
                                   + _install_hint(e, spec.get("distribution"))) from e
            is_input = isinstance(cls, type) and issubclass(cls, InputLayer)
            parents = [built[p] for p in spec["parents"]]
            multi = getattr(cls, "multi_input", False)
            if is_input and parents:
                raise _EntryError(f"an InputLayer cannot have parents, found {spec['parents']}")
            if not is_input and not parents:
                raise _EntryError(f"{spec['class']} needs a parent layer, found none")
            own = _own_from_config(cls)  # e.g. [images, theta] for a spatial transformer
            if not is_input and not multi and not own and len(parents) > 1:
                raise _EntryError(f"{spec['class']} takes one parent, found {spec['parents']}")
            _check_config(cls, spec["config"], is_input)
            prev = parents if multi or len(parents) > 1 else (parents[0] if parents else None)
            try:
                layer = cls.from_config(prev, spec["config"])
            except (TypeError, ValueError, KeyError) as e:
                raise _EntryError(f"{spec['class']} cannot be built from its config: {e}") from e
            lacking = sorted(set(layer.get_config()) - set(spec["config"]))
            if lacking:
                raise _EntryError(f"config lacks {lacking} (a missing argument is never "
                                  f"defaulted)")
        except _EntryError as e:
            raise ValueError(f"{where}: {e}") from e.__cause__
        built[spec["name"]] = layer
    output = config.get("output")
    if not isinstance(output, str) or output not in built:
        raise ValueError(f"{source}: output layer {output!r} is not among its layers")
    return built[output]


def _install_hint(e: Exception, dist: Any) -> str:
    """``; the file was saved with distribution 'x' installed: pip install x`` for a class no
    installed plugin registers, when the file names a plausible distribution."""
    from tlcore.plugins import UnknownNameError

    if not isinstance(e, UnknownNameError) or not isinstance(dist, str):
        return ""
    if not _DIST_NAME.fullmatch(dist) or f"pip install {dist}" in str(e):
        return ""
    from tlcore.plugins import get_registry

    norm = dist.lower().replace("_", "-")
    registry = get_registry()
    if any(p.distribution.lower().replace("_", "-") == norm
           for p in [*registry.plugins(), *registry.shadowed()]):
        return ""  # installed: the registry's message already says why it is not usable
    return f"; the file was saved with distribution {dist!r} installed: pip install {dist}"


def _reworded(e: Exception, message: str) -> Exception:
    """The same registry exception type and attributes, with ``message``."""
    from tlcore.plugins import AmbiguousNameError, PluginError, UnknownNameError

    if isinstance(e, UnknownNameError):
        # .name is always a str here; AttributeError's attribute of that name is Optional
        return UnknownNameError(message, kind=e.kind, name=e.name or "")
    if isinstance(e, AmbiguousNameError):
        return AmbiguousNameError(message, kind=e.kind, name=e.name, candidates=e.candidates)
    if isinstance(e, PluginError):
        return PluginError(message, plugin=e.plugin)
    return LookupError(message)


def save_network(network: Network, path: str) -> str:
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


def load_network(path: str) -> Network:
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


def export_saved_model(network: Network, export_dir: str, input_signature: Any = None) -> str:
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
