"""The registry of parallel strategies and ``build``, the estimator's way to one.

Kept apart from the package's ``__init__`` so that the modules of the package
(``_dask_input`` checks a dask fit's strategy) can use it without importing
the package that imports them. The strategies register themselves where they
are defined (``@PARALLEL.register(name)``).
"""

from __future__ import annotations

from typing import Any

# imported for its registration: ``ModelAveraging`` registers 'averaging'
from sklearn_adamlp.parallel._averaging import ModelAveraging  # noqa: F401
from sklearn_adamlp.parallel._strategies import PARALLEL, ParallelStrategy

get = PARALLEL.get
available = PARALLEL.available


def build(spec: Any) -> ParallelStrategy | None:
    """Return a fresh, checked strategy for the estimator's ``parallel`` value.

    None stays None; otherwise ``PARALLEL.build``: a name or class is
    instantiated with its defaults, an object is copied (never mutated).
    """
    if spec is None:
        return None
    built: ParallelStrategy = PARALLEL.build(spec)
    return built


__all__ = ["PARALLEL", "available", "build", "get"]
