"""Cluster set-up for distributed training: ``TF_CONFIG`` parsing and validation, ports, the
start-up rendezvous, and ``tf.distribute`` strategies by name.

Nothing here imports TensorFlow at module level: ``make_strategy`` must run before TensorFlow
initializes its devices and collective ops.
"""
from __future__ import annotations

import contextlib
import errno
import json
import logging
import math
import os
import re
import socket
import time
from typing import Any, Iterator, Mapping, Sequence

import attrs

logger = logging.getLogger("tlcore")

#: the values of ``tlcore run --strategy``
STRATEGY_KINDS = ("none", "mirrored", "multiworker")
_JOBS = ("chief", "worker", "ps", "evaluator")
_TF_CONFIG_EXAMPLE = ('TF_CONFIG=\'{"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
                      '"task": {"type": "worker", "index": 0}}\'')
_MAX_DEPTH = 4  # {"cluster": {"worker": ["h:p"]}} is 3 levels deep; room for one more
_HOST = re.compile(r"[A-Za-z0-9._-]+|[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?")


# ------------------------------------------------------------------------------ TF_CONFIG
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
                             f"e.g. {_TF_CONFIG_EXAMPLE} (index 1 on the second machine)")
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
                             f"{_TF_CONFIG_EXAMPLE}") from None
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
                         f"{_TF_CONFIG_EXAMPLE}")
    if not isinstance(data, dict):
        raise ValueError(f"TF_CONFIG must be a JSON object with 'cluster' and 'task', received "
                         f"{type(data).__name__}")
    for key in ("cluster", "task"):
        if key not in data:
            raise ValueError(f"TF_CONFIG has no {key!r} key (keys: {sorted(data)}); expected "
                             f"e.g. {_TF_CONFIG_EXAMPLE}")
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
            _split_address(address, f"TF_CONFIG cluster[{job!r}][{i}]")
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


def _split_address(address: Any, where: str) -> tuple[str, int]:
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


# ---------------------------------------------------------------------------------- ports
def check_port_free(port: int, host: str = "") -> None:
    """Raise ``OSError`` naming the port when this machine cannot listen on it.

    ``host=""`` tests every interface, as TensorFlow's server listens on all of them.
    """
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        try:
            s.bind((host, int(port)))
        except OSError as e:
            why = "is in use by another process" if e.errno == errno.EADDRINUSE else str(e)
            raise OSError(e.errno, f"port {port} {why}") from None


def free_ports(n: int = 1, host: str = "127.0.0.1") -> list[int]:
    """``n`` distinct ports that were free a moment ago (bound together, then released).

    For tests and local clusters; another process may take a port before it is used.
    """
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            socks.append(s)
            s.bind((host, 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def free_port(host: str = "127.0.0.1") -> int:
    """One port that was free a moment ago (see :func:`free_ports`)."""
    return free_ports(1, host)[0]


# ------------------------------------------------------------------------------ start-up
DEFAULT_STARTUP_TIMEOUT = 300.0
_HELLO = "tlcore-rendezvous 1"


def startup_timeout_seconds(value: float | None = None) -> float:
    """``value``, else ``$TLCORE_STARTUP_TIMEOUT``, else 300 s; must be a finite number > 0."""
    source = "startup_timeout"
    if value is None:
        raw = os.environ.get("TLCORE_STARTUP_TIMEOUT", "").strip()
        if not raw:
            return DEFAULT_STARTUP_TIMEOUT
        source = "TLCORE_STARTUP_TIMEOUT"
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"TLCORE_STARTUP_TIMEOUT must be a number of seconds > 0, received "
                             f"{raw!r}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value) or value <= 0:
        raise ValueError(f"{source} must be a finite number of seconds > 0, received {value!r}")
    return float(value)


def wait_for_peers(config: TFConfig, timeout: float) -> None:
    """Return once every training task of ``config`` has called this, or raise TimeoutError.

    The leader (the chief, else worker 0) listens on its own TF_CONFIG port (TensorFlow has not
    bound it yet) until every other task has said hello, then tells each to go on and closes
    it; the others retry connecting until the deadline. A peer that never starts thus fails
    every task after ``timeout`` seconds, with its name and address, instead of a hang.
    """
    tasks = [(job, i, a) for job in ("chief", "worker") for i, a in
             enumerate(config.cluster.get(job, []))]
    if len(tasks) < 2:
        return
    deadline = time.monotonic() + timeout
    me = (config.task_type, config.task_index)
    leader = tasks[0]
    if me == leader[:2]:
        _lead(config.address, {f"{job} {i}": a for job, i, a in tasks[1:]}, deadline, timeout)
    else:
        _follow(f"{me[0]} {me[1]}", leader, deadline, timeout)


def _lead(address: str, waiting: dict[str, str], deadline: float, timeout: float) -> None:
    host, port = _split_address(address, "TF_CONFIG (this task's address)")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    conns = []
    try:
        with socket.create_server(("", port), family=family, backlog=len(waiting) + 4) as srv:
            while waiting:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    missing = ", ".join(f"{k} ({a})" for k, a in waiting.items())
                    raise TimeoutError(
                        f"multi-worker start-up: {missing} did not start within {timeout:g} s "
                        f"(this chief listens on {address}); start fit on every task of "
                        f"TF_CONFIG's cluster, or raise make_strategy(startup_timeout=...) / "
                        f"$TLCORE_STARTUP_TIMEOUT")
                srv.settimeout(min(remaining, 1.0))
                try:
                    conn, _ = srv.accept()
                except (socket.timeout, InterruptedError):
                    continue
                conn.settimeout(5.0)
                try:
                    words = _read_line(conn).split()
                except OSError:
                    conn.close()
                    continue
                key = " ".join(words[-2:])
                if " ".join(words[:-2]) == _HELLO and key in waiting:
                    del waiting[key]
                    conns.append(conn)
                else:  # a stray connection: not ours
                    conn.close()
            for conn in conns:
                conn.sendall(b"go\n")
            # The followers close first, so no TIME_WAIT holds this port for TensorFlow.
            for conn in conns:
                with contextlib.suppress(OSError):
                    conn.recv(1)
    finally:
        for conn in conns:
            conn.close()


def _follow(me: str, leader: tuple[str, int, str], deadline: float, timeout: float) -> None:
    job, index, address = leader
    host, port = _split_address(address, f"TF_CONFIG cluster[{job!r}][{index}]")
    answered = False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            why = ("answered, but not every task of the cluster started" if answered else
                   "did not answer")
            raise TimeoutError(f"multi-worker start-up: {me} waited {timeout:g} s and the "
                               f"{job} {index} at {address} {why}; start fit on every task of "
                               f"TF_CONFIG's cluster, or raise make_strategy(startup_timeout="
                               f"...) / $TLCORE_STARTUP_TIMEOUT")
        try:
            conn = socket.create_connection((host, port), timeout=min(remaining, 2.0))
        except OSError:
            time.sleep(min(0.2, max(remaining, 0)))
            continue
        with conn:
            try:
                conn.sendall(f"{_HELLO} {me}\n".encode())
                answered = True
                conn.settimeout(max(deadline - time.monotonic(), 0.01))
                if _read_line(conn) == "go":
                    return
            except OSError:
                pass
        time.sleep(0.2)


def _read_line(conn: socket.socket, limit: int = 256) -> str:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(64)
        if not chunk or len(data) > limit:
            raise ConnectionError("rendezvous: connection closed mid-line")
        data += chunk
    return data.decode("ascii", "replace").strip()


# ------------------------------------------------------------------------------ strategies
def make_strategy(kind: str | None = "mirrored", *, devices: Sequence[str] | None = None,
                  cpu_replicas: int | None = None, timeout: float | None = None,
                  startup_timeout: float | None = None) -> Any:
    """A ``tf.distribute`` strategy by name, with its configuration checked first.

    Args:
        kind: ``"none"`` (returns None: single device), ``"mirrored"`` (the devices of this
            machine) or ``"multiworker"`` (several processes or machines through ``TF_CONFIG``).
        devices: for ``"mirrored"``, the devices to use (default: all GPUs, else all CPUs).
        cpu_replicas: for ``"mirrored"`` on a machine without GPU, split the CPU into this many
            logical devices (only possible before TensorFlow initializes its devices; later it
            logs a warning and keeps the existing devices). Default ``$TLCORE_CPU_REPLICAS``.
        timeout: for ``"multiworker"``, seconds after which a collective that waits for a dead
            or missing peer fails instead of waiting forever.
        startup_timeout: for ``"multiworker"``, seconds to wait at start-up until every task of
            the cluster has started (a rendezvous at the chief's address, before TensorFlow's
            own connection, which would wait forever for a peer that never starts); then
            ``TimeoutError`` names the missing tasks. Default ``$TLCORE_STARTUP_TIMEOUT``, else
            300 s.

    Raises:
        ValueError: an unknown kind or an invalid ``TF_CONFIG``.
        OSError: this worker's port is in use.
        TimeoutError: a task of the cluster did not start within ``startup_timeout``.
    """
    kind = "none" if kind is None else str(kind).lower()
    if kind not in STRATEGY_KINDS:
        raise ValueError(f"make_strategy: kind must be one of {STRATEGY_KINDS}, received {kind!r}")
    if kind == "none":
        return None
    if kind == "multiworker":
        config = parse_tf_config()
        if "ps" in config.cluster:
            raise ValueError("TF_CONFIG has a 'ps' job: MultiWorkerMirroredStrategy trains with "
                             "'chief' and 'worker' jobs only (parameter servers are for "
                             "ParameterServerStrategy, which tl.utils.fit does not drive)")
        if config.task_type not in ("chief", "worker"):
            raise ValueError(f"TF_CONFIG task type {config.task_type!r} does not train; run fit "
                             f"on the 'chief' and 'worker' tasks")
        _, port = _split_address(config.address, "TF_CONFIG (this task's address)")
        try:
            check_port_free(port)
        except OSError as e:
            raise OSError(e.errno, f"TF_CONFIG: this task ({config.task_type} "
                                   f"{config.task_index}) listens on {config.address}, but "
                                   f"{e.strerror}; give it a free port in TF_CONFIG on every "
                                   f"worker") from None
        wait_for_peers(config, startup_timeout_seconds(startup_timeout))
        import tensorflow as tf

        options = None
        if timeout is not None:
            options = tf.distribute.experimental.CommunicationOptions(
                timeout_seconds=float(timeout))
        logger.info("MultiWorkerMirroredStrategy: %s %d of %d workers at %s%s",
                    config.task_type, config.task_index, config.num_workers, config.address,
                    " (chief)" if config.is_chief else "")
        return tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
    import tensorflow as tf

    if devices is None:
        if cpu_replicas is None and os.environ.get("TLCORE_CPU_REPLICAS", "").strip():
            cpu_replicas = int(os.environ["TLCORE_CPU_REPLICAS"])
        if cpu_replicas is not None and not tf.config.list_physical_devices("GPU"):
            split_cpu(cpu_replicas)
        gpus = tf.config.list_logical_devices("GPU")
        devices = [d.name for d in (gpus or tf.config.list_logical_devices("CPU"))]
    strategy = tf.distribute.MirroredStrategy(list(devices))
    logger.info("MirroredStrategy on %d device(s): %s", strategy.num_replicas_in_sync,
                ", ".join(devices))
    return strategy


def split_cpu(n: int) -> bool:
    """Split the first CPU into ``n`` logical devices; False (with a warning) when TensorFlow
    has already initialized its devices."""
    import tensorflow as tf

    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"split_cpu: n must be a positive int, received {n!r}")
    cpu = tf.config.list_physical_devices("CPU")[0]
    current = tf.config.get_logical_device_configuration(cpu)
    if current is not None and len(current) == n:
        return True
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(n)])
    except RuntimeError:
        logger.warning("split_cpu: TensorFlow's devices are already initialized; keeping %d CPU "
                       "device(s) (split before any other TensorFlow call)",
                       len(tf.config.list_logical_devices("CPU")))
        return False
    return True


def is_multi_worker(strategy: Any) -> bool:
    """True for a strategy that spans several processes."""
    ext = getattr(strategy, "extended", None)
    fn = getattr(ext, "_in_multi_worker_mode", None)
    return bool(fn()) if callable(fn) else False


def is_chief(strategy: Any = None) -> bool:
    """Whether this process writes checkpoints: always true on one machine; in a multi-worker
    run the ``chief`` task, or worker 0 when the cluster has no chief."""
    if strategy is None or not is_multi_worker(strategy):
        return True
    resolver = getattr(strategy, "cluster_resolver", None)
    task_type = getattr(resolver, "task_type", None)
    task_id = getattr(resolver, "task_id", None)
    if task_type is None:
        return True
    jobs = resolver.cluster_spec().jobs if resolver is not None else []
    if "chief" in jobs:
        return task_type == "chief"
    return task_type == "worker" and int(task_id or 0) == 0


def worker_name(strategy: Any = None) -> str:
    """``"chief"``, ``"worker 1"``... for messages; ``"local"`` on one machine."""
    if strategy is None or not is_multi_worker(strategy):
        return "local"
    resolver = strategy.cluster_resolver
    return f"{resolver.task_type} {resolver.task_id}"


def distribute_dataset(strategy: Any, X: Any, y: Any = None, *, batch_size: int,
                       shuffle: bool = True, seed: int | None = None) -> Any:
    """A distributed ``tf.data`` pipeline over in-memory arrays for a custom loop.

    Batches hold ``batch_size`` samples in total (the global batch); the strategy hands each
    replica its share. In-memory data is sharded by element (``AutoShardPolicy.DATA``), as
    there are no files to split between workers. ``tl.utils.fit`` does not need this: it
    splits each global batch itself (see the module docstring).
    """
    import tensorflow as tf

    data = X if y is None else (X, y)
    ds = tf.data.Dataset.from_tensor_slices(data)
    if shuffle:
        n = int(tf.nest.flatten(data)[0].shape[0])
        ds = ds.shuffle(n, seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return strategy.experimental_distribute_dataset(ds.with_options(options))


@contextlib.contextmanager
def maybe_scope(strategy: Any) -> Iterator[None]:
    """``strategy.scope()``, or nothing for ``None``."""
    if strategy is None:
        yield
    else:
        with strategy.scope():
            yield
