"""Activation functions, each with its derivative beside it.

Every activation is a stateless object with

- ``forward(z, out)``: ``a = phi(z)`` written into ``out`` (which may be ``z``);
- ``derivative(z, a, delta)``: ``delta *= phi'(z)`` in place, where ``a = phi(z)``
  is given too, so most derivatives cost no extra transcendental function.

``needs_z`` tells the network whether the derivative reads ``z``; when it does not,
the network applies the activation in place and keeps a single buffer per layer.

Hidden-layer activations are registered in ``ACTIVATIONS`` as instances
(``activations.register("mine")(MyActivation())``); output-only ones
(``SOFTMAX``, ``EXP``) are module constants that losses name as their pair.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from sklearn_adamlp._registry import Registry
from sklearn_adamlp._typing import FloatArray

ACTIVATIONS = Registry("activation")
register = ACTIVATIONS.register
get = ACTIVATIONS.get
available = ACTIVATIONS.available


class Activation:
    """Base class: an elementwise function and its derivative.

    Subclasses set ``name`` and implement ``forward`` and ``derivative``.
    Instances are stateless, so one registered instance serves every network and
    survives pickling by reference to its class.
    """

    name: str = ""
    needs_z: bool = False

    def forward(self, z: FloatArray, out: FloatArray | None = None) -> FloatArray:
        """Return ``phi(z)``, written into ``out`` when given."""
        raise NotImplementedError

    def derivative(self, z: FloatArray, a: FloatArray, delta: FloatArray) -> None:
        """Multiply ``delta`` in place by ``phi'(z)``."""
        raise NotImplementedError

    def __call__(self, z: FloatArray) -> FloatArray:
        """Return ``phi(z)`` as a new array."""
        return self.forward(z, np.empty_like(z))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __reduce__(self) -> tuple:
        return (type(self), ())


class Identity(Activation):
    """Identity, a linear unit.

    ::

    a = z
    phi'(z) = 1
    """

    name = "identity"

    def forward(self, z, out=None):  # noqa: D102
        if out is None:
            return z.copy()
        if out is not z:
            np.copyto(out, z)
        return out

    def derivative(self, z, a, delta):  # noqa: D102
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

    def forward(self, z, out=None):  # noqa: D102
        return expit(z, out=out if out is not None else np.empty_like(z))

    def derivative(self, z, a, delta):  # noqa: D102
        delta *= a
        delta *= 1.0 - a


class Tanh(Activation):
    """Hyperbolic tangent (seed 001).

    ::

    a = tanh(z)
    phi'(z) = 1 - a**2
    """

    name = "tanh"

    def forward(self, z, out=None):  # noqa: D102
        return np.tanh(z, out=out if out is not None else np.empty_like(z))

    def derivative(self, z, a, delta):  # noqa: D102
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

    def forward(self, z, out=None):  # noqa: D102
        return np.maximum(z, 0, out=out if out is not None else np.empty_like(z))

    def derivative(self, z, a, delta):  # noqa: D102
        # a > 0 exactly where z > 0, so z itself is not needed.
        delta[a <= 0] = 0


class Softmax(Activation):
    """Softmax over each row (output layer only; paired with log loss).

    ::

        a_k = exp(z_k - max(z)) / sum_j exp(z_j - max(z))

    Its Jacobian is never formed: the loss gives ``dL/dz = a - y`` directly.
    """

    name = "softmax"

    def forward(self, z, out=None):  # noqa: D102
        out = out if out is not None else np.empty_like(z)
        np.subtract(z, z.max(axis=1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= out.sum(axis=1, keepdims=True)
        return out

    def derivative(self, z, a, delta):  # noqa: D102
        raise TypeError("softmax is an output activation; its loss supplies dL/dz.")


class Exp(Activation):
    """Exponential, the inverse log link (output layer of the Poisson loss).

    ::

    a = exp(z)
    phi'(z) = a
    """

    name = "exp"

    def forward(self, z, out=None):  # noqa: D102
        return np.exp(z, out=out if out is not None else np.empty_like(z))

    def derivative(self, z, a, delta):  # noqa: D102
        delta *= a


SOFTMAX = Softmax()
EXP = Exp()

for _activation in (Identity(), Logistic(), Tanh(), ReLU()):
    register(_activation.name)(_activation)
