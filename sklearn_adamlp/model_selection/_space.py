"""The search space shared by the population searches: draw, perturb, identify."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np


class Space:
    """The search space: draws one parameter, mutates a set, keys a set."""

    def __init__(self, distributions: dict) -> None:
        if not distributions:
            raise ValueError("param_distributions must name at least one parameter.")
        for name, dist in distributions.items():
            if not (hasattr(dist, "rvs") or _is_sequence(dist)):
                raise TypeError(
                    f"param_distributions[{name!r}] must be a list of values or an "
                    f"object with an rvs method, got {dist!r}."
                )
            if _is_sequence(dist) and len(dist) == 0:
                raise ValueError(f"param_distributions[{name!r}] is empty.")
        self.distributions = distributions
        self.names = sorted(distributions)

    def draw(self, name: str, rng):
        """Draw one value of ``name`` from its distribution."""
        dist = self.distributions[name]
        if hasattr(dist, "rvs"):
            return dist.rvs(random_state=rng)
        return dist[rng.randint(len(dist))]

    def mutate(self, params: dict, rate: float, rng) -> dict:
        """Mutate each parameter of ``params`` with probability ``rate``."""
        return {
            name: self.perturb(name, value, rng) if rng.rand() < rate else value
            for name, value in params.items()
        }

    def perturb(self, name: str, value, rng):
        """Return a mutated ``value`` of parameter ``name``.

        A parameter given as a list is redrawn from the list. One given as a
        distribution is multiplied by 0.8 or 1.25, at random (the "explore" step
        of population based training); it is redrawn instead if the product
        leaves the distribution's support or equals the old value.
        """
        dist = self.distributions[name]
        if not hasattr(dist, "rvs") or not isinstance(value, Real):
            return self.draw(name, rng)
        # the product keeps the value's scalar type (Python or numpy)
        new: Any = value * (0.8 if rng.rand() < 0.5 else 1.25)
        if isinstance(value, Integral):
            # typeshed gives the numbers ABCs no constructor; the concrete
            # integer types (int, numpy's) take the rounded value
            new = type(value)(round(new))  # type: ignore[call-arg]
        low, high = _support(dist)
        if new == value or not low <= new <= high:
            return self.draw(name, rng)
        return new

    def key(self, params: dict) -> tuple:
        """Return a hashable identity of a parameter set (values by ``repr``)."""
        return tuple((name, repr(params[name])) for name in self.names)


def _support(dist) -> tuple:
    """Return the ``(low, high)`` support of a distribution (infinite if unknown)."""
    support = getattr(dist, "support", None)
    if not callable(support):  # not a scipy distribution
        return -np.inf, np.inf
    try:
        low, high = support()
    except (TypeError, ValueError):  # not a scipy distribution
        return -np.inf, np.inf
    return float(low), float(high)


def _is_sequence(dist) -> bool:
    return isinstance(dist, list | tuple | np.ndarray)
