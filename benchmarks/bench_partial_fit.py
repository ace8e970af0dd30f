"""Time per ``partial_fit`` call: streaming digits in batches of 200, 10 and 1 rows.

Incremental learning calls ``partial_fit`` once per arriving batch, so its fixed
cost (validation, label encoding, setting up the epoch) matters as much as the
training step. Prints a markdown table of the median seconds per call over one
pass through 1,600 standardized digits, for sklearn-adamlp and scikit-learn's
``MLPClassifier`` (defaults, ``random_state=0``), side by side in one run.

    python -m benchmarks.bench_partial_fit            # 3 repetitions
    python -m benchmarks.bench_partial_fit --quick    # 1 repetition, 80 rows
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.neural_network import MLPClassifier as SkMLP
from sklearn.preprocessing import StandardScaler

from sklearn_adamlp import MLPClassifier

BATCHES = (200, 10, 1)


def _per_call(cls, X, y, batch: int) -> float:
    """Seconds per call of one pass through ``X`` (after a first call)."""
    est = cls(random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.partial_fit(X[:batch], y[:batch], classes=np.unique(y))
        starts = range(0, len(X), batch)
        start = time.perf_counter()
        for i in starts:
            est.partial_fit(X[i : i + batch], y[i : i + batch])
    return (time.perf_counter() - start) / len(starts)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 rep, 80 rows")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args(argv)
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    n, reps = (80, 1) if args.quick else (1600, args.reps)
    X, y = X[:n], y[:n]
    rows = []
    print(f"medians of {reps} passes through {n} digits\n")
    print("| rows per call | adamlp us | sklearn us | ratio |\n|---:|---:|---:|---:|")
    for batch in BATCHES:
        ours, theirs = [], []
        for _ in range(reps):  # interleaved: both see the same load
            ours.append(_per_call(MLPClassifier, X, y, batch))
            theirs.append(_per_call(SkMLP, X, y, batch))
        a, b = float(np.median(ours)), float(np.median(theirs))
        rows.append({"batch": batch, "adamlp": a, "sklearn": b})
        print(f"| {batch} | {a * 1e6:.0f} | {b * 1e6:.0f} | {a / b:.2f}x |")
    return rows


if __name__ == "__main__":
    main()
