"""Hostile and mistaken distributed set-ups (tlcore/training/cluster.py): every malformed
TF_CONFIG is one clear ``ValueError`` naming TF_CONFIG, and a multi-worker run whose peer
never starts fails with ``TimeoutError`` after ``startup_timeout`` instead of waiting forever.
None of these cases initializes TensorFlow's multi-worker runtime: they fail before it.
"""
from __future__ import annotations

import json
import socket
import threading
import time
from typing import Any

import pytest

from tlcore.training import cluster as D

GOOD_CLUSTER = {"worker": ["127.0.0.1:5000"]}
TASK = {"type": "worker", "index": 0}


def config(**over: Any) -> str:
    return json.dumps({"cluster": GOOD_CLUSTER, "task": TASK, **over})


DEEP = "[" * 50000 + "]" * 50000


@pytest.mark.parametrize("value, match", [
    ('{"cluster": {"worker": ["h:1"]}, "task": {"type": ["worker"], "index": 0}}',
     r"task type must be a job name string"),
    ('{"cluster": {"worker": ["h:1"]}, "task": {"type": {"a": 1}, "index": 0}}',
     r"task type must be a job name string"),
    ('{"cluster": {"worker": ["h:1"]}, "task": {"type": null, "index": 0}}',
     r"task type must be a job name string"),
    ('{"cluster": {"worker": ["h:1"]}, "task": {"type": "worker", "index": "0"}}',
     r"index must be an int"),
    ('{"cluster": {"worker": ["h:1"]}, "task": {"type": "worker", "index": true}}',
     r"index must be an int"),
    ('{"cluster": {"worker": ["h:1"]}, "task": {"type": "worker", "index": 0.0}}',
     r"index must be an int"),
    ('{"cluster": {"worker": ["h:1"]}, "task": {"type": "worker", "index": 1e400}}',
     r"index must be an int"),
    ('{"cluster": {"worker": ["h:1"]}, "task": {"type": "worker", "index": NaN}}',
     r"index must be an int"),
    ('{"cluster": {"worker": [1]}, "task": {"type": "worker", "index": 0}}', r"host:port"),
    ('{"cluster": {"worker": [["h:1"]]}, "task": {"type": "worker", "index": 0}}', r"host:port"),
    ('{"cluster": {"worker": [null]}, "task": {"type": "worker", "index": 0}}', r"host:port"),
    ('{"cluster": {"worker": ["h:\\u0661\\u0662"]}, "task": {"type": "worker", "index": 0}}',
     r"port in 1-65535"),
    ('{"cluster": {"worker": ["h:0"]}, "task": {"type": "worker", "index": 0}}',
     r"port in 1-65535"),
    ('{"cluster": {"worker": ["h:99999999999999999999"]}, "task": {"type": "worker", '
     '"index": 0}}', r"port in 1-65535"),
    ('{"cluster": {"worker": ["h h:1"]}, "task": {"type": "worker", "index": 0}}',
     r"host must be a name or IP address"),
    ('{"cluster": {"worker": ["h\\u0000:1"]}, "task": {"type": "worker", "index": 0}}',
     r"host must be a name or IP address"),
    ('{"cluster": {"worker": ["h/../x:1"]}, "task": {"type": "worker", "index": 0}}',
     r"host must be a name or IP address"),
    ('{"cluster": {"worker": {"a": "h:1"}}, "task": {"type": "worker", "index": 0}}',
     r"non-empty list"),
    ('{"cluster": {"worker": []}, "task": {"type": "worker", "index": 0}}', r"non-empty list"),
    ('{"cluster": [], "task": {"type": "worker", "index": 0}}', r"'cluster' must map"),
    ('{"cluster": "worker", "task": {"type": "worker", "index": 0}}', r"'cluster' must map"),
    ('{"cluster": {"worker": ["h:1"]}, "task": ["worker", 0]}', r"'task' must be an object"),
    ('{"cluster": {"worker": ["h:1"]}, "task": 0}', r"'task' must be an object"),
    ('{"cluster": {"worker": ["h:1"]}, "task": {"type": "worker", "index": 0}, '
     '"rpc_layer": 5}', r"'rpc_layer' must be a string"),
    ('{"cluster": {"worker": ["h:1"]}, "task": {"type": "worker", "index": 0}, '
     '"environment": ["cloud"]}', r"'environment' must be a string"),
    ('{"cluster": {"worker": ["h:1"]}, "task": {"type": "worker", "index": 0, '
     '"x": [[[[[1]]]]]}}', r"nested \d+ levels deep"),
    ('{"cluster": {"worker": ["h:1"]}, "task": {"type": "worker", "index": 0}, "x": '
     + DEEP + "}", r"nested too deeply"),
    (DEEP, r"nested too deeply"),
    ("\ufeff" + config(), r"not valid JSON"),
    ('{"cluster": {"worker": ["h:1"]}, "task": {"type": "worker", "index": 0}} trailing',
     r"not valid JSON"),
], ids=["type-list", "type-dict", "type-null", "index-str", "index-bool", "index-float",
        "index-huge", "index-nan", "address-int", "address-list", "address-null",
        "port-unicode-digits", "port-zero", "port-huge", "host-space", "host-nul",
        "host-path", "addresses-dict", "addresses-empty", "cluster-list", "cluster-str",
        "task-list", "task-int", "rpc-layer-int", "environment-list", "nested-task",
        "deep-extra-key", "deep-array", "bom", "trailing"])
def test_malformed_tf_config_is_one_clear_error(monkeypatch, value, match):
    monkeypatch.setenv("TF_CONFIG", value)
    with pytest.raises(ValueError, match=r"TF_CONFIG.*" + match):
        D.make_strategy("multiworker")


@pytest.mark.parametrize("value, match", [
    (5, r"must be a JSON string or a mapping, received int"),
    ([1, 2], r"must be a JSON string or a mapping, received list"),
    (b"\xff\xfe", r"not UTF-8 text"),
    ({"cluster": {"worker": ("h:1",)}, "task": TASK}, r"non-empty list"),
    ({"cluster": {5: ["h:1"]}, "task": TASK}, r"job 5 is unknown"),
    ({"cluster": GOOD_CLUSTER, "task": TASK, "x": [[[[[[[]]]]]]]}, r"nested \d+ levels"),
], ids=["int", "list", "binary", "tuple-addresses", "int-job", "deep-mapping"])
def test_parse_tf_config_rejects_values_of_the_wrong_type(value, match):
    with pytest.raises(ValueError, match=r"TF_CONFIG.*" + match):
        D.parse_tf_config(value)


def test_a_very_deep_mapping_is_rejected_without_recursion():
    deep: Any = []
    for _ in range(100000):
        deep = [deep]
    with pytest.raises(ValueError, match=r"nested \d+ levels deep"):
        D.parse_tf_config({"cluster": GOOD_CLUSTER, "task": TASK, "x": deep})


# ------------------------------------------------------------------------ start-up timeout
def two_workers(index: int) -> tuple[str, list[int]]:
    ports = D.free_ports(2)
    return json.dumps({"cluster": {"worker": [f"127.0.0.1:{p}" for p in ports]},
                       "task": {"type": "worker", "index": index}}), ports


def test_chief_whose_peer_never_starts_times_out_naming_it(monkeypatch):
    value, ports = two_workers(0)
    monkeypatch.setenv("TF_CONFIG", value)
    t0 = time.monotonic()
    with pytest.raises(TimeoutError, match=rf"worker 1 \(127.0.0.1:{ports[1]}\) did not start "
                                           rf"within 1 s"):
        D.make_strategy("multiworker", startup_timeout=1)
    assert time.monotonic() - t0 < 10
    D.check_port_free(ports[0])  # the rendezvous listener is closed again


def test_worker_whose_chief_never_starts_times_out_naming_it(monkeypatch):
    value, ports = two_workers(1)
    monkeypatch.setenv("TF_CONFIG", value)
    monkeypatch.setenv("TLCORE_STARTUP_TIMEOUT", "0.5")  # the environment default
    with pytest.raises(TimeoutError, match=rf"worker 1 waited 0.5 s and the worker 0 at "
                                           rf"127.0.0.1:{ports[0]} did not answer"):
        D.make_strategy("multiworker")


def test_rendezvous_returns_once_every_task_started_and_ignores_strangers():
    ports = D.free_ports(3)
    cluster = {"chief": [f"127.0.0.1:{ports[0]}"],
               "worker": [f"127.0.0.1:{p}" for p in ports[1:]]}
    configs = [D.parse_tf_config({"cluster": cluster, "task": task}) for task in
               ({"type": "chief", "index": 0}, {"type": "worker", "index": 0},
                {"type": "worker", "index": 1})]
    errors: list[BaseException] = []

    def run(cfg: Any) -> None:
        try:
            D.wait_for_peers(cfg, 20)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(c,)) for c in configs]
    threads[0].start()  # the chief listens
    deadline = time.monotonic() + 10
    while True:  # a stranger's connection does not count as a worker
        try:
            with socket.create_connection(("127.0.0.1", ports[0]), timeout=5) as s:
                s.sendall(b"GET / HTTP/1.0\n")
            break
        except ConnectionRefusedError:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert threads[0].is_alive()
    for t in threads[1:]:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors and not any(t.is_alive() for t in threads)
    # The port is free for TensorFlow's server, which binds with SO_REUSEADDR as gRPC does (the
    # stranger's connection, closed by the chief, may leave a TIME_WAIT entry).
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("", ports[0]))


@pytest.mark.parametrize("value", [0, -1, float("nan"), float("inf"), "10", True],
                         ids=["zero", "negative", "nan", "inf", "str", "bool"])
def test_bad_startup_timeout_is_rejected(value):
    with pytest.raises(ValueError, match=r"startup_timeout must be a finite number"):
        D.startup_timeout_seconds(value)


@pytest.mark.parametrize("raw", ["abc", "-5", "0", "nan"], ids=["text", "negative", "zero",
                                                                  "nan"])
def test_bad_startup_timeout_environment_is_rejected(monkeypatch, raw):
    monkeypatch.setenv("TLCORE_STARTUP_TIMEOUT", raw)
    with pytest.raises(ValueError, match=r"TLCORE_STARTUP_TIMEOUT must be"):
        D.startup_timeout_seconds()
