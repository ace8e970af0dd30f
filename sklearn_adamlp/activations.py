"""Activation functions, each with its derivative beside it.

Every activation is a stateless object with

- ``forward(z, out)``: ``a = phi(z)`` written into ``out`` (which may be ``z``);
- ``derivative(z, a, delta)``: ``delta *= phi'(z)`` in place, where ``a = phi(z)``
  is given too, so most derivatives cost no extra transcendental function.

``needs_z`` tells the network whether the derivative reads ``z``; when it does not,
the network applies the activation in place and keeps a single buffer per layer, so
``derivative`` may then only use ``a``.

Every activation keeps float32 as float32 and raises no floating-point warning
(overflow, underflow, invalid) for ``|z|`` up to 1e4 in float32 and float64, even
under ``np.errstate(all='raise')``: exponential tails that would underflow are set
to zero explicitly instead of being computed.

Hidden-layer activations are registered in ``ACTIVATIONS`` as instances
(``activations.register("mine")(MyActivation())``); output-only ones
(``SOFTMAX``, ``EXP``) are module constants that losses name as their pair.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, ndtr

from sklearn_adamlp._params import Parametrized
from sklearn_adamlp._registry import Registry
from sklearn_adamlp._typing import FloatArray

ACTIVATIONS = Registry("activation")
register = ACTIVATIONS.register
get = ACTIVATIONS.get
available = ACTIVATIONS.available


def _tail(dtype) -> float:
    """``t`` such that ``exp(-t)`` and its products stay normal numbers in ``dtype``."""
    return 0.9 * float(-np.log(np.finfo(dtype).tiny))  # 78.6 (f32), 637.6 (f64)


def _copy_into(z: FloatArray, out: FloatArray | None) -> FloatArray:
    """Return ``out`` holding a copy of ``z`` (a new array when ``out`` is None)."""
    if out is None:
        return z.copy()
    if out is not z:
        np.copyto(out, z)
    return out


def _sigmoid(z: FloatArray, out: FloatArray | None = None) -> FloatArray:
    """``expit(z)`` with the far negative tail set to exactly zero."""
    s = expit(z, out=out if out is not None else np.empty_like(z))
    s[z < -_tail(z.dtype)] = 0
    return s


class Activation(Parametrized):
    """Base class: an elementwise function and its derivative.

    Subclasses set ``name`` and implement ``forward`` and ``derivative``.
    Instances hold only hyper-parameters (``get_params``/``set_params``, so
    ``activation__negative_slope`` can be tuned), so one registered instance
    serves every network and pickles with its class and parameters.
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

    def __reduce__(self) -> tuple:
        return (type(self), (), self.__dict__.copy() or None)


class Identity(Activation):
    """Identity, a linear unit.

    ::

        a = z
        phi'(z) = 1
    """

    name = "identity"

    def forward(self, z, out=None):  # noqa: D102
        return _copy_into(z, out)

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
        phi'(z) = 1 - a**2 = 4 / (exp(z) + exp(-z))**2
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


class SiLU(Activation):
    """Sigmoid-weighted linear unit, also called swish (seed 001).

    ::

        s = 1 / (1 + exp(-z))
        a = z * s
        phi'(z) = a + s * (1 - a)          (seed 001)
                = s * (1 + z * (1 - s))    (the same; evaluated, no cancellation)

    References
    ----------
    Elfwing, Uchibe & Doya (2018), "Sigmoid-weighted linear units for neural
    network function approximation in reinforcement learning", Neural Networks.
    Ramachandran, Zoph & Le (2017), "Searching for activation functions".
    """

    name = "silu"
    needs_z = True

    def forward(self, z, out=None):  # noqa: D102
        if out is None or out is z:
            return np.multiply(z, _sigmoid(z), out=out if out is not None else z)
        _sigmoid(z, out=out)
        out *= z
        return out

    def derivative(self, z, a, delta):  # noqa: D102
        s = _sigmoid(z)
        g = np.subtract(1, s)
        g *= z
        g += 1
        g *= s
        delta *= g


class LeakyReLU(Activation):
    """Leaky rectified linear unit.

    ::

        a = z if z > 0 else negative_slope * z
        phi'(z) = 1 if z > 0 else negative_slope

    Parameters
    ----------
    negative_slope : float, default=0.01
        Slope for ``z <= 0``; must be >= 0 (then ``a > 0`` exactly where ``z > 0``
        and the derivative needs only ``a``).

    References
    ----------
    Maas, Hannun & Ng (2013), "Rectifier nonlinearities improve neural network
    acoustic models", ICML workshop.
    """

    name = "leaky_relu"

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = negative_slope

    def forward(self, z, out=None):  # noqa: D102
        slope = float(self.negative_slope)
        if slope < 0:
            raise ValueError(f"negative_slope must be >= 0, got {slope}.")
        out = _copy_into(z, out)
        np.multiply(out, slope, out=out, where=out < 0)
        return out

    def derivative(self, z, a, delta):  # noqa: D102
        np.multiply(delta, float(self.negative_slope), out=delta, where=a <= 0)


class ELU(Activation):
    """Exponential linear unit.

    ::

        a = z if z > 0 else alpha * (exp(z) - 1)
        phi'(z) = 1 if z > 0 else alpha * exp(z) = a + alpha

    Parameters
    ----------
    alpha : float, default=1.0
        Saturation value ``-alpha`` for ``z -> -inf``; must be > 0.

    References
    ----------
    Clevert, Unterthiner & Hochreiter (2016), "Fast and accurate deep network
    learning by exponential linear units (ELUs)", ICLR.
    """

    name = "elu"

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def forward(self, z, out=None):  # noqa: D102
        out = _copy_into(z, out)
        neg = out < 0
        np.expm1(out, out=out, where=neg)  # exp only where it cannot overflow
        np.multiply(out, float(self.alpha), out=out, where=neg)
        return out

    def derivative(self, z, a, delta):  # noqa: D102
        alpha = float(self.alpha)
        np.multiply(delta, a + alpha, out=delta, where=a <= 0)


class GELU(Activation):
    """Gaussian error linear unit, exact (erf) form.

    ::

        Phi(z) = 0.5 * (1 + erf(z / sqrt(2)))      (standard normal CDF, ndtr)
        a = z * Phi(z)
        phi'(z) = Phi(z) + z * exp(-z**2 / 2) / sqrt(2 * pi)

    References
    ----------
    Hendrycks & Gimpel (2016), "Gaussian error linear units (GELUs)",
    arXiv:1606.08415.
    """

    name = "gelu"
    needs_z = True

    @staticmethod
    def _cdf(z, out=None):
        Phi = ndtr(z, out=out if out is not None else np.empty_like(z))
        Phi[z < -np.sqrt(2 * _tail(z.dtype))] = 0  # exp(-z**2/2) underflows there
        return Phi

    def forward(self, z, out=None):  # noqa: D102
        if out is None or out is z:
            return np.multiply(z, self._cdf(z), out=out if out is not None else z)
        self._cdf(z, out=out)
        out *= z
        return out

    def derivative(self, z, a, delta):  # noqa: D102
        cut = np.sqrt(2 * _tail(z.dtype))
        zc = np.clip(z, -cut, cut)
        pdf = np.multiply(zc, zc)
        pdf *= -0.5
        np.exp(pdf, out=pdf)
        pdf[np.abs(z) >= cut] = 0
        pdf *= zc
        pdf *= 1 / np.sqrt(2 * np.pi)
        pdf += self._cdf(z)
        delta *= pdf


class Softplus(Activation):
    """Softplus, a smooth ReLU.

    ::

        a = log(1 + exp(z)) = max(z, 0) + log(1 + exp(-|z|))
        phi'(z) = 1 / (1 + exp(-z)) = 1 - exp(-a)

    The derivative is written with ``a`` only, so no second buffer is kept.

    References
    ----------
    Dugas et al. (2001), "Incorporating second-order functional knowledge for
    better option pricing", NIPS.
    """

    name = "softplus"

    def forward(self, z, out=None):  # noqa: D102
        t = np.abs(z)
        np.negative(t, out=t)
        e = np.exp(t, out=np.zeros_like(t), where=t > -_tail(z.dtype))
        np.log1p(e, out=e)
        out = np.maximum(z, 0, out=out if out is not None else np.empty_like(z))
        out += e
        return out

    def derivative(self, z, a, delta):  # noqa: D102
        g = np.negative(a)
        np.expm1(g, out=g)
        delta *= -g


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

for _activation in (
    Identity(),
    Logistic(),
    Tanh(),
    ReLU(),
    SiLU(),
    LeakyReLU(),
    ELU(),
    GELU(),
    Softplus(),
):
    register(_activation.name)(_activation)
