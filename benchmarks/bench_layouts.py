"""A default fit on digits as users hold it: raw, as a DataFrame, C-ordered.

``load_digits()``'s ``X`` is a column slice of a wider array (strided), and a
DataFrame's values are Fortran-ordered; ``benchmarks.run`` fits standardized
digits, a C-ordered array. Prints a markdown table of median whole-fit seconds
of ``MLPClassifier(random_state=0)`` from sklearn-adamlp and scikit-learn, side
by side in one run, and their ratio.

    python -m benchmarks.bench_layouts            # 5 repetitions, default fit
    python -m benchmarks.bench_layouts --quick    # 1 repetition, 5 epochs
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SkMLP

from sklearn_adamlp import MLPClassifier


def layouts() -> dict:
    """Name -> (X, y) of the same digits in three memory layouts."""
    X, y = load_digits(return_X_y=True)
    return {
        "load_digits X (strided)": (X, y),
        "DataFrame (Fortran-ordered)": (pd.DataFrame(X), y),
        "C-ordered copy": (np.ascontiguousarray(X), y),
    }


def _seconds(cls, X, y, max_iter: int) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        cls(random_state=0, max_iter=max_iter).fit(X, y)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 rep, 5 epochs")
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)
    reps, max_iter = (1, 5) if args.quick else (args.reps, 200)
    data = layouts()
    times: dict = {(name, peer): [] for name in data for peer in ("adamlp", "sk")}
    for _ in range(reps):  # interleaved: every case sees the same load
        for name, (X, y) in data.items():
            times[name, "adamlp"].append(_seconds(MLPClassifier, X, y, max_iter))
            times[name, "sk"].append(_seconds(SkMLP, X, y, max_iter))
    rows = []
    print(f"medians of {reps} default fits (max_iter={max_iter})\n")
    print("| X | adamlp s | sklearn s | ratio |\n|---|---:|---:|---:|")
    for name in data:
        ours = float(np.median(times[name, "adamlp"]))
        theirs = float(np.median(times[name, "sk"]))
        rows.append({"layout": name, "adamlp": ours, "sklearn": theirs})
        print(f"| {name} | {ours:.3f} | {theirs:.3f} | {ours / theirs:.2f}x |")
    return rows


if __name__ == "__main__":
    main()
