"""Parallel SGD over worker processes: Hogwild, Downpour, EASGD and model averaging.

Select a strategy with the estimators' ``parallel`` parameter, by name or as an
object (tunable as ``parallel__n_workers``)::

    MLPClassifier(solver="sgd", parallel="hogwild")
    MLPClassifier(parallel=EASGD(n_workers=4, tau=8))

``get(name)`` returns a strategy class, ``available()`` lists the names and
``PARALLEL.register(name)`` adds a user's ``ParallelStrategy`` subclass.
"""

from __future__ import annotations

from typing import Any

from sklearn.base import clone

from sklearn_adamlp._registry import Registry
from sklearn_adamlp.parallel._averaging import ModelAveraging
from sklearn_adamlp.parallel._dask_input import is_dask, remote_input
from sklearn_adamlp.parallel._dask_predict import computed_score, lazy_output
from sklearn_adamlp.parallel._strategies import (
    EASGD,
    Downpour,
    Hogwild,
    ParallelStrategy,
    Replica,
)

PARALLEL = Registry("parallel strategy")
PARALLEL.register("hogwild")(Hogwild)
PARALLEL.register("downpour")(Downpour)
PARALLEL.register("easgd")(EASGD)
PARALLEL.register("averaging")(ModelAveraging)

get = PARALLEL.get
available = PARALLEL.available


def build(spec: Any) -> ParallelStrategy | None:
    """Return a fresh strategy for the estimator's ``parallel`` value.

    None stays None, a name or class is instantiated with its defaults, an
    object is cloned (never mutated).
    """
    if spec is None:
        return None
    found = PARALLEL.get(spec)
    if isinstance(found, type):
        return found()
    return clone(found, safe=False)


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
    "computed_score",
    "get",
    "is_dask",
    "lazy_output",
    "remote_input",
]
