"""Plot every learning-rate schedule, and SGD's loss on digits under each.

Left: the factor of the base rate over 100 epochs for each built-in schedule.
Right: the training loss per epoch of ``MLPClassifier(solver='sgd')`` on the
standardized digits under each schedule (``loss_curve_``), with the test accuracy
in the legend.

    python examples/schedules.py [--quick] [--out schedules.png]

``--quick`` trains on 600 samples for 20 epochs (a smoke run of a few seconds);
``--out`` is the path of the PNG to write.
"""

from __future__ import annotations

import argparse
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_adamlp import MLPClassifier
from sklearn_adamlp.schedules import (
    Constant,
    Cosine,
    CosineRestarts,
    Exponential,
    Plateau,
    Step,
    Warmup,
)


def schedules(epochs: int) -> dict:
    """One instance of each built-in schedule for a run of ``epochs`` epochs."""
    return {
        "constant": Constant(),
        "step (0.5 / 10)": Step(drop=0.5, every=10),
        "exponential (k=0.05)": Exponential(k=0.05),
        "plateau (/10 at fit; factor 1)": Plateau(factor=10.0, patience=5),
        "cosine": Cosine(T_max=epochs),
        "cosine_restarts (10, x2)": CosineRestarts(T_0=10, T_mult=2),
        "warmup 5 + cosine": Warmup(Cosine(T_max=epochs - 5), epochs=5),
    }


def load(quick: bool):
    """Standardized digits split into train and test (600 samples if quick)."""
    X, y = load_digits(return_X_y=True)
    if quick:
        X, y = X[:600], y[:600]
    Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=0, stratify=y)
    scaler = StandardScaler().fit(Xtr)
    return scaler.transform(Xtr), scaler.transform(Xte), ytr, yte


def fit_sgd(sched, epochs: int, Xtr, ytr) -> MLPClassifier:
    """SGD (momentum 0.9, lr 0.1) for exactly ``epochs`` epochs under ``sched``."""
    est = MLPClassifier(
        hidden_layer_sizes=(64,),
        solver="sgd",
        learning_rate=sched,
        learning_rate_init=0.1,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=np.inf,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(Xtr, ytr)
    return est


def parse_args(argv: list[str] | None):
    """Command-line options: ``--quick`` and ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="600 samples, 20 epochs")
    parser.add_argument(
        "--out", default="schedules.png", help="path of the PNG to write"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Plot and print; ``argv`` defaults to ``sys.argv[1:]``."""
    args = parse_args(argv)
    epochs = 20 if args.quick else 100
    Xtr, Xte, ytr, yte = load(args.quick)

    fig, (ax_lr, ax_loss) = plt.subplots(1, 2, figsize=(13, 5))
    e = np.arange(100)
    for label, sched in schedules(100).items():
        ax_lr.plot(e, [sched(t) for t in e], label=label)
    ax_lr.set(title="Factor of the base learning rate", xlabel="epoch")
    ax_lr.legend(fontsize=8)

    runs = schedules(epochs)
    width = max(map(len, runs))
    for label, sched in runs.items():
        est = fit_sgd(sched, epochs, Xtr, ytr)
        acc = est.score(Xte, yte)
        ax_loss.plot(est.loss_curve_, label=f"{label}: test acc {acc:.3f}")
        print(f"{label:{width}s} final loss {est.loss_:.4f}  test accuracy {acc:.3f}")
    ax_loss.set(
        title="SGD on digits (momentum 0.9, lr 0.1)",
        xlabel="epoch",
        ylabel="training loss",
        yscale="log",
    )
    ax_loss.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(args.out, dpi=100)
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
