"""Hogwild, Downpour and EASGD against a serial fit, by epoch and by wall time

Trains ``MLPClassifier(hidden_layer_sizes=(256, 128), solver='sgd')`` on a
synthetic 10-class problem (784 features, like MNIST's shape), serially and with
each parallel strategy over two worker processes. It plots the held-out
accuracy per epoch and per second of training, and prints a table of test
accuracy, epochs and seconds.

    python examples/parallel_sgd.py [--quick] [--out parallel_sgd.png]

``--quick`` uses 1,500 samples, a (32,) network and 4 epochs (a smoke run);
``--out`` is the path of the PNG to write.
"""

from __future__ import annotations

import argparse
import time
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_adamlp import MLPClassifier
from sklearn_adamlp.parallel import EASGD, Downpour, Hogwild

TABLE_HEADER = "| strategy | test accuracy | epochs | seconds |"
#: one colour, dash and marker per strategy: the curves lie close together
STYLES = {
    "serial": {"color": "k", "linestyle": "-", "marker": "o"},
    "hogwild x2": {"color": "tab:orange", "linestyle": "--", "marker": "s"},
    "downpour x2": {"color": "tab:green", "linestyle": "-.", "marker": "^"},
    "easgd x2": {"color": "tab:purple", "linestyle": ":", "marker": "D"},
}


def load(quick: bool):
    """A standardized synthetic problem, split into train and test."""
    X, y = make_classification(
        n_samples=1_500 if quick else 20_000,
        n_features=784,
        n_informative=40,
        n_classes=10,
        class_sep=2.0,
        random_state=0,
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def strategies() -> dict:
    """Label -> ``parallel`` value (None: the serial fit)."""
    return {
        "serial": None,
        "hogwild x2": Hogwild(n_workers=2),
        "downpour x2": Downpour(n_workers=2),
        "easgd x2": EASGD(n_workers=2),
    }


def train(parallel, data, quick: bool):
    """Fit one model, scoring the test set after every epoch."""
    X_train, X_test, y_train, y_test = data
    clf = MLPClassifier(
        hidden_layer_sizes=(32,) if quick else (256, 128),
        solver="sgd",
        learning_rate_init=0.01,
        batch_size=128,
        max_iter=4 if quick else 15,
        random_state=0,
        parallel=parallel,
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train, validation_data=(X_test, y_test))
    return clf, time.perf_counter() - start


def parse_args(argv: list[str] | None):
    """Command-line options: ``--quick`` and ``--out``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--out", default="parallel_sgd.png", help="PNG to write")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Train, plot and print the table; ``argv`` defaults to ``sys.argv[1:]``."""
    args = parse_args(argv)
    data = load(args.quick)
    fig, (ax_epoch, ax_time) = plt.subplots(1, 2, figsize=(12, 4.5))
    print(TABLE_HEADER)
    print("|---|---:|---:|---:|")
    for label, parallel in strategies().items():
        clf, seconds = train(parallel, data, args.quick)
        hist = clf.history_
        ax_epoch.plot(hist["epoch"], hist["val_score"], label=label, **STYLES[label])
        # validation scoring is inside the epoch times; it is the same for all
        ax_time.plot(
            np.cumsum(hist["seconds"]), hist["val_score"], label=label,
            **STYLES[label],
        )  # fmt: skip
        score = clf.score(data[1], data[3])
        print(f"| {label} | {score:.4f} | {clf.n_iter_} | {seconds:.2f} |")
    ax_epoch.set(xlabel="epoch", ylabel="held-out accuracy", ylim=(0.0, 1.02))
    ax_time.set(
        xlabel="wall time of training (seconds)", ylabel="held-out accuracy",
        ylim=(0.0, 1.02),
    )  # fmt: skip
    ax_epoch.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax_epoch.legend()
    fig.suptitle(
        "Serial SGD against three ways of sharing it between 2 worker processes"
    )
    fig.tight_layout()
    fig.savefig(args.out, dpi=100)
    print(f"\nsaved {args.out}")


if __name__ == "__main__":
    main()
