"""``TF_CONFIG``: parsing and validation of the cluster description of a multi-worker run.
Untrusted text: every wrong type, missing key, bad address or deep nesting is one
``ValueError`` naming TF_CONFIG and the problem."""
from __future__ import annotations

import json
import os
import re
from typing import Any, Mapping

import attrs

_JOBS = ("chief", "worker", "ps", "evaluator")
TF_CONFIG_EXAMPLE = ('TF_CONFIG=\'{"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
                     '"task": {"type": "worker", "index": 0}}\'')
_MAX_DEPTH = 4  # {"cluster": {"worker": ["h:p"]}} is 3 levels deep; room for one more
_HOST = re.compile(r"[A-Za-z0-9._-]+|[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?")


@attrs.frozen
class TFConfig:
    """A validated ``TF_CONFIG``: the cluster (job -> "host:port" list) and this task.

    Attributes:
        cluster: job name -> addresses, e.g. ``{"worker": ["10.0.0.1:12345", ...]}``.
        task_type: this process's job (``"worker"``, ``"chief"``, ...).
        task_index: this process's index within its job.
    """

    cluster: dict[str, list[str]]
    task_type: str
    task_index: int

    @property
    def address(self) -> str:
        """This task's ``host:port``."""
        return self.cluster[self.task_type][self.task_index]

    @property
    def num_workers(self) -> int:
        """Processes that train: the chief plus the workers."""
        return len(self.cluster.get("chief", [])) + len(self.cluster.get("worker", []))

    @property
    def is_chief(self) -> bool:
        """The ``chief`` task, or worker 0 when the cluster has no chief job."""
        if "chief" in self.cluster:
            return self.task_type == "chief"
        return self.task_type == "worker" and self.task_index == 0


def parse_tf_config(value: str | Mapping[str, Any] | None = None) -> TFConfig:
    """Read and validate ``TF_CONFIG`` (the environment variable when ``value`` is None).

    Every worker of a multi-worker run gets the same ``cluster`` and its own ``task``::

        TF_CONFIG='{"cluster": {"worker": ["host1:12345", "host2:12345"]},
                    "task": {"type": "worker", "index": 0}}'

    Raises:
        ValueError: not set, not JSON, a missing or malformed key, a task outside the cluster;
            the message names the key and shows a valid example.

    >>> parse_tf_config('{"cluster": {"worker": ["a:1", "b:2"]}, "task": {"type": "worker", '
    ...                 '"index": 1}}').address
    'b:2'
    """
    if value is None:
        value = os.environ.get("TF_CONFIG", "")
        if not value.strip():
            raise ValueError(f"TF_CONFIG is not set: a multi-worker run needs it on every worker, "
                             f"e.g. {TF_CONFIG_EXAMPLE} (index 1 on the second machine)")
    if isinstance(value, (bytes, bytearray)):
        try:
            value = bytes(value).decode("utf-8")
        except UnicodeDecodeError as e:
            raise ValueError(f"TF_CONFIG is not UTF-8 text ({e.reason} at byte {e.start})"
                             ) from None
    if isinstance(value, str):
        try:
            data = json.loads(value)
        except json.JSONDecodeError as e:
            raise ValueError(f"TF_CONFIG is not valid JSON ({e.msg} at line {e.lineno} column "
                             f"{e.colno}), received {_clip(value)!r}; expected e.g. "
                             f"{TF_CONFIG_EXAMPLE}") from None
        except RecursionError:
            raise ValueError(f"TF_CONFIG is nested too deeply to parse (more than "
                             f"{_MAX_DEPTH} levels are never needed), received "
                             f"{_clip(value)!r}") from None
    elif isinstance(value, Mapping):
        data = dict(value)
    else:
        raise ValueError(f"TF_CONFIG must be a JSON string or a mapping, received "
                         f"{type(value).__name__}")
    depth = _depth(data)
    if depth > _MAX_DEPTH:
        raise ValueError(f"TF_CONFIG is nested {depth} levels deep; its schema needs at most "
                         f"{_MAX_DEPTH} (cluster -> job -> address list), e.g. "
                         f"{TF_CONFIG_EXAMPLE}")
    if not isinstance(data, dict):
        raise ValueError(f"TF_CONFIG must be a JSON object with 'cluster' and 'task', received "
                         f"{type(data).__name__}")
    for key in ("cluster", "task"):
        if key not in data:
            raise ValueError(f"TF_CONFIG has no {key!r} key (keys: {sorted(data)}); expected "
                             f"e.g. {TF_CONFIG_EXAMPLE}")
    cluster = data["cluster"]
    if not isinstance(cluster, dict) or not cluster:
        raise ValueError(f"TF_CONFIG 'cluster' must map job names to address lists, received "
                         f"{_clip(json.dumps(cluster))}")
    clean: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    for job, addresses in cluster.items():
        if job not in _JOBS:
            raise ValueError(f"TF_CONFIG cluster job {job!r} is unknown; jobs are {_JOBS}")
        if isinstance(addresses, str) or not isinstance(addresses, list) or not addresses:
            raise ValueError(f"TF_CONFIG cluster[{job!r}] must be a non-empty list of "
                             f"'host:port' strings, received {addresses!r}")
        for i, address in enumerate(addresses):
            split_address(address, f"TF_CONFIG cluster[{job!r}][{i}]")
            if address in seen:
                raise ValueError(f"TF_CONFIG: address {address!r} appears twice ({seen[address]} "
                                 f"and cluster[{job!r}][{i}]); every task needs its own port")
            seen[address] = f"cluster[{job!r}][{i}]"
        clean[job] = list(addresses)
    if len(clean.get("chief", [])) > 1:
        raise ValueError(f"TF_CONFIG: at most one chief, received {clean['chief']}")
    task = data["task"]
    if not isinstance(task, dict):
        raise ValueError(f"TF_CONFIG 'task' must be an object like "
                         f'{{"type": "worker", "index": 0}}, received {task!r}')
    for key in ("type", "index"):
        if key not in task:
            raise ValueError(f"TF_CONFIG 'task' has no {key!r} key, received {task!r}; expected "
                             f'e.g. {{"type": "worker", "index": 0}}')
    task_type, index = task["type"], task["index"]
    if not isinstance(task_type, str):
        raise ValueError(f"TF_CONFIG task type must be a job name string such as 'worker', "
                         f"received {task_type!r}")
    for key in ("rpc_layer", "environment"):
        if key in data and not isinstance(data[key], str):
            raise ValueError(f"TF_CONFIG {key!r} must be a string, received {data[key]!r}")
    if task_type not in clean:
        raise ValueError(f"TF_CONFIG task type {task_type!r} is not a job of the cluster "
                         f"({sorted(clean)})")
    if isinstance(index, bool) or not isinstance(index, int) or not \
            0 <= index < len(clean[task_type]):
        raise ValueError(f"TF_CONFIG task index must be an int in [0, "
                         f"{len(clean[task_type])}) for job {task_type!r}, received {index!r}")
    return TFConfig(cluster=clean, task_type=task_type, task_index=index)


def split_address(address: Any, where: str) -> tuple[str, int]:
    if not isinstance(address, str) or ":" not in address:
        raise ValueError(f"{where} must be a 'host:port' string, received {address!r}")
    host, _, port = address.rpartition(":")
    if not host or not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
        raise ValueError(f"{where} must be 'host:port' with a port in 1-65535, received "
                         f"{address!r}")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not _HOST.fullmatch(host):
        raise ValueError(f"{where}: the host must be a name or IP address (letters, digits, "
                         f"'.', '-', '_', or an IPv6 address in brackets), received {address!r}")
    return host, int(port)


def _depth(obj: Any) -> int:
    """Nesting depth of parsed JSON (a scalar is 0), without recursion."""
    deepest, stack = 0, [(obj, 0)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > _MAX_DEPTH:
            break
        children = item.values() if isinstance(item, dict) else \
            item if isinstance(item, (list, tuple)) else ()
        stack.extend((child, level + 1) for child in children)
    return deepest


def _clip(text: str, n: int = 120) -> str:
    return text if len(text) <= n else text[:n] + "..."
