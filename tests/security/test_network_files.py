"""Malformed network architectures: each gives one ValueError naming the file, the layer entry
and the problem, never a default for a missing argument, never an import by name; loading a
file changes no file."""
from __future__ import annotations

import copy
import json
import re

import numpy as np
import pytest

import tlcore as tl
from tlcore.files._atomic import META_KEY
from tlcore.plugins import UnknownNameError

from tests.security.conftest import tree

SOURCE = "'net.json'"


@pytest.fixture(scope="module")
def base():
    import tensorflow as tf

    n = tl.layers.InputLayer([None, 4], name="in")
    n = tl.layers.DropoutLayer(n, keep=0.8, name="dr")
    n = tl.layers.DenseLayer(n, n_units=3, act=tf.nn.relu, name="d1")
    n = tl.layers.DenseLayer(n, n_units=2, name="out")
    return tl.files.network_to_config(n)


def edit(path: str, value=None, *, delete=False):
    """An edit of the config: ``path`` like ``layers.2.config.act``."""
    def apply(cfg):
        *head, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        obj = cfg
        for p in head:
            obj = obj[p]
        if delete:
            del obj[last]
        else:
            obj[last] = value(obj[last]) if callable(value) else value
        return cfg
    return apply


def both(*edits):
    def apply(cfg):
        for e in edits:
            cfg = e(cfg)
        return cfg
    return apply


DENSE = "layers.2"
INIT_OK = {"module": "keras.initializers", "class_name": "Zeros", "config": {},
           "registered_name": None}
CASES = {
    # entries that are not objects
    "entry-string": (edit(DENSE, "DenseLayer"), r"layer entry 2: expected an object"),
    "entry-number": (edit(DENSE, 7), r"layer entry 2: expected an object"),
    "entry-list": (edit(DENSE, ["d1"]), r"layer entry 2: expected an object"),
    "entry-null": (edit(DENSE, None), r"layer entry 2: expected an object"),
    # entry keys
    "no-class": (edit(f"{DENSE}.class", delete=True), r"entry 2 \('d1'\): missing \['class'\]"),
    "no-name": (edit(f"{DENSE}.name", delete=True), r"layer entry 2: missing \['name'\]"),
    "no-parents": (edit(f"{DENSE}.parents", delete=True), r"missing \['parents'\]"),
    "no-config": (edit(f"{DENSE}.config", delete=True), r"missing \['config'\]"),
    "extra-key": (edit(f"{DENSE}.module", "os"), r"entry 2 \('d1'\): unknown keys \['module'\]"),
    "class-not-str": (edit(f"{DENSE}.class", 5), r"'class' must be a non-empty str"),
    "class-empty": (edit(f"{DENSE}.class", ""), r"'class' must be a non-empty str"),
    "name-empty": (edit(f"{DENSE}.name", ""), r"'name' must be a non-empty str"),
    "parents-str": (edit(f"{DENSE}.parents", "dr"), r"'parents' must be a list"),
    "config-list": (edit(f"{DENSE}.config", []), r"'config' must be a dict"),
    "plugin-not-str": (edit(f"{DENSE}.plugin", ["core"]), r"'plugin' must be a string"),
    # names and the graph
    "config-name-differs": (edit(f"{DENSE}.config.name", "other"),
                            r"entry 2 \('d1'\): its config names it 'other', not 'd1'"),
    "duplicate-name": (both(edit(f"{DENSE}.name", "dr"), edit(f"{DENSE}.config.name", "dr")),
                       r"entry 2 \('dr'\): a layer named 'dr' appears twice"),
    "unknown-parent": (edit(f"{DENSE}.parents", ["ghost"]), r"names unknown parent 'ghost'"),
    "later-parent": (edit(f"{DENSE}.parents", ["out"]), r"names unknown parent 'out'"),
    "self-parent": (edit(f"{DENSE}.parents", ["d1"]), r"names unknown parent 'd1'"),
    "parent-not-str": (edit(f"{DENSE}.parents", [1]), r"names unknown parent 1"),
    "input-in-the-middle": (
        both(edit(DENSE, lambda e: {**copy.deepcopy(e), "class": "InputLayer",
                                    "config": {"inputs": [None, 4], "dtype": "float32",
                                               "name": "d1"}})),
        r"entry 2 \('d1'\): an InputLayer cannot have parents"),
    "dense-without-parent": (edit(f"{DENSE}.parents", []), r"DenseLayer needs a parent layer"),
    "dense-two-parents": (edit(f"{DENSE}.parents", ["in", "dr"]),
                          r"DenseLayer takes one parent, found \['in', 'dr'\]"),
    # config keys: unknown ones refused, missing ones never defaulted
    "config-extra": (edit(f"{DENSE}.config.foo", 1), r"unknown config keys \['foo'\]"),
    "config-prev": (edit(f"{DENSE}.config.prev", "in"), r"unknown config keys \['prev'\]"),
    "missing-n_units": (edit(f"{DENSE}.config.n_units", delete=True),
                        r"entry 2 \('d1'\): config lacks \['n_units'\] \(a missing argument is "
                        r"never defaulted\)"),
    "missing-act": (edit(f"{DENSE}.config.act", delete=True), r"config lacks \['act'\]"),
    "missing-W_init": (edit(f"{DENSE}.config.W_init", delete=True), r"lacks \['W_init'\]"),
    "missing-b_init": (edit(f"{DENSE}.config.b_init", delete=True), r"lacks \['b_init'\]"),
    "missing-keep": (edit("layers.1.config.keep", delete=True),
                     r"entry 1 \('dr'\): config lacks \['keep'\]"),
    "missing-inputs": (edit("layers.0.config.inputs", delete=True),
                       r"entry 0 \('in'\): InputLayer cannot be built from its config"),
    # values that would reach code by name
    "act-_sys": (edit(f"{DENSE}.config.act", "_sys"), r"config 'act': unknown activation '_sys'"),
    "act-dunder": (edit(f"{DENSE}.config.act", "__class__"), r"unknown activation '__class__'"),
    "act-dotted": (edit(f"{DENSE}.config.act", "os.system"), r"unknown activation 'os.system'"),
    "act-unknown": (edit(f"{DENSE}.config.act", "nope"), r"unknown activation 'nope'"),
    "act-number": (edit(f"{DENSE}.config.act", 5), r"unknown activation 5"),
    "act-list": (edit(f"{DENSE}.config.act", ["relu"]), r"unknown activation \['relu'\]"),
    "init-module-os": (edit(f"{DENSE}.config.W_init",
                            {**INIT_OK, "module": "os", "class_name": "system"}),
                       r"config 'W_init': .* is not a keras.initializers object"),
    "init-private": (edit(f"{DENSE}.config.W_init", {**INIT_OK, "class_name": "_Private"}),
                     r"is not a keras.initializers object"),
    "init-function": (edit(f"{DENSE}.config.W_init", {**INIT_OK, "class_name": "get"}),
                      r"is not a keras.initializers object"),
    "init-registered": (edit(f"{DENSE}.config.W_init", {**INIT_OK, "registered_name": "evil"}),
                        r"is not a keras.initializers object"),
    "init-extra-key": (edit(f"{DENSE}.config.b_init", {**INIT_OK, "fn": "eval"}),
                       r"config 'b_init': .* is not a keras.initializers object"),
    "init-config-list": (edit(f"{DENSE}.config.b_init", {**INIT_OK, "config": [1]}),
                         r"is not a keras.initializers object"),
    # values the constructor refuses, reworded with the entry
    "n_units-str": (edit(f"{DENSE}.config.n_units", "3"),
                    r"entry 2 \('d1'\): DenseLayer cannot be built from its config: .*n_units"),
    "n_units-negative": (edit(f"{DENSE}.config.n_units", -1), r"cannot be built.*n_units"),
    "keep-above-one": (edit("layers.1.config.keep", 2.0), r"entry 1 \('dr'\).*keep"),
    # the file as a whole
    "format": (edit("format", "keras"), r"not a tlcore network \(format 'keras'\)"),
    "layers-missing": (edit("layers", delete=True), r"'layers' must be a non-empty list"),
    "layers-empty": (edit("layers", []), r"'layers' must be a non-empty list"),
    "layers-dict": (edit("layers", {"0": {}}), r"'layers' must be a non-empty list"),
    "output-unknown": (edit("output", "ghost"), r"output layer 'ghost' is not among its layers"),
    "output-not-str": (edit("output", ["out"]), r"output layer \['out'\] is not among"),
}


@pytest.mark.parametrize("mutate, message", CASES.values(), ids=CASES.keys())
def test_malformed_architecture(base, mutate, message):
    cfg = mutate(copy.deepcopy(base))
    with pytest.raises(ValueError, match=re.escape(SOURCE) + ".*" + message) as info:
        tl.files.network_from_config(cfg, source=SOURCE)
    assert type(info.value) is ValueError
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("name", ["os.path:join", "builtins.eval", "tlcore.layers.DenseLayer",
                                  "NoSuchLayer"])
def test_class_is_only_a_registered_name(base, name):
    cfg = edit(f"{DENSE}.class", name)(copy.deepcopy(base))
    with pytest.raises(UnknownNameError, match=re.escape(SOURCE) + rf".*layer entry 2 \('d1'\) "
                                               rf"needs layer class {re.escape(repr(name))}"):
        tl.files.network_from_config(cfg, source=SOURCE)


@pytest.mark.parametrize("config", [[1, 2], "text", None, 3])
def test_config_that_is_not_an_object(config):
    with pytest.raises(ValueError, match=re.escape(SOURCE) + r": not a tlcore network"):
        tl.files.network_from_config(config, source=SOURCE)


@pytest.mark.parametrize("case", ["act-_sys", "missing-n_units", "input-in-the-middle",
                                  "entry-string"])
def test_through_a_file_nothing_changes(tmp_path, base, case):
    import tensorflow as tf

    path = tmp_path / "net.npz"
    net = tl.files.network_from_config(copy.deepcopy(base))
    tl.files.save_network(net, str(path))
    with np.load(path, allow_pickle=False) as raw:
        arrays = {k: raw[k] for k in raw.files if k != META_KEY}
    cfg = CASES[case][0](copy.deepcopy(base))
    np.savez(path, **arrays, **{META_KEY: np.array(json.dumps(cfg))})
    before = tree(tmp_path)
    with pytest.raises(ValueError, match=re.escape(repr(str(path))) + ".*" + CASES[case][1]):
        tl.files.load_network(str(path))
    assert tree(tmp_path) == before
    assert tf.is_tensor(net(np.zeros((1, 4), np.float32)))


def test_the_unmodified_architecture_loads(base):
    net = tl.files.network_from_config(copy.deepcopy(base))
    assert [layer.name for layer in net.all_layers] == ["in", "dr", "d1", "out"]


@pytest.fixture(scope="module")
def recurrent():
    """An RNN network whose lengths come from its input (1.11's retrieve_seq_length_op2(ids))."""
    pytest.importorskip("tlcore_nlp", reason="tlcore-nlp is not installed")
    import tensorflow as tf

    ids = tf.TensorSpec([None, None], tf.int64, name="ids")
    n = tl.layers.EmbeddingInputlayer(inputs=ids, vocabulary_size=9, embedding_size=4, name="e")
    n = tl.layers.DynamicRNNLayer(n, cell_fn=tl.layers.BasicLSTMCell, n_hidden=3,
                                  sequence_length=tl.layers.retrieve_seq_length_op2(ids),
                                  return_last=False, name="rnn")
    return tl.files.network_to_config(n)


def test_recurrent_entries_get_the_unknown_key_check_too(recurrent):
    cfg = copy.deepcopy(recurrent)
    assert "fed_args" in cfg["layers"][1]["config"]  # the lengths binding is saved ...
    tl.files.network_from_config(copy.deepcopy(cfg), source=SOURCE)  # ... and loads
    cfg["layers"][1]["config"]["evil"] = "os.system"
    with pytest.raises(ValueError, match=re.escape(SOURCE) + r".*unknown config keys \['evil'\]"):
        tl.files.network_from_config(cfg, source=SOURCE)
