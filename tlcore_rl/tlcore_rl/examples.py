"""Runnable examples for ``tlcore run``: ``cartpole``, ``cartpole-dqn`` (``pong`` is in pong.py).

Each ``main(args)`` takes the Namespace of ``tlcore run``, parses ``args.extra`` with the shared
example parser before importing TensorFlow (a fast ``--help``), and returns 0 when the run
finished, solved or not: a short run that stops before the "solved" threshold is not a failure,
the last log line says whether the threshold was reached. ``--epochs`` means episodes here.
"""
from __future__ import annotations

import argparse
import os
import time
from typing import Any, Callable

#: CartPole counts as solved at a mean return of 195 over 100 consecutive episodes.
SOLVED, WINDOW = 195.0, 100


def parse_example_options(args: Any, name: str, description: str,
                          add: Callable[[argparse.ArgumentParser], None]) -> argparse.Namespace:
    """The example's options from ``args.extra``, parsed by the shared example parser
    (``tlcore.examples.support.parse_options``) BEFORE TensorFlow or gymnasium is imported, so
    ``--help`` and a usage error are instant; the common options of ``tlcore run`` (which the
    CLI already took out of ``extra``) are copied from ``args`` onto the result."""
    from tlcore.examples.support import parse_options

    opts = parse_options(args, name, description + " (--epochs N is the same as --episodes N)",
                         add)
    opts.seed = getattr(args, "seed", None)
    opts.out = getattr(args, "out", None) or "out"
    opts.epochs = getattr(args, "epochs", None)
    opts.batch_size = getattr(args, "batch_size", None)
    opts.quiet = bool(getattr(args, "quiet", False))
    return opts


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
    """The final log line: solved or not, episodes, time, mean return; the exit code (0)."""
    import numpy as np

    from tlcore_rl._common import logger

    mean = float(np.mean(trainer.returns[-WINDOW:])) if trainer.returns else float("nan")
    solved = len(trainer.returns) >= WINDOW and mean >= SOLVED
    outcome = ("solved" if solved else
               f"did not reach the solved threshold (mean return >= {SOLVED:g} over {WINDOW} "
               f"consecutive episodes)")
    logger.warning("%s: %s after %d episodes in %.1f min (mean return of the last %d: %.2f); "
                   "model saved to %s", kind, outcome, trainer.episode, (time.time() - t0) / 60,
                   min(WINDOW, len(trainer.returns)), mean, path)
    return 0  # the run finished; not reaching the threshold (e.g. a smoke run) is no failure


def cartpole(args: Any) -> int:
    """``tlcore run cartpole``: policy gradient (REINFORCE) on CartPole-v1 until solved.

    Network 4 -> 32 relu -> 2, Adam(0.01), an update after every episode, gamma 0.99 with the
    textbook return (discount mode 1), returns normalized. Stops at a mean return >= 195 over
    100 consecutive episodes; saves ``<out>/model_cartpole.npz``.
    """
    def options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--episodes", type=int, default=None,
                       help="at most this many (default 2000)")
        p.add_argument("--lr", type=float, default=0.01, help="Adam learning rate")
        p.add_argument("--resume", action="store_true",
                       help="continue from <out>/model_cartpole.npz")
        p.add_argument("--render", action="store_true",
                       help="show the cart (needs pygame + a display)")

    opts = parse_example_options(args, "cartpole", "policy gradient on CartPole-v1", options)
    import gymnasium
    import keras

    from tlcore_rl.policy_gradient import PolicyGradient

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
    def options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--episodes", type=int, default=None,
                       help="at most this many (default 1500)")
        p.add_argument("--lr", type=float, default=5e-4, help="Adam learning rate")
        p.add_argument("--resume", action="store_true",
                       help="start from <out>/model_cartpole_dqn.npz")
        p.add_argument("--render", action="store_true",
                       help="show the cart (needs pygame + a display)")

    opts = parse_example_options(args, "cartpole-dqn", "DQN on CartPole-v1", options)
    import gymnasium
    import keras

    from tlcore_rl.dqn import DQN

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
