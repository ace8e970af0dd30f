"""Dask arrays and DataFrames as ``fit`` input, for ``backend='dask'`` strategies.

The estimator's ``fit`` enters ``remote_input`` before validating its input.
For a dask ``X`` and a strategy with ``backend='dask'`` it

- persists ``X`` on the workers (one chunk of columns, the row chunks as
  given) together with ``y``, the sample weights and ``validation_data``, in
  one ``persist``: a ``y`` computed from a lazy ``X`` then shares ``X``'s
  blocks, and each block of ``X`` is generated once, on the worker that keeps
  it; the fit's ``DaskSession`` hands each trainer the row blocks its Dask
  worker holds;
- gives the estimator, in place of ``X``, an all-zero array of ``X``'s shape
  and dtype that is never written: ``np.zeros`` maps the operating system's
  zero page, so it costs address space, not memory, and the rows of ``X`` are
  never gathered on the client;
- gathers the persisted ``y``, sample weights and ``validation_data`` (small,
  or the client's to score; the estimator encodes ``y`` on the client).

Dropout (whose masks hash each row) and early stopping on rows held out of
``X`` would need the rows on the client: they raise with dask input (pass
``validation_data`` for early stopping). Any other strategy refuses dask input
with a message saying what to do.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

import numpy as np

from sklearn_adamlp.parallel._catalog import build
from sklearn_adamlp.parallel._guard import POLL

_REMOTE: contextvars.ContextVar[Any] = contextvars.ContextVar("remote_X", default=None)


def is_dask(value: Any) -> bool:
    """Whether ``value`` is a dask collection (array, DataFrame, Series)."""
    return type(value).__module__.split(".")[0] in ("dask", "dask_expr")


def current(stand_in: Any) -> Any:
    """Return the persisted dask ``X`` that ``stand_in`` replaces, or None."""
    remote = _REMOTE.get()
    if remote is None or getattr(stand_in, "shape", None) != remote.shape:
        return None
    return remote


@contextlib.contextmanager
def remote_input(
    estimator: Any, X: Any, y: Any, sample_weight: Any, validation_data: Any
) -> Iterator[tuple]:
    """Yield ``(X, y, sample_weight, validation_data)`` for the estimator's fit."""
    if not any(is_dask(v) for v in (X, y, sample_weight)):
        yield X, y, sample_weight, validation_data
        return
    if not is_dask(X):  # a small dask y or weight beside numpy X
        yield X, _local(y), _local(sample_weight), _local_pair(validation_data)
        return
    _check(estimator, validation_data)
    X = _as_array(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D; got a dask array of shape {X.shape}.")
    import dask
    from distributed import futures_of

    if X.numblocks[1] > 1:  # one chunk of columns: a row block is whole rows
        X = X.rechunk({1: -1})
    small = [_as_array(v) for v in (y, sample_weight, *(validation_data or ()))]
    # the caller's persisted chunks are theirs to keep
    given = {f.key for v in (X, *small) if is_dask(v) for f in futures_of(v)}
    # one persist of X and the small parts: a y derived from a lazy X shares
    # X's blocks, so each block of X is generated once, where it then stays
    X, *small = dask.persist(X, *small)
    ours = [f for v in (X, *small) if is_dask(v) for f in futures_of(v)]
    try:
        y, sample_weight, *val = (_local(v) for v in small)  # gathered, not X
        keep = given | {f.key for f in futures_of(X)}
        for future in ours:
            if future.key not in keep:
                future.release()  # y and the rest are on the client now
        validation_data = None if validation_data is None else tuple(val)
        if any(np.isnan(c) for c in X.chunks[0]):  # a DataFrame's partitions
            X = _with_lengths(X)  # of the persisted blocks: a bounded wait
        stand_in = np.zeros(X.shape, dtype=X.dtype)  # the zero page: no memory
        token = _REMOTE.set(X)
        try:
            yield stand_in, y, sample_weight, validation_data
        finally:
            _REMOTE.reset(token)
    finally:
        for future in ours:  # ours: the cluster forgets them
            if future.key not in given:
                future.release()


def _check(estimator: Any, validation_data: Any) -> None:
    strategy = estimator.parallel
    found = None if strategy is None else build(strategy)
    if found is None or found.backend != "dask":
        raise TypeError(
            "X is a dask collection: train on the cluster with "
            "parallel=EASGD(backend='dask') (or Downpour or ModelAveraging with "
            "backend='dask'), or compute X into memory first (X.compute()); "
            f"got parallel={strategy!r}."
        )
    if estimator.early_stopping and validation_data is None:
        raise ValueError(
            "early_stopping=True with dask X would gather the held-out rows on "
            "the client: pass validation_data=(X_val, y_val), on which early "
            "stopping then monitors, or compute X first."
        )
    if estimator.dropout:
        raise ValueError(
            "dropout with dask X is not supported yet (its masks hash each "
            "row); set dropout=0 or compute X first."
        )


def _as_array(X: Any) -> Any:
    """Return a dask array of ``X``, lazily (a DataFrame's row lengths unknown).

    The lengths are computed once ``X`` is persisted: computing them first
    would generate a lazy ``X`` twice.
    """
    if hasattr(X, "to_dask_array"):
        return X.to_dask_array()
    return X


def _local(value: Any) -> Any:
    """Return a small dask collection (y, weights) as a numpy array.

    Bounded: every ``POLL`` seconds the scheduler is asked whether any worker
    is left to compute it; with none, a ``RuntimeError`` says so instead of a
    wait that never ends.
    """
    if value is None or not is_dask(value):
        return value
    from distributed import get_client

    client = get_client()
    future = client.compute(_as_array(value))
    try:
        while True:
            try:
                return np.asarray(future.result(timeout=POLL))
            except TimeoutError:
                if not client.run_on_scheduler(_n_workers):
                    raise RuntimeError(
                        "The Dask cluster has no worker left to compute the "
                        "targets (a worker over 95% of its memory_limit is "
                        "restarted by its nanny: see the workers' logs): start "
                        "workers (or a new cluster) and fit again."
                    ) from None
    finally:
        future.release()


def _with_lengths(X: Any) -> Any:
    """Return the persisted dask array ``X`` with its row chunks' lengths known.

    What ``X.compute_chunk_sizes()`` does, with the wait bounded as in
    ``_local`` (a cluster with no worker left raises instead of hanging).
    """
    import dask.array as da

    n_blocks = X.numblocks[0]
    lengths = X.map_blocks(
        _length, dtype=np.intp, chunks=((1,) * n_blocks,), drop_axis=1
    )
    rows = tuple(int(n) for n in _local(lengths))
    return da.Array(X.dask, X.name, chunks=(rows, X.chunks[1]), dtype=X.dtype)


def _length(block: np.ndarray) -> np.ndarray:
    return np.array([block.shape[0]], dtype=np.intp)


def _n_workers(dask_scheduler: Any) -> int:
    return len(dask_scheduler.workers)


def _local_pair(validation_data: Any) -> Any:
    if validation_data is None:
        return None
    return tuple(_local(v) for v in validation_data)
