"""Seed 001's activations (identity, logistic, tanh, ReLU) and output-only ones."""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from sklearn_adamlp.activations._base import Activation, _copy_into


class Identity(Activation):
    """Identity, a linear unit.

    ::

        a = z
        phi'(z) = 1
    """

    name = "identity"

    def forward(self, z, out=None):
        return _copy_into(z, out)

    def derivative(self, z, a, delta):
        return None


class Logistic(Activation):
    """Logistic sigmoid (seed 001).

    ::

        a = 1 / (1 + exp(-z))
        phi'(z) = a * (1 - a)

    References
    ----------
    Glorot & Bengio (2010), "Understanding the difficulty of training deep
    feedforward neural networks".
    """

    name = "logistic"

    def forward(self, z, out=None):
        return expit(z, out=out if out is not None else np.empty_like(z))

    def derivative(self, z, a, delta):
        delta *= a
        delta *= 1.0 - a


class Tanh(Activation):
    """Hyperbolic tangent (seed 001).

    ::

        a = tanh(z)
        phi'(z) = 1 - a**2 = 4 / (exp(z) + exp(-z))**2
    """

    name = "tanh"

    def forward(self, z, out=None):
        return np.tanh(z, out=out if out is not None else np.empty_like(z))

    def derivative(self, z, a, delta):
        delta *= 1.0 - a * a


class ReLU(Activation):
    """Rectified linear unit (seed 001).

    ::

        a = max(0, z)
        phi'(z) = 1 if z > 0 else 0

    References
    ----------
    Nair & Hinton (2010), "Rectified linear units improve restricted Boltzmann
    machines".
    """

    name = "relu"

    def forward(self, z, out=None):
        return np.maximum(z, 0, out=out if out is not None else np.empty_like(z))

    def derivative(self, z, a, delta):
        # a > 0 exactly where z > 0, so z itself is not needed. A multiply by
        # the mask is ~8x faster than boolean-index assignment (benchmarks/).
        np.multiply(delta, a > 0, out=delta)


class Softmax(Activation):
    """Softmax over each row (output layer only; paired with log loss).

    ::

        a_k = exp(z_k - max(z)) / sum_j exp(z_j - max(z))

    Its Jacobian is never formed: the loss gives ``dL/dz = a - y`` directly.
    """

    name = "softmax"

    def forward(self, z, out=None):
        out = out if out is not None else np.empty_like(z)
        np.subtract(z, z.max(axis=1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= out.sum(axis=1, keepdims=True)
        return out

    def derivative(self, z, a, delta):
        raise TypeError("softmax is an output activation; its loss supplies dL/dz.")


class Exp(Activation):
    """Exponential, the inverse log link (output layer of the Poisson loss).

    ::

        a = exp(z)
        phi'(z) = a
    """

    name = "exp"

    def forward(self, z, out=None):
        return np.exp(z, out=out if out is not None else np.empty_like(z))

    def derivative(self, z, a, delta):
        delta *= a
