"""Policy gradient (REINFORCE) as in the seed's Pong tutorial, for any discrete gymnasium env.

The agent samples actions from ``softmax(network(x))``, keeps every step of ``batch_size``
episodes, discounts each episode's rewards with :func:`tl.rein.discount_episode_rewards`,
normalizes them over the batch, and takes one optimizer step on
:func:`tl.rein.cross_entropy_reward_loss`. It logs the seed's lines::

    episode 0: game 0 took 0.17381s, reward: -1.000000
    episode 0: game 1 took 0.12629s, reward: 1.000000  !!!!!!!!
    resetting env. episode reward total was -20.000000. running mean: -20.000000

>>> pg = PolicyGradient(net, keras.optimizers.RMSprop(1e-4, rho=0.99), env, batch_size=10)
>>> returns = pg.train(100)                                     # doctest: +SKIP
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np
import tensorflow as tf

from tlcore_rl import _common
from tlcore_rl._common import logger
from tlcore_rl.rein import (choice_action_by_probs, cross_entropy_reward_loss,
                            discount_episode_rewards)

if TYPE_CHECKING:
    from tlcore.owner import Network

__all__ = ["PolicyGradient"]


class PolicyGradient:
    """REINFORCE with batch-normalized discounted returns (the seed's Pong agent).

    Args:
        network: a tlcore network from observations ``[None, *obs_shape]`` to action logits
            ``[None, n_actions]``.
        optimizer: a Keras optimizer (the seed used RMSProp(1e-4, rho=0.99)).
        env: a gymnasium environment with a discrete action space.
        gamma: discount factor.
        batch_size: episodes per update (the seed: 10).
        discount_mode: 0 restarts the discounted sum at every non-zero reward (Pong, where each
            point is a game); 1 is the textbook return (CartPole). Rewards are discounted per
            episode, never across episodes.
        normalize: subtract the batch mean and divide by the batch std of the returns.
        action_list: env action for each network output (Pong: ``[1, 2, 3]``); default
            ``range(n_outputs)``.
        preprocess: ``obs -> array`` fed to the network; an object with a ``reset()`` method
            is reset at the start of each episode (Pong's frame difference keeps state).
        store_dtype: dtype in which observations wait for the update (``np.int8`` holds Pong's
            {-1, 0, 1} exactly in a quarter of the memory).
        seed: seeds the action sampling and the first ``env.reset``.
        chunk_size: rows per gradient computation; the gradients of a long batch are summed
            over chunks (the loss is a sum, so the result is the same) to bound memory.
        log_games: log a line for every non-zero reward (Pong's points).
        log_every: log the episode line every this many episodes.
        max_steps: cut an episode after this many steps (None: the env decides).
    """

    def __init__(self, network: Network, optimizer: Any, env: Any, *, gamma: float = 0.99,
                 batch_size: int = 10, discount_mode: int = 0, normalize: bool = True,
                 action_list: Sequence[Any] | None = None,
                 preprocess: Callable[[Any], Any] | None = None,
                 store_dtype: Any = np.float32, seed: int | None = None, chunk_size: int = 4096,
                 log_games: bool = True, log_every: int = 1, max_steps: int | None = None) -> None:
        if int(batch_size) < 1:
            raise ValueError(f"PolicyGradient: batch_size must be >= 1, received {batch_size!r}")
        if discount_mode not in (0, 1):
            raise ValueError(f"PolicyGradient: discount_mode must be 0 or 1, received "
                             f"{discount_mode!r}")
        self.network, self.optimizer, self.env = network, optimizer, env
        self.gamma, self.batch_size = float(gamma), int(batch_size)
        self.discount_mode, self.normalize, self.preprocess = discount_mode, normalize, preprocess
        self.store_dtype = np.dtype(store_dtype)
        self.seed, self.chunk_size, self.max_steps = seed, int(chunk_size), max_steps
        self.log_games, self.log_every = log_games, max(1, int(log_every))
        n_out = network.output_shape[-1]
        n_env = _common.space_n(env)
        self.action_list = list(action_list) if action_list is not None else list(range(n_out))
        if len(self.action_list) != n_out:
            raise ValueError(f"PolicyGradient: the network has {n_out} outputs but action_list has "
                             f"{len(self.action_list)} actions")
        if any(not 0 <= int(a) < n_env for a in self.action_list):
            raise ValueError(f"PolicyGradient: action_list {self.action_list} is outside the env's "
                             f"{n_env} actions")
        in_spec = network.input_layers[0].output_spec
        self._in_spec = tf.TensorSpec(in_spec.shape, tf.float32)
        self.params = network.trainable_params
        self.rng = np.random.default_rng(seed)
        self.episode = 0  #: episodes finished so far (the seed's episode_number)
        self.updates = 0
        self.running_reward: float | None = None
        self.returns: list[float] = []  #: return of every finished episode
        self._buffer: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.optimizer.build(self.params)  # slots exist before tracing: one trace, ever
        self._fast = _common.NumpyDenseChain.try_build(network)
        #: take the sparse update path when the batch has at most this fraction of non-zeros
        self.sparse_threshold = 0.05 if self._fast is not None else 0.0
        self._compile()

    # ------------------------------------------------------------------------ compiled parts
    def _compile(self) -> None:
        net, params = self.network, self.params

        @tf.function(input_signature=[self._in_spec])
        def probs(x: tf.Tensor) -> tf.Tensor:
            return tf.nn.softmax(net(x, is_train=False))

        @tf.function(input_signature=[self._in_spec, tf.TensorSpec([None], tf.int32),
                                      tf.TensorSpec([None], tf.float32)])
        def grads(x: tf.Tensor, a: tf.Tensor, r: tf.Tensor) -> tuple[tf.Tensor, list[tf.Tensor]]:
            with tf.GradientTape() as tape:
                loss = cross_entropy_reward_loss(net(x, is_train=True), a, r)
            return loss, tape.gradient(loss, params)

        @tf.function(input_signature=[[tf.TensorSpec(v.shape, v.dtype) for v in params]])
        def apply(gs: list[tf.Tensor]) -> None:
            self.optimizer.apply_gradients(zip(gs, params))

        self._probs_tf, self._grads, self._apply = probs, grads, apply
        self._sparse_grads = None
        if self._fast is not None:
            first, rest = self._fast.layers[0], self._fast.layers[1:]

            @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.int64),
                                          tf.TensorSpec([None], tf.float32),
                                          tf.TensorSpec([2], tf.int64),
                                          tf.TensorSpec([None], tf.int32),
                                          tf.TensorSpec([None], tf.float32)])
            def sparse_grads(idx: tf.Tensor, vals: tf.Tensor, shape: tf.Tensor, a: tf.Tensor,
                             r: tf.Tensor) -> tuple[tf.Tensor, list[tf.Tensor]]:
                # The same network, with the first layer's matmul done on the non-zeros only:
                # Pong's frame differences are ~99 % zeros, so this is ~50x less arithmetic.
                x = tf.SparseTensor(idx, vals, shape)
                with tf.GradientTape() as tape:
                    h = tf.sparse.sparse_dense_matmul(x, first.W)
                    if first.b is not None:
                        h = tf.nn.bias_add(h, first.b)
                    h = first.act(h)
                    for layer in rest:
                        h = layer.forward(h, is_train=True)
                    loss = cross_entropy_reward_loss(h, a, r)
                return loss, tape.gradient(loss, params)

            self._sparse_grads = sparse_grads

    def action_probs(self, x: np.ndarray) -> np.ndarray:
        """Action probabilities for one preprocessed observation (float64, sums to 1)."""
        if self._fast is not None:
            return _common.softmax_np(self._fast(x))
        return self._probs_tf(np.asarray(x, np.float32)[None]).numpy()[0].astype(np.float64)

    def trace_count(self) -> int:
        """How often the compiled update traced (1 after the first update: no retracing)."""
        return int(self._grads.experimental_get_tracing_count())

    # -------------------------------------------------------------------------------- loop
    def _prep(self, obs: Any) -> np.ndarray:
        x = obs if self.preprocess is None else self.preprocess(obs)
        return np.asarray(x, dtype=np.float32).reshape(self._in_spec.shape[1:])

    def _reset_env(self, first: bool) -> Any:
        reset = getattr(self.preprocess, "reset", None)
        if reset is not None:
            reset()
        if first and self.seed is not None:
            obs, _ = self.env.reset(seed=self.seed + self.episode)
        else:
            obs, _ = self.env.reset()
        return obs

    def train(self, n_episodes: int, *, target: float | None = None, window: int = 100,
              save_path: str | None = None, save_every: int | None = None,
              on_episode: Callable[[PolicyGradient, float], Any] | None = None) -> list[float]:
        """Play ``n_episodes`` more episodes, updating every ``batch_size`` of them.

        Args:
            n_episodes: episodes to play in this call.
            target: stop early once the mean return of the last ``window`` episodes reaches it.
            save_path: where :meth:`save` writes; with ``save_every`` also every that many
                episodes (rounded to whole batches, so a resume continues exactly), and at the end.
            on_episode: called as ``on_episode(trainer, episode_return)`` after every episode.

        Returns:
            The returns of the episodes played in this call.
        """
        start = len(self.returns)
        last = self.episode + int(n_episodes)
        obs = self._reset_env(first=True)
        xs: list[np.ndarray] = []
        ys: list[int] = []
        rs: list[float] = []
        reward_sum, game, steps = 0.0, 0, 0
        t_game = time.perf_counter()
        while self.episode < last:
            x = self._prep(obs)
            idx = choice_action_by_probs(self.action_probs(x), rng=self.rng)
            obs, reward, terminated, truncated, _ = self.env.step(self.action_list[idx])
            steps += 1
            reward = float(reward)
            xs.append(x.astype(self.store_dtype, copy=False))
            ys.append(idx)
            rs.append(reward)
            reward_sum += reward
            if reward != 0 and self.log_games:
                logger.info("episode %d: game %d took %.5fs, reward: %f%s", self.episode, game,
                            time.perf_counter() - t_game, reward,
                            "  !!!!!!!!" if reward > 0 else "")
                t_game = time.perf_counter()
                game += 1
            if not (terminated or truncated or (self.max_steps and steps >= self.max_steps)):
                continue
            self._buffer.append((np.stack(xs), np.asarray(ys, np.int32),
                                 np.asarray(rs, np.float32)))
            xs, ys, rs = [], [], []
            self.episode += 1
            self.returns.append(reward_sum)
            self.running_reward = (reward_sum if self.running_reward is None
                                   else self.running_reward * 0.99 + reward_sum * 0.01)
            if self.episode % self.batch_size == 0:
                if self.log_games:
                    logger.info("batch over...... updating parameters......")
                self.update()
            if self.episode % self.log_every == 0:
                logger.info("resetting env. episode reward total was %f. running mean: %f",
                            reward_sum, self.running_reward)
            if on_episode is not None:
                on_episode(self, reward_sum)
            if (save_path and save_every and not self._buffer
                    and self.episode % _round_up(save_every, self.batch_size) == 0):
                self.save(save_path)
            if target is not None and len(self.returns) >= window and \
                    float(np.mean(self.returns[-window:])) >= target:
                break
            reward_sum, game, steps = 0.0, 0, 0
            obs = self._reset_env(first=False)
            t_game = time.perf_counter()
        if save_path:
            self.save(save_path)
        return self.returns[start:]

    def update(self) -> float | None:
        """One optimizer step on the buffered episodes (called by :meth:`train`); the loss."""
        if not self._buffer:
            return None
        x = np.concatenate([b[0] for b in self._buffer])
        a = np.concatenate([b[1] for b in self._buffer])
        r = np.concatenate([discount_episode_rewards(b[2], self.gamma, self.discount_mode)
                            for b in self._buffer])
        self._buffer = []
        if self.normalize:
            r = r - r.mean()
            std = r.std()
            if std > 0:  # all-equal returns carry no signal: the step is zero, not NaN
                r = r / std
        x2 = x.reshape(len(x), -1)
        if self._sparse_grads is not None and x2.size and \
                np.count_nonzero(x2) <= self.sparse_threshold * x2.size:
            nz = np.nonzero(x2)
            idx = np.stack(nz, axis=1).astype(np.int64)
            l, g = self._sparse_grads(idx, x2[nz].astype(np.float32), np.array(x2.shape, np.int64),
                                      a, r.astype(np.float32))
            self._apply([tf.convert_to_tensor(gi) for gi in g])
            return self._after_update(float(l))
        total: list[tf.Tensor] | None = None
        loss = 0.0
        for i in range(0, len(x), self.chunk_size):
            end = i + self.chunk_size
            l, g = self._grads(x[i:end].astype(np.float32, copy=False), a[i:end],
                               r[i:end].astype(np.float32))
            loss += float(l)
            total = list(g) if total is None else [s + gi for s, gi in zip(total, g)]
        self._apply(total)
        return self._after_update(loss)

    def _after_update(self, loss: float) -> float:
        self.updates += 1
        if self._fast is not None:
            self._fast.refresh()
        return loss

    # ------------------------------------------------------------------------ persistence
    def save(self, path: str) -> None:
        """Write the network's ``all_params`` to ``path`` (``tl.files.save_npz`` format) and the
        trainer's own state (episode counter, running mean, RNG, optimizer slots) next to it
        as ``<path stem>.state.npz``. Episodes not yet used by an update are not saved."""
        _common.save_params(self.network, path)
        meta = {"episode": self.episode, "updates": self.updates,
                "running_reward": self.running_reward, "returns": self.returns,
                "rng": _common.rng_state(self.rng)}
        _common.save_state(_common.state_path(path), meta, _common.optimizer_arrays(self.optimizer))

    def load(self, path: str) -> bool:
        """Resume from :meth:`save`'s files: the parameters (as the seed's ``resume``), and the
        trainer state when its file exists. Returns False (and logs) when ``path`` is missing."""
        import os

        if not os.path.exists(path):
            logger.warning("resume: %s does not exist, starting from scratch", path)
            return False
        meta = _common.restore(self.network, path, self.optimizer)
        if meta is not None:
            self.episode, self.updates = int(meta["episode"]), int(meta["updates"])
            self.running_reward = meta["running_reward"]
            self.returns = [float(v) for v in meta["returns"]]
            _common.set_rng_state(self.rng, meta["rng"])
        if self._fast is not None:
            self._fast.refresh()
        logger.info("resumed from %s at episode %d", path, self.episode)
        return True


def _round_up(n: int, k: int) -> int:
    return max(k, -(-int(n) // k) * k)
