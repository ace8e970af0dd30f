"""The registry of parallel strategies and ``build``, the estimator's way to one.

Kept apart from the package's ``__init__`` so that the modules of the package
(``_dask_input`` checks a dask fit's strategy) can use it without importing
the package that imports them.
"""

from __future__ import annotations

from typing import Any

from sklearn.base import clone

from sklearn_adamlp._registry import Registry
from sklearn_adamlp.parallel._averaging import ModelAveraging
from sklearn_adamlp.parallel._strategies import (
    EASGD,
    Downpour,
    Hogwild,
    ParallelStrategy,
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


__all__ = ["PARALLEL", "available", "build", "get"]
