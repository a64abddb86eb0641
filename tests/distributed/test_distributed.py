"""Tests for tlcore/training (cluster, replicated, engine): fit under tf.distribute strategies.

Multi-device and multi-worker runs happen in child processes (logical CPU devices and the
collective-ops context must be configured before TensorFlow initializes), each with a hard
timeout after which the test kills its children (by pid) and fails with their output. The
oracle of the distributed runs is single-device fit with the same global batch and seed.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest
import tensorflow as tf

import tlcore as tl
from tlcore.training import cluster as D
from tlcore.training.checkpoint import EpochBackup

HERE = Path(__file__).resolve().parent
WORKER = HERE / "_worker.py"
TIMEOUT = 150  # seconds for one group of child processes (CI machines are slow and shared)


# ------------------------------------------------------------------------------- helpers
class Group:
    """Child processes started together; ``wait`` enforces one deadline for all of them."""

    def __init__(self, tmp: Path) -> None:
        self.tmp, self.procs, self.logs = tmp, [], []

    def start(self, args: list[str], env: dict[str, str] | None = None, tag: str = "") -> Any:
        log = open(self.tmp / f"{tag or len(self.procs)}-{time.monotonic_ns()}.log", "w+")
        full_env = {k: v for k, v in os.environ.items()
                    if k not in ("TF_CONFIG", "TLCORE_CPU_REPLICAS")}
        full_env.update(env or {})
        full_env["TF_CPP_MIN_LOG_LEVEL"] = "2"
        proc = subprocess.Popen([sys.executable, *args], stdout=log, stderr=subprocess.STDOUT,
                                env=full_env, cwd=self.tmp)
        self.procs.append(proc)
        self.logs.append(log)
        return proc

    def output(self, proc: Any) -> str:
        log = self.logs[self.procs.index(proc)]
        log.flush()
        log.seek(0)
        return log.read()[-4000:]

    def wait(self, procs: list[Any] | None = None, timeout: float = TIMEOUT) -> list[int]:
        procs = procs or self.procs
        deadline = time.monotonic() + timeout
        for proc in procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.kill()
                logs = "\n".join(f"--- pid {p.pid}:\n{self.output(p)}" for p in procs)
                pytest.fail(f"child processes still running after {timeout}s (killed):\n{logs}")
        return [p.returncode for p in procs]

    def kill(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)

    def close(self) -> None:
        self.kill()
        for log in self.logs:
            log.close()


@pytest.fixture
def group(tmp_path: Path) -> Any:
    g = Group(tmp_path)
    yield g
    g.close()


def tf_config(ports: list[int], index: int) -> str:
    return json.dumps({"cluster": {"worker": [f"127.0.0.1:{p}" for p in ports]},
                       "task": {"type": "worker", "index": index}})


def start_workers(group: Group, tmp: Path, tag: str, worker1: dict | None = None,
                  **spec: Any) -> list[Any]:
    ports = D.free_ports(2)
    procs = []
    for i in range(2):
        s = {"mode": "multiworker", "out": str(tmp / f"{tag}-{i}.json"), "n_epoch": 2,
             "batch_size": 16, "timeout": 60, **spec}
        if i == 0:
            s.pop("exit_after_epoch", None)  # the fault is injected into worker 1 only
        else:
            s.update(worker1 or {})
        procs.append(group.start([str(WORKER), json.dumps(s)],
                                 {"TF_CONFIG": tf_config(ports, i)}, tag=f"{tag}-{i}"))
    return procs


def check_ok(group: Group, procs: list[Any], codes: list[int]) -> None:
    for proc, code in zip(procs, codes):
        assert code == 0, f"pid {proc.pid} exited with {code}:\n{group.output(proc)}"


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def small_mlp(hidden: int = 8) -> Any:
    L = tl.layers
    net = L.InputLayer([None, 784], name="input")
    net = L.DropoutLayer(net, keep=0.8, name="drop1")
    net = L.DenseLayer(net, n_units=hidden, act=tf.nn.relu, name="relu1")
    return L.DenseLayer(net, n_units=10, name="output")


def data(n: int = 24) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n)


# ------------------------------------------------------------- one process, two devices
def test_mirrored_two_logical_devices_equals_single_device_step_for_step(group, tmp_path):
    out = tmp_path / "mirrored.npz"
    proc = group.start([str(HERE / "_mirrored_check.py"), str(out)], tag="mirrored")
    check_ok(group, [proc], group.wait([proc]))
    r = np.load(out)
    assert int(r["replicas"]) == 2
    for tag in ("step", "ragged"):
        single, mirrored = r[f"{tag}_single_weights"], r[f"{tag}_mirrored_weights"]
        assert single.shape[0] == 3  # one snapshot per epoch
        assert not np.allclose(single[0], single[-1])  # training moved the weights
        # Float tolerance: the replicas' gradient sums add the same terms in another order.
        np.testing.assert_allclose(mirrored, single, rtol=0, atol=2e-6)
        hs = json.loads(str(r[f"{tag}_single_history"]))
        hm = json.loads(str(r[f"{tag}_mirrored_history"]))
        assert hm["epochs"] == hs["epochs"] == [1, 2, 3]
        for key in ("train_loss", "val_loss", "val_acc", "train_eval_loss"):
            np.testing.assert_allclose(hm[key], hs[key], rtol=1e-5, err_msg=key)


# --------------------------------------------------------------------- two workers
def test_two_workers_finish_with_equal_weights_and_chief_checkpoint_loads(group, tmp_path):
    ckpt = tmp_path / "ckpt"
    procs = start_workers(group, tmp_path, "run", checkpoint_dir=str(ckpt))
    check_ok(group, procs, group.wait(procs))
    r0, r1 = load(tmp_path / "run-0.json"), load(tmp_path / "run-1.json")
    assert (r0["chief"], r1["chief"]) == (True, False)
    assert r0["replicas"] == r1["replicas"] == 2
    assert r0["history"]["epochs"] == r1["history"]["epochs"] == [1, 2]
    assert r0["history"]["train_loss"] == pytest.approx(r1["history"]["train_loss"], rel=1e-6)
    for name, w in r0["weights"].items():
        np.testing.assert_allclose(r1["weights"][name], w, rtol=0, atol=1e-6, err_msg=name)
    # Only the chief wrote a checkpoint; it loads into a fresh network built without strategy.
    sys.path.insert(0, str(HERE))
    try:
        from _worker import mlp
    finally:
        sys.path.remove(str(HERE))
    fresh = mlp(tl, tf)
    assert tl.files.load_ckpt(fresh, save_dir=str(ckpt)) == 2
    for v in fresh.all_params:
        np.testing.assert_allclose(v.numpy(), r0["weights"][fresh.param_name(v)], atol=1e-7)


def test_killed_worker_restarts_from_last_completed_epoch(group, tmp_path):
    backup = tmp_path / "backup"
    # Worker 1 dies (os._exit) right after epoch 1, once the chief's backup of epoch 1 is
    # complete; the chief then waits on it in epoch 2 and is stopped too (Keras's
    # BackupAndRestore likewise needs every worker restarted).
    first = start_workers(group, tmp_path, "first", n_epoch=3, backup_dir=str(backup),
                          exit_after_epoch=1)
    assert group.wait([first[1]]) == [3], group.output(first[1])
    first[0].kill()
    first[0].wait(timeout=30)
    state = json.loads((backup / "state.json").read_text())
    assert state["epoch"] == 1 and state["history"]["epochs"] == [1]
    partial = load(tmp_path / "first-1.json.partial")
    assert partial["epochs"] == [1]

    second = start_workers(group, tmp_path, "second", n_epoch=3, backup_dir=str(backup))
    check_ok(group, second, group.wait(second))
    r0, r1 = load(tmp_path / "second-0.json"), load(tmp_path / "second-1.json")
    for r in (r0, r1):
        assert r["history"]["epochs"] == [1, 2, 3]  # no lost and no repeated epoch
        # Epoch 1 was restored from the backup, not trained again.
        assert r["history"]["train_loss"][0] == pytest.approx(partial["train_loss"][0], rel=1e-9)
    for proc in second:
        assert "resumed from" in group.output(proc) and "after epoch 1" in group.output(proc)
    for name, w in r0["weights"].items():
        np.testing.assert_allclose(r1["weights"][name], w, rtol=0, atol=1e-6, err_msg=name)
    assert not (backup / "state.json").exists()  # deleted once training completed


# -------------------------------------------------------------------- bad configuration
def test_workers_with_different_data_fail_clearly_instead_of_hanging(group, tmp_path):
    procs = start_workers(group, tmp_path, "differ", worker1={"n_samples": 48})
    codes = group.wait(procs)
    for proc, code in zip(procs, codes):
        out = group.output(proc)
        assert code != 0, out
        assert "the replicas disagree on samples: [64, 48]" in out, out


def test_non_finite_loss_under_a_strategy_names_epoch_and_step():
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    X, y = data(32)
    X[20, 3] = np.nan  # in the second batch of 16 when not shuffled
    with strategy.scope():  # softmax regression: ReLU could turn the NaN into 0
        net = tl.layers.DenseLayer(tl.layers.InputLayer([None, 784]), n_units=10, name="out")
        opt = keras.optimizers.Adam(1e-3)
    before = [v.numpy() for v in net.trainable_params]
    with pytest.raises(FloatingPointError, match=r"epoch 1, step 2 of 2.*was not applied"):
        tl.utils.fit(net, opt, tl.cost.cross_entropy, X, y, batch_size=16, n_epoch=1,
                     shuffle=False, progress=False, strategy=strategy)
    # Step 1 was applied, step 2 (NaN) was not: the weights are finite and have moved.
    for v, b in zip(net.trainable_params, before):
        assert np.isfinite(v.numpy()).all() and not np.allclose(v.numpy(), b)


@pytest.mark.parametrize("value, match", [
    ("", "TF_CONFIG is not set"),
    ('{"cluster": {"worker": ["127.0.0.1:5000"]}', "not valid JSON"),
    ('["worker"]', "must be a JSON object"),
    ('{"task": {"type": "worker", "index": 0}}', "no 'cluster' key"),
    ('{"cluster": {"worker": ["127.0.0.1:5000"]}}', "no 'task' key"),
    ('{"cluster": {"worker": ["127.0.0.1:5000"]}, "task": {"type": "worker"}}', "no 'index'"),
    ('{"cluster": {"worker": ["127.0.0.1:5000"]}, "task": {"type": "worker", "index": 1}}',
     r"index must be an int in \[0, 1\)"),
    ('{"cluster": {"worker": ["127.0.0.1"]}, "task": {"type": "worker", "index": 0}}',
     "host:port"),
    ('{"cluster": {"worker": ["h:1", "h:1"]}, "task": {"type": "worker", "index": 0}}',
     "appears twice"),
    ('{"cluster": {"worker": "h:1"}, "task": {"type": "worker", "index": 0}}', "non-empty list"),
    ('{"cluster": {"worker": ["h:1"]}, "task": {"type": "chief", "index": 0}}',
     "not a job of the cluster"),
    ('{"cluster": {"boss": ["h:1"]}, "task": {"type": "boss", "index": 0}}', "unknown"),
], ids=["unset", "truncated-json", "not-object", "no-cluster", "no-task", "no-index",
        "index-range", "no-port", "duplicate", "not-list", "type-not-in-cluster", "bad-job"])
def test_malformed_tf_config_is_a_clear_error(monkeypatch, value, match):
    monkeypatch.setenv("TF_CONFIG", value)
    with pytest.raises(ValueError, match=match):
        D.make_strategy("multiworker")


def test_port_in_use_is_a_clear_error(monkeypatch):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        other = D.free_port()
        monkeypatch.setenv("TF_CONFIG", tf_config([port, other], 0))
        with pytest.raises(OSError, match=rf"127.0.0.1:{port}.*in use by another process"):
            D.make_strategy("multiworker")


def test_network_built_outside_the_scope_is_a_clear_error():
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    X, y = data()
    net = small_mlp()  # outside the scope
    with strategy.scope():
        opt = keras.optimizers.Adam(1e-3)
    with pytest.raises(ValueError, match=r"(?s)variable 'relu1/W' of layer 'relu1' was created "
                                         r"outside MirroredStrategy.scope\(\).*with strategy"
                                         r".scope\(\):"):
        tl.utils.fit(net, opt, tl.cost.cross_entropy, X, y, n_epoch=1, strategy=strategy)
    with strategy.scope():
        inside = small_mlp()
    outside_opt = keras.optimizers.Adam(1e-3)
    with pytest.raises(ValueError, match="optimizer Adam was created outside"):
        tl.utils.fit(inside, outside_opt, tl.cost.cross_entropy, X, y, n_epoch=1,
                     strategy=strategy)


def test_unknown_strategy_kind():
    with pytest.raises(ValueError, match="kind must be one of"):
        D.make_strategy("tpu")
    assert D.make_strategy("none") is None


# ------------------------------------------------------------------- in-process pieces
def test_tf_config_roles():
    c = D.parse_tf_config({"cluster": {"chief": ["a:1"], "worker": ["b:2", "c:3"]},
                           "task": {"type": "worker", "index": 0}})
    assert (c.address, c.num_workers, c.is_chief) == ("b:2", 3, False)
    c = D.parse_tf_config('{"cluster": {"worker": ["b:2", "c:3"]}, '
                          '"task": {"type": "worker", "index": 0}}')
    assert c.is_chief and c.num_workers == 2
    assert D.is_chief(None) and D.is_chief(tf.distribute.get_strategy())


def test_free_ports_are_distinct_and_bindable():
    ports = D.free_ports(3)
    assert len(set(ports)) == 3
    for p in ports:
        D.check_port_free(p, "127.0.0.1")


def test_backup_resumes_a_single_device_run_after_a_crash(tmp_path):
    """backup_dir without strategy: a run that dies after epoch 2 resumes at epoch 3 and the
    result equals an uninterrupted run (no dropout: the shuffling order depends only on the
    seed and the epoch)."""
    X, y = data(40)

    def run(n_epoch: int, crash_after: int | None, backup: Path | None) -> tuple[Any, Any, list]:
        keras.utils.set_random_seed(3)
        net = small_mlp()
        tl.utils.set_keep(net.all_drop, 1.0)
        trained = []

        def cb(epoch: int, history: Any) -> None:
            trained.append(epoch)
            if epoch == crash_after:
                raise RuntimeError("crash")

        h = None
        try:
            h = tl.utils.fit(net, keras.optimizers.Adam(1e-2), tl.cost.cross_entropy, X, y,
                             batch_size=16, n_epoch=n_epoch, seed=1, progress=False,
                             backup_dir=None if backup is None else str(backup), callbacks=[cb])
        except RuntimeError:
            pass
        return net, h, trained

    backup = tmp_path / "backup"
    _, _, trained = run(4, 2, backup)
    assert trained == [1, 2]
    assert json.loads((backup / "state.json").read_text())["epoch"] == 2
    net, h, trained = run(4, None, backup)
    assert trained == [3, 4] and h.epochs == [1, 2, 3, 4]
    assert not (backup / "state.json").exists()
    ref, h_ref, _ = run(4, None, None)
    np.testing.assert_allclose(h.train_loss, h_ref.train_loss, rtol=1e-5)
    for a, b in zip(net.all_params, ref.all_params):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-5)


def test_backup_survives_a_crash_while_saving_and_rejects_another_network(tmp_path):
    keras.utils.set_random_seed(0)
    net, opt = small_mlp(), keras.optimizers.Adam(1e-3)
    opt.build(net.trainable_params)
    backup = EpochBackup(str(tmp_path), net, opt)
    h = tl.utils.TrainingHistory()
    h.append(epoch=1, time=0.1, train_loss=1.0)
    backup.save(1, h, seed=5)
    saved = [v.numpy() for v in net.all_params]
    # A crash in the middle of the next save: its checkpoint directory is half written and
    # state.json still names epoch 1.
    (tmp_path / ".tmp-epoch-000002-999").mkdir()
    (tmp_path / ".tmp-epoch-000002-999" / "ckpt.index").write_bytes(b"garbage")
    for v in net.trainable_params:
        v.assign(tf.zeros_like(v))
    epoch, history, seed = backup.restore()
    assert (epoch, history.epochs, seed) == (1, [1], 5)
    for v, s in zip(net.all_params, saved):
        np.testing.assert_array_equal(v.numpy(), s)
    other = small_mlp(hidden=5)
    other_opt = keras.optimizers.Adam(1e-3)
    other_opt.build(other.trainable_params)
    with pytest.raises(ValueError, match="does not match this network"):
        EpochBackup(str(tmp_path), other, other_opt).restore()


def test_distribute_dataset_hands_out_every_sample_once():
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    X = np.arange(10, dtype=np.float32)[:, None]
    ds = D.distribute_dataset(strategy, X, batch_size=4, shuffle=True, seed=0)
    seen = [strategy.experimental_local_results(b)[0].numpy()[:, 0] for b in ds]
    assert [len(b) for b in seen] == [4, 4, 2]
    assert sorted(np.concatenate(seen).tolist()) == list(range(10))


def test_fit_of_a_network_built_in_a_scope_uses_that_strategy(caplog):
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    X, y = data()
    with strategy.scope():
        net = small_mlp()
        opt = keras.optimizers.Adam(1e-3)
    with caplog.at_level("INFO", logger="tlcore"):
        h = tl.utils.fit(net, opt, tl.cost.cross_entropy, X, y, batch_size=8, n_epoch=1,
                         progress=False)
    assert h.epochs == [1]
    assert "MirroredStrategy with 1 replica(s), global batch 8" in caplog.text


def test_fit_inside_a_scope_uses_its_strategy(caplog):
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    X, y = data()
    with strategy.scope():
        net = small_mlp()
        opt = keras.optimizers.Adam(1e-3)
        before = [v.numpy() for v in net.trainable_params]
        with caplog.at_level("INFO", logger="tlcore"):
            h = tl.utils.fit(net, opt, tl.cost.cross_entropy, X, y, batch_size=8, n_epoch=2,
                             progress=False)
    assert h.epochs == [1, 2] and np.isfinite(h.train_loss).all()
    assert all(not np.allclose(v.numpy(), b) for v, b in zip(net.trainable_params, before))
    assert "MirroredStrategy with 1 replica(s), global batch 8" in caplog.text


def test_tlcore_run_with_strategy(tmp_path, monkeypatch, capsys):
    from tlcore.cli import main

    code = main(["run", "mnist-mlp", "--strategy", "mirrored", "--epochs", "1", "--limit", "300",
                 "--out", str(tmp_path), "--quiet"])
    assert code == 0
    assert (tmp_path / "mnist-mlp" / "model.npz").exists()
    assert "test accuracy" in capsys.readouterr().out
    monkeypatch.setenv("TF_CONFIG", '{"cluster": {"worker": ["127.0.0.1:1"]}')
    assert main(["run", "mnist-mlp", "--strategy", "multiworker", "--out", str(tmp_path)]) == 2
    assert "--strategy multiworker: TF_CONFIG is not valid JSON" in capsys.readouterr().err


def test_callbacks_and_metric_dicts_work_the_same_under_a_strategy(tmp_path):
    """The replicated runner goes through the same engine: named metrics, callbacks and the
    CSV log behave as on one device, and the numbers agree (one-device MirroredStrategy)."""
    X, y = data(48)

    def top3(output: Any, target: Any) -> Any:
        hit = tf.math.in_top_k(tf.cast(target, tf.int32), output, 3)
        return tf.reduce_mean(tf.cast(hit, tf.float32))

    init: list[Any] = []

    def run(strategy: Any, name: str) -> Any:
        with D.maybe_scope(strategy):
            net = small_mlp()
            opt = keras.optimizers.Adam(1e-3)
        if not init:
            init.extend(v.numpy() for v in net.all_params)
        for v, w in zip(net.all_params, init):  # the same start on both paths
            v.assign(w)
        tl.utils.set_keep(net.all_drop, 1.0)
        stop = tl.utils.EarlyStopping("val_loss", patience=10)
        h = tl.utils.fit(net, opt, tl.cost.cross_entropy, X, y,
                         acc={"acc": tl.cost.accuracy, "top3": top3}, batch_size=16, n_epoch=3,
                         print_freq=1,
                         X_val=X[:20], y_val=y[:20], eval_train=False, progress=False, seed=2,
                         shuffle=False, strategy=strategy,
                         callbacks=[stop, tl.utils.CSVLogger(str(tmp_path / f"{name}.csv"))])
        return h, (tmp_path / f"{name}.csv").read_text().splitlines()

    h1, csv1 = run(None, "local")
    h2, csv2 = run(tf.distribute.MirroredStrategy(["/cpu:0"]), "mirrored")
    assert h1.epochs == h2.epochs == [1, 2, 3]
    np.testing.assert_allclose(h2.train_loss, h1.train_loss, rtol=1e-5)
    np.testing.assert_allclose(h2.metrics["val_top3"], h1.metrics["val_top3"], atol=1e-6)
    assert len(csv1) == len(csv2) == 4 and csv1[0] == csv2[0] and "val_top3" in csv1[0]
