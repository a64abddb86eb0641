"""Tests for tlcore_rl/policy_gradient.py and dqn.py on a tiny deterministic environment."""
from __future__ import annotations

import gymnasium
import keras
import numpy as np
import pytest
import tensorflow as tf

import tlcore as tl
from tlcore_rl import _common
from tlcore_rl.dqn import DQN, ReplayBuffer, clone_network, huber
from tlcore_rl.policy_gradient import PolicyGradient


class TwoArmedBandit(gymnasium.Env):
    """Deterministic two-armed bandit: arm 1 pays 1, arm 0 pays 0; ``horizon`` pulls an episode.

    The observation is a constant vector, so the best policy is "always pull arm 1".
    """

    def __init__(self, horizon: int = 3, good_arm: int = 1) -> None:
        self.horizon, self.good_arm = horizon, good_arm
        self.observation_space = gymnasium.spaces.Box(0.0, 1.0, (2,), np.float32)
        self.action_space = gymnasium.spaces.Discrete(2)
        self.t = 0

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.t = 0
        return np.array([1.0, 0.0], np.float32), {}

    def step(self, action):
        self.t += 1
        reward = 1.0 if int(action) == self.good_arm else 0.0
        return np.array([1.0, 0.0], np.float32), reward, self.t >= self.horizon, False, {}


def mlp(hidden=8, seed=0, n_in=2, n_out=2):
    # seeded initializers: the weights do not depend on what other tests drew before
    init = keras.initializers.TruncatedNormal
    net = tl.layers.InputLayer([None, n_in], name="in")
    net = tl.layers.DenseLayer(net, n_units=hidden, act=tf.nn.relu, W_init=init(0.1, seed=seed),
                               name="h")
    return tl.layers.DenseLayer(net, n_units=n_out, W_init=init(0.1, seed=seed + 1), name="out")


def make_pg(seed=0, **kw):
    kw = {"batch_size": 4, "discount_mode": 1, "seed": seed, "log_games": False, **kw}
    return PolicyGradient(mlp(seed=seed), keras.optimizers.Adam(0.05), TwoArmedBandit(), **kw)


def p_good(trainer):
    return trainer.action_probs(np.array([1.0, 0.0], np.float32))[1]


# --------------------------------------------------------------------------- policy gradient
def test_pg_learns_the_better_arm():
    pg = make_pg()
    before = p_good(pg)
    # stops once the last 20 episodes average 2.8 of the 3 possible (nearly all pulls on arm 1)
    returns = pg.train(400, target=2.8, window=20)
    assert len(returns) < 400 and pg.episode == len(returns) and pg.updates == pg.episode // 4
    assert np.mean(returns[-20:]) >= 2.8 > np.mean(returns[:20])
    assert p_good(pg) > 0.9 > before
    assert pg.trace_count() == 1  # fixed signature: one trace for all updates


def test_pg_numpy_actor_matches_the_network():
    pg = make_pg()
    pg.train(8)
    x = np.array([[1.0, 0.0], [0.3, -2.0]], np.float32)
    want = tf.nn.softmax(pg.network(x)).numpy()
    for row, w in zip(x, want):
        np.testing.assert_allclose(pg.action_probs(row), w, rtol=1e-5)
    pg._fast = None  # the tf.function path gives the same
    np.testing.assert_allclose(pg.action_probs(x[1]), want[1], rtol=1e-5)


def test_pg_update_equals_hand_written_step():
    pg = make_pg(batch_size=2)
    ref = clone_network(pg.network)
    for t, s in zip(ref.all_params, pg.network.all_params):
        t.assign(s)
    opt = keras.optimizers.SGD(0.1)
    pg.optimizer = keras.optimizers.SGD(0.1)
    pg.optimizer.build(pg.params)
    pg._compile()
    x = np.array([[1, 0], [1, 0], [1, 0]], np.float32)
    a = np.array([1, 0, 1], np.int32)
    r = np.array([1.0, 0.0, 1.0], np.float32)
    pg._buffer = [(x[:2], a[:2], r[:2]), (x[2:], a[2:], r[2:])]
    pg.chunk_size = 2  # the first episode and the second are separate gradient chunks
    pg.update()
    # by hand: per-episode returns with gamma 0.99, normalized over the batch
    g = np.array([1.0, 0.0, 1.0])
    g[0] += 0.0  # episode 1: r=[1, 0] -> [1 + 0.99 * 0, 0]
    g = (g - g.mean()) / g.std()
    with tf.GradientTape() as tape:
        loss = tl.rein.cross_entropy_reward_loss(ref(x), a, g.astype(np.float32))
    opt.apply_gradients(zip(tape.gradient(loss, ref.trainable_params), ref.trainable_params))
    for v, w in zip(pg.network.all_params, ref.all_params):
        np.testing.assert_allclose(v.numpy(), w.numpy(), rtol=1e-5, atol=1e-6)


def test_pg_resume_equals_uninterrupted(tmp_path):
    full = make_pg(seed=3)
    full.train(16)
    first = make_pg(seed=3)
    first.train(8, save_path=str(tmp_path / "m.npz"))
    assert (tmp_path / "m.npz").exists() and (tmp_path / "m.state.npz").exists()
    resumed = make_pg(seed=99)  # other initial weights and RNG: everything comes from the files
    assert resumed.load(str(tmp_path / "m.npz"))
    assert resumed.episode == 8
    resumed.train(8)
    assert resumed.returns == full.returns
    for v, w in zip(resumed.network.all_params, full.network.all_params):
        np.testing.assert_array_equal(v.numpy(), w.numpy())


def test_pg_state_file_is_a_pickle_free_tl_files_npz(tmp_path):
    pg = make_pg(seed=3)
    pg.train(4, save_path=str(tmp_path / "m.npz"))
    state = tl.files.read_npz(str(tmp_path / "m.state.npz"))
    assert state.meta["format"] == "tlcore_rl.state" and state.meta["state"]["episode"] == 4
    assert len(state.arrays) == len(pg.optimizer.variables)
    with np.load(tmp_path / "m.state.npz", allow_pickle=False) as f:  # no pickle needed
        assert "arr_0" in f.files


def test_pg_resume_with_a_foreign_optimizer_state_changes_nothing(tmp_path):
    """Parameters and optimizer slots are assigned together: a bad state file leaves the
    network untouched too (before, the parameters were assigned first)."""
    first = make_pg(seed=3)
    first.train(4, save_path=str(tmp_path / "m.npz"))
    slots = [np.asarray(v.numpy()) for v in first.optimizer.variables]
    _common.save_state(str(tmp_path / "m.state.npz"), {"episode": 4}, slots[:-1])  # one short
    other = make_pg(seed=99)
    before = [v.numpy().copy() for v in other.network.all_params]
    with pytest.raises(ValueError, match=r"m\.state\.npz.*nothing was assigned"):
        other.load(str(tmp_path / "m.npz"))
    for v, b in zip(other.network.all_params, before):
        np.testing.assert_array_equal(v.numpy(), b)
    assert other.episode == 0


def test_pg_logs_the_seed_lines(caplog):
    import logging

    pg = PolicyGradient(mlp(), keras.optimizers.Adam(0.01), TwoArmedBandit(horizon=2, good_arm=1),
                        batch_size=2, seed=0, log_games=True)
    with caplog.at_level(logging.INFO, logger="tlcore"):
        pg.train(2)
    lines = [r.getMessage() for r in caplog.records]
    games = [m for m in lines if m.startswith("episode 0: game")]
    assert games and all(m.endswith("reward: 1.000000  !!!!!!!!") for m in games)
    assert "batch over...... updating parameters......" in lines
    resets = [m for m in lines if m.startswith("resetting env. episode reward total was ")]
    assert len(resets) == 2
    r0 = pg.returns[0]
    assert resets[0] == f"resetting env. episode reward total was {r0:f}. running mean: {r0:f}"


def test_pg_bad_arguments():
    with pytest.raises(ValueError, match="batch_size"):
        make_pg(batch_size=0)
    with pytest.raises(ValueError, match="2 outputs but action_list has 3"):
        make_pg(action_list=[0, 1, 1])
    with pytest.raises(ValueError, match="outside the env"):
        make_pg(action_list=[0, 5])
    with pytest.raises(ValueError, match="Discrete"):
        PolicyGradient(mlp(), keras.optimizers.Adam(), gymnasium.make("Pendulum-v1"))


def test_load_params_is_all_or_nothing(tmp_path):
    net = mlp()
    path = str(tmp_path / "p.npz")
    _common.save_params(net, path)
    other = mlp(hidden=4, seed=1)
    before = [v.numpy().copy() for v in other.all_params]
    with pytest.raises(ValueError, match="nothing was assigned"):
        _common.restore(other, path)
    for v, b in zip(other.all_params, before):
        np.testing.assert_array_equal(v.numpy(), b)


# ------------------------------------------------------------------------------------ DQN
def test_dqn_learns_the_better_arm():
    env = TwoArmedBandit(horizon=1)
    dqn = DQN(mlp(seed=1), keras.optimizers.Adam(0.01), env, buffer_size=500, batch_size=16,
              learning_starts=32, target_update=20, eps_decay_steps=150, eps_end=0.05, seed=0)
    dqn.train(300)
    q = dqn.q_values(np.array([1.0, 0.0], np.float32))
    np.testing.assert_allclose(q, [0.0, 1.0], atol=0.15)  # terminal after one pull: Q = reward
    assert dqn.act(np.array([1.0, 0.0], np.float32), eps=0.0) == 1
    assert np.mean(dqn.returns[-50:]) > 0.85
    assert dqn.trace_count() == 1


def test_dqn_target_network_is_a_copy_that_lags():
    dqn = DQN(mlp(), keras.optimizers.Adam(0.05), TwoArmedBandit(horizon=1), batch_size=8,
              learning_starts=8, target_update=10**6, eps_decay_steps=10, seed=0)
    for t, s in zip(dqn.target.all_params, dqn.q.all_params):
        np.testing.assert_array_equal(t.numpy(), s.numpy())
        assert t is not s
    dqn.train(30)
    assert any(not np.array_equal(t.numpy(), s.numpy())
               for t, s in zip(dqn.target.all_params, dqn.q.all_params))
    dqn.sync_target()
    for t, s in zip(dqn.target.all_params, dqn.q.all_params):
        np.testing.assert_array_equal(t.numpy(), s.numpy())


def test_dqn_epsilon_schedule():
    dqn = DQN(mlp(), keras.optimizers.Adam(), TwoArmedBandit(), eps_start=1.0, eps_end=0.1,
              eps_decay_steps=100)
    for steps, eps in [(0, 1.0), (50, 0.55), (100, 0.1), (1000, 0.1)]:
        dqn.steps = steps
        assert dqn.epsilon() == pytest.approx(eps)


def test_dqn_td_target_and_huber_by_hand():
    # One update with SGD on a linear Q (no hidden layer) against a numpy computation.
    q = tl.layers.DenseLayer(tl.layers.InputLayer([None, 2]), n_units=2,
                             W_init=keras.initializers.TruncatedNormal(0.1, seed=0))
    dqn = DQN(q, keras.optimizers.SGD(0.5), TwoArmedBandit(), gamma=0.9, double=False,
              huber_delta=1.0)
    W, b = (v.numpy().astype(np.float64) for v in q.all_params)
    obs = np.array([[1.0, 0.0], [0.0, 1.0]], np.float32)
    nxt = np.array([[0.0, 2.0], [1.0, 1.0]], np.float32)
    act, rew = np.array([1, 0], np.int32), np.array([3.0, 0.5], np.float32)
    done = np.array([0.0, 1.0], np.float32)
    y = rew + 0.9 * (1 - done) * (nxt @ W + b).max(axis=1)
    d = (obs @ W + b)[np.arange(2), act] - y
    dl = np.clip(d, -1.0, 1.0) / 2  # d mean(huber)/d q_sa
    gW, gb = np.zeros_like(W), np.zeros_like(b)
    for i in range(2):
        gW[:, act[i]] += obs[i] * dl[i]
        gb[act[i]] += dl[i]
    loss = dqn._train_step(obs, act, rew, nxt, done)
    want_loss = np.mean(np.where(np.abs(d) <= 1, 0.5 * d ** 2, np.abs(d) - 0.5))
    np.testing.assert_allclose(float(loss), want_loss, rtol=1e-5)
    np.testing.assert_allclose(q.all_params[0].numpy(), W - 0.5 * gW, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(q.all_params[1].numpy(), b - 0.5 * gb, rtol=1e-5, atol=1e-6)


def test_huber():
    x = tf.constant([-3.0, -0.5, 0.0, 0.5, 3.0])
    np.testing.assert_allclose(huber(x, 1.0).numpy(), [2.5, 0.125, 0.0, 0.125, 2.5])


def test_replay_buffer_ring():
    buf = ReplayBuffer(3, (2,))
    for i in range(5):
        buf.add([i, i], i, float(i), [i + 1, i + 1], i == 4)
    assert len(buf) == 3
    assert sorted(buf.actions.tolist()) == [2, 3, 4]
    o, a, r, n, d = buf.sample(64, np.random.default_rng(0))
    assert set(a.tolist()) <= {2, 3, 4} and np.all(o[:, 0] == a) and np.all(n[:, 0] == a + 1)
    assert np.all(d == (a == 4))


def test_dqn_save_load(tmp_path):
    dqn = DQN(mlp(seed=0), keras.optimizers.Adam(), TwoArmedBandit())
    dqn.save(str(tmp_path / "q.npz"))
    other = DQN(mlp(seed=1), keras.optimizers.Adam(), TwoArmedBandit())
    assert other.load(str(tmp_path / "q.npz"))
    for a, b, t in zip(other.q.all_params, dqn.q.all_params, other.target.all_params):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        np.testing.assert_array_equal(t.numpy(), b.numpy())
    assert not other.load(str(tmp_path / "missing.npz"))


def test_dqn_soft_target_update():
    dqn = DQN(mlp(), keras.optimizers.Adam(), TwoArmedBandit(), tau=0.25)
    for v in dqn.q.all_params:
        v.assign(v + 1.0)
    before = [t.numpy().copy() for t in dqn.target.all_params]
    dqn._soft_sync()
    for t, b, s in zip(dqn.target.all_params, before, dqn.q.all_params):
        np.testing.assert_allclose(t.numpy(), 0.25 * s.numpy() + 0.75 * b, rtol=1e-6)
    with pytest.raises(ValueError, match="tau"):
        DQN(mlp(), keras.optimizers.Adam(), TwoArmedBandit(), tau=0.0)


def test_pg_sparse_update_equals_dense_update():
    # Pong-like input: mostly zeros in {-1, 0, 1}; the sparse first-layer path gives the dense
    # path's loss and gradients.
    rng = np.random.default_rng(0)
    init = keras.initializers.GlorotUniform
    net = tl.layers.InputLayer([None, 400])
    net = tl.layers.DenseLayer(net, n_units=16, act=tf.nn.relu, W_init=init(seed=0))
    net = tl.layers.DenseLayer(net, n_units=3, W_init=init(seed=1))
    env = gymnasium.make("CartPole-v1")  # only its (discrete) action space is used here
    pg = PolicyGradient(net, keras.optimizers.SGD(0.1), env, action_list=[0, 1, 1], seed=0)
    x = rng.choice(np.array([-1, 0, 0, 0, 0, 0, 0, 0, 0, 1], np.float32), size=(50, 400))
    a = rng.integers(0, 3, 50).astype(np.int32)
    r = rng.standard_normal(50).astype(np.float32)
    loss_d, g_d = pg._grads(x, a, r)
    nz = np.nonzero(x)
    loss_s, g_s = pg._sparse_grads(np.stack(nz, 1).astype(np.int64), x[nz],
                                   np.array(x.shape, np.int64), a, r)
    np.testing.assert_allclose(float(loss_s), float(loss_d), rtol=1e-5)
    for gs, gd in zip(g_s, g_d):
        np.testing.assert_allclose(tf.convert_to_tensor(gs).numpy(), gd.numpy(), rtol=1e-4,
                                   atol=1e-5)
    # update() picks the sparse path for such data
    pg._buffer = [(x.astype(np.int8), a, r)]
    pg.update()
    assert pg._sparse_grads.experimental_get_tracing_count() == 1
    assert pg._grads.experimental_get_tracing_count() == 1  # only from the direct call above
