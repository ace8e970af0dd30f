"""Compare every optimizer of sklearn_adamlp on the digits data set

Trains ``MLPClassifier(hidden_layer_sizes=(64,), activation='relu')`` once per
optimizer (each with its own default hyper-parameters; Rprop on full batches;
the minimizers L-BFGS, Quickprop and Newton-CG always see the whole set), draws
the training loss and the validation accuracy per epoch with
``LossCurveDisplay`` (one column per family of optimizers, so that the
curves of a family can be told apart) and prints a table of test accuracy,
epochs and seconds.

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
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_adamlp import MLPClassifier, optimizers
from sklearn_adamlp.plotting import LossCurveDisplay

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
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
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


FAMILIES = {
    "Gradient descent and momentum": ["sgd", "momentum", "nesterov"],
    "Per-coordinate rates": ["adagrad", "adadelta", "rmsprop", "rprop"],
    "Adam and its variants": [
        "adam",
        "adamw",
        "amsgrad",
        "adamax",
        "nadam",
        "adabound",
    ],
    "Full-batch minimizers": ["lbfgs", "newton_cg", "quickprop"],
}
STYLES = [
    {"color": c, "linestyle": ls, "marker": m, "markevery": 0.12, "markersize": 5}
    for c, ls, m in zip(
        ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown"],
        ["-", "--", "-.", ":", "-", "--"],
        ["o", "s", "^", "v", "D", "X"],
        strict=True,
    )
]


def main(argv: list[str] | None = None) -> None:
    """Train, plot and print the table; ``argv`` defaults to ``sys.argv[1:]``."""
    args = parse_args(argv)
    X_train, X_test, y_train, y_test = load(args.quick)
    max_iter = 30 if args.quick else 200
    listed = [n for names in FAMILIES.values() for n in names]
    others = [n for n in optimizers.available() if n not in listed]
    if others:  # optimizers registered later: a panel of their own
        FAMILIES["Other optimizers"] = others

    fig, axes = plt.subplots(
        2, len(FAMILIES), figsize=(4.6 * len(FAMILIES), 8), sharey="row"
    )
    rows = []
    for col, (family, names) in enumerate(FAMILIES.items()):
        ax_loss, ax_acc = axes[:, col]
        handles, curves = [], {}
        for i, (name, style) in enumerate(zip(names, STYLES, strict=False)):
            clf, seconds = train(name, X_train, y_train, max_iter)
            rows.append((name, clf.score(X_test, y_test), clf.n_iter_, seconds))
            # markers at staggered epochs: identical curves still show each one
            style = {**style, "markevery": (i, len(names) + 1)}
            loss = np.asarray(clf.loss_curve_)
            same = [  # curves within 0.1% of an earlier one hide it: say so
                k for k, c in curves.items()
                if c.shape == loss.shape and np.allclose(c, loss, rtol=1e-3)
            ]  # fmt: skip
            curves[name] = loss
            label = f"{name} (on {same[0]}'s curve)" if same else name
            disp = LossCurveDisplay.from_estimator(
                clf, ax=ax_loss, score_ax=ax_acc, name=name, legend=False,
                show_learning_rate=False, show_validation_loss=False,
                log_loss=True, **style,
            )  # fmt: skip
            disp.lines_["loss"].set_label(label)
            handles.append(disp.lines_["loss"])
        ax_loss.set_title(family)
        ax_loss.legend(handles=handles, fontsize="small")
        ax_acc.set_ylim(0.0, 1.02)  # accuracy on its whole scale
        ax_acc.set_xlabel("epoch")
        ax_loss.set_xlabel("epoch")
        if not ax_acc.get_lines():
            ax_acc.text(
                0.5, 0.5, "no validation set:\nminimizers fit the whole set",
                ha="center", va="center", transform=ax_acc.transAxes,
            )  # fmt: skip
            ax_acc.set_axis_off()
        ax_loss.set_ylabel("training loss (cross-entropy, log scale)")
        ax_acc.set_ylabel("validation accuracy (10% held out)")
        for ax in (ax_loss, ax_acc):
            ax.tick_params(labelleft=True)  # shared scales, labelled panels
    axes[0, -1].set_xlabel("iteration")
    fig.suptitle(
        "Every optimizer at its default settings on digits (64 ReLU units); "
        "minimizers hold out no validation set"
    )
    fig.tight_layout()
    fig.savefig(args.out, dpi=70 if args.quick else 100)

    print_table(rows)
    print(f"\nsaved {args.out}")


if __name__ == "__main__":
    main()
