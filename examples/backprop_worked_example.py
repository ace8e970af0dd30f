"""Back-propagation by hand: the 2-2-2 network of the course notes, one SGD step

The network: two inputs, two ReLU hidden units, two softmax outputs,
cross-entropy loss, with the notes' naming::

    u1 = x1 w1 + x2 w2 + b1     h1 = max(0, u1)
    u2 = x1 w3 + x2 w4 + b2     h2 = max(0, u2)
    z1 = h1 w5 + h2 w7 + b3     y_hat = softmax(z1, z2)
    z2 = h1 w6 + h2 w8 + b4     l = -sum_k y_k log y_hat_k

One input ``x = [0.2, 0.5]`` with target ``y = [0, 1]`` and one gradient
descent step with learning rate 0.5. The notes print ``w1 = 0.1``,
``w5 = 0.5``, ``w6 = 0.25``, ``w8 = 0.15``, the forward values ``h2 = 1.02``
and ``y_hat = [0.774256, 0.225744]``, and then::

    dl/dw8 = h2 (y_hat2 - y2) = -0.789741      w8 = 0.544871
    dl/dw1 = x1 {w5 (y_hat1 - y1) + w6 (y_hat2 - y2)} = 0.038713
                                               w1 = 0.080644

The other initial values are drawn in a figure, not written in the text; the
ones below (``w2, w3, w4, w7, b1..b4``) reproduce every printed number. The
package's own code does the work: ``Network.forward`` gives ``y_hat``,
``Network.loss_grad`` the back-propagated gradient, ``SGD.step`` the update.
The deltas printed are the gradients of the biases (for one sample,
``dl/db = dl/du`` and ``dl/dz``). The PNG draws the network with each weight
before and after the step.

    python examples/backprop_worked_example.py [--quick] [--out FILE.png]

``--quick`` only lowers the figure's resolution (the computation is instant).
"""

from __future__ import annotations

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sklearn_adamlp import activations, losses, optimizers
from sklearn_adamlp.network import Network

X = np.array([[0.2, 0.5]])
Y = np.array([[0.0, 1.0]])
LEARNING_RATE = 0.5
#: the notes' weights by name; w1, w5, w6, w8 are printed in the notes
INIT = {
    "w1": 0.1, "w2": 0.3, "w3": 0.6, "w4": 0.8, "b1": 0.5, "b2": 0.5,
    "w5": 0.5, "w6": 0.25, "w7": 0.9, "w8": 0.15, "b3": 0.4, "b4": 0.1,
}  # fmt: skip
#: where each named parameter sits: (layer, row, column) of coefs_, or
#: (layer, unit) of intercepts_ (coefs_[l][i, j] joins unit i to unit j)
WEIGHTS = {
    "w1": (0, 0, 0), "w2": (0, 1, 0), "w3": (0, 0, 1), "w4": (0, 1, 1),
    "w5": (1, 0, 0), "w7": (1, 1, 0), "w6": (1, 0, 1), "w8": (1, 1, 1),
}  # fmt: skip
BIASES = {"b1": (0, 0), "b2": (0, 1), "b3": (1, 0), "b4": (1, 1)}


def build() -> tuple[Network, np.ndarray]:
    """The 2-2-2 ReLU/softmax network and its flat parameters set to INIT."""
    loss = losses.get("log_loss").specialize("multiclass")  # softmax output
    net = Network([2, 2, 2], [activations.get("relu")], loss, dtype=np.float64)
    flat = np.zeros(net.layout.n_params)
    W, b = net.layout.views(flat)
    for name, (l, i, j) in WEIGHTS.items():
        W[l][i, j] = INIT[name]
    for name, (l, j) in BIASES.items():
        b[l][j] = INIT[name]
    return net, flat


def named(net: Network, flat: np.ndarray) -> dict[str, float]:
    """The parameters (or gradients) of ``flat`` by the notes' names."""
    W, b = net.layout.views(flat)
    out = {n: float(W[l][i, j]) for n, (l, i, j) in WEIGHTS.items()}
    out.update({n: float(b[l][j]) for n, (l, j) in BIASES.items()})
    return out


def fmt(values) -> str:
    """``[a, b]`` with six decimals, as the notes print them."""
    return "[" + ", ".join(f"{float(v):.6f}" for v in values) + "]"


def main(argv: list[str] | None = None) -> None:
    """Forward pass, back-propagation and one SGD step, printed and drawn."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="low-resolution PNG")
    parser.add_argument("--out", default="backprop_worked_example.png", help="PNG")
    args = parser.parse_args(argv)
    net, flat = build()
    before = named(net, flat)
    W, b = net.layout.views(flat)
    h = np.maximum(0.0, X @ W[0] + b[0])  # the hidden layer, as the notes write it
    y_hat = net.predict(flat, X)[0]
    grad = np.empty_like(flat)
    loss = net.loss_grad(flat, grad, X, Y)
    g = named(net, grad)
    print(f"h = {fmt(h[0])}")
    print(f"y_hat = {fmt(y_hat)}")
    print(f"loss l = {loss:.6f}")
    print(f"output deltas dl/dz = {fmt([g['b3'], g['b4']])}")
    print(f"hidden deltas dl/du = {fmt([g['b1'], g['b2']])}")
    for name in ("w8", "w1"):
        print(f"dl/d{name} = {g[name]:.6f}")
    optimizers.get("sgd")(learning_rate=LEARNING_RATE).step([flat], [grad])
    after = named(net, flat)
    for name in INIT:
        print(f"{name}: {before[name]:g} -> {after[name]:.6f}")
    draw(before, after, h[0], y_hat, args.out, dpi=60 if args.quick else 110)
    print(f"saved {args.out}")


def draw(before, after, h, y_hat, path: str, dpi: int) -> None:
    """The network, each weight as 'before -> after' on its edge."""
    from matplotlib.patches import Circle

    pos = {"x1": (0, 2), "x2": (0, 0), "h1": (3, 2), "h2": (3, 0),
           "y1": (6, 2), "y2": (6, 0)}  # fmt: skip
    edges = {"w1": ("x1", "h1"), "w2": ("x2", "h1"), "w3": ("x1", "h2"),
             "w4": ("x2", "h2"), "w5": ("h1", "y1"), "w6": ("h1", "y2"),
             "w7": ("h2", "y1"), "w8": ("h2", "y2")}  # fmt: skip
    fig, ax = plt.subplots(figsize=(11, 5.5))
    for name, (a, b) in edges.items():
        (xa, ya), (xb, yb) = pos[a], pos[b]
        ax.plot([xa, xb], [ya, yb], color="0.6", zorder=1)
        # horizontal edges: the middle; crossing ones: a quarter along, one
        # label above the crossing and one below
        t = 0.5 if ya == yb else 0.25
        ax.text(xa + t * (xb - xa), ya + t * (yb - ya),
                f"{name}: {before[name]:g} → {after[name]:.4f}", ha="center",
                va="center", fontsize=9,
                bbox={"fc": "white", "ec": "0.8", "pad": 1.5})  # fmt: skip
    values = {"x1": f"x1\n{X[0, 0]:g}", "x2": f"x2\n{X[0, 1]:g}",
              "h1": f"h1\n{h[0]:.4f}", "h2": f"h2\n{h[1]:.4f}",
              "y1": f"ŷ1\n{y_hat[0]:.4f}", "y2": f"ŷ2\n{y_hat[1]:.4f}"}  # fmt: skip
    notes = {"h1": "b1", "h2": "b2", "y1": "b3", "y2": "b4"}
    for node, (x, y) in pos.items():
        ax.add_patch(Circle((x, y), 0.45, fc="white", ec="k", zorder=2))
        ax.text(x, y, values[node], ha="center", va="center", fontsize=9, zorder=3)
        above = y > 0  # the top row's notes above, the bottom row's below
        note = ""
        if node in notes:
            b = notes[node]
            note = f"{b}: {before[b]:g} → {after[b]:.4f}"
        if node.startswith("y"):
            note += f"\ntarget {Y[0, int(node[1]) - 1]:g}"
        ax.text(x, y + (0.55 if above else -0.55), note.strip(), ha="center",
                va="bottom" if above else "top", fontsize=9)  # fmt: skip
    ax.set(xlim=(-0.8, 6.8), ylim=(-1.3, 3.3), aspect="equal")
    ax.axis("off")
    ax.set_title(
        "One gradient-descent step (learning rate 0.5) on x = [0.2, 0.5], "
        "target [0, 1]:\nReLU hidden layer, softmax output, cross-entropy loss; "
        "each weight before → after the step"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)


if __name__ == "__main__":
    main()
