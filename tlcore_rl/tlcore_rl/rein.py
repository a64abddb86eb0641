"""``tl.rein``: the reinforcement-learning helpers of TensorLayer (reference §1.7).

- :func:`discount_episode_rewards`: discounted returns of an episode (numpy, float32).
- :func:`cross_entropy_reward_loss`: the policy-gradient loss
  ``sum(sparse_softmax_CE(actions, logits) * rewards)``.
- :func:`log_weight`: ``mean(log(probs) * weights)``.
- :func:`choice_action_by_probs`: sample an action from a probability vector.

>>> discount_episode_rewards([0, 0, 1, 0, 0, -1], gamma=0.5)
array([ 0.25,  0.5 ,  1.  , -0.25, -0.5 , -1.  ], dtype=float32)
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import tensorflow as tf

__all__ = [
    "choice_action_by_probs",
    "cross_entropy_reward_loss",
    "discount_episode_rewards",
    "log_weight",
]


def discount_episode_rewards(rewards: Any = None, gamma: float = 0.99, mode: int = 0) -> np.ndarray:
    """Discounted returns ``R_t = r_t + gamma * R_{t+1}``, computed backwards over the episode.

    Args:
        rewards: 1-D sequence of rewards, one per time step.
        gamma: discount factor in ``[0, 1]``.
        mode: 0 restarts the running sum at every non-zero reward (the Pong convention: each
            point is its own game); 1 discounts over the whole sequence (the textbook return).

    Returns:
        float32 array of the same length as ``rewards``.

    >>> discount_episode_rewards([1, 1, 1], gamma=0.5, mode=1)
    array([1.75, 1.5 , 1.  ], dtype=float32)
    """
    if rewards is None:
        raise ValueError("discount_episode_rewards: rewards must be a 1-D sequence, received None")
    r = np.asarray(rewards, dtype=np.float64)
    if r.ndim != 1:
        raise ValueError(f"discount_episode_rewards: rewards must be 1-D, received shape {r.shape}")
    if mode not in (0, 1):
        raise ValueError(f"discount_episode_rewards: mode must be 0 or 1, received {mode!r}")
    if not 0.0 <= float(gamma) <= 1.0:
        raise ValueError(f"discount_episode_rewards: gamma must be in [0, 1], received {gamma!r}")
    out = np.empty(r.shape, dtype=np.float32)
    running = 0.0
    for t in range(r.size - 1, -1, -1):
        if mode == 0 and r[t] != 0:
            running = 0.0
        running = running * gamma + r[t]
        out[t] = running
    return out


def cross_entropy_reward_loss(logits: Any, actions: Any, rewards: Any,
                              name: str | None = None) -> tf.Tensor:
    """The policy-gradient loss: ``sum_t CE(softmax(logits_t), actions_t) * rewards_t``.

    Minimizing it raises the log-probability of actions with positive (normalized) return.

    Args:
        logits: ``[batch, n_actions]`` unnormalized scores from the policy network.
        actions: ``[batch]`` integer indices of the actions taken (0-based).
        rewards: ``[batch]`` discounted, usually normalized, returns.
        name: ignored (kept for TensorLayer compatibility).

    Returns:
        A scalar tensor (a sum, not a mean, as in TensorLayer).

    >>> float(cross_entropy_reward_loss([[0.0, 0.0]], [1], [2.0]))  # 2 * log 2
    1.3862943649291992
    """
    del name
    logits = tf.convert_to_tensor(logits)
    if not logits.dtype.is_floating:
        logits = tf.cast(logits, tf.float32)
    actions = tf.cast(actions, tf.int32)
    rewards = tf.cast(rewards, logits.dtype)
    ce = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=actions, logits=logits)
    return tf.reduce_sum(ce * rewards)


def log_weight(probs: Any, weights: Any, name: str = "log_weight") -> tf.Tensor:
    """``mean(log(probs) * weights)``: the expected weighted log-likelihood (to maximize).

    Args:
        probs: probabilities of the chosen actions, any shape.
        weights: the same shape (or broadcastable): advantages or returns.
        name: ignored (kept for TensorLayer compatibility).

    >>> round(float(log_weight([1.0, np.e ** -1], [3.0, 2.0])), 6)
    -1.0
    """
    del name
    probs = tf.convert_to_tensor(probs)
    if not probs.dtype.is_floating:
        probs = tf.cast(probs, tf.float32)
    return tf.reduce_mean(tf.math.log(probs) * tf.cast(weights, probs.dtype))


def choice_action_by_probs(probs: Any = (0.5, 0.5), action_list: Sequence[Any] | None = None,
                           rng: np.random.Generator | None = None) -> Any:
    """Sample one action with the given probabilities.

    Args:
        probs: 1-D probabilities (renormalized in float64, so a float32 softmax is fine).
        action_list: the actions to choose from (same length as ``probs``); defaults to
            ``0 .. len(probs)-1``. The seed's Pong agent passes ``[1, 2, 3]``.
        rng: a ``numpy.random.Generator`` for reproducible runs; defaults to the global
            ``np.random`` state, as TensorLayer did.

    Returns:
        An element of ``action_list`` (an int index when it is omitted).

    >>> choice_action_by_probs([0.0, 1.0], ["stop", "up"])
    'up'
    """
    p = np.asarray(probs, dtype=np.float64).reshape(-1)
    if p.size == 0:
        raise ValueError("choice_action_by_probs: probs must be non-empty")
    if action_list is not None and len(action_list) != p.size:
        raise ValueError(f"choice_action_by_probs: action_list has {len(action_list)} actions but "
                         f"probs has {p.size} entries; they must be equal")
    pl = p.tolist()  # per step with a handful of actions, Python floats are the fast path
    if not all(0.0 <= v < math.inf for v in pl):
        raise ValueError(f"choice_action_by_probs: probs must be finite and >= 0, received {p}")
    total = math.fsum(pl)
    if total <= 0:
        raise ValueError(f"choice_action_by_probs: probs must not all be zero, received {p}")
    u = (rng.random() if rng is not None else np.random.random()) * total
    # Inverse CDF: the first index whose cumulative probability exceeds u (never a p == 0 one).
    idx, acc = len(pl) - 1, 0.0
    for i, v in enumerate(pl):
        acc += v
        if u < acc:
            idx = i
            break
    while pl[idx] == 0:  # only reachable through rounding at the top end
        idx -= 1
    return idx if action_list is None else action_list[idx]
