"""Parallel SGD over worker processes: Hogwild, Downpour, EASGD and model averaging.

Select a strategy with the estimators' ``parallel`` parameter, by name or as an
object (tunable as ``parallel__n_workers``)::

    MLPClassifier(solver="sgd", parallel="hogwild")
    MLPClassifier(parallel=EASGD(n_workers=4, tau=8))

``get(name)`` returns a strategy class, ``available()`` lists the names and
``@PARALLEL.register(name)`` on a user's ``ParallelStrategy`` subclass adds it.
"""

from __future__ import annotations

from sklearn_adamlp.parallel._averaging import ModelAveraging
from sklearn_adamlp.parallel._catalog import PARALLEL, available, build, get
from sklearn_adamlp.parallel._dask import DaskSession
from sklearn_adamlp.parallel._dask_input import is_dask, remote_input
from sklearn_adamlp.parallel._dask_predict import computed_score, lazy_output
from sklearn_adamlp.parallel._session import ParallelSession
from sklearn_adamlp.parallel._strategies import (
    EASGD,
    SESSIONS,
    Downpour,
    Hogwild,
    ParallelStrategy,
    Replica,
)

# each backend's session, which ``ParallelStrategy.session`` starts (the
# sessions import the strategies, so the strategies are handed them here)
SESSIONS.update(processes=ParallelSession, sequential=ParallelSession, dask=DaskSession)

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
