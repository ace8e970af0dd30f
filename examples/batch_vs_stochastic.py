"""Batch, stochastic and mini-batch gradient descent: the loss after every update

Batch gradient descent computes the exact gradient of the training loss over
all ``n`` samples before each update, so its loss falls smoothly; stochastic
gradient descent updates after every single sample, with a noisy estimate of
that gradient, so its loss is jagged; mini-batches of 32 lie in between. Per
update, batch descent makes the steadiest progress; per pass over the data
(per gradient evaluation of every sample), stochastic descent is far ahead.

The same network (32 tanh units, learning rate 0.1, no momentum) is trained by
``partial_fit`` one update at a time; after every update the loss over the
whole training set is measured. Prints the loss after the last update.

    python examples/batch_vs_stochastic.py [--quick] [--out FILE.png]

``--quick`` uses 300 samples and 100 updates (600 samples and 400 otherwise).
"""

from __future__ import annotations

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import log_loss
from sklearn.preprocessing import StandardScaler

from sklearn_adamlp import MLPClassifier

STYLES = {
    "batch (all samples)": {"color": "tab:blue", "linestyle": "-"},
    "mini-batch (32)": {"color": "tab:green", "linestyle": "--"},
    "stochastic (1 sample)": {"color": "tab:red", "linestyle": "-", "lw": 0.8},
}


def losses_per_update(X, y, batch: int, updates: int) -> np.ndarray:
    """Training loss after each of ``updates`` updates on batches of ``batch``."""
    clf = MLPClassifier(
        (32,), activation="tanh", solver="sgd", momentum=0.0,
        learning_rate_init=0.1, batch_size="full", random_state=0,
    )  # fmt: skip
    classes = np.unique(y)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(y))
    out, pos = [], 0
    for _ in range(updates):
        if pos + batch > len(y):  # a new epoch: reshuffle
            order, pos = rng.permutation(len(y)), 0
        idx = order[pos : pos + batch]
        pos += batch
        clf.partial_fit(X[idx], y[idx], classes=classes)  # exactly one update
        out.append(log_loss(y, clf.predict_proba(X), labels=classes))
    return np.array(out)


def main(argv: list[str] | None = None) -> None:
    """Train the three ways, plot the losses and print the last ones."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="300 samples")
    parser.add_argument("--out", default="batch_vs_stochastic.png", help="PNG")
    args = parser.parse_args(argv)
    n, updates = (300, 100) if args.quick else (600, 400)
    X, y = load_digits(return_X_y=True)
    X, y = StandardScaler().fit_transform(X[:n]), y[:n]

    fig, (ax_u, ax_e) = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
    steps = np.arange(1, updates + 1)
    for (label, style), batch in zip(STYLES.items(), (n, 32, 1), strict=True):
        loss = losses_per_update(X, y, batch, updates)
        ax_u.plot(steps, loss, label=label, **style)
        ax_e.plot(steps * batch / n, loss, label=label, **style)
        print(f"{label:22s} loss after {updates} updates: {loss[-1]:.4f}")
    ax_u.set(
        xlabel="updates (optimizer steps)",
        ylabel="training loss (cross-entropy, whole set)",
        title="Per update",
        yscale="log",
    )
    ax_e.set(
        xlabel="passes over the training set (epochs, log scale)",
        title="Per pass over the data",
        xscale="log",
        ylabel="training loss (cross-entropy, whole set)",
    )
    ax_e.tick_params(labelleft=True)
    ax_u.legend()
    fig.suptitle(
        f"Gradient descent on {n} digits, learning rate 0.1: "
        "exact gradients descend smoothly, single samples jaggedly"
    )
    fig.tight_layout()
    fig.savefig(args.out, dpi=70 if args.quick else 100)
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
