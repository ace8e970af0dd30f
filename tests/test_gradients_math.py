"""Central finite differences for every activation x loss (and per-layer lists)."""

import numpy as np
import pytest

from sklearn_adamlp import activations, initializers, losses
from sklearn_adamlp.network import Network
from sklearn_adamlp.regularizers import L2Penalty

# (loss name, y_type, n_outputs)
LOSS_CASES = [
    ("log_loss", "multiclass", 3),
    ("log_loss", "binary", 1),
    ("log_loss", "multilabel-indicator", 2),
    ("hinge", "multiclass", 3),
    ("hinge", "binary", 1),
    ("hinge", "multilabel-indicator", 2),
    ("squared_error", "continuous", 2),
    ("poisson", "continuous", 2),
    ("absolute_error", "continuous", 2),
    ("huber", "continuous", 2),
]
KINKED = {"relu", "leaky_relu"}
H = 1e-4  # five-point stencil: truncation O(H**4), round-off O(eps / H)
KINK_DISTANCE = 1e-2  # far beyond what a step of 2 * H can move any z or margin


def _targets(rng, y_type, n, k):
    if y_type == "multiclass":
        return np.eye(k)[rng.integers(0, k, n)]
    if y_type == "continuous":
        return rng.exponential(size=(n, k))  # non-negative: valid for poisson too
    return (rng.random((n, k)) < 0.5) * 1.0


def _pre_activations(net, flat, X):
    W, b = net.layout.views(flat)
    a, zs = X, []
    for l in range(net.layout.n_layers):
        z = a @ W[l] + b[l]
        zs.append(z)
        if l < len(net.activations):
            a = net.activations[l](z)
    return zs


def _kink_distance(net, flat, X, Y):
    """Smallest distance of any relu input, hinge margin or residual to its kink."""
    zs = _pre_activations(net, flat, X)
    dists = [np.inf]
    for act, z in zip(net.activations, zs[:-1], strict=True):
        if act.name in KINKED:
            dists.append(np.abs(z).min())
    raw = zs[-1]
    loss = net.loss
    if isinstance(loss, losses.BinaryHinge):
        dists.append(np.abs((2 * Y - 1) * raw - 1).min())
    elif isinstance(loss, losses.MulticlassHinge):
        margins = raw - (Y * raw).sum(1, keepdims=True) + 1
        dists.append(np.abs(margins[Y == 0]).min())
    elif isinstance(loss, losses.AbsoluteError | losses.Huber):
        r = np.abs(raw - Y)
        dists.append(r.min())
        if isinstance(loss, losses.Huber):
            dists.append(np.abs(r - loss.delta).min())
    return min(dists)


def _setup(acts, loss_name, y_type, k, weighted):
    loss = losses.get(loss_name).specialize(y_type)  # a name or a Loss object
    units = [*[4, 5, 4, 3][: len(acts) + 1], k]
    net = Network(units, acts, loss, dtype=np.float64, penalties=[L2Penalty(0.3)])
    init = initializers.GlorotNormal(gain=1.5)
    for seed in range(200):  # redraw until every kink is far away
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(12, 4))
        Y = _targets(rng, y_type, 12, k)
        flat = net.init_params([init] * len(net.layout.coef_shapes), rng)
        flat[net.layout.n_weights :] = rng.normal(scale=0.5, size=sum(units[1:]))
        if _kink_distance(net, flat, X, Y) > KINK_DISTANCE:
            sw = rng.uniform(0.5, 2.0, size=12) if weighted else None
            return net, flat, X, Y, sw
    raise RuntimeError("no data far from the kinks")


def _max_relative_error(net, flat, X, Y, sw):
    grad = np.empty_like(flat)
    net.loss_grad(flat, grad, X, Y, sw)
    scratch = np.empty_like(flat)

    def f(p):
        return net.loss_grad(p, scratch, X, Y, sw)

    fd = np.empty_like(flat)
    for i in range(flat.size):
        p = flat.copy()
        vals = []
        for step in (2 * H, H, -H, -2 * H):
            p[i] = flat[i] + step
            vals.append(f(p))
        fd[i] = (-vals[0] + 8 * vals[1] - 8 * vals[2] + vals[3]) / (12 * H)
    scale = np.maximum(np.maximum(np.abs(grad), np.abs(fd)), 1e-4)
    return float(np.max(np.abs(grad - fd) / scale))


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(("loss_name", "y_type", "k"), LOSS_CASES)
@pytest.mark.parametrize("act_name", activations.available())
def test_gradient_every_activation_and_loss(act_name, loss_name, y_type, k, weighted):
    act = activations.get(act_name)
    net, flat, X, Y, sw = _setup([act, act], loss_name, y_type, k, weighted)
    assert _max_relative_error(net, flat, X, Y, sw) < 1e-6


PER_LAYER = [
    ["tanh", "silu", "gelu"],
    ["elu", "softplus", "leaky_relu"],
    ["logistic", "relu", "identity"],
]


@pytest.mark.parametrize(("loss_name", "y_type", "k"), LOSS_CASES)
@pytest.mark.parametrize("names", PER_LAYER)
def test_gradient_per_layer_activations(names, loss_name, y_type, k):
    acts = [activations.get(n) for n in names]
    net, flat, X, Y, sw = _setup(acts, loss_name, y_type, k, weighted=True)
    assert _max_relative_error(net, flat, X, Y, sw) < 1e-6


def test_parametrized_activations_gradient():
    acts = [activations.LeakyReLU(0.3), activations.ELU(alpha=1.7)]
    net, flat, X, Y, sw = _setup(acts, losses.Huber(delta=0.7), "continuous", 2, True)
    assert net.loss.delta == 0.7
    assert _max_relative_error(net, flat, X, Y, sw) < 1e-6
