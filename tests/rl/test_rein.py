"""Tests for tlcore_rl/rein.py (tl.rein): hand-computed cases, the textbook return, gradients."""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st

import tlcore as tl

rein = tl.rein


def textbook_return(rewards, gamma):
    """G_t = sum_k gamma^k r_{t+k}, summed forwards (not the backward recursion under test)."""
    n = len(rewards)
    return np.array([sum(gamma ** k * rewards[t + k] for k in range(n - t)) for t in range(n)])


def test_reached_through_the_registry():
    from tlcore_rl import rein as module

    assert tl.rein is module


def test_mode0_restarts_at_every_nonzero_reward():
    # Pong: two games, lost then won; each point is discounted only within its own game.
    r = [0, 0, -1, 0, 0, 0, 1]
    got = rein.discount_episode_rewards(r, gamma=0.5, mode=0)
    want = [-0.25, -0.5, -1.0, 0.125, 0.25, 0.5, 1.0]
    np.testing.assert_array_equal(got, np.float32(want))
    assert got.dtype == np.float32


def test_mode1_does_not_restart():
    r = [0, 0, -1, 0, 0, 0, 1]
    got = rein.discount_episode_rewards(r, gamma=0.5, mode=1)
    # t=2: -1 + 0.5^4 * 1 = -0.9375; t=0: 0.25 * -0.9375
    want = [-0.234375, -0.46875, -0.9375, 0.125, 0.25, 0.5, 1.0]
    np.testing.assert_array_equal(got, np.float32(want))


def test_mode0_reset_on_consecutive_rewards_and_default_gamma():
    got = rein.discount_episode_rewards(np.array([1.0, 1.0, 0.0, 2.0]))
    np.testing.assert_allclose(got, [1.0, 1.0 + 0.0, 1.98, 2.0], rtol=1e-6)


@given(st.lists(st.floats(-5, 5, allow_nan=False, width=32), min_size=1, max_size=12),
       st.floats(0.0, 1.0))
def test_mode1_equals_textbook_discounted_return(rewards, gamma):
    got = rein.discount_episode_rewards(rewards, gamma=gamma, mode=1)
    np.testing.assert_allclose(got, textbook_return(rewards, gamma), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("kwargs, match", [
    ({"rewards": None}, "None"),
    ({"rewards": [[1.0, 2.0]]}, "1-D"),
    ({"rewards": [1.0], "mode": 2}, "mode"),
    ({"rewards": [1.0], "gamma": 1.5}, "gamma"),
], ids=["none", "2d", "mode", "gamma"])
def test_discount_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        rein.discount_episode_rewards(**kwargs)


def test_cross_entropy_reward_loss_value():
    logits = np.array([[1.0, 2.0, 0.5], [0.0, 0.0, 0.0]], np.float32)
    actions = np.array([1, 2])
    rewards = np.array([2.0, -1.0], np.float32)
    p0 = np.exp(logits[0]) / np.exp(logits[0]).sum()
    want = -np.log(p0[1]) * 2.0 + -np.log(1 / 3) * -1.0
    got = rein.cross_entropy_reward_loss(logits, actions, rewards)
    np.testing.assert_allclose(float(got), want, atol=1e-6)  # float32 sum of two ~1 terms


def test_cross_entropy_reward_loss_gradient_is_analytic():
    # d/dz [ -log softmax(z)_a * R ] = R * (softmax(z) - onehot(a)), row by row.
    logits = tf.constant([[0.3, -1.2, 2.0], [1.0, 1.0, -0.5]], tf.float32)
    actions = np.array([2, 0])
    rewards = np.array([1.5, -0.5], np.float32)
    with tf.GradientTape() as tape:
        tape.watch(logits)
        loss = rein.cross_entropy_reward_loss(logits, actions, rewards)
    grad = tape.gradient(loss, logits).numpy()
    z = logits.numpy().astype(np.float64)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    want = rewards[:, None] * (p - np.eye(3)[actions])
    np.testing.assert_allclose(grad, want, rtol=1e-5, atol=1e-6)


def test_cross_entropy_reward_loss_traces():
    f = tf.function(rein.cross_entropy_reward_loss)
    args = (np.zeros((4, 3), np.float32), np.array([0, 1, 2, 0], np.int32), np.ones(4, np.float32))
    np.testing.assert_allclose(float(f(*args)), 4 * np.log(3), rtol=1e-6)


def test_log_weight():
    probs = np.array([0.5, 0.25], np.float32)
    weights = np.array([2.0, -4.0], np.float32)
    want = np.mean(np.log(probs) * weights)
    np.testing.assert_allclose(float(rein.log_weight(probs, weights)), want, rtol=1e-6)


def test_choice_action_by_probs_frequencies_and_reproducibility():
    rng = np.random.default_rng(0)
    draws = [rein.choice_action_by_probs([0.2, 0.0, 0.8], [1, 2, 3], rng=rng) for _ in range(4000)]
    counts = {a: draws.count(a) for a in (1, 2, 3)}
    assert counts[2] == 0  # a zero-probability action is never chosen
    assert 0.17 < counts[1] / 4000 < 0.23  # binomial std is 0.0063: 5 sigma
    a = [rein.choice_action_by_probs([0.3, 0.7], rng=np.random.default_rng(5)) for _ in range(3)]
    b = [rein.choice_action_by_probs([0.3, 0.7], rng=np.random.default_rng(5)) for _ in range(3)]
    assert a == b and all(isinstance(x, int) for x in a)


def test_choice_action_by_probs_accepts_float32_softmax():
    p = tf.nn.softmax(tf.constant([0.1, 0.2, 0.3, 5.0])).numpy()  # sums to 1 only in float32
    assert rein.choice_action_by_probs(p, rng=np.random.default_rng(0)) in range(4)


@pytest.mark.parametrize("probs, actions, match", [
    ([0.5, 0.5], [1, 2, 3], "action_list has 3"),
    ([-0.1, 1.1], None, ">= 0"),
    ([0.0, 0.0], None, "all be zero"),
    ([], None, "non-empty"),
], ids=["length", "negative", "zeros", "empty"])
def test_choice_action_by_probs_bad_arguments(probs, actions, match):
    with pytest.raises(ValueError, match=match):
        rein.choice_action_by_probs(probs, actions)
