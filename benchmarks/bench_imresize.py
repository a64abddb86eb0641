"""Time ``tl.prepro.imresize`` on a camera-sized image: 480x640x3 -> 224x224, per interpolation.

Reports the median of ``--reps`` calls (after one warm-up call) for a uint8 and a float32 image.
Run: ``python benchmarks/bench_imresize.py [--reps 20]``. Not run by CI.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from tlcore_vision import prepro


def _median_ms(fn: object, reps: int) -> float:
    fn()  # type: ignore[operator]
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    img8 = rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)
    img32 = img8.astype(np.float32) / 255
    print(f"{'interp':10s} {'uint8 ms':>10s} {'float32 ms':>11s}")
    for interp in ("nearest", "bilinear", "bicubic", "lanczos"):
        t8 = _median_ms(lambda i=interp: prepro.imresize(img8, (224, 224), i), args.reps)
        t32 = _median_ms(lambda i=interp: prepro.imresize(img32, (224, 224), i),
                         args.reps)
        print(f"{interp:10s} {t8:10.2f} {t32:11.2f}")


if __name__ == "__main__":
    main()
