"""Cluster set-up for distributed training: ports and ``tf.distribute`` strategies by name
(``TF_CONFIG`` parsing is in :mod:`tlcore.training.tf_config`, the start-up wait in
:mod:`tlcore.training.rendezvous`).

Nothing here imports TensorFlow at module level: ``make_strategy`` must run before TensorFlow
initializes its devices and collective ops.
"""
from __future__ import annotations

import contextlib
import errno
import logging
import os
import socket
from typing import Any, Iterator, Sequence

from tlcore.training.rendezvous import (DEFAULT_STARTUP_TIMEOUT, startup_timeout_seconds,
                                        wait_for_peers)
from tlcore.training.tf_config import TFConfig, parse_tf_config, split_address

logger = logging.getLogger("tlcore")

#: the values of ``tlcore run --strategy``
STRATEGY_KINDS = ("none", "mirrored", "multiworker")

__all__ = ["DEFAULT_STARTUP_TIMEOUT", "STRATEGY_KINDS", "TFConfig", "check_port_free",
           "distribute_dataset", "free_port", "free_ports", "is_chief", "is_multi_worker",
           "make_strategy", "maybe_scope", "parse_tf_config", "split_cpu",
           "startup_timeout_seconds", "wait_for_peers", "worker_name"]


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
        _, port = split_address(config.address, "TF_CONFIG (this task's address)")
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
