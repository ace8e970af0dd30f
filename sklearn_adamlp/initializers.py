"""Weight initializers: ``init(shape=(fan_in, fan_out), rng=..., dtype=...)``.

Each initializer is a small cloneable object (``get_params``/``set_params``), so
``init=GlorotUniform()`` can be tuned by GridSearchCV. ``rng`` is the estimator's
random state (a ``numpy.random.RandomState`` from sklearn's ``check_random_state``,
or a ``numpy.random.Generator``: both offer ``uniform`` and ``normal``).

Biases start at zero unless an initializer overrides ``bias``.
"""

from __future__ import annotations

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


@register("glorot_uniform")
class GlorotUniform(Initializer):
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

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def __call__(self, shape, rng, dtype=np.float64):  # noqa: D102
        fan_in, fan_out = shape
        s = float(self.gain) * np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-s, s, shape).astype(dtype, copy=False)


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
