"""The ``Initializer`` base class, the registry, drawing helpers and ``build``."""

from __future__ import annotations

from typing import ClassVar

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


def uniform(rng, s: float, shape, dtype) -> FloatArray:
    return rng.uniform(-s, s, shape).astype(dtype, copy=False)


def normal(rng, std: float, shape, dtype) -> FloatArray:
    return rng.normal(0.0, std, shape).astype(dtype, copy=False)


def build(spec) -> Initializer:
    """Turn a name, an ``Initializer`` class or object into a fresh, checked object.

    ``INITIALIZERS.build``: names and classes are instantiated with their
    defaults; an object is copied with its parameters, so the user's object is
    never modified. A plain function ``f(shape, rng, dtype)`` is wrapped.
    """
    obj = INITIALIZERS.build(spec)
    if isinstance(obj, Initializer):
        return obj
    if callable(obj):
        return _CallableInitializer(obj)
    raise TypeError(f"init must be a name, an Initializer or a callable; got {spec!r}")


class _CallableInitializer(Initializer):
    """Adapter for a plain function ``f(shape, rng, dtype) -> ndarray``."""

    _parameter_constraints: ClassVar[dict] = {"func": [callable]}

    def __init__(self, func) -> None:
        self.func = func

    def __call__(self, shape, rng, dtype=np.float64):
        W = np.asarray(self.func(shape, rng, dtype), dtype=dtype)
        if W.shape != tuple(shape):
            raise ValueError(
                f"init callable returned shape {W.shape}, expected {tuple(shape)}"
            )
        return W
