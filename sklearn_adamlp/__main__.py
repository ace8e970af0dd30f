"""``python -m sklearn_adamlp``: the demo on scikit-learn's digits data.

Trains sklearn-adamlp's MLPClassifier and scikit-learn's MLPClassifier with the
same settings on the same split of the digits data and prints, side by side,
test accuracy, epochs and seconds per epoch (median of a few repeats).
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SklearnMLP
from sklearn.preprocessing import StandardScaler

from sklearn_adamlp import MLPClassifier, __version__, _jit


def _run(estimator, X_train, y_train, X_test, y_test, repeats):
    times = []
    for _ in range(repeats):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            t0 = time.perf_counter()
            estimator.fit(X_train, y_train)
            times.append((time.perf_counter() - t0) / estimator.n_iter_)
    return estimator.score(X_test, y_test), estimator.n_iter_, statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    """Print the side-by-side comparison."""
    parser = argparse.ArgumentParser(prog="python -m sklearn_adamlp")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--solver", default="adam")
    parser.add_argument("--max-iter", type=int, default=200)
    args = parser.parse_args(argv)

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    settings = {
        "hidden_layer_sizes": (100,),
        "solver": args.solver,
        "max_iter": args.max_iter,
        "random_state": 0,
    }
    print(
        f"sklearn-adamlp {__version__}: digits, {len(X_train)} train / "
        f"{len(X_test)} test samples, settings {settings}\n"
    )
    rows = [
        ("sklearn MLPClassifier", SklearnMLP(**settings), np.float64),
        ("sklearn-adamlp", MLPClassifier(**settings), np.float64),
        ("sklearn-adamlp float32", MLPClassifier(**settings), np.float32),
    ]
    print(f"{'estimator':<24} {'test accuracy':>13} {'epochs':>7} {'s/epoch':>10}")
    base = None
    for name, est, dtype in rows:
        acc, epochs, per_epoch = _run(
            est,
            X_train.astype(dtype),
            y_train,
            X_test.astype(dtype),
            y_test,
            args.repeats,
        )
        base = base or per_epoch
        print(
            f"{name:<24} {acc:>13.4f} {epochs:>7d} {per_epoch:>10.5f}"
            f"  ({base / per_epoch:.2f}x sklearn's speed)"
        )
    print(f"\nsklearn-adamlp ran {_jit.describe()}")


if __name__ == "__main__":
    main()
