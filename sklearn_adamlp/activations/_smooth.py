"""SiLU, leaky ReLU, ELU, GELU and softplus."""

from __future__ import annotations

from numbers import Real
from typing import ClassVar

import numpy as np
from scipy.special import ndtr

from sklearn_adamlp._validation import Interval
from sklearn_adamlp.activations._base import (
    ACTIVATIONS,
    Activation,
    copy_into,
    sigmoid,
    tail,
)


@ACTIVATIONS.register("silu")
class SiLU(Activation):
    """Sigmoid-weighted linear unit, also called swish (the course notes).

    ::

        s = 1 / (1 + exp(-z))
        a = z * s
        phi'(z) = a + s * (1 - a)          (the course notes)
                = s * (1 + z * (1 - s))    (the same; evaluated, no cancellation)

    References
    ----------
    Elfwing, Uchibe & Doya (2018), "Sigmoid-weighted linear units for neural
    network function approximation in reinforcement learning", Neural Networks.
    Ramachandran, Zoph & Le (2017), "Searching for activation functions".
    """

    name = "silu"
    needs_z = True

    def forward(self, z, out=None):
        if out is None or out is z:
            return np.multiply(z, sigmoid(z), out=out if out is not None else z)
        sigmoid(z, out=out)
        out *= z
        return out

    def derivative(self, z, a, delta):
        s = sigmoid(z)
        g = np.subtract(1, s)
        g *= z
        g += 1
        g *= s
        delta *= g


@ACTIVATIONS.register("leaky_relu")
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
    _parameter_constraints: ClassVar[dict] = {
        "negative_slope": [Interval(Real, 0, None, closed="left")]
    }

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = negative_slope

    def forward(self, z, out=None):
        slope = float(self.negative_slope)
        out = copy_into(z, out)
        np.multiply(out, slope, out=out, where=out < 0)
        return out

    def derivative(self, z, a, delta):
        np.multiply(delta, float(self.negative_slope), out=delta, where=a <= 0)


@ACTIVATIONS.register("elu")
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
    _parameter_constraints: ClassVar[dict] = {
        "alpha": [Interval(Real, 0, None, closed="neither")]
    }

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def forward(self, z, out=None):
        out = copy_into(z, out)
        neg = out < 0
        np.expm1(out, out=out, where=neg)  # exp only where it cannot overflow
        np.multiply(out, float(self.alpha), out=out, where=neg)
        return out

    def derivative(self, z, a, delta):
        alpha = float(self.alpha)
        np.multiply(delta, a + alpha, out=delta, where=a <= 0)


@ACTIVATIONS.register("gelu")
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
        Phi[z < -np.sqrt(2 * tail(z.dtype))] = 0  # exp(-z**2/2) underflows there
        return Phi

    def forward(self, z, out=None):
        if out is None or out is z:
            return np.multiply(z, self._cdf(z), out=out if out is not None else z)
        self._cdf(z, out=out)
        out *= z
        return out

    def derivative(self, z, a, delta):
        cut = np.sqrt(2 * tail(z.dtype))
        zc = np.clip(z, -cut, cut)
        pdf = np.multiply(zc, zc)
        pdf *= -0.5
        np.exp(pdf, out=pdf)
        pdf[np.abs(z) >= cut] = 0
        pdf *= zc
        pdf *= 1 / np.sqrt(2 * np.pi)
        pdf += self._cdf(z)
        delta *= pdf


@ACTIVATIONS.register("softplus")
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

    def forward(self, z, out=None):
        t = np.abs(z)
        np.negative(t, out=t)
        e = np.exp(t, out=np.zeros_like(t), where=t > -tail(z.dtype))
        np.log1p(e, out=e)
        out = np.maximum(z, 0, out=out if out is not None else np.empty_like(z))
        out += e
        return out

    def derivative(self, z, a, delta):
        g = np.negative(a)
        np.expm1(g, out=g)
        delta *= -g
