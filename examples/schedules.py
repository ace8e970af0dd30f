"""Learning-rate schedules, their effect on SGD, and warm restarts with snapshots

Left: the learning rate (as a factor of the base rate) of each built-in
schedule over 100 epochs, drawn by ``ScheduleDisplay`` ('plateau' is left out:
its reductions depend on the loss, see docs/schedules.md). Middle: the training
loss per epoch of ``MLPClassifier(solver='sgd')`` on the standardized digits
under each schedule, with the test accuracy in the legend. Right: one run with
warm restarts (SGDR, Loshchilov & Hutter 2017) and a snapshot ensemble (Huang
et al. 2017), drawn by ``LossCurveDisplay``: the learning rate on the right
axis, the restarts as dotted lines, the snapshots kept at the end of every
cycle as circles.

    python examples/schedules.py [--quick] [--out schedules.png]

``--quick`` trains on 600 samples for 20 epochs (40 for the restarts run).
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
from sklearn_adamlp.plotting import LossCurveDisplay, ScheduleDisplay
from sklearn_adamlp.schedules import (
    Constant,
    Cosine,
    CosineRestarts,
    Exponential,
    Plateau,
    Step,
    Warmup,
)

STYLES = [
    {"color": c, "linestyle": ls, "marker": m, "markevery": 0.1}
    for c, ls, m in zip(
        ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple",
         "tab:brown", "tab:pink"],
        ["-", "--", "-.", ":", "-", "--", "-."],
        ["o", "s", "^", "v", "D", "P", "X"],
        strict=True,
    )
]  # fmt: skip


def schedules(epochs: int) -> dict:
    """One instance of each built-in schedule for a run of ``epochs`` epochs."""
    return {
        "constant": Constant(),
        "step (halved every 10 epochs)": Step(drop=0.5, every=10),
        "exponential (k = 0.05)": Exponential(k=0.05),
        "plateau (divided by 10 after 5 flat epochs)": Plateau(factor=10.0, patience=5),
        "cosine": Cosine(T_max=epochs),
        "cosine with restarts (10, x2)": CosineRestarts(T_0=10, T_mult=2),
        "warm-up 5 + cosine": Warmup(Cosine(T_max=epochs - 5), epochs=5),
    }


def load(quick: bool):
    """Standardized digits split into train and test (600 samples if quick)."""
    X, y = load_digits(return_X_y=True)
    if quick:
        X, y = X[:600], y[:600]
    Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=0, stratify=y)
    scaler = StandardScaler().fit(Xtr)
    return scaler.transform(Xtr), scaler.transform(Xte), ytr, yte


def fit_sgd(sched, epochs: int, Xtr, ytr, **params) -> MLPClassifier:
    """SGD (momentum 0.9, lr 0.1) for exactly ``epochs`` epochs under ``sched``."""
    est = MLPClassifier(
        hidden_layer_sizes=(64,), solver="sgd", learning_rate=sched,
        learning_rate_init=0.1, max_iter=epochs, tol=0.0,
        n_iter_no_change=np.inf, random_state=0, **params,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(Xtr, ytr)
    return est


def main(argv: list[str] | None = None) -> None:
    """Plot and print; ``argv`` defaults to ``sys.argv[1:]``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="600 samples, 20 epochs")
    parser.add_argument("--out", default="schedules.png", help="PNG to write")
    args = parser.parse_args(argv)
    epochs = 20 if args.quick else 100
    Xtr, Xte, ytr, yte = load(args.quick)

    fig = plt.figure(figsize=(15, 12))
    grid = fig.add_gridspec(2, 2, height_ratios=(1.2, 1))
    ax_lr, ax_loss = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])
    ax_snap = fig.add_subplot(grid[1, :])
    drawn = {k: v for k, v in schedules(100).items() if not k.startswith("plateau")}
    ScheduleDisplay.from_schedules(
        list(drawn.values()), epochs=100, labels=list(drawn), ax=ax_lr, legend=False
    )
    ax_lr.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=8)
    ax_lr.set_title("Learning rate of each schedule")

    runs = schedules(epochs)
    width = max(map(len, runs))
    for (label, sched), style in zip(runs.items(), STYLES, strict=True):
        est = fit_sgd(sched, epochs, Xtr, ytr)
        acc = est.score(Xte, yte)
        note = ""
        if isinstance(sched, Plateau) and est.history_["learning_rate"].nunique() == 1:
            note = " (never reduced: the constant curve)"
        ax_loss.plot(
            est.history_["epoch"], est.loss_curve_,
            label=f"{label}: test accuracy {acc:.3f}{note}", **style,
        )  # fmt: skip
        print(f"{label:{width}s} final loss {est.loss_:.4f}  test accuracy {acc:.3f}")
    ax_loss.set(
        title="SGD on digits under each schedule (momentum 0.9, lr 0.1)",
        xlabel="epoch",
        ylabel="training loss (cross-entropy)",
        yscale="log",
    )
    ax_loss.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), fontsize=8)

    cycles = 4
    est = fit_sgd(
        CosineRestarts(T_0=None, cycles=cycles, T_max=2 * epochs), 2 * epochs,
        Xtr, ytr, snapshot_ensemble=True, early_stopping=True,
    )  # fmt: skip
    LossCurveDisplay.from_estimator(est, ax=ax_snap, show_score=False, log_loss=True)
    used = est.ensemble_size_ - 1
    ax_snap.set_title(
        f"Warm restarts: {cycles} cosine cycles, a snapshot at each end;\n"
        f"predict averages the final weights with {used} "
        f"snapshot{'' if used == 1 else 's'} "
        f"(test accuracy {est.score(Xte, yte):.3f})",
        fontsize="medium", pad=45,
    )  # fmt: skip
    fig.tight_layout()
    fig.savefig(args.out, dpi=70 if args.quick else 100)
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
