"""Pong: frames per second of the whole policy-gradient loop against the environment alone.

    .venv/bin/python benchmarks/bench_pong.py [--episodes 2] [--seed 0]

Three measurements, one process, same env settings (ALE/Pong-v5 as the seed's Pong-v0):

1. env alone: ``env.step`` with uniformly random actions from {1, 2, 3};
2. the trainer's loop (``PolicyGradient.train``): preprocessing + acting + storing + one update
   per ``--episodes`` episodes (batch_size = episodes, so every run includes an update);
3. a breakdown of one more episode by hand: env.step / preprocessing / acting (numpy sparse
   actor, and the compiled ``tf.function`` forward for comparison).

Frames are emulator frames (``info["frame_number"]``: 2 to 4 per step with the seed's frameskip).
The agent's share is ``1 - (loop fps) / (env fps)``. Times are CPU seconds of this process
(``time.process_time``), so that other jobs on a shared machine do not distort the ratio; wall
times are printed too.
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

clock = time.process_time  # CPU time: robust to a loaded machine

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def run_env_alone(env, episodes: int, seed: int) -> tuple[int, int, float]:
    rng = np.random.default_rng(seed)
    steps = frames = 0
    t0 = clock()
    w0 = time.perf_counter()
    for e in range(episodes):
        env.reset(seed=seed + e)
        done = False
        while not done:
            _, _, term, trunc, info = env.step(int(rng.integers(1, 4)))
            steps += 1
            done = term or trunc
        frames += int(info["frame_number"])
    print(f"(env alone: {time.perf_counter() - w0:.2f}s wall)")
    return steps, frames, clock() - t0


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--episodes", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    opts = p.parse_args()

    import keras

    from tlcore_rl import pong
    from tlcore_rl.rein import choice_action_by_probs

    keras.utils.set_random_seed(opts.seed)
    env = pong.make_env()

    s_env, f_env, t_env = run_env_alone(env, opts.episodes, opts.seed)

    net = pong.build_network()
    pg = pong.make_trainer(net, env, seed=opts.seed, batch_size=opts.episodes, log_games=False)
    pg.log_every = 10**9
    # trace the compiled update once outside the timing (a one-time cost per process)
    pg._buffer = [(np.zeros((4, pong.D), np.int8), np.zeros(4, np.int32),
                   np.array([0, -1, 0, 1], np.float32))]
    t0 = clock()
    pg.update()
    t_trace = clock() - t0
    pg.updates = 0
    update_times: list[float] = []
    update, density = pg.update, []

    def timed_update() -> float | None:
        x = np.concatenate([b[0] for b in pg._buffer])
        density.append(np.count_nonzero(x) / x.size)
        t = clock()
        out = update()
        update_times.append(clock() - t)
        return out

    pg.update = timed_update
    frames_seen: list[int] = []
    t0 = clock()
    w0 = time.perf_counter()
    pg.train(opts.episodes, on_episode=lambda tr, r: frames_seen.append(
        tr.env.unwrapped.ale.getEpisodeFrameNumber()))
    t_loop = clock() - t0
    w_loop = time.perf_counter() - w0
    f_loop = int(sum(frames_seen))
    loop_updates = pg.updates
    # a hand-timed episode: env.step / preprocessing / acting, per step
    pre = pong.PongPreprocessor()
    obs, _ = env.reset(seed=opts.seed + 1000)
    t_step = t_pre = t_act = t_tf = 0.0
    n = n_tf = 0
    done = False
    while not done:
        a = clock()
        x = pre(obs)
        b = clock()
        idx = choice_action_by_probs(pg.action_probs(x), rng=pg.rng)
        c = clock()
        obs, _, term, trunc, _ = env.step(pong.ACTIONS[idx])
        d = clock()
        if n % 10 == 0:  # the compiled TF forward, for comparison only
            pg._probs_tf(x[None]).numpy()
            t_tf += clock() - d
            n_tf += 1
        t_pre, t_act, t_step = t_pre + b - a, t_act + c - b, t_step + d - c
        n += 1
        done = term or trunc
    env.close()

    us = 1e6
    fps_env, fps_loop = f_env / t_env, f_loop / t_loop
    print(f"load average: {os.getloadavg()[0]:.2f} (2-core machine)")
    print(f"env alone       : {s_env} steps, {f_env} frames in {t_env:.2f}s -> {s_env / t_env:.0f} "
          f"steps/s, {fps_env:.0f} frames/s")
    print(f"PG loop (train) : {f_loop} frames in {t_loop:.2f}s -> {fps_loop:.0f} frames/s, "
          f"{loop_updates} update(s) over {opts.episodes} episodes included ({w_loop:.2f}s wall)")
    print(f"agent's share   : {1 - fps_loop / fps_env:.1%} of the loop (1 - loop fps / env fps)")
    print(f"one episode by hand, {n} steps, per step: env.step {t_step / n * us:.0f} us, "
          f"preprocessing {t_pre / n * us:.0f} us, acting {t_act / n * us:.0f} us "
          f"(numpy sparse actor); compiled tf.function forward {t_tf / n_tf * us:.0f} us")
    print(f"update on the loop's {opts.episodes} episodes (non-zeros {density[0]:.2%}, sparse "
          f"path): {update_times[0]:.2f}s, so ~{update_times[0] * 10 / opts.episodes:.2f}s per "
          f"seed batch of 10 episodes (compiled; the one-time trace took {t_trace:.2f}s)")


if __name__ == "__main__":
    main()
