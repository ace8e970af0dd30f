"""Weight initializers: ``init(shape=(fan_in, fan_out), rng=..., dtype=...)``.

Each initializer is a small cloneable object (``get_params``/``set_params``), so
``init=GlorotUniform()`` can be tuned by GridSearchCV. ``rng`` is the estimator's
random state (a ``numpy.random.RandomState`` from sklearn's ``check_random_state``,
or a ``numpy.random.Generator``: both offer ``uniform`` and ``normal``).

Biases start at zero unless an initializer overrides ``bias`` (only 'sklearn'
does). ``fan_in``/``fan_out`` are ``n^(L)``/``n^(L+1)`` of seed 001: the units
feeding the layer and the units it feeds.

``init='auto'`` follows the table of seed 001 (uniform column): each layer's
initializer is chosen by the activation of the units it feeds (``AUTO_GAINS``).
"""

from __future__ import annotations

import math

import numpy as np

from sklearn_adamlp._params import Parametrized
from sklearn_adamlp._registry import Registry
from sklearn_adamlp._typing import FloatArray

INITIALIZERS = Registry("initializer")
register = INITIALIZERS.register
get = INITIALIZERS.get
available = INITIALIZERS.available


class Initializer(Parametrized):
    """Base class: draws a weight matrix, and a bias vector (zeros by default)."""

    def __call__(self, shape: tuple[int, int], rng, dtype=np.float64) -> FloatArray:
        """Return a new ``(fan_in, fan_out)`` weight matrix of ``dtype``."""
        raise NotImplementedError

    def bias(self, fan_in: int, fan_out: int, rng, dtype=np.float64) -> FloatArray:
        """Return a new ``(fan_out,)`` bias vector (zeros unless overridden)."""
        return np.zeros(fan_out, dtype=dtype)

    def for_activation(self, activation: str) -> Initializer:
        """Return the initializer to use before units with ``activation``."""
        return self


@register("zeros")
class Zeros(Initializer):
    """All-zero weights (seed 004: never breaks symmetry; for demonstrations).

    ::

        W = 0
    """

    def __call__(self, shape, rng, dtype=np.float64):  # noqa: D102
        return np.zeros(shape, dtype=dtype)


@register("constant")
class Constant(Initializer):
    """Every weight equal (seed 004: no better than zeros at breaking symmetry).

    ::

        W = value

    Parameters
    ----------
    value : float, default=0.1
        The weight value.
    """

    def __init__(self, value: float = 0.1) -> None:
        self.value = value

    def __call__(self, shape, rng, dtype=np.float64):  # noqa: D102
        return np.full(shape, float(self.value), dtype=dtype)


@register("normal")
class Normal(Initializer):
    """Gaussian weights of a fixed standard deviation.

    ::

        W ~ N(0, std**2)

    Parameters
    ----------
    std : float, default=0.05
        Standard deviation (``std=1`` is the naive init that saturates units).
    """

    def __init__(self, std: float = 0.05) -> None:
        self.std = std

    def __call__(self, shape, rng, dtype=np.float64):  # noqa: D102
        return _normal(rng, float(self.std), shape, dtype)


@register("uniform")
class Uniform(Initializer):
    """Uniform weights of a fixed bound.

    ::

        W ~ U(-bound, bound)

    Parameters
    ----------
    bound : float, default=0.05
        Half-width of the interval.
    """

    def __init__(self, bound: float = 0.05) -> None:
        self.bound = bound

    def __call__(self, shape, rng, dtype=np.float64):  # noqa: D102
        return _uniform(rng, float(self.bound), shape, dtype)


def _uniform(rng, s: float, shape, dtype) -> FloatArray:
    return rng.uniform(-s, s, shape).astype(dtype, copy=False)


def _normal(rng, std: float, shape, dtype) -> FloatArray:
    return rng.normal(0.0, std, shape).astype(dtype, copy=False)


class _Scaled(Initializer):
    """``W ~ U(-s, s)`` or ``N(0, s**2)`` with ``s = gain * sqrt(c / n)``.

    Subclasses set ``c``, ``distribution`` and ``_fan`` (``n`` from the shape).
    """

    c: float = 1.0
    distribution: str = "uniform"

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    @staticmethod
    def _fan(fan_in: int, fan_out: int) -> int:
        return fan_in + fan_out

    def scale(self, fan_in: int, fan_out: int) -> float:
        """Return the bound (uniform) or standard deviation (normal) for a shape."""
        return float(self.gain) * math.sqrt(self.c / self._fan(fan_in, fan_out))

    def __call__(self, shape, rng, dtype=np.float64):
        draw = _uniform if self.distribution == "uniform" else _normal
        return draw(rng, self.scale(*shape), shape, dtype)


@register("glorot_uniform")
class GlorotUniform(_Scaled):
    """Glorot (Xavier) uniform, seed 001's tanh row.

    ::

        W ~ U(-s, s),   s = gain * sqrt(6 / (fan_in + fan_out))

    Parameters
    ----------
    gain : float, default=1.0
        Multiplier of the bound (4 for the logistic sigmoid, sqrt(2) for ReLU).

    References
    ----------
    Glorot & Bengio (2010), "Understanding the difficulty of training deep
    feedforward neural networks", AISTATS.
    """

    c = 6.0


@register("glorot_normal")
class GlorotNormal(_Scaled):
    """Glorot (Xavier) normal, seed 001's tanh row, Gaussian column.

    ::

        W ~ N(0, s**2),   s = gain * sqrt(2 / (fan_in + fan_out))

    Parameters
    ----------
    gain : float, default=1.0
        Multiplier of the standard deviation.

    References
    ----------
    Glorot & Bengio (2010), AISTATS.
    """

    c = 2.0
    distribution = "normal"


@register("sigmoid_uniform")
class SigmoidUniform(GlorotUniform):
    """Seed 001's sigmoid row: 4 x Glorot uniform.

    ::

        W ~ U(-s, s),   s = 4 * sqrt(6 / (fan_in + fan_out))

    Parameters
    ----------
    gain : float, default=4.0
    """

    def __init__(self, gain: float = 4.0) -> None:
        self.gain = gain


@register("sigmoid_normal")
class SigmoidNormal(GlorotNormal):
    """Seed 001's sigmoid row, Gaussian column: 4 x Glorot normal.

    ::

        W ~ N(0, s**2),   s = 4 * sqrt(2 / (fan_in + fan_out))

    Parameters
    ----------
    gain : float, default=4.0
    """

    def __init__(self, gain: float = 4.0) -> None:
        self.gain = gain


class _FanIn(_Scaled):
    @staticmethod
    def _fan(fan_in: int, fan_out: int) -> int:
        return fan_in


@register("he_uniform")
class HeUniform(_FanIn):
    """He (Kaiming) uniform, for ReLU units.

    ::

        W ~ U(-s, s),   s = gain * sqrt(6 / fan_in)

    Parameters
    ----------
    gain : float, default=1.0

    References
    ----------
    He, Zhang, Ren & Sun (2015), "Delving deep into rectifiers", ICCV.
    """

    c = 6.0


@register("he_normal")
class HeNormal(_FanIn):
    """He (Kaiming) normal, for ReLU units.

    ::

        W ~ N(0, s**2),   s = gain * sqrt(2 / fan_in)

    Parameters
    ----------
    gain : float, default=1.0

    References
    ----------
    He, Zhang, Ren & Sun (2015), ICCV.
    """

    c = 2.0
    distribution = "normal"


@register("lecun_uniform")
class LecunUniform(_FanIn):
    """LeCun uniform (unit variance of ``z`` for unit-variance inputs).

    ::

        W ~ U(-s, s),   s = gain * sqrt(3 / fan_in)

    Parameters
    ----------
    gain : float, default=1.0

    References
    ----------
    LeCun, Bottou, Orr & Mueller (1998), "Efficient BackProp".
    """

    c = 3.0


@register("lecun_normal")
class LecunNormal(_FanIn):
    """LeCun normal.

    ::

        W ~ N(0, s**2),   s = gain * sqrt(1 / fan_in)

    Parameters
    ----------
    gain : float, default=1.0

    References
    ----------
    LeCun, Bottou, Orr & Mueller (1998), "Efficient BackProp".
    """

    c = 1.0
    distribution = "normal"


@register("orthogonal")
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

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def __call__(self, shape, rng, dtype=np.float64):  # noqa: D102
        fan_in, fan_out = shape
        A = rng.standard_normal((max(shape), min(shape)))
        Q, R = np.linalg.qr(A)
        Q *= np.where(np.diag(R) < 0, -1.0, 1.0)
        W = Q if fan_in >= fan_out else Q.T
        return (float(self.gain) * W).astype(dtype, copy=False)


#: Seed 001's table (uniform column) as gains on Glorot uniform, by activation.
#: identity follows tanh (Glorot's linear-regime derivation); the ReLU-like units
#: (leaky_relu, elu, gelu, softplus) follow ReLU and SiLU. Unknown names get 1.
AUTO_GAINS: dict[str, float] = {
    "identity": 1.0,
    "logistic": 4.0,
    "tanh": 1.0,
    "relu": math.sqrt(2.0),
    "silu": math.sqrt(2.0),
    "leaky_relu": math.sqrt(2.0),
    "elu": math.sqrt(2.0),
    "gelu": math.sqrt(2.0),
    "softplus": math.sqrt(2.0),
}


@register("auto")
class Auto(Initializer):
    """Seed 001's table: Glorot uniform with a gain chosen by activation.

    ::

        W ~ U(-s, s),   s = gain(activation) * sqrt(6 / (fan_in + fan_out))

        logistic                                    gain = 4
        tanh, identity                              gain = 1
        relu, silu, leaky_relu, elu, gelu, softplus gain = sqrt(2)

    ``for_activation(name)`` returns ``GlorotUniform(gain=AUTO_GAINS[name])``
    (gain 1 for a name not in ``AUTO_GAINS``; register a user activation's gain
    there). The estimator asks each layer for the activation of the units it
    feeds; the output layer follows the last hidden activation.

    References
    ----------
    Glorot & Bengio (2010), AISTATS; He et al. (2015), ICCV.
    """

    def __call__(self, shape, rng, dtype=np.float64):  # noqa: D102
        return GlorotUniform()(shape, rng, dtype)

    def for_activation(self, activation):  # noqa: D102
        return GlorotUniform(gain=AUTO_GAINS.get(activation, 1.0))


@register("sklearn")
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

    def __init__(self, factor: float = 6.0) -> None:
        self.factor = factor

    def _bound(self, fan_in: int, fan_out: int) -> float:
        return float(np.sqrt(float(self.factor) / (fan_in + fan_out)))

    def __call__(self, shape, rng, dtype=np.float64):  # noqa: D102
        s = self._bound(*shape)
        return rng.uniform(-s, s, shape).astype(dtype, copy=False)

    def bias(self, fan_in, fan_out, rng, dtype=np.float64):  # noqa: D102
        s = self._bound(fan_in, fan_out)
        return rng.uniform(-s, s, fan_out).astype(dtype, copy=False)

    def for_activation(self, activation):  # noqa: D102
        if activation == "logistic":
            return SklearnUniform(factor=2.0)
        return self


def build(spec) -> Initializer:
    """Turn a name, an ``Initializer`` class or object into a fresh object.

    Names and classes are instantiated with their defaults; an object is copied
    through ``get_params`` so the user's object is never modified.
    """
    obj = get(spec)
    if isinstance(obj, type):
        return obj()
    if isinstance(obj, Initializer):
        return type(obj)(**obj.get_params(deep=False))
    if callable(obj):
        return _CallableInitializer(obj)
    raise TypeError(f"init must be a name, an Initializer or a callable; got {spec!r}")


class _CallableInitializer(Initializer):
    """Adapter for a plain function ``f(shape, rng, dtype) -> ndarray``."""

    def __init__(self, func) -> None:
        self.func = func

    def __call__(self, shape, rng, dtype=np.float64):
        W = np.asarray(self.func(shape, rng, dtype), dtype=dtype)
        if W.shape != tuple(shape):
            raise ValueError(
                f"init callable returned shape {W.shape}, expected {tuple(shape)}"
            )
        return W
