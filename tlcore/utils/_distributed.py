"""Kept for code that imported the distributed helpers from here (``tlcore run``, benchmarks):
they live in :mod:`tlcore.training.cluster` (set-up) and :mod:`tlcore.training.checkpoint`
(backups) now."""
from __future__ import annotations

from tlcore.training.checkpoint import EpochBackup
from tlcore.training.cluster import (STRATEGY_KINDS, TFConfig, check_port_free,
                                     distribute_dataset, free_port, free_ports, is_chief,
                                     is_multi_worker, make_strategy, maybe_scope,
                                     parse_tf_config, split_cpu, startup_timeout_seconds,
                                     wait_for_peers, worker_name)

__all__ = ["EpochBackup", "STRATEGY_KINDS", "TFConfig", "check_port_free", "distribute_dataset",
           "free_port", "free_ports", "is_chief", "is_multi_worker", "make_strategy",
           "maybe_scope", "parse_tf_config", "split_cpu", "startup_timeout_seconds",
           "wait_for_peers", "worker_name"]
