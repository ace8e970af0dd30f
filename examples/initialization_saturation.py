"""Saturation at initialization: Glorot & Bengio's figure, standard vs normalized

Glorot & Bengio (2010, figures 6 and 7) histogram the activations and the
back-propagated gradients ``dL/dz`` of each layer of a 5-hidden-layer network at
initialization, under two initializations:

- "standard": ``W ~ U[-1/sqrt(n), 1/sqrt(n)]`` with ``n`` the fan-in, the
  common heuristic of the time (``LecunUniform(gain=1/sqrt(3))`` here);
- "normalized": ``W ~ U[-s, s]``, ``s = sqrt(6 / (fan_in + fan_out))``
  (``init='auto'``: Glorot uniform for tanh, four times it for the logistic
  function, the per-activation table of the course notes).

Under the standard initialization the activations of the upper layers pile up
at 0 (tanh) and the gradients shrink from the top layer down; under the
normalized one every layer looks alike. The script draws both activations
(tanh, logistic) with ``LayerHistogramDisplay`` and prints per layer the
fraction of saturated units and the spread of ``dL/dz``.

    python examples/initialization_saturation.py [--quick] [--out FILE.png]

``--quick`` uses 300 samples (the fractions differ a little from a full run).
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
from sklearn.preprocessing import StandardScaler

from sklearn_adamlp import MLPClassifier, initializers, optimizers
from sklearn_adamlp.inspection import trace_layers
from sklearn_adamlp.plotting import LayerHistogramDisplay

HIDDEN = (100,) * 5
INITS = {
    "standard init": initializers.LecunUniform(gain=1 / np.sqrt(3)),  # 1/sqrt(n)
    "normalized init": "auto",
}


def at_initialization(activation: str, init, X, y) -> MLPClassifier:
    """A fitted estimator whose weights are still the initial ones.

    One epoch of SGD with learning rate 0 draws the weights and leaves them
    untouched, so ``trace_layers`` sees the network at initialization.
    """
    est = MLPClassifier(
        HIDDEN,
        activation=activation,
        init=init,
        solver=optimizers.SGD(learning_rate=0.0),
        max_iter=1,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # one epoch, on purpose
        return est.fit(X, y)


def load(quick: bool):
    """Standardized digits (the first 300 samples if quick)."""
    X, y = load_digits(return_X_y=True)
    if quick:
        X, y = X[:300], y[:300]
    return StandardScaler().fit_transform(X), y


def report(activation: str, name: str, est, X, y) -> None:
    """Print per hidden layer: saturated fraction, std of a and of dL/dz."""
    trace = trace_layers(est, X, y)
    frame = trace.to_frame().iloc[: len(HIDDEN)]
    std = [float(np.std(g)) for g in trace.grad_pre_activations[: len(HIDDEN)]]
    print(
        f"{activation:8s} {name:16s} saturated per layer: "
        + " ".join(f"{v:.3f}" for v in frame["saturated"])
    )
    print(
        f"{'':8s} {'':16s} std of activations per layer: "
        + " ".join(f"{v:.3f}" for v in frame["std"])
    )
    print(
        f"{'':8s} {'':16s} std of dL/dz per layer: " + " ".join(f"{s:.2e}" for s in std)
    )


def main(argv: list[str] | None = None) -> None:
    """Print the per-layer statistics and save the histograms."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="300 samples")
    parser.add_argument(
        "--out", default="initialization_saturation.png", help="PNG to write"
    )
    args = parser.parse_args(argv)
    X, y = load(args.quick)
    fig, axes = plt.subplots(4, 2, figsize=(10, 13), sharey="row")
    for row, activation in enumerate(("tanh", "logistic")):
        ests = [at_initialization(activation, init, X, y) for init in INITS.values()]
        for name, est in zip(INITS, ests, strict=True):
            report(activation, name, est, X, y)
        LayerHistogramDisplay.from_estimators(
            ests,
            X,
            y,
            labels=[f"{activation}, {name}" for name in INITS],
            ax=axes[2 * row : 2 * row + 2],
        )
    fig.suptitle(
        "Each layer's activations and gradients at initialization\n"
        "(digits, 5 hidden layers of 100 units; as Glorot & Bengio 2010, Fig. 6-7)"
    )
    fig.tight_layout()
    fig.savefig(args.out, dpi=60 if args.quick else 100)
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
