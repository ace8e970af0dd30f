"""Zero and equal initial weights never break the symmetry of the hidden units

If every hidden unit starts with the same incoming weights, every unit computes
the same output and receives the same gradient, so gradient descent keeps them
equal forever: the layer behaves like a single unit. With all-zero weights and
tanh, the hidden gradients are exactly zero and the hidden layer never moves.
Random initialization (here Glorot's normalized init) breaks the symmetry.

The script trains the same 32-unit tanh network on digits from three
initializations, counts the distinct hidden units (distinct columns of
``coefs_[0]``) after training, plots the training loss per epoch with
``LossCurveDisplay`` and the count of distinct units, and prints a table.

    python examples/zero_and_equal_init.py [--quick] [--out FILE.png]

``--quick`` trains on 600 samples for 15 epochs.
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

from sklearn_adamlp import MLPClassifier, initializers
from sklearn_adamlp.plotting import LossCurveDisplay

UNITS = 32
INITS = {
    "all zeros": "zeros",
    "all equal (0.1)": initializers.Constant(value=0.1),
    "random (Glorot)": "glorot_uniform",
}
STYLES = [
    {"color": "tab:blue", "linestyle": "-", "marker": "o"},
    {"color": "tab:orange", "linestyle": "--", "marker": "s"},
    {"color": "tab:green", "linestyle": "-.", "marker": "^"},
]


def distinct_units(W: np.ndarray) -> int:
    """Number of distinct columns (hidden units' incoming weights) of ``W``."""
    return len(np.unique(np.round(W, 10), axis=1).T)


def main(argv: list[str] | None = None) -> None:
    """Train from each initialization, plot and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="600 samples, 15 epochs")
    parser.add_argument("--out", default="zero_and_equal_init.png", help="PNG")
    args = parser.parse_args(argv)
    X, y = load_digits(return_X_y=True)
    if args.quick:
        X, y = X[:600], y[:600]
    Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=0, stratify=y)
    scaler = StandardScaler().fit(Xtr)
    Xtr, Xte = scaler.transform(Xtr), scaler.transform(Xte)

    fig, (ax_loss, ax_units) = plt.subplots(
        1, 2, figsize=(12, 4.5), width_ratios=(3, 2)
    )
    print("| initialization | distinct hidden units | test accuracy |")
    print("|---|---:|---:|")
    counts = []
    for (label, init), style in zip(INITS.items(), STYLES, strict=True):
        clf = MLPClassifier(
            (UNITS,), activation="tanh", init=init, solver="sgd",
            learning_rate_init=0.1, max_iter=15 if args.quick else 60,
            tol=0.0, n_iter_no_change=1000, random_state=0,
        )  # fmt: skip
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(Xtr, ytr)
        LossCurveDisplay.from_estimator(
            clf, ax=ax_loss, name=label, show_learning_rate=False, legend=False,
            **style,
        )  # fmt: skip
        counts.append(distinct_units(clf.coefs_[0]))
        print(f"| {label} | {counts[-1]} of {UNITS} | {clf.score(Xte, yte):.3f} |")
    ax_loss.set(title="Training loss", yscale="log")
    ax_loss.legend(fontsize="small")
    bars = ax_units.bar(range(len(INITS)), counts, color="0.6")
    ax_units.bar_label(bars)
    ax_units.set_xticks(range(len(INITS)), list(INITS))
    ax_units.set(
        ylim=(0, UNITS * 1.1),
        ylabel=f"distinct hidden units (of {UNITS})",
        title="Hidden units that differ after training",
    )
    fig.suptitle("Identical initial weights stay identical: symmetry is never broken")
    fig.tight_layout()
    fig.savefig(args.out, dpi=70 if args.quick else 100)
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
