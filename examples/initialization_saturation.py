"""Saturation at initialization: naive N(0, 1) weights vs ``init='auto'``.

The idea of Glorot & Bengio (2010), Figures 6 and 7: for a 5-hidden-layer tanh
network and a 5-hidden-layer logistic network on the digits data, histogram each
layer's activations and back-propagated gradients ``dL/dz`` at initialization.

With naive N(0, 1) weights (``initializers.Normal(std=1)``) most units sit in the
flat tails of their activation, where the derivative is ~0; seed 001's table
(``init='auto'``: Glorot uniform with gain 1 for tanh, 4 for logistic) keeps them
in the sensitive range. The script prints the fraction of saturated units per
layer (``|a| > tanh(2)`` for tanh, ``a`` outside ``[expit(-4), expit(4)]`` for
logistic, i.e. ``|z| > 2`` and ``|z| > 4``) and saves a PNG.

Run::

    python examples/initialization_saturation.py [--quick] [--out sat.png]

``--quick`` uses the first 300 samples and draws a low-resolution figure (a smoke
run of a few seconds; the fractions differ from docs/initialization.md's table);
``--out`` is the path of the PNG to write.
"""

from __future__ import annotations

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from scipy.special import expit
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler

from sklearn_adamlp import activations, initializers, losses
from sklearn_adamlp.network import Network

HIDDEN = [100] * 5
SATURATED = {
    "tanh": lambda a: np.abs(a) > np.tanh(2.0),
    "logistic": lambda a: (a < expit(-4.0)) | (a > expit(4.0)),
}
INITS = {
    "naive N(0, 1)": initializers.Normal(std=1.0),
    "auto (seed 001)": initializers.Auto(),
}


def activations_and_gradients(activation, init, X, y, seed=0):
    """Per-hidden-layer activations and back-propagated dL/dz at initialization."""
    Y = np.eye(10)[y]
    units = [X.shape[1], *HIDDEN, 10]
    act = activations.get(activation)
    loss = losses.get("log_loss").specialize("multiclass")
    net = Network(units, [act] * len(HIDDEN), loss, dtype=np.float64)
    layer_init = init.for_activation(activation)
    flat = net.init_params([layer_init] * (len(units) - 1), np.random.RandomState(seed))
    grad = np.empty_like(flat)
    net.loss_grad(flat, grad, X, Y)
    bufs = net._buffers(X.shape[0])  # work arrays of the last loss_grad call
    acts = [a.copy() for a in bufs.A]
    # D[l] is dL/dz_l of the mean loss; times n gives the per-sample gradient
    deltas = [d * X.shape[0] for d in bufs.D[: len(HIDDEN)]]
    return acts, deltas


def _hist(ax, arrays, title, xlabel, lim=None):
    colors = plt.cm.viridis(np.linspace(0, 0.9, len(arrays)))
    if lim is None:
        lim = max(np.percentile(np.abs(v), 99) for v in arrays) or 1.0
    bins = np.linspace(-lim, lim, 81)
    for l, (v, c) in enumerate(zip(arrays, colors, strict=True)):
        ax.hist(
            v.ravel(),
            bins=bins,
            histtype="step",
            density=True,
            color=c,
            label=f"layer {l + 1}",
        )
    ax.set_title(title, fontsize=9)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_yscale("log")


def load(quick: bool):
    """Standardized digits (the first 300 samples if quick)."""
    X, y = load_digits(return_X_y=True)
    if quick:
        X, y = X[:300], y[:300]
    return StandardScaler().fit_transform(X), y


def parse_args(argv: list[str] | None):
    """Command-line options: ``--quick`` and ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="300 samples, low-resolution figure"
    )
    parser.add_argument(
        "--out",
        default="initialization_saturation.png",
        help="path of the PNG to write",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Print the per-layer statistics and save the histograms."""
    args = parse_args(argv)
    X, y = load(args.quick)
    fig, axes = plt.subplots(4, 2, figsize=(10, 13))
    row = 0
    for activation in ("tanh", "logistic"):
        lim_a = (-1, 1) if activation == "tanh" else (0, 1)
        for init_name, init in INITS.items():
            acts, deltas = activations_and_gradients(activation, init, X, y)
            frac = [float(SATURATED[activation](a).mean()) for a in acts]
            std_d = [float(d.std()) for d in deltas]
            print(
                f"{activation:8s} {init_name:16s} saturated per layer: "
                + " ".join(f"{f:.3f}" for f in frac)
            )
            print(
                f"{'':8s} {'':16s} std of dL/dz per layer: "
                + " ".join(f"{s:.2e}" for s in std_d)
            )
            ax_a, ax_d = axes[row]
            _hist(ax_a, acts, f"{activation}, {init_name}: activations", "a")
            ax_a.set_xlim(*lim_a)
            _hist(
                ax_d,
                deltas,
                f"{activation}, {init_name}: back-propagated gradients",
                "dL/dz (per sample)",
            )
            ax_a.legend(fontsize=7)
            row += 1
    fig.suptitle("Digits, 5 hidden layers of 100 units, at initialization")
    fig.tight_layout()
    fig.savefig(args.out, dpi=40 if args.quick else 100)
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
