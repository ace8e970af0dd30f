"""Parallel SGD over worker processes: Hogwild, Downpour, EASGD and model averaging.

Select a strategy with the estimators' ``parallel`` parameter, by name or as an
object (tunable as ``parallel__n_workers``)::

    MLPClassifier(solver="sgd", parallel="hogwild")
    MLPClassifier(parallel=EASGD(n_workers=4, tau=8))

``get(name)`` returns a strategy class, ``available()`` lists the names and
``@PARALLEL.register(name)`` on a user's ``ParallelStrategy`` subclass adds it.
"""

from __future__ import annotations

from typing import Any

from sklearn_adamlp.parallel._averaging import ModelAveraging
from sklearn_adamlp.parallel._dask_input import remote_input
from sklearn_adamlp.parallel._strategies import (
    EASGD,
    PARALLEL,
    Downpour,
    Hogwild,
    ParallelStrategy,
    Replica,
)

get = PARALLEL.get
available = PARALLEL.available


def build(spec: Any) -> ParallelStrategy | None:
    """Return a fresh, checked strategy for the estimator's ``parallel`` value.

    None stays None; otherwise ``PARALLEL.build``: a name or class is
    instantiated with its defaults, an object is copied (never mutated).
    """
    if spec is None:
        return None
    return PARALLEL.build(spec)


__all__ = [
    "EASGD",
    "PARALLEL",
    "Downpour",
    "Hogwild",
    "ModelAveraging",
    "ParallelStrategy",
    "Replica",
    "available",
    "build",
    "get",
    "remote_input",
]
