"""Tests for tlcore_rl/pong.py on real frames from ale-py (skipped where the ROM is missing)."""
from __future__ import annotations

import numpy as np
import pytest

from tlcore_rl import pong


@pytest.fixture(scope="module")
def frames():
    """Frames 0, 30 and 31 of a Pong game played with fixed actions."""
    try:
        env = pong.make_env()
    except Exception as e:  # no ale-py, or a build without the Pong ROM
        pytest.skip(f"ALE/Pong-v5 unavailable: {e}")
    obs, _ = env.reset(seed=0)
    out = [obs]
    for t in range(31):
        obs, *_ = env.step(pong.ACTIONS[t % 3])
        out.append(obs)
    env.close()
    return out[0], out[30], out[31]


def test_env_matches_the_seed_settings():
    try:
        env = pong.make_env()
    except Exception as e:
        pytest.skip(f"ALE/Pong-v5 unavailable: {e}")
    ale = env.unwrapped
    # Pong-v0: random frameskip 2..4 and sticky actions, minimal action set with the seed's
    # 1 (FIRE = stay), 2 (RIGHT = up), 3 (LEFT = down).
    assert env.spec.kwargs["frameskip"] == (2, 5)
    assert env.spec.kwargs["repeat_action_probability"] == 0.25
    meanings = ale.get_action_meanings()
    assert [meanings[a] for a in pong.ACTIONS] == ["FIRE", "RIGHT", "LEFT"]
    env.close()


def test_prepro_real_frame(frames):
    f0, f30, _ = frames
    assert f0.shape == (210, 160, 3) and f0.dtype == np.uint8
    x = pong.prepro(f30)
    assert x.shape == (pong.D,) and x.dtype == np.float32
    assert set(np.unique(x)) <= {0.0, 1.0}
    assert 0 < x.sum() < 0.1 * pong.D  # paddles (and ball) only, the background is erased
    # the oracle, written out from the seed's steps
    img = f30[35:195][::2, ::2, 0].copy()
    img[img == 144] = 0
    img[img == 109] = 0
    img[img != 0] = 1
    np.testing.assert_array_equal(x, img.astype(np.float32).ravel())


def test_frame_difference(frames):
    _, f30, f31 = frames
    pre = pong.PongPreprocessor()
    first = pre(f30)
    np.testing.assert_array_equal(first, np.zeros(pong.D, np.float32))  # no previous frame
    diff = pre(f31)
    np.testing.assert_array_equal(diff, pong.prepro(f31) - pong.prepro(f30))
    assert set(np.unique(diff)) <= {-1.0, 0.0, 1.0} and np.any(diff != 0)  # things moved
    pre.reset()
    np.testing.assert_array_equal(pre(f31), np.zeros(pong.D, np.float32))


def test_prepro_rejects_other_shapes():
    with pytest.raises(ValueError, match="210x160"):
        pong.prepro(np.zeros((84, 84), np.uint8))


def test_network_matches_the_seed():
    net = pong.build_network()
    assert net.output_shape == (None, 3)
    assert [tuple(v.shape) for v in net.all_params] == [(6400, 200), (200,), (200, 3), (3,)]
    assert net.count_params() == 1280803  # the seed's "num of params: 1280803"


def test_sparse_numpy_actor_matches_the_network(frames):
    from tlcore_rl._common import NumpyDenseChain

    net = pong.build_network()
    actor = NumpyDenseChain.try_build(net)
    assert actor is not None
    _, f30, f31 = frames
    x = pong.prepro(f31) - pong.prepro(f30)
    np.testing.assert_allclose(actor(x), net(x[None]).numpy()[0], rtol=1e-4, atol=1e-5)
    dense = pong.prepro(f31)
    np.testing.assert_allclose(actor(dense), net(dense[None]).numpy()[0], rtol=1e-4, atol=1e-5)
    # a network it does not know runs through TF instead
    import tlcore as tl

    other = tl.layers.DenseLayer(tl.layers.InputLayer([None, 4]), n_units=2, act=lambda z: z * 2)
    assert NumpyDenseChain.try_build(other) is None


def test_initial_weights_have_the_seed_statistics():
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    W1, _, W2, _ = (v.numpy() for v in pong.build_network().all_params)
    assert abs(W1.std() - 0.0174) < 0.001 and abs(W2.std() - 0.099) < 0.01
