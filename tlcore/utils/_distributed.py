"""Distributed training on ``tf.distribute``: strategy helpers and the loop behind
``tl.utils.fit(..., strategy=...)``.

How a step runs: every worker holds the whole training arrays in memory (as the single-device
loop does) and the same epoch order (same seed, agreed with the chief when none is given).
The step's global batch of ``batch_size`` samples is split across the ``R`` replicas: replica
``r`` takes rows ``[r*m//R, (r+1)*m//R)`` of the ``m`` samples, computes ``cost`` on them and
scales it by ``rows / m``, so that the sum over replicas is the mean over the global batch (the
"global-batch loss"); the optimizer sums the replicas' gradients (an all-reduce), so every
replica applies the same update and a run equals a single-device run with the same global
batch, step for step. Losses and metrics are summed across replicas (``strategy.reduce``).

Only the chief writes checkpoints, backups and TensorBoard files; every worker reads the backup
when it restarts. Before training, the workers compare their settings (sample count, batch
size, epochs, restored epoch) with one collective, so a mismatch is an error, not a hang.
"""
from __future__ import annotations

import contextlib
import errno
import json
import logging
import math
import os
import re
import shutil
import socket
import time
from typing import Any, Callable, Iterator, Mapping, Sequence

import attrs

logger = logging.getLogger("tlcore")

#: the values of ``tlcore run --strategy``
STRATEGY_KINDS = ("none", "mirrored", "multiworker")
_JOBS = ("chief", "worker", "ps", "evaluator")
_TF_CONFIG_EXAMPLE = ('TF_CONFIG=\'{"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
                      '"task": {"type": "worker", "index": 0}}\'')
_MAX_DEPTH = 4  # {"cluster": {"worker": ["h:p"]}} is 3 levels deep; room for one more
_HOST = re.compile(r"[A-Za-z0-9._-]+|[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?")
_SCOPE_PATTERN = """
    strategy = tf.distribute.MirroredStrategy()   # or tl.utils.make_strategy("multiworker")
    with strategy.scope():
        network = ...                              # build every layer here
        optimizer = tf.keras.optimizers.Adam(1e-4)
    tl.utils.fit(network, optimizer, ..., strategy=strategy)"""


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


# ----------------------------------------------------------------------------- validation
def check_in_scope(strategy: Any, network: Any, optimizer: Any = None,
                   variables: Sequence[Any] = (), what: str = "fit") -> None:
    """Raise ``ValueError`` unless the network's variables (and the optimizer) were created
    under ``strategy.scope()``; the message names the first offending variable and its layer
    and shows the pattern.
    """
    name = type(strategy).__name__
    params = list(getattr(network, "all_params", [])) + \
        list(getattr(network, "all_drop", {}).values()) + list(variables)
    for v in params:
        if not strategy.extended.variable_created_in_scope(v):
            try:
                label = f"{network.param_name(v)!r}"
            except (KeyError, AttributeError):
                label = f"{v.name!r}"
            layer = label.strip("'").rsplit("/", 1)[0]
            raise ValueError(
                f"{what}: the variable {label} of layer {layer!r} was created outside "
                f"{name}.scope(); build the network (and the optimizer) inside the scope:\n"
                f"{_SCOPE_PATTERN}")
    if optimizer is None:
        return
    owner = getattr(optimizer, "_distribution_strategy", strategy)
    if owner is not strategy:
        raise ValueError(f"{what}: the optimizer {type(optimizer).__name__} was created outside "
                         f"{name}.scope(); create it inside the scope:\n{_SCOPE_PATTERN}")
    for v in getattr(optimizer, "variables", []):
        inner = getattr(v, "value", v)
        if not strategy.extended.variable_created_in_scope(inner):
            raise ValueError(f"{what}: the optimizer variable {getattr(v, 'path', v.name)!r} was "
                             f"created outside {name}.scope(); create and build the optimizer "
                             f"inside the scope:\n{_SCOPE_PATTERN}")


# ---------------------------------------------------------------------- losses and metrics
def global_batch_loss(mean_loss: Any, local_size: Any, global_size: Any) -> Any:
    """Scale a replica's mean loss over its ``local_size`` samples so that the sum over
    replicas is the mean over the ``global_size`` samples of the global batch."""
    import tensorflow as tf

    dtype = mean_loss.dtype if hasattr(mean_loss, "dtype") else tf.float32
    return mean_loss * tf.cast(local_size, dtype) / tf.cast(global_size, dtype)


def reduce_sum(strategy: Any, per_replica: Any) -> Any:
    """Sum a (nest of) per-replica value(s) over all replicas of all workers."""
    import tensorflow as tf

    return tf.nest.map_structure(
        lambda v: strategy.reduce(tf.distribute.ReduceOp.SUM, v, axis=None), per_replica)


def replica_slice(m: Any) -> tuple[Any, Any]:
    """Inside ``strategy.run``: ``(lo, hi)`` of this replica's rows in a global batch of ``m``."""
    import tensorflow as tf

    ctx = tf.distribute.get_replica_context()
    n_rep = ctx.num_replicas_in_sync
    r = tf.cast(ctx.replica_id_in_sync_group, tf.int32)
    return (r * m) // n_rep, ((r + 1) * m) // n_rep


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


def gather_ints(strategy: Any, values: Sequence[int]) -> Any:
    """Every replica's copy of ``values`` as a (replicas, len(values)) int64 numpy array: one
    collective that lets workers compare settings before they could deadlock on them."""
    import tensorflow as tf

    const = tf.constant([int(v) for v in values], tf.int64)

    @tf.function(autograph=False)
    def run() -> tf.Tensor:
        per = strategy.run(lambda: tf.identity(const)[None, :])
        return strategy.gather(per, axis=0)

    return run().numpy()


# ---------------------------------------------------------------------------------- backup
class EpochBackup:
    """Backup and restore of a training run at epoch ends (as Keras's ``BackupAndRestore``).

    The chief writes, after every epoch, the weights (by ``<layer>/<var>`` name), the optimizer
    state, the epoch number, the seed and the history into ``backup_dir``: the checkpoint goes
    to a fresh sub-directory and ``state.json`` is replaced atomically last, so a crash at any
    point leaves the previous backup whole. On start, every worker restores the backup named by
    ``state.json``. ``backup_dir`` must be storage that every worker reads (a shared file
    system); the backup is deleted when training completes.
    """

    STATE = "state.json"

    def __init__(self, backup_dir: str, network: Any, optimizer: Any, *, chief: bool = True
                 ) -> None:
        self.directory = os.fspath(backup_dir)
        self.network, self.optimizer, self.chief = network, optimizer, chief

    def _checkpoint(self) -> Any:
        import tensorflow as tf

        params = {self.network.param_name(v): v for v in self.network.all_params}
        return tf.train.Checkpoint(network=params, optimizer=self.optimizer)

    def read_state(self) -> dict[str, Any] | None:
        """The checked contents of ``state.json``, or None when there is no backup.

        Raises:
            ValueError: the file is not a backup state written by :meth:`save`.
        """
        path = os.path.join(self.directory, self.STATE)
        if not os.path.exists(path):
            return None
        try:
            with open(path, encoding="utf-8") as f:
                state = json.load(f)
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as e:
            raise ValueError(f"backup_dir: {path} is unreadable ({type(e).__name__}: "
                             f"{str(e)[:200]}); delete it or use another backup_dir") from None
        problem = None
        if not isinstance(state, dict):
            problem = f"a JSON object, received {type(state).__name__}"
        elif not isinstance(state.get("epoch"), int) or isinstance(state["epoch"], bool) \
                or state["epoch"] < 0:
            problem = f"'epoch' an int >= 0, received {state.get('epoch')!r}"
        elif not isinstance(state.get("checkpoint"), str) or not re.fullmatch(
                r"epoch-\d{6,}/ckpt", state["checkpoint"]):
            # Never a path of the file's choosing: it stays inside backup_dir.
            problem = f"'checkpoint' 'epoch-NNNNNN/ckpt', received {state.get('checkpoint')!r}"
        elif state.get("seed") is not None and (not isinstance(state["seed"], int)
                                                or isinstance(state["seed"], bool)):
            problem = f"'seed' an int or null, received {state.get('seed')!r}"
        if problem is not None:
            raise ValueError(f"backup_dir: {path} is not a backup state: expected {problem}; "
                             f"delete it or use another backup_dir")
        return state

    def save(self, epoch: int, history: Any, seed: int | None) -> None:
        """Write the backup of a completed ``epoch`` (no-op on non-chief workers)."""
        if not self.chief:
            return
        from tlcore.files._atomic import atomic_write

        os.makedirs(self.directory, exist_ok=True)
        name = f"epoch-{epoch:06d}"
        tmp = os.path.join(self.directory, f".tmp-{name}-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        self._checkpoint().write(os.path.join(tmp, "ckpt"))
        final = os.path.join(self.directory, name)
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
        state = {"format": 1, "epoch": int(epoch), "checkpoint": f"{name}/ckpt",
                 "seed": seed, "history": history.to_dict()}
        with atomic_write(os.path.join(self.directory, self.STATE), "w") as f:
            json.dump(state, f)
        for entry in os.listdir(self.directory):  # older backups, stale temporaries
            if entry != name and (entry.startswith("epoch-") or entry.startswith(".tmp-")):
                shutil.rmtree(os.path.join(self.directory, entry), ignore_errors=True)
        logger.debug("backup of epoch %d written to %s", epoch, final)

    def restore(self) -> tuple[int, Any, int | None] | None:
        """Restore weights and optimizer; ``(epoch, history, seed)`` or None without a backup."""
        from tlcore.utils._history import TrainingHistory

        from tlcore.utils._restore import all_or_nothing, check_checkpoint, state_variables

        state = self.read_state()
        if state is None:
            return None
        path = os.path.join(self.directory, self.STATE)
        history = TrainingHistory.checked(state.get("history", {}),
                                          f"backup_dir: the history in {path}")
        prefix = os.path.join(self.directory, state["checkpoint"])
        if not getattr(self.optimizer, "built", True):
            self.optimizer.build(self.network.trainable_params)

        def read() -> None:
            status = self._checkpoint().read(prefix)
            status.assert_existing_objects_matched()

        try:
            # Compare first, so that a backup of another network assigns nothing.
            check_checkpoint(prefix, self.network, self.optimizer, what="backup_dir")
            all_or_nothing(state_variables(self.network, self.optimizer), read)
        except Exception as e:  # noqa: BLE001 - any mismatch or I/O error, reported whole
            raise ValueError(f"backup_dir: the backup {prefix} does not match this network and "
                             f"optimizer ({type(e).__name__}: {e}); it belongs to another run: "
                             f"use another backup_dir or delete this one") from e
        history.truncate(int(state["epoch"]))
        return int(state["epoch"]), history, state.get("seed")

    def delete(self) -> None:
        """Remove the backup (chief only): the run is complete."""
        if not self.chief or not os.path.isdir(self.directory):
            return
        with contextlib.suppress(FileNotFoundError):
            os.remove(os.path.join(self.directory, self.STATE))
        for entry in os.listdir(self.directory):
            if entry.startswith("epoch-") or entry.startswith(".tmp-"):
                shutil.rmtree(os.path.join(self.directory, entry), ignore_errors=True)


# ------------------------------------------------------------------------------------ loop
def train(loss_fn: Callable[..., Any], optimizer: Any, variables: list[Any], network: Any,
          X_train: Any, y_train: Any, *, strategy: Any, backup_dir: str | None, acc: Any,
          batch_size: int, n_epoch: int, print_freq: int, X_val: Any, y_val: Any,
          eval_train: bool, tensorboard_dir: str | None, tensorboard_epoch_freq: int,
          tensorboard_weight_histograms: bool, shuffle: bool, seed: int | None,
          progress: bool | None, steps_per_call: int | None, nan_policy: str,
          checkpoint_dir: str | None, checkpoint_freq: int, max_checkpoints: int,
          eval_batch_size: int | None, callbacks: Sequence[Callable[[int, Any], None]],
          what: str = "fit") -> Any:
    """The loop of ``fit`` under a strategy (or with a ``backup_dir``); see the module doc."""
    import numpy as np
    import tensorflow as tf

    from tlcore.utils import _training as T
    from tlcore.utils._history import TrainingHistory

    if strategy is None:
        strategy = tf.distribute.get_strategy()
    batch_size = T._positive_int("batch_size", batch_size)
    print_freq = T._positive_int("print_freq", print_freq)
    checkpoint_freq = T._positive_int("checkpoint_freq", checkpoint_freq)
    tensorboard_epoch_freq = T._positive_int("tensorboard_epoch_freq", tensorboard_epoch_freq)
    if not isinstance(n_epoch, (int, np.integer)) or isinstance(n_epoch, bool) or n_epoch < 0:
        raise ValueError(f"{what}: n_epoch must be an int >= 0, received {n_epoch!r}")
    if nan_policy not in T._NAN_POLICIES:
        raise ValueError(f"{what}: nan_policy must be one of {T._NAN_POLICIES}, received "
                         f"{nan_policy!r}")
    if steps_per_call is not None:
        steps_per_call = T._positive_int("steps_per_call", steps_per_call)
    if (X_val is None) != (y_val is None):
        raise ValueError(f"{what}: give both X_val and y_val, or neither")
    check_in_scope(strategy, network, optimizer, variables, what)
    X, y, n = T._to_tensors(network, X_train, y_train, "X_train", "y_train")
    if n == 0:
        raise ValueError(f"{what}: X_train holds no samples")
    T.check_labels(network, y, "y_train", what)
    val = T._to_tensors(network, X_val, y_val, "X_val", "y_val") if X_val is not None else None
    if val is not None:
        T.check_labels(network, val[1], "y_val", what)
    ebs = eval_batch_size or max(batch_size, 1000)
    n_steps = math.ceil(n / batch_size)
    # Fixed, not adapted to timing: every worker must make the same calls (collectives).
    chunk = steps_per_call or min(n_steps, 64)
    chief = is_chief(strategy)
    where = worker_name(strategy)

    if not getattr(optimizer, "built", True):
        with strategy.scope():
            optimizer.build(variables)
    history = TrainingHistory()
    start_epoch = 0
    backup = EpochBackup(backup_dir, network, optimizer, chief=chief) if backup_dir else None
    ckpt = T._Checkpointer(checkpoint_dir, network, optimizer, max_checkpoints) \
        if checkpoint_dir and chief else None
    restored_seed = None
    source = None
    if backup is not None:
        restored = backup.restore()
        if restored is not None:
            start_epoch, history, restored_seed = restored
            source = backup.directory
    if source is None and checkpoint_dir:
        reader = T._Checkpointer(checkpoint_dir, network, optimizer, max_checkpoints)
        restored_ckpt = reader.restore(what)
        if restored_ckpt is not None:
            start_epoch, history = restored_ckpt
            source = reader.latest
    if source is not None:
        logger.info("%s: resumed from %s after epoch %d (%s)", what, source, start_epoch, where)

    # One collective: the workers agree on the shuffling seed and check that they will make
    # the same number of steps and evaluations (otherwise they would wait on each other).
    proposal = int.from_bytes(os.urandom(4), "little") >> 1
    own_seed = seed if seed is not None else restored_seed
    keys = ("samples", "batch_size", "n_epoch", "restored_epoch", "steps_per_call",
            "print_freq", "validation samples", "eval_train")
    mine = [n, batch_size, n_epoch, start_epoch, chunk, print_freq,
            -1 if val is None else val[2], int(eval_train)]
    table = gather_ints(strategy, mine + [own_seed if own_seed is not None else proposal])
    for j, key in enumerate(keys):
        column = table[:, j]
        if (column != column[0]).any():
            hint = (" (are backup_dir and checkpoint_dir on storage every worker reads?)"
                    if key == "restored_epoch" else "")
            raise ValueError(f"{what}: the replicas disagree on {key}: {column.tolist()} "
                             f"(replica order); every worker must run fit with the same data "
                             f"and arguments{hint}")
    run_seed = int(table[0, -1])
    if seed is not None:
        tf.random.set_seed(seed)  # before tracing: fixes the op seeds of dropout masks

    step_fn = _ReplicatedStep(strategy, loss_fn, optimizer, variables, batch_size, X, y,
                              nan_policy, what)
    train_eval = _ReplicatedEvaluator(strategy, loss_fn, acc, ebs, X, y) if eval_train else None
    val_eval = _ReplicatedEvaluator(strategy, loss_fn, acc, ebs, *val[:2]) if val else None
    show_bar = T._progress_enabled(progress) and chief
    writer = None
    if tensorboard_dir and chief:
        writer = tf.summary.create_file_writer(tensorboard_dir)
    logger.info("%s: %s with %d replica(s), global batch %d (%s)", what,
                type(strategy).__name__, strategy.num_replicas_in_sync, batch_size, where)

    epoch = start_epoch
    try:
        for epoch in range(start_epoch + 1, n_epoch + 1):
            order = T._epoch_order(n, epoch, run_seed, shuffle)
            bar = T._bar(show_bar, n_steps, f"Epoch {epoch}/{n_epoch}")
            t0 = time.perf_counter()
            loss_sum = count = 0.0
            skipped = step = 0
            try:
                while step < n_steps:
                    last = min(n_steps, step + chunk)
                    ls, c, n_bad, bad, bad_loss, done = step_fn(order, step, last)
                    loss_sum += float(ls)
                    count += float(c)
                    if int(bad) >= 0 and nan_policy == "raise":
                        raise FloatingPointError(T._nan_message(what, float(bad_loss), epoch,
                                                                int(bad), n_steps, batch_size, n))
                    skipped += int(n_bad) if nan_policy == "skip" else 0
                    if bar is not None:
                        bar.update(int(done) - step)
                    step = int(done)
            finally:
                if bar is not None:
                    bar.close()
            took = time.perf_counter() - t0
            if skipped:
                logger.warning("%s: skipped %d batch(es) with a non-finite loss or gradient in "
                               "epoch %d",
                               what, skipped, epoch)
            record: dict[str, Any] = {"epoch": epoch, "time": took,
                                      "train_loss": loss_sum / count if count else float("nan")}
            if epoch == 1 or epoch % print_freq == 0 or epoch == n_epoch:
                if train_eval is not None:
                    record["train_eval_loss"], record["train_acc"] = train_eval()
                if val_eval is not None:
                    record["val_loss"], record["val_acc"] = val_eval()
                T._log_epoch(epoch, n_epoch, record, acc is not None)
            history.append(**record)
            if writer is not None and (epoch == 1 or epoch % tensorboard_epoch_freq == 0
                                       or epoch == n_epoch):
                T._write_summaries(writer, epoch, record, variables, network,
                                   tensorboard_weight_histograms)
            if ckpt is not None and (epoch % checkpoint_freq == 0 or epoch == n_epoch):
                ckpt.save(epoch, history)
            if backup is not None:
                backup.save(epoch, history, run_seed)
                # A barrier: when any worker goes on, the chief's backup of this epoch is whole.
                gather_ints(strategy, [epoch])
            for callback in callbacks:
                callback(epoch, history)
    except KeyboardInterrupt:
        if backup is not None:
            logger.warning("%s: interrupted in epoch %d; the backup in %s is intact: run again "
                           "with the same backup_dir to resume", what, epoch, backup.directory)
        raise
    finally:
        if writer is not None:
            writer.flush()
            writer.close()
    if backup is not None:
        backup.delete()
    return history


class _ReplicatedStep:
    """Optimizer steps ``first..last-1`` of an epoch, each split across the replicas."""

    def __init__(self, strategy: Any, loss_fn: Callable[..., Any], optimizer: Any,
                 variables: list[Any], batch_size: int, X: Any, y: Any, nan_policy: str,
                 what: str) -> None:
        import tensorflow as tf

        self.strategy, self.loss_fn, self.optimizer = strategy, loss_fn, optimizer
        self.variables, self.batch_size, self.nan_policy = variables, batch_size, nan_policy
        self.what, self.X, self.y = what, X, y
        self.traces = 0
        scalar = tf.TensorSpec([], tf.int32)
        self._fn = tf.function(self._run, autograph=False,
                               input_signature=[tf.TensorSpec([None], tf.int32), scalar, scalar])

    def __call__(self, order: Any, first: int, last: int) -> Any:
        import tensorflow as tf

        return self._fn(order, tf.constant(first, tf.int32), tf.constant(last, tf.int32))

    def _run(self, order: Any, first: Any, last: Any) -> Any:
        import tensorflow as tf

        self.traces += 1
        from tlcore.utils._training import apply_if_finite, finite_probe, run_steps

        strategy, bs, policy = self.strategy, self.batch_size, self.nan_policy
        X, y, variables = self.X, self.y, self.variables
        n = tf.shape(order)[0]
        used: list[int] = []  # indices of the variables the loss depends on (set when traced)

        def grads_on_replica(idx: tf.Tensor) -> Any:
            m = tf.shape(idx)[0]
            lo, hi = replica_slice(m)
            rows = idx[lo:hi]

            def compute() -> tf.Tensor:
                xb = tf.nest.map_structure(lambda t: tf.gather(t, rows), X)
                yb = tf.nest.map_structure(lambda t: tf.gather(t, rows), y)
                loss, _ = self.loss_fn(xb, yb, True)
                loss = tf.cast(tf.reduce_mean(tf.convert_to_tensor(loss)), tf.float32)
                return global_batch_loss(loss, hi - lo, m)

            with tf.GradientTape() as tape:
                # A replica may get no rows (a last batch smaller than the replica count).
                loss = tf.cond(hi > lo, compute, lambda: tf.constant(0.0))
            grads = tape.gradient(loss, variables)
            if not used:
                used.extend(i for i, g in enumerate(grads) if g is not None)
                if not used:
                    raise ValueError(f"{self.what}: the loss does not depend on any variable "
                                     f"of var_list")
            kept = [grads[i] for i in used]
            # One all-reduce carries the loss and the finiteness probe of the gradients.
            probe = finite_probe(loss, [g for g in kept if g is not None])
            return tf.stack([loss, probe]), kept

        def apply_on_replica(grads: list[tf.Tensor]) -> None:
            self.optimizer.apply_gradients(zip(grads, [variables[i] for i in used]))

        def one_step(step: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
            start = step * bs
            idx = order[start:tf.minimum(start + bs, n)]
            pair, grads = strategy.run(grads_on_replica, args=(idx,))
            sums = reduce_sum(strategy, pair)
            total = tf.cast(sums[0], tf.float64)  # the global-batch mean
            finite = tf.math.is_finite(sums[1])
            apply_if_finite(finite, lambda: strategy.run(apply_on_replica, args=(grads,)), policy)
            return finite, total, tf.cast(tf.shape(idx)[0], tf.float64)

        return run_steps(one_step, first, last, policy)


class _ReplicatedEvaluator:
    """Sample-weighted mean loss and accuracy (dropout off), each batch split across replicas
    and the sums reduced across them, in one compiled call over the whole data set."""

    def __init__(self, strategy: Any, loss_fn: Callable[..., Any], acc: Any, batch_size: int,
                 X: Any, y: Any) -> None:
        import tensorflow as tf

        self.has_acc = acc is not None
        self.n = int(tf.nest.flatten(X)[0].shape[0])
        bs = batch_size

        def on_replica(idx: tf.Tensor) -> tf.Tensor:
            lo, hi = replica_slice(tf.shape(idx)[0])
            rows = idx[lo:hi]

            def compute() -> tf.Tensor:
                xb = tf.nest.map_structure(lambda t: tf.gather(t, rows), X)
                yb = tf.nest.map_structure(lambda t: tf.gather(t, rows), y)
                loss, out = loss_fn(xb, yb, False)
                a = acc(out, yb) if acc is not None else tf.constant(0.0)
                k = tf.cast(hi - lo, tf.float64)
                return tf.stack([tf.cast(tf.reduce_mean(loss), tf.float64) * k,
                                 tf.cast(tf.reduce_mean(a), tf.float64) * k])

            return tf.cond(hi > lo, compute, lambda: tf.zeros([2], tf.float64))

        def run() -> tf.Tensor:
            n = tf.constant(self.n, tf.int32)

            def body(i, sums):
                start = i * bs
                idx = tf.range(start, tf.minimum(start + bs, n))
                return i + 1, sums + reduce_sum(strategy, strategy.run(on_replica, args=(idx,)))

            _, sums = tf.while_loop(lambda i, s: i * bs < n, body,
                                    [tf.constant(0), tf.zeros([2], tf.float64)])
            return sums

        self._fn = tf.function(run, autograph=False)

    def __call__(self) -> tuple[float, float | None]:
        sums = self._fn().numpy()
        n = max(self.n, 1)
        return float(sums[0]) / n, (float(sums[1]) / n if self.has_acc else None)


@contextlib.contextmanager
def maybe_scope(strategy: Any) -> Iterator[None]:
    """``strategy.scope()``, or nothing for ``None``."""
    if strategy is None:
        yield
    else:
        with strategy.scope():
            yield
