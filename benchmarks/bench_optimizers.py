"""Time one ``step`` of every optimizer on a flat float64 buffer.

Prints a markdown table: median time per step, its ratio to plain
``p -= lr * g`` measured in the same run, and the peak memory a step allocates
(tracemalloc; numpy reports its array allocations to it).

    python benchmarks/bench_optimizers.py            # 1,000,000 parameters
    python benchmarks/bench_optimizers.py --quick    # 10,000 parameters (CI smoke)
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np

from sklearn_adamlp import optimizers


def _median_seconds(step, p, g, g0, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        np.copyto(g, g0)  # grads are scratch for the optimizers: refresh them
        start = time.perf_counter()
        step(p, g)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def _peak_bytes(step, p, g, g0) -> int:
    np.copyto(g, g0)
    tracemalloc.start()
    tracemalloc.reset_peak()
    step(p, g)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def _plain_sgd(p, g, lr=1e-3):
    p -= lr * g


def _stepper(opt):
    def step(p, g):
        opt.step([p], [g])

    return step


def _kwargs(name: str) -> dict:
    # keep every rule away from overflow over many repeated steps
    return {"learning_rate": 1e-6} if name != "rprop" else {"learning_rate": 1e-9}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 params, few runs")
    parser.add_argument("--size", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args(argv)
    size = args.size or (10_000 if args.quick else 1_000_000)
    repeats = args.repeats or (5 if args.quick else 100)
    rng = np.random.default_rng(0)
    p0 = rng.normal(size=size)
    g0 = rng.normal(size=size)
    p, g = p0.copy(), np.empty_like(g0)

    base = _median_seconds(_plain_sgd, p, g, g0, repeats)
    base_peak = _peak_bytes(_plain_sgd, p, g, g0)
    print(f"{size:,} float64 parameters, median of {repeats} steps")
    print()
    print("| optimizer | ms / step | x plain SGD | peak alloc / step |")
    print("|---|---:|---:|---:|")
    print(f"| `p -= lr * g` | {base * 1e3:.3f} | 1.00 | {base_peak / 1024:.1f} KiB |")
    worst = 0.0
    for name in optimizers.available():
        cls = optimizers.get(name)
        if not hasattr(cls, "step"):
            continue  # lbfgs is a minimizer, not a stepper
        opt = cls(**_kwargs(name))
        step = _stepper(opt)
        np.copyto(p, p0)
        step(p, g0.copy())  # allocate the state outside the timings
        seconds = _median_seconds(step, p, g, g0, repeats)
        peak = _peak_bytes(step, p, g, g0)
        ratio = seconds / base
        worst = max(worst, ratio)
        print(f"| {name} | {seconds * 1e3:.3f} | {ratio:.2f} | {peak / 1024:.1f} KiB |")
    print()
    print(f"array size {p.nbytes / 1024:.0f} KiB; worst ratio {worst:.2f}")


if __name__ == "__main__":
    main()
