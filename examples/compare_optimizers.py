"""Compare every optimizer of sklearn_adamlp on the digits data set.

Trains ``MLPClassifier(hidden_layer_sizes=(64,), activation='relu')`` once per
optimizer (each with its own default hyper-parameters; Rprop on full batches;
the minimizers L-BFGS, Quickprop and Newton-CG always see the whole set), plots
the training loss and the validation accuracy per epoch from
``history_`` and prints a table of test accuracy, epochs and seconds.

    python examples/compare_optimizers.py [--quick] [--out compare_optimizers.png]

``--quick`` trains on 600 samples for at most 30 epochs (a smoke run of a few
seconds); ``--out`` is the path of the PNG to write.
"""

from __future__ import annotations

import argparse
import time
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_adamlp import MLPClassifier, optimizers

FULL_BATCH = {"rprop"}
TABLE_HEADER = "| optimizer | test accuracy | epochs | seconds |"


def load(quick: bool):
    """Standardized digits split into train and test (600 samples if quick)."""
    X, y = load_digits(return_X_y=True)
    if quick:
        X, y = X[:600], y[:600]
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def train(name: str, X_train, y_train, max_iter: int):
    """Fit the MLP with optimizer ``name`` at its defaults; return it and seconds."""
    minimizer = hasattr(optimizers.get(name), "minimize")
    clf = MLPClassifier(
        hidden_layer_sizes=(64,),
        activation="relu",
        solver=optimizers.get(name)(),  # the optimizer's own defaults
        # 'full': the training rows left after early stopping's validation split
        batch_size="full" if name in FULL_BATCH else "auto",
        early_stopping=not minimizer,  # fills history_'s val_score
        n_iter_no_change=20,
        max_iter=max_iter,
        random_state=0,
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train)
    return clf, time.perf_counter() - start


def parse_args(argv: list[str] | None):
    """Command-line options: ``--quick`` and ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="600 samples, 30 epochs")
    parser.add_argument(
        "--out", default="compare_optimizers.png", help="path of the PNG to write"
    )
    return parser.parse_args(argv)


def print_table(rows: list[tuple]) -> None:
    """Print ``(name, accuracy, epochs, seconds)`` rows as markdown, best first."""
    print(TABLE_HEADER)
    print("|---|---:|---:|---:|")
    for name, acc, epochs, seconds in sorted(rows, key=lambda r: -r[1]):
        print(f"| {name} | {acc:.4f} | {epochs} | {seconds:.2f} |")


def main(argv: list[str] | None = None) -> None:
    """Train, plot and print the table; ``argv`` defaults to ``sys.argv[1:]``."""
    args = parse_args(argv)
    X_train, X_test, y_train, y_test = load(args.quick)
    max_iter = 30 if args.quick else 200

    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(12, 4.5))
    rows = []
    for i, name in enumerate(optimizers.available()):
        clf, seconds = train(name, X_train, y_train, max_iter)
        hist = clf.history_
        style = {"color": plt.cm.tab20(i % 20), "ls": ("-", "--", ":")[i % 3]}
        ax_loss.plot(hist["epoch"], hist["loss"], label=name, **style)
        if hist["val_score"].notna().any():
            ax_acc.plot(hist["epoch"], hist["val_score"], label=name, **style)
        rows.append((name, clf.score(X_test, y_test), clf.n_iter_, seconds))
    ax_loss.set(xlabel="epoch", ylabel="training loss", yscale="log")
    ax_acc.set(xlabel="epoch", ylabel="validation accuracy", ylim=(0.5, 1.0))
    ax_loss.legend(ncol=2, fontsize="small")
    fig.suptitle("sklearn_adamlp optimizers on digits (defaults, MLP 64 relu)")
    fig.tight_layout()
    fig.savefig(args.out, dpi=100)

    print_table(rows)
    print(f"\nsaved {args.out}")


if __name__ == "__main__":
    main()
