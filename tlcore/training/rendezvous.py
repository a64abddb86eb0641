"""The start-up rendezvous of a multi-worker run: every task waits for the others at most
``startup_timeout`` seconds before TensorFlow connects them (TensorFlow itself would wait
forever for a task that never starts)."""
from __future__ import annotations

import contextlib
import math
import os
import socket
import time

from tlcore.training.tf_config import TFConfig, split_address


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
    host, port = split_address(address, "TF_CONFIG (this task's address)")
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
    host, port = split_address(address, f"TF_CONFIG cluster[{job!r}][{index}]")
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
