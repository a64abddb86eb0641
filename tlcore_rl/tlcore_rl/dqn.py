"""Deep Q-learning (the alternative the seed names): replay, a target network, epsilon-greedy.

Any gymnasium environment with a discrete action space and a flat observation works; the Q
function is a tlcore network ``[None, *obs_shape] -> [None, n_actions]``. The target network is
a second copy of it (rebuilt from the layers' configs) whose weights are copied every
``target_update`` steps. The loss is the Huber loss of the TD error; with ``double=True`` the
next action is chosen by the online network and valued by the target one (Double DQN).

>>> dqn = DQN(q_net, keras.optimizers.Adam(1e-3), gymnasium.make("CartPole-v1"), seed=0)
>>> returns = dqn.train(300, target=195)                      # doctest: +SKIP
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import tensorflow as tf

from tlcore_rl import _common
from tlcore_rl._common import logger

if TYPE_CHECKING:
    from tlcore.owner import Network

__all__ = ["DQN", "ReplayBuffer", "clone_network", "huber"]


class ReplayBuffer:
    """A fixed-size ring of transitions ``(obs, action, reward, next_obs, done)`` in numpy.

    Args:
        capacity: number of transitions kept; the oldest are overwritten.
        obs_shape: shape of one observation.
    """

    def __init__(self, capacity: int, obs_shape: tuple[int, ...]) -> None:
        if int(capacity) < 1:
            raise ValueError(f"ReplayBuffer: capacity must be >= 1, received {capacity!r}")
        self.capacity = int(capacity)
        self.obs = np.zeros((self.capacity, *obs_shape), np.float32)
        self.next_obs = np.zeros((self.capacity, *obs_shape), np.float32)
        self.actions = np.zeros(self.capacity, np.int32)
        self.rewards = np.zeros(self.capacity, np.float32)
        self.dones = np.zeros(self.capacity, np.float32)
        self.size = 0
        self._next = 0

    def __len__(self) -> int:
        return self.size

    def add(self, obs: Any, action: int, reward: float, next_obs: Any, done: bool) -> None:
        """Store one transition; ``done`` means terminal (not a time-limit cut)."""
        i = self._next
        self.obs[i], self.actions[i], self.rewards[i] = obs, action, reward
        self.next_obs[i], self.dones[i] = next_obs, float(done)
        self._next = (i + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
        """``batch_size`` transitions drawn uniformly with replacement."""
        idx = rng.integers(0, self.size, size=batch_size)
        return (self.obs[idx], self.actions[idx], self.rewards[idx], self.next_obs[idx],
                self.dones[idx])


def huber(x: tf.Tensor, delta: float = 1.0) -> tf.Tensor:
    """Elementwise Huber loss: ``x^2/2`` for ``|x| <= delta``, ``delta (|x| - delta/2)`` beyond."""
    a = tf.abs(x)
    quad = tf.minimum(a, delta)
    return 0.5 * quad * quad + delta * (a - quad)


def clone_network(network: Network) -> Network:
    """A new network with the same architecture (fresh variables), built from layer configs."""
    made: dict[int, Any] = {}
    for layer in network.all_layers:
        parents = [made[id(p)] for p in layer.prev_layers]
        prev = None if not parents else (parents if layer.multi_input else parents[0])
        made[id(layer)] = type(layer).from_config(prev, layer.get_config())
    return made[id(network)]


class DQN:
    """DQN with experience replay, a target network and a linear epsilon-greedy schedule.

    Args:
        q_network: tlcore network, observations -> one Q value per action.
        optimizer: a Keras optimizer.
        env: gymnasium environment with a Discrete action space.
        target_network: same architecture as ``q_network``; cloned from it when omitted.
        gamma: discount factor.
        buffer_size: replay capacity.
        batch_size: transitions per update.
        learning_starts: environment steps before the first update.
        train_freq: environment steps per update.
        target_update: environment steps between copies of the weights into the target.
        tau: if given, the target instead follows the online weights softly after every update,
            ``target <- tau * online + (1 - tau) * target`` (Polyak averaging).
        eps_start, eps_end, eps_decay_steps: epsilon falls linearly from start to end over that
            many steps, then stays.
        double: Double DQN targets.
        huber_delta: where the Huber loss turns from quadratic to linear.
        preprocess: ``obs -> array`` applied to every observation.
        seed: seeds exploration, replay sampling and the first ``env.reset``.
        log_every: log a line every this many episodes.
    """

    def __init__(self, q_network: Network, optimizer: Any, env: Any, *,
                 target_network: Network | None = None,
                 gamma: float = 0.99, buffer_size: int = 50_000, batch_size: int = 64,
                 learning_starts: int = 1000, train_freq: int = 1, target_update: int = 500,
                 eps_start: float = 1.0, eps_end: float = 0.05, eps_decay_steps: int = 10_000,
                 double: bool = True, huber_delta: float = 1.0, tau: float | None = None,
                 preprocess: Callable[[Any], Any] | None = None, seed: int | None = None,
                 log_every: int = 10) -> None:
        self.q, self.optimizer, self.env = q_network, optimizer, env
        self.n_actions = _common.space_n(env)
        if q_network.output_shape[-1] != self.n_actions:
            raise ValueError(f"DQN: the Q network has {q_network.output_shape[-1]} outputs but the "
                             f"env has {self.n_actions} actions")
        self.target = target_network if target_network is not None else clone_network(q_network)
        shapes = [tuple(v.shape) for v in q_network.all_params]
        if [tuple(v.shape) for v in self.target.all_params] != shapes:
            raise ValueError("DQN: target_network must have the parameter shapes of q_network")
        self.gamma, self.batch_size = float(gamma), int(batch_size)
        self.learning_starts, self.train_freq = int(learning_starts), max(1, int(train_freq))
        self.target_update = max(1, int(target_update))
        self.eps_start, self.eps_end = eps_start, eps_end
        self.eps_decay_steps = max(1, int(eps_decay_steps))
        self.double, self.huber_delta = double, float(huber_delta)
        if tau is not None and not 0.0 < float(tau) <= 1.0:
            raise ValueError(f"DQN: tau must be in (0, 1], received {tau!r}")
        self.tau = None if tau is None else float(tau)
        self.preprocess, self.seed, self.log_every = preprocess, seed, max(1, int(log_every))
        spec = q_network.input_layers[0].output_spec
        self._in_spec = tf.TensorSpec(spec.shape, tf.float32)
        self.buffer = ReplayBuffer(buffer_size, tuple(spec.shape[1:]))
        self.rng = np.random.default_rng(seed)
        self.steps = 0
        self.episode = 0
        self.updates = 0
        self.returns: list[float] = []
        self.params = q_network.trainable_params
        self.optimizer.build(self.params)
        self._fast = _common.NumpyDenseChain.try_build(q_network)
        self._compile()
        self.sync_target()

    def _compile(self) -> None:
        q, target, params = self.q, self.target, self.params
        gamma, double, delta = self.gamma, self.double, self.huber_delta
        spec = self._in_spec

        @tf.function(input_signature=[spec])
        def q_values(x: tf.Tensor) -> tf.Tensor:
            return q(x, is_train=False)

        tau = self.tau if self.tau is not None else 1.0  # used only when self.tau is set

        def soft_update() -> None:
            for t, s in zip(target.all_params, q.all_params):
                t.assign(tau * s + (1.0 - tau) * t)

        @tf.function(input_signature=[spec, tf.TensorSpec([None], tf.int32),
                                      tf.TensorSpec([None], tf.float32), spec,
                                      tf.TensorSpec([None], tf.float32)])
        def train_step(obs: tf.Tensor, act: tf.Tensor, rew: tf.Tensor, nxt: tf.Tensor,
                       done: tf.Tensor) -> tf.Tensor:
            q_next_t = target(nxt, is_train=False)
            if double:
                best = tf.argmax(q(nxt, is_train=False), axis=-1, output_type=tf.int32)
                q_next = tf.gather(q_next_t, best, batch_dims=1)
            else:
                q_next = tf.reduce_max(q_next_t, axis=-1)
            y = tf.stop_gradient(rew + gamma * (1.0 - done) * q_next)
            with tf.GradientTape() as tape:
                q_sa = tf.gather(q(obs, is_train=True), act, batch_dims=1)
                loss = tf.reduce_mean(huber(y - q_sa, delta))
            grads = tape.gradient(loss, params)
            self.optimizer.apply_gradients(zip(grads, params))
            if self.tau is not None:  # Polyak target in the same call: one dispatch per step
                soft_update()
            return loss

        @tf.function
        def sync() -> None:
            for t, s in zip(target.all_params, q.all_params):
                t.assign(s)

        soft_sync = tf.function(soft_update) if self.tau is not None else None

        self._q_tf, self._train_step = q_values, train_step
        self._sync, self._soft_sync = sync, soft_sync

    # ---------------------------------------------------------------------------- pieces
    def sync_target(self) -> None:
        """Copy the online weights into the target network."""
        self._sync()

    def epsilon(self) -> float:
        """The exploration rate at the current step."""
        frac = min(1.0, self.steps / self.eps_decay_steps)
        return self.eps_start + frac * (self.eps_end - self.eps_start)

    def q_values(self, x: np.ndarray) -> np.ndarray:
        """Q values of one preprocessed observation."""
        if self._fast is not None:
            return self._fast(x)
        return self._q_tf(np.asarray(x, np.float32)[None]).numpy()[0]

    def act(self, x: np.ndarray, eps: float | None = None) -> int:
        """Epsilon-greedy action for one preprocessed observation."""
        eps = self.epsilon() if eps is None else eps
        if self.rng.random() < eps:
            return int(self.rng.integers(self.n_actions))
        return int(np.argmax(self.q_values(x)))

    def trace_count(self) -> int:
        """How often the compiled train step traced (1: no retracing)."""
        return int(self._train_step.experimental_get_tracing_count())

    def _prep(self, obs: Any) -> np.ndarray:
        x = obs if self.preprocess is None else self.preprocess(obs)
        return np.asarray(x, np.float32).reshape(self._in_spec.shape[1:])

    # ------------------------------------------------------------------------------ loop
    def train(self, n_episodes: int, *, target: float | None = None, window: int = 100,
              save_path: str | None = None,
              on_episode: Callable[[DQN, float], Any] | None = None) -> list[float]:
        """Play ``n_episodes`` more episodes, learning as it goes.

        Args:
            target: stop once the mean return of the last ``window`` episodes reaches it.
            save_path: the Q network's parameters are written there at the end.
            on_episode: called as ``on_episode(trainer, episode_return)`` after every episode.

        Returns:
            The returns of the episodes played in this call.
        """
        start = len(self.returns)
        last = self.episode + int(n_episodes)
        seed = None if self.seed is None else self.seed + self.episode
        obs, _ = self.env.reset(seed=seed)
        x = self._prep(obs)
        ret, loss = 0.0, float("nan")
        while self.episode < last:
            a = self.act(x)
            obs, r, terminated, truncated, _ = self.env.step(a)
            x2 = self._prep(obs)
            self.buffer.add(x, a, float(r), x2, terminated)  # a time-limit cut is not terminal
            self.steps += 1
            ret += float(r)
            x = x2
            if self.steps >= self.learning_starts and self.steps % self.train_freq == 0:
                loss = float(self._train_step(*self.buffer.sample(self.batch_size, self.rng)))
                self.updates += 1
                if self._fast is not None:
                    self._fast.refresh()
            if self.tau is None and self.steps % self.target_update == 0:
                self.sync_target()
            if not (terminated or truncated):
                continue
            self.episode += 1
            self.returns.append(ret)
            if self.episode % self.log_every == 0:
                logger.info("episode %d: return %.1f, mean of last %d: %.2f, epsilon %.3f, "
                            "loss %.4f, steps %d", self.episode, ret,
                            min(window, len(self.returns)), float(np.mean(self.returns[-window:])),
                            self.epsilon(), loss, self.steps)
            if on_episode is not None:
                on_episode(self, ret)
            if target is not None and len(self.returns) >= window and \
                    float(np.mean(self.returns[-window:])) >= target:
                break
            ret = 0.0
            obs, _ = self.env.reset()
            x = self._prep(obs)
        if save_path:
            self.save(save_path)
        return self.returns[start:]

    # ----------------------------------------------------------------------- persistence
    def save(self, path: str) -> None:
        """Write the Q network's ``all_params`` to ``path`` (``tl.files.save_npz`` format)."""
        _common.save_params(self.q, path)

    def load(self, path: str) -> bool:
        """Load Q parameters saved by :meth:`save` (and copy them into the target)."""
        if not os.path.exists(path):
            logger.warning("resume: %s does not exist, starting from scratch", path)
            return False
        _common.restore(self.q, path)
        self.sync_target()
        if self._fast is not None:
            self._fast.refresh()
        return True
