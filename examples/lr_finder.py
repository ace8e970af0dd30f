"""The learning-rate range test: pick SGD's learning rate from one short sweep

``find_lr`` (Smith 2017) trains a copy of the model for one mini-batch per
rate while the rate grows geometrically, and suggests a tenth of the rate at
the lowest smoothed loss. Left: the sweep, drawn by ``LRFinderDisplay``.
Middle: full trainings at the suggested rate, ten times below it and ten times
above it (``LossCurveDisplay``). Right: during the training at the suggested
rate, the update-to-weight ratio ``||W(t) - W(t-1)|| / ||W(t)||`` of every
layer per epoch, recorded by ``LayerStatsRecorder`` and drawn by
``LayerStatsDisplay``.

    python examples/lr_finder.py [--quick] [--out FILE.png]

``--quick`` uses 600 samples and 15 epochs (1,797 and 40 otherwise).
"""

from __future__ import annotations

import argparse
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_adamlp import MLPClassifier
from sklearn_adamlp.inspection import LayerStatsRecorder, find_lr
from sklearn_adamlp.plotting import LayerStatsDisplay, LossCurveDisplay, LRFinderDisplay

STYLES = {
    "suggested": {"color": "tab:green", "linestyle": "-", "marker": "o"},
    "suggested / 10": {"color": "tab:blue", "linestyle": "--", "marker": "s"},
    "suggested x 10": {"color": "tab:red", "linestyle": "-.", "marker": "^"},
}


def model(lr: float, epochs: int, callbacks=None) -> MLPClassifier:
    """Plain SGD (no momentum), mini-batches of 32, a fixed rate."""
    return MLPClassifier(
        (64, 32), solver="sgd", momentum=0.0, batch_size=32,
        learning_rate_init=lr, max_iter=epochs, tol=0.0, n_iter_no_change=1000,
        callbacks=callbacks, random_state=0,
    )  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    """Sweep, train at three rates, plot and print."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="600 samples, 15 epochs")
    parser.add_argument("--out", default="lr_finder.png", help="PNG to write")
    args = parser.parse_args(argv)
    X, y = load_digits(return_X_y=True)
    epochs = 40
    if args.quick:
        X, y, epochs = X[:600], y[:600], 15
    X = StandardScaler().fit_transform(X)

    result = find_lr(model(0.01, 1), X, y, start=1e-4, stop=10.0, random_state=0)
    print(
        f"suggested learning rate: {result.suggestion:.3g} ({result.suggestion_rule})"
    )
    fig, (ax_find, ax_loss, ax_ratio) = plt.subplots(1, 3, figsize=(18, 5))
    LRFinderDisplay.from_result(result, ax=ax_find)
    ax_find.set_title("Range test: loss while the rate grows")

    rates = {
        "suggested": result.suggestion,
        "suggested / 10": result.suggestion / 10,
        "suggested x 10": result.suggestion * 10,
    }
    recorder = LayerStatsRecorder(X[:200], y[:200])
    for label, lr in rates.items():
        callbacks = [recorder] if label == "suggested" else None
        est = model(lr, epochs, callbacks)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, y)
        LossCurveDisplay.from_estimator(
            est, ax=ax_loss, name=f"{label} ({lr:.2g})", show_learning_rate=False,
            legend=False, **STYLES[label],
        )  # fmt: skip
        print(f"{label:15s} rate {lr:.3g}: final training loss {est.loss_:.4f}")
    ax_loss.set(title="Training at three rates", yscale="log")
    ax_loss.legend(fontsize="small")
    LayerStatsDisplay.from_recorder(
        recorder, statistic="update_ratio", ax=ax_ratio, log=True
    )
    ax_ratio.set(
        title="At the suggested rate: size of each epoch's change",
        ylabel="update / weight norm ratio (per epoch)",
    )
    fig.tight_layout()
    fig.savefig(args.out, dpi=70 if args.quick else 100)
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
