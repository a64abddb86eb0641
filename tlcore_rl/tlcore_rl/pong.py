"""The seed's Pong agent (tutorial_atari_pong.py) on gymnasium + ale-py.

Environment: ``ALE/Pong-v5`` with the settings of gym's ``Pong-v0``, which the seed used:
``frameskip=(2, 5)`` (each action repeats for 2, 3 or 4 frames, drawn uniformly),
``repeat_action_probability=0.25`` (sticky actions), the minimal action set of 6 actions, RGB
observations of 210x160x3. (``ALE/Pong-v5`` alone would use a fixed frameskip of 4.) ale-py
ships the Pong ROM, so nothing is downloaded.

Preprocessing (Karpathy's, as in the seed): crop rows 35:195, keep every second row and column
of the red channel, erase the two background colours (144 and 109), set everything else (paddles,
ball) to 1, flatten to 6400 values; the network sees the difference of two consecutive frames.

Network: ``InputLayer 6400 -> DenseLayer 200 relu -> DenseLayer 3``; outputs 0, 1, 2 play the
env actions 1 (FIRE: the paddle stays, "STOP"), 2 (RIGHT: "UP") and 3 (LEFT: "DOWN").
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from tlcore.owner import Network

__all__ = ["ACTIONS", "D", "PongPreprocessor", "build_network", "main", "make_env", "prepro"]

#: network output i plays env action ACTIONS[i]: 1 STOP, 2 UP, 3 DOWN (as in the seed)
ACTIONS = (1, 2, 3)
#: input dimension: 80 x 80
D = 80 * 80
#: the gym id the seed used, and the settings that reproduce it on ALE/Pong-v5
ENV_ID = "ALE/Pong-v5"
ENV_KWARGS: dict[str, Any] = {"frameskip": (2, 5), "repeat_action_probability": 0.25,
                              "full_action_space": False}


def prepro(frame: np.ndarray) -> np.ndarray:
    """One 210x160x3 uint8 frame -> 6400 float32 values in {0, 1} (the seed's ``prepro``)."""
    frame = np.asarray(frame)
    if frame.shape[:2] != (210, 160):
        raise ValueError(f"prepro: expected a 210x160(x3) Atari frame, received shape "
                         f"{frame.shape}")
    img = frame[35:195:2, ::2, 0] if frame.ndim == 3 else frame[35:195:2, ::2]
    # Background 144 (and 109 in some versions of the game) -> 0, anything else -> 1.
    out = (img != 144) & (img != 109) & (img != 0)
    return out.astype(np.float32).reshape(-1)


class PongPreprocessor:
    """Stateful preprocessing: the difference of this frame and the previous one.

    The first frame of an episode gives zeros, as in the seed (``prev_x = None``). Call
    :meth:`reset` at the start of every episode (the trainers do).
    """

    def __init__(self) -> None:
        self.prev: np.ndarray | None = None

    def reset(self) -> None:
        self.prev = None

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        cur = prepro(frame)
        x = cur - self.prev if self.prev is not None else np.zeros(D, np.float32)
        self.prev = cur
        return x


def make_env(render: bool = False, **overrides: Any) -> Any:
    """``ALE/Pong-v5`` configured as the seed's ``Pong-v0`` (see the module docstring)."""
    import ale_py
    import gymnasium

    gymnasium.register_envs(ale_py)
    kwargs = {**ENV_KWARGS, **overrides}
    if render:
        kwargs["render_mode"] = "human"
    return gymnasium.make(ENV_ID, **kwargs)


def build_network(name_prefix: str = "") -> Any:
    """``Input 6400 -> Dense 200 relu -> Dense 3`` with the seed's layer names.

    Weights start Glorot-uniform, as the seed's printed statistics show (std 0.0174 for the
    6400x200 matrix, 0.097 for 200x3), not with DenseLayer's default truncated normal 0.1.
    """
    import keras
    import tensorflow as tf

    import tlcore as tl

    net = tl.layers.InputLayer([None, D], name=f"{name_prefix}input_layer")
    net = tl.layers.DenseLayer(net, n_units=200, act=tf.nn.relu,
                               W_init=keras.initializers.GlorotUniform(),
                               name=f"{name_prefix}relu1")
    return tl.layers.DenseLayer(net, n_units=3, W_init=keras.initializers.GlorotUniform(),
                                name=f"{name_prefix}output_layer")


def make_trainer(network: Network, env: Any, *, seed: int | None = None, batch_size: int = 10,
                 learning_rate: float = 1e-4, log_games: bool = True) -> Any:
    """The seed's agent: RMSProp(1e-4, rho 0.99), gamma 0.99, an update every 10 episodes."""
    import keras

    from tlcore_rl.policy_gradient import PolicyGradient

    return PolicyGradient(network, keras.optimizers.RMSprop(learning_rate, rho=0.99), env,
                          gamma=0.99, batch_size=batch_size, discount_mode=0,
                          action_list=ACTIONS, preprocess=PongPreprocessor(), store_dtype=np.int8,
                          seed=seed, log_games=log_games)


def main(args: Any) -> int:
    """``tlcore run pong [--episodes N] [--resume] [--render]``: train the seed's Pong agent.

    Saves ``<out>/model_pong.npz`` every 1000 episodes (as the seed) and at the end.
    """
    import os

    from tlcore_rl.examples import (list_pictures, parse_example_options, reward_curve,
                                    set_result, setup_example)

    def options(p: Any) -> None:
        p.add_argument("--episodes", type=int, default=None,
                       help="episodes to play (default: --epochs, else run until interrupted)")
        p.add_argument("--resume", action="store_true", help="continue from <out>/model_pong.npz")
        p.add_argument("--render", action="store_true", help="show the game (needs a display)")
        p.add_argument("--lr", type=float, default=1e-4, help="RMSProp learning rate")
        p.add_argument("--save-every", type=int, default=1000, help="episodes between saves")

    opts = parse_example_options(
        args, "pong", "policy-gradient Pong from pixels (the seed's tutorial)", options)
    setup_example(opts)
    episodes = opts.episodes if opts.episodes is not None else (opts.epochs or 10**9)
    env = make_env(render=opts.render)
    net = build_network()
    if not opts.quiet:
        net.print_params()
        net.print_layers()
    pg = make_trainer(net, env, seed=opts.seed, batch_size=opts.batch_size or 10,
                      learning_rate=opts.lr)
    path = os.path.join(opts.out, "model_pong.npz")
    if opts.resume:
        pg.load(path)
    try:
        pg.train(episodes, save_path=path, save_every=opts.save_every)
    except KeyboardInterrupt:
        pg.save(path)
    finally:
        env.close()
    from tlcore_rl._common import logger

    logger.info("saved %s after %d episodes", path, pg.episode)
    set_result(args, model=path, episodes=pg.episode)
    reward_curve(pg, args, opts, "pong")
    frame_picture(args, opts)
    list_pictures(args)
    return 0


def frame_picture(args: Any, opts: Any, steps: int = 60) -> str:
    """``<out>/frame_pong.png``: one frame after ``steps`` no-op steps of a new game, as the
    network's input sees it (``prepro``: 80x80, background 0, paddles and ball 1)."""
    import os

    import tlcore as tl
    from tlcore.examples.support import add_pictures

    env = make_env()
    try:
        frame, _ = env.reset(seed=opts.seed)
        for _ in range(steps):
            frame, *_ = env.step(0)
    finally:
        env.close()
    path = tl.vis.frame(prepro(frame).reshape(80, 80), second=5, saveable=True,
                        name=os.path.join(opts.out, "frame_pong"), cmap="gray")
    add_pictures(args, path)
    return path
