"""Property checks for layer authors: ``check_layer(net)`` asserts what every tlcore layer
must satisfy, so a plugin's tests need one line per layer configuration::

    from tlcore.testing import check_layer

    def test_maxout():
        net = tl.layers.InputLayer((None, 5), name="in")
        check_layer(MaxoutLayer(net, n_units=4, n_pieces=3, name="mx"), n_params=5 * 12 + 12)

The properties:

- the runtime output shape matches the build-time ``net.output_shape`` for several batch sizes
  (``None`` dims in the static shape match anything), and the output dtype ``net.output_dtype``;
- eager == ``tf.function``, and ``is_train=False`` is deterministic;
- a gradient reaches every trainable variable (with ``is_train`` True and False) and is non-zero
  somewhere with ``is_train=False``; ``grads={"<pattern>": "exists" | "optional"}`` relaxes
  this per variable (patterns match ``net.param_name(v)``, e.g. ``"bn/beta"`` or ``"*/b"``),
  since some variables legitimately get a zero gradient or none at all for a given input;
- the config round trip: ``type(net).from_config(parent(s), net.get_config())`` (after a JSON
  round trip of the config) rebuilds a layer with the same output shape and, with the weights
  copied, the same output;
- optionally ``net.count_params() == n_params`` (the whole network's count).

Failures are ``AssertionError`` naming the layer or variable, so this works under pytest and
unittest alike. Importing this module imports TensorFlow.
"""
from __future__ import annotations

import fnmatch
import json
from typing import Any, Mapping, Sequence

import numpy as np
import tensorflow as tf

__all__ = [
    "FILL_DIM",
    "GRAD_EXPECTATIONS",
    "assert_shape_compatible",
    "check_gradients",
    "check_layer",
    "copy_weights",
    "random_array",
    "random_inputs",
    "rebuild_from_config",
]

#: what ``grads=`` may expect of a variable's gradient (``nonzero`` is the default)
GRAD_EXPECTATIONS = ("nonzero", "exists", "optional")

#: size used for unknown (None) dims other than the batch dim when generating inputs
FILL_DIM = 3


def random_array(spec: tf.TensorSpec, batch_size: int = 2, *, seed: int = 0,
                 fill: int = FILL_DIM, int_high: int = 5) -> np.ndarray:
    """A random array for ``spec`` (a tf.TensorSpec or InputLayer): the first ``None`` dim is
    ``batch_size``, other ``None`` dims are ``fill``. Floats are standard normal, ints lie in
    ``[0, int_high)``, bools are random."""
    spec = getattr(spec, "feed_spec", getattr(spec, "output_spec", spec))
    dims = spec.shape.as_list()
    shape = [batch_size if (d is None and i == 0) else (fill if d is None else d)
             for i, d in enumerate(dims)]
    rng = np.random.default_rng(seed)
    dtype = spec.dtype
    if dtype.is_floating:
        return rng.standard_normal(shape).astype(dtype.as_numpy_dtype)
    if dtype.is_integer:
        return rng.integers(0, int_high, size=shape).astype(dtype.as_numpy_dtype)
    if dtype.is_bool:
        return rng.random(shape) < 0.5
    raise TypeError(f"random_array: unsupported dtype {dtype.name}")


def random_inputs(net: Any, batch_size: int = 2, *, seed: int = 0, fill: int = FILL_DIM,
                  int_high: int = 5) -> Any:
    """Random inputs for every InputLayer of ``net``: one array, or a list in ``input_layers``
    order for multi-input networks (the form ``net(...)`` accepts)."""
    ins = net.input_layers
    # feed_spec: what an input layer is fed when it differs from its output (OneHotInputLayer)
    arrays = [random_array(getattr(layer, "feed_spec", layer.output_spec), batch_size,
                           seed=seed + i, fill=fill, int_high=int_high)
              for i, layer in enumerate(ins)]
    return arrays[0] if len(arrays) == 1 else arrays


def assert_shape_compatible(static: Any, actual: Any, what: str = "") -> None:
    """``static`` (tuple with None dims, or a list of them) matches the actual tensor shape(s)."""
    if isinstance(static, list):
        assert isinstance(actual, (list, tuple)) and len(actual) == len(static), (
            f"{what}: expected a list of {len(static)} outputs, got {type(actual).__name__}")
        for s, a in zip(static, actual):
            assert_shape_compatible(s, a, what)
        return
    got = tuple(actual.shape)
    assert static is None or (len(static) == len(got) and all(
        s is None or s == g for s, g in zip(static, got))), (
        f"{what}: runtime shape {got} does not match build-time shape {static}")


def _flat(out: Any) -> list[tf.Tensor]:
    return tf.nest.flatten(out)


def _allclose(a: Any, b: Any, *, rtol: float, atol: float, what: str) -> None:
    fa, fb = _flat(a), _flat(b)
    assert len(fa) == len(fb), what
    for x, y in zip(fa, fb):
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=rtol, atol=atol,
                                   err_msg=what)


def _loss(out: Any, seed: int = 7) -> tf.Tensor:
    # A randomly weighted sum: a plain sum would have zero gradient for e.g. LayerNorm's gamma.
    rng = np.random.default_rng(seed)
    total = tf.constant(0.0, tf.float32)
    for t in _flat(out):
        if not t.dtype.is_floating:
            continue
        w = tf.constant(rng.standard_normal(t.shape.as_list()), t.dtype)
        total += tf.cast(tf.reduce_sum(t * w), tf.float32)
    return total


def _expectation(name: str, grads: Mapping[str, str], default: str) -> str:
    for pattern, want in grads.items():
        if fnmatch.fnmatchcase(name, pattern):
            return want
    return default


def check_gradients(net: Any, x: Any, *, is_train: bool, call_kwargs: dict | None = None,
                    nonzero: bool = True, grads: Mapping[str, str] | None = None) -> None:
    """A gradient reaches every trainable variable of ``net``, non-zero somewhere if
    ``nonzero``; ``grads`` maps ``param_name`` patterns to ``"nonzero"``, ``"exists"`` (may be
    all zeros) or ``"optional"`` (may be missing) and overrides that default per variable."""
    call_kwargs = call_kwargs or {}
    grads = dict(grads or {})
    bad = {k: v for k, v in grads.items() if v not in GRAD_EXPECTATIONS}
    if bad:
        raise ValueError(f"check_gradients: grads values must be one of {GRAD_EXPECTATIONS}, "
                         f"received {bad}")
    params = net.trainable_params
    names = [net.param_name(v) for v in params]
    unused = [p for p in grads if not any(fnmatch.fnmatchcase(n, p) for n in names)]
    if unused:  # a typo would silently relax nothing
        raise ValueError(f"check_gradients: grads patterns {unused} match no trainable "
                         f"variable of {net.name!r}; its variables are {names}")
    if not params:
        return
    with tf.GradientTape() as tape:
        loss = _loss(net(x, is_train=is_train, **call_kwargs))
    found = tape.gradient(loss, params)
    default = "nonzero" if nonzero else "exists"
    for name, g in zip(names, found):
        want = _expectation(name, grads, default)
        if want == "optional":
            continue
        assert g is not None, f"no gradient reaches {name} (is_train={is_train})"
        if want == "nonzero":
            assert np.any(np.asarray(tf.convert_to_tensor(g)) != 0), (
                f"gradient of {name} is all zeros (is_train={is_train}); if that is right "
                f"for this input, pass grads={{{name!r}: 'exists'}}")


def rebuild_from_config(net: Any) -> Any:
    """``type(net).from_config(parent(s), config)`` after a JSON round trip of the config."""
    config = json.loads(json.dumps(net.get_config()))
    parents = list(net.prev_layers)
    prev = parents if net.multi_input else (parents[0] if parents else None)
    return type(net).from_config(prev, config)


def copy_weights(src: Any, dst: Any) -> None:
    """Assign ``src.all_params`` to ``dst.all_params`` position by position."""
    a, b = src.all_params, dst.all_params
    assert len(a) == len(b), f"{len(a)} params vs {len(b)} after rebuild"
    for va, vb in zip(a, b):
        assert va.shape == vb.shape, f"{va.name} {va.shape} vs {vb.name} {vb.shape}"
        if va is not vb:
            vb.assign(va)


def check_layer(net: Any, *, n_params: int | None = None, batch_sizes: Sequence[int] = (1, 3),
                x: Any = None, call_kwargs: dict | None = None, config: bool = True,
                gradients: bool = True, nonzero_grads: bool = True,
                grads: Mapping[str, str] | None = None, rtol: float = 1e-5,
                atol: float = 1e-5) -> Any:
    """Assert the properties every layer has (see the module docstring); return ``net``.

    Args:
        net: the layer under test (standing for its network).
        n_params: expected ``net.count_params()`` of the whole network, if given.
        batch_sizes: batch sizes of the random inputs (ignored when ``x`` is given).
        x: explicit input(s) to use instead of random ones (one batch).
        call_kwargs: call-time arguments such as ``{"sel": 1}``.
        config: check the config round trip (False for layers that cannot serialize).
        gradients: check that gradients reach every trainable variable.
        nonzero_grads: the default for every variable: require a non-zero gradient somewhere
            (with ``is_train=False``); False: a gradient must only exist.
        grads: per-variable expectations, ``{"<param_name pattern>": "nonzero" | "exists" |
            "optional"}``, e.g. ``{"*/moving_mean": "optional"}``; a pattern matching no
            variable is an error.
        rtol, atol: tolerances for eager vs graph and round-trip comparisons.
    """
    call_kwargs = dict(call_kwargs or {})
    if n_params is not None:
        assert net.count_params() == n_params, f"count_params {net.count_params()} != {n_params}"
    inputs = [x] if x is not None else [random_inputs(net, b, seed=b) for b in batch_sizes]
    graph = tf.function(lambda t: net(t, is_train=False, **call_kwargs))
    for xb in inputs:
        out = net(xb, is_train=False, **call_kwargs)
        assert_shape_compatible(net.output_shape, out, f"{type(net).__name__} {net.name!r}")
        assert tf.nest.map_structure(lambda t: t.dtype, _flat(out)) == _flat(net.output_dtype)
        again = net(xb, is_train=False, **call_kwargs)
        _allclose(out, again, rtol=0, atol=0, what="is_train=False is not deterministic")
        _allclose(out, graph(xb), rtol=rtol, atol=atol, what="eager != tf.function")
    xb = inputs[-1]
    if config:
        other = rebuild_from_config(net)
        assert type(other) is type(net)
        assert other.output_shape == net.output_shape, (other.output_shape, net.output_shape)
        copy_weights(net, other)
        _allclose(net(xb, is_train=False, **call_kwargs),
                  other(xb, is_train=False, **call_kwargs),
                  rtol=rtol, atol=atol, what="config round trip changed the output")
    if gradients:
        # A batch of 8 (unless x is given) so that e.g. a ReLU is unlikely to be dead everywhere.
        xg = xb if x is not None else random_inputs(net, 8, seed=8)
        check_gradients(net, xg, is_train=False, call_kwargs=call_kwargs, nonzero=nonzero_grads,
                        grads=grads)
        relaxed = {k: ("exists" if v == "nonzero" else v) for k, v in (grads or {}).items()}
        check_gradients(net, xg, is_train=True, call_kwargs=call_kwargs, nonzero=False,
                        grads=relaxed)
    return net
