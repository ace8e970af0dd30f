"""Plot every learning-rate schedule, and SGD's loss on digits under each.

Left: the factor of the base rate over 100 epochs for each built-in schedule.
Right: the training loss per epoch of ``MLPClassifier(solver='sgd')`` on the
standardized digits under each schedule (``history_``), with the test accuracy
in the legend.

    python examples/schedules.py [--quick] [--out schedules.png]
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
    return {
        "constant": Constant(),
        "step (0.5 / 10)": Step(drop=0.5, every=10),
        "exponential (k=0.05)": Exponential(k=0.05),
        "plateau (/10 at fit; factor 1)": Plateau(factor=10.0, patience=5),
        "cosine": Cosine(T_max=epochs),
        "cosine_restarts (10, x2)": CosineRestarts(T_0=10, T_mult=2),
        "warmup 5 + cosine": Warmup(Cosine(T_max=epochs - 5), epochs=5),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="schedules.png")
    parser.add_argument("--quick", action="store_true", help="fewer epochs")
    args = parser.parse_args(argv)
    epochs = 20 if args.quick else 100

    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=0, stratify=y)
    scaler = StandardScaler().fit(Xtr)
    Xtr, Xte = scaler.transform(Xtr), scaler.transform(Xte)

    fig, (ax_lr, ax_loss) = plt.subplots(1, 2, figsize=(13, 5))
    e = np.arange(100)
    for label, sched in schedules(100).items():
        ax_lr.plot(e, [sched(t) for t in e], label=label)
    ax_lr.set(title="Factor of the base learning rate", xlabel="epoch")
    ax_lr.legend(fontsize=8)

    for label, sched in schedules(epochs).items():
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
        acc = est.score(Xte, yte)
        ax_loss.plot(est.loss_curve_, label=f"{label}: test acc {acc:.3f}")
        print(f"{label:28s} final loss {est.loss_:.4f}  test accuracy {acc:.3f}")
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
