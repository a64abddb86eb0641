"""Runnable examples for ``tlcore run``: ``cartpole``, ``cartpole-dqn`` (``pong`` is in pong.py).

Each ``main(args)`` takes the Namespace of ``tlcore run`` and parses ``args.extra`` itself. The
common options (``--seed``, ``--out``, ``--epochs``, ``--batch-size``, ``--quiet``) are accepted
there too, because ``tlcore run NAME --seed 0`` puts everything after NAME into ``extra``.
``--epochs`` means episodes for these examples.
"""
from __future__ import annotations

import argparse
import os
import time
from typing import Any

#: CartPole counts as solved at a mean return of 195 over 100 consecutive episodes.
SOLVED, WINDOW = 195.0, 100


def example_parser(name: str, args: Any, description: str) -> argparse.ArgumentParser:
    """A parser for ``args.extra`` whose common options default to the values in ``args``."""
    p = argparse.ArgumentParser(prog=f"tlcore run {name}", description=description)
    p.add_argument("--seed", type=int, default=getattr(args, "seed", None))
    p.add_argument("--out", default=getattr(args, "out", None) or "out")
    p.add_argument("--epochs", type=int, default=getattr(args, "epochs", None),
                   help="same as --episodes")
    p.add_argument("--batch-size", type=int, default=getattr(args, "batch_size", None))
    p.add_argument("--quiet", action="store_true", default=bool(getattr(args, "quiet", False)))
    p.add_argument("--data-dir", default=getattr(args, "data_dir", None), help="unused")
    return p


def setup_example(opts: argparse.Namespace) -> None:
    """Logging on (unless --quiet: warnings only), seeds set, output folder made."""
    import logging

    import tlcore as tl

    tl.set_verbosity(logging.WARNING if opts.quiet else logging.INFO)
    if opts.seed is not None:
        import keras

        keras.utils.set_random_seed(opts.seed)  # Python, numpy and TF: the initial weights
    os.makedirs(opts.out, exist_ok=True)


def _mlp(n_in: int, hidden: tuple[int, ...], n_out: int, seed: int) -> Any:
    """Dense stack with TensorLayer's truncated-normal(0.1) weights, seeded per layer so that
    the initial weights depend on ``seed`` only (not on what else drew random numbers)."""
    import keras
    import tensorflow as tf

    import tlcore as tl

    def init(i: int) -> Any:
        return keras.initializers.TruncatedNormal(stddev=0.1, seed=seed * 100 + i)

    net = tl.layers.InputLayer([None, n_in], name="input")
    for i, h in enumerate(hidden):
        net = tl.layers.DenseLayer(net, n_units=h, act=tf.nn.relu, W_init=init(i),
                                   name=f"relu{i + 1}")
    return tl.layers.DenseLayer(net, n_units=n_out, W_init=init(len(hidden)), name="output")


def set_result(args: Any, **values: Any) -> None:
    """Tell ``tlcore run`` what to print at the end (``args.result``, when it has one)."""
    result = getattr(args, "result", None)
    if isinstance(result, dict):
        result.update(values)


def reward_curve(trainer: Any, args: Any, opts: argparse.Namespace, name: str,
                 target: float | None = None) -> str | None:
    """``<out>/rewards_<name>.png``: the return of every episode played in this run and its
    running mean over the last ``WINDOW`` episodes (and the ``target``, when there is one)."""
    import numpy as np

    import tlcore as tl
    from tlcore.examples.support import add_pictures

    returns = [float(r) for r in trainer.returns]
    if not returns:
        return None
    first = trainer.episode - len(returns) + 1  # a resumed run continues the count
    means = [float(np.mean(returns[max(0, i + 1 - WINDOW):i + 1])) for i in range(len(returns))]
    series = {"episode return": returns, f"mean of the last {WINDOW}": means}
    if target is not None:
        series[f"solved ({target:g})"] = [target] * len(returns)
    path = tl.vis.curves(series, x=list(range(first, first + len(returns))),
                         title=f"{name}: return per episode", xlabel="episode",
                         ylabel="return", name=os.path.join(opts.out, f"rewards_{name}"))
    add_pictures(args, path)
    return path


def list_pictures(args: Any) -> None:
    """The pictures written, at WARNING like the final report (so that --quiet shows them)."""
    import logging

    from tlcore.examples.support import list_pictures as listing

    listing(args, level=logging.WARNING)


def _report(kind: str, trainer: Any, t0: float, path: str) -> int:
    import numpy as np

    from tlcore_rl._common import logger

    mean = float(np.mean(trainer.returns[-WINDOW:])) if trainer.returns else float("nan")
    solved = len(trainer.returns) >= WINDOW and mean >= SOLVED
    logger.warning("%s: %s after %d episodes in %.1f min (mean return of the last %d: %.2f); "
                   "model saved to %s", kind, "solved" if solved else "NOT solved",
                   trainer.episode, (time.time() - t0) / 60, min(WINDOW, len(trainer.returns)),
                   mean, path)
    return 0 if solved else 1


def cartpole(args: Any) -> int:
    """``tlcore run cartpole``: policy gradient (REINFORCE) on CartPole-v1 until solved.

    Network 4 -> 32 relu -> 2, Adam(0.01), an update after every episode, gamma 0.99 with the
    textbook return (discount mode 1), returns normalized. Stops at a mean return >= 195 over
    100 consecutive episodes; saves ``<out>/model_cartpole.npz``.
    """
    import gymnasium
    import keras

    from tlcore_rl.policy_gradient import PolicyGradient

    p = example_parser("cartpole", args, "policy gradient on CartPole-v1")
    p.add_argument("--episodes", type=int, default=None, help="at most this many (default 2000)")
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--resume", action="store_true", help="continue from <out>/model_cartpole.npz")
    p.add_argument("--render", action="store_true", help="show the cart (needs pygame + a display)")
    opts = p.parse_args(args.extra or [])
    if opts.seed is None:
        opts.seed = 0
    setup_example(opts)
    env = gymnasium.make("CartPole-v1", render_mode="human" if opts.render else None)
    net = _mlp(4, (32,), 2, opts.seed)
    pg = PolicyGradient(net, keras.optimizers.Adam(opts.lr), env, gamma=0.99,
                        batch_size=opts.batch_size or 1, discount_mode=1, seed=opts.seed,
                        log_games=False, log_every=20)
    path = os.path.join(opts.out, "model_cartpole.npz")
    if opts.resume:
        pg.load(path)
    t0 = time.time()
    try:
        pg.train(opts.episodes or opts.epochs or 2000, target=SOLVED, window=WINDOW, save_path=path)
    finally:
        env.close()
    set_result(args, model=path, episodes=pg.episode)
    reward_curve(pg, args, opts, "cartpole", target=SOLVED)
    code = _report("cartpole (policy gradient)", pg, t0, path)
    list_pictures(args)
    return code


def cartpole_dqn(args: Any) -> int:
    """``tlcore run cartpole-dqn``: Double DQN on CartPole-v1 until solved.

    Q network 4 -> 128 relu -> 128 relu -> 2, Adam(5e-4), replay 50k, minibatch 128, Huber
    loss, a soft target (tau 0.005 after every update), epsilon 1 -> 0.05 over 5000 steps, an
    update every step after 1000. Stops at a mean return >= 195 over 100 consecutive
    (exploring) episodes; saves ``<out>/model_cartpole_dqn.npz``.
    """
    import gymnasium
    import keras

    from tlcore_rl.dqn import DQN

    p = example_parser("cartpole-dqn", args, "DQN on CartPole-v1")
    p.add_argument("--episodes", type=int, default=None, help="at most this many (default 1500)")
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--resume", action="store_true", help="start from <out>/model_cartpole_dqn.npz")
    p.add_argument("--render", action="store_true", help="show the cart (needs pygame + a display)")
    opts = p.parse_args(args.extra or [])
    if opts.seed is None:
        opts.seed = 0
    setup_example(opts)
    env = gymnasium.make("CartPole-v1", render_mode="human" if opts.render else None)
    net = _mlp(4, (128, 128), 2, opts.seed)
    dqn = DQN(net, keras.optimizers.Adam(opts.lr), env, batch_size=opts.batch_size or 128,
              tau=0.005, eps_decay_steps=5000, learning_starts=1000, seed=opts.seed, log_every=20)
    path = os.path.join(opts.out, "model_cartpole_dqn.npz")
    if opts.resume:
        dqn.load(path)
    t0 = time.time()
    try:
        dqn.train(opts.episodes or opts.epochs or 1500, target=SOLVED, window=WINDOW,
                  save_path=path)
    finally:
        env.close()
    set_result(args, model=path, episodes=dqn.episode)
    reward_curve(dqn, args, opts, "cartpole_dqn", target=SOLVED)
    code = _report("cartpole-dqn", dqn, t0, path)
    list_pictures(args)
    return code
