"""The ``Activation`` base class, the registry and numerically safe helpers."""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from sklearn_adamlp._params import Parametrized
from sklearn_adamlp._registry import Registry
from sklearn_adamlp._typing import FloatArray

#: hidden-layer activations, one stateless instance per name
ACTIVATIONS = Registry("activation", instances=True)


def tail(dtype) -> float:
    """``t`` such that ``exp(-t)`` and its products stay normal numbers in ``dtype``."""
    return 0.9 * float(-np.log(np.finfo(dtype).tiny))  # 78.6 (f32), 637.6 (f64)


def copy_into(z: FloatArray, out: FloatArray | None) -> FloatArray:
    """Return ``out`` holding a copy of ``z`` (a new array when ``out`` is None)."""
    if out is None:
        return z.copy()
    if out is not z:
        np.copyto(out, z)
    return out


def sigmoid(z: FloatArray, out: FloatArray | None = None) -> FloatArray:
    """``expit(z)`` with the far negative tail set to exactly zero."""
    s = expit(z, out=out if out is not None else np.empty_like(z))
    s[z < -tail(z.dtype)] = 0
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

    def forward_biased(
        self, z: FloatArray, b: FloatArray, out: FloatArray | None = None
    ) -> FloatArray:
        """``z += b`` (a bias row added to every row), then return ``phi(z)``.

        ``z`` then holds the pre-activations, as the backward pass expects. An
        activation may do both in one pass (ReLU, with the ``jit`` extra).
        """
        z += b
        return self.forward(z, out=out)

    def __call__(self, z: FloatArray) -> FloatArray:
        """Return ``phi(z)`` as a new array (hyper-parameters checked first)."""
        self._validate_params()
        return self.forward(z, np.empty_like(z))

    def __reduce__(self) -> tuple:
        return (type(self), (), self.__dict__.copy() or None)
