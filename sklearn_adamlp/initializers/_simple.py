"""Fixed-scale initializers: zeros, constant, normal, uniform, orthogonal, sklearn."""

from __future__ import annotations

from numbers import Real
from typing import ClassVar

import numpy as np

from sklearn_adamlp._validation import Interval
from sklearn_adamlp.initializers._base import INITIALIZERS, Initializer, normal, uniform


@INITIALIZERS.register("zeros")
class Zeros(Initializer):
    """All-zero weights (the course notes: never breaks symmetry; for demonstrations).

    ::

        W = 0
    """

    def __call__(self, shape, rng, dtype=np.float64):
        return np.zeros(shape, dtype=dtype)


@INITIALIZERS.register("constant")
class Constant(Initializer):
    """Every weight equal (the course notes: no better than zeros at breaking symmetry).

    ::

        W = value

    Parameters
    ----------
    value : float, default=0.1
        The weight value.
    """

    # any finite number
    _parameter_constraints: ClassVar[dict] = {
        "value": [Interval(Real, None, None, closed="neither")]
    }

    def __init__(self, value: float = 0.1) -> None:
        self.value = value

    def __call__(self, shape, rng, dtype=np.float64):
        return np.full(shape, float(self.value), dtype=dtype)


@INITIALIZERS.register("normal")
class Normal(Initializer):
    """Gaussian weights of a fixed standard deviation.

    ::

        W ~ N(0, std**2)

    Parameters
    ----------
    std : float, default=0.05
        Standard deviation (``std=1`` is the naive init that saturates units).
    """

    _parameter_constraints: ClassVar[dict] = {
        "std": [Interval(Real, 0, None, closed="left")]
    }

    def __init__(self, std: float = 0.05) -> None:
        self.std = std

    def __call__(self, shape, rng, dtype=np.float64):
        return normal(rng, float(self.std), shape, dtype)


@INITIALIZERS.register("uniform")
class Uniform(Initializer):
    """Uniform weights of a fixed bound.

    ::

        W ~ U(-bound, bound)

    Parameters
    ----------
    bound : float, default=0.05
        Half-width of the interval.
    """

    _parameter_constraints: ClassVar[dict] = {
        "bound": [Interval(Real, 0, None, closed="left")]
    }

    def __init__(self, bound: float = 0.05) -> None:
        self.bound = bound

    def __call__(self, shape, rng, dtype=np.float64):
        return uniform(rng, float(self.bound), shape, dtype)


@INITIALIZERS.register("orthogonal")
class Orthogonal(Initializer):
    """Random orthogonal weights (Saxe et al. 2014).

    ::

        A ~ N(0, 1) of shape (max(fan_in, fan_out), min(fan_in, fan_out))
        Q, R = qr(A);   Q = Q * sign(diag(R))     (Haar-distributed Q)
        W = gain * Q   (transposed when fan_in < fan_out)

    The rows (``fan_in >= fan_out``) or columns of ``W / gain`` are orthonormal.

    Parameters
    ----------
    gain : float, default=1.0
        Multiplier of the orthogonal matrix.

    References
    ----------
    Saxe, McClelland & Ganguli (2014), "Exact solutions to the nonlinear
    dynamics of learning in deep linear neural networks", ICLR.
    """

    _parameter_constraints: ClassVar[dict] = {
        "gain": [Interval(Real, 0, None, closed="neither")]
    }

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def __call__(self, shape, rng, dtype=np.float64):
        fan_in, fan_out = shape
        A = rng.standard_normal((max(shape), min(shape)))
        Q, R = np.linalg.qr(A)
        Q *= np.where(np.diag(R) < 0, -1.0, 1.0)
        W = Q if fan_in >= fan_out else Q.T
        return (float(self.gain) * W).astype(dtype, copy=False)


@INITIALIZERS.register("sklearn")
class SklearnUniform(Initializer):
    """Scikit-learn's MLP rule, for like-for-like comparisons.

    ::

        s = sqrt(factor / (fan_in + fan_out)),  factor = 2 for logistic else 6
        W ~ U(-s, s),   b ~ U(-s, s)

    Weights and biases are drawn layer by layer in float64 from the same random
    state as scikit-learn, so a given ``random_state`` gives sklearn's exact
    starting point.

    Parameters
    ----------
    factor : float, default=6.0
        Numerator under the square root; ``for_activation('logistic')`` uses 2.
    """

    _parameter_constraints: ClassVar[dict] = {
        "factor": [Interval(Real, 0, None, closed="neither")]
    }

    def __init__(self, factor: float = 6.0) -> None:
        self.factor = factor

    def _bound(self, fan_in: int, fan_out: int) -> float:
        return float(np.sqrt(float(self.factor) / (fan_in + fan_out)))

    def __call__(self, shape, rng, dtype=np.float64):
        s = self._bound(*shape)
        return rng.uniform(-s, s, shape).astype(dtype, copy=False)

    def bias(self, fan_in, fan_out, rng, dtype=np.float64):
        s = self._bound(fan_in, fan_out)
        return rng.uniform(-s, s, fan_out).astype(dtype, copy=False)

    def for_activation(self, activation):
        if activation == "logistic":
            return SklearnUniform(factor=2.0)
        return self
