"""Lazy outputs for dask input: the estimator's method mapped over row chunks.

``predict``, ``predict_proba``, ``predict_log_proba`` and
``decision_function`` given a dask array return a dask array, as dask-ml's
``ParallelPostFit`` does: output block ``i`` is ``method(X_i)`` for row chunk
``X_i`` of ``X`` (``X``'s columns rechunked to one chunk first), computed
only when the result is (``.compute()``, ``dask.compute``, a client). A dask
DataFrame becomes a dask array too (``to_dask_array()``: its partitions'
lengths stay unknown, so nothing is computed at the call), after its column
names are checked against ``feature_names_in_``.

The checks that need no data run at the call: the estimator is fitted, ``X``
is 2-D, with ``n_features_in_`` columns and at least one row. The per-row
shape and dtype of the output (declared to dask up front) are those of the
method on one row of zeros. Values (NaN, inf) are checked by the method on
each block, so they raise scikit-learn's error at compute time.

The estimator enters the graph once, as one ``dask.delayed`` node that every
block task depends on (a cluster ships it to each worker once). It is the
estimator itself, not a copy: the blocks see it as it is at compute time,
so compute before fitting it again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import numpy as np

from sklearn_adamlp._validation import check_is_fitted, validate_data


def lazy_output(estimator: Any, method: str, X: Any) -> Any:
    """Return ``estimator.<method>(X)`` for a dask ``X`` as a lazy dask array.

    Parameters
    ----------
    estimator : fitted MLPClassifier or MLPRegressor
    method : str
        Name of the estimator's output method ('predict', 'predict_proba', ...).
    X : dask.array.Array or dask.dataframe.DataFrame of shape (n_samples, n_features)

    Returns
    -------
    out : dask.array.Array
        Of shape ``(n_samples,) + s`` and the method's dtype, where ``s`` is the
        shape of the method's output for one row without its first axis;
        chunked as ``X``'s rows.
    """
    import dask

    check_is_fitted(estimator)
    _check_2d(X)
    frame = hasattr(X, "to_dask_array")  # a DataFrame
    if frame:
        _check_names(estimator, X)
        X = X.to_dask_array()  # lazy: the partitions' lengths stay unknown
    _check_shape(estimator, X)
    if X.numblocks[1] > 1:
        X = X.rechunk({1: -1})
    probe = np.zeros((1, X.shape[1]), dtype=X.dtype)
    empty = _block(probe, estimator, method, frame, None)[:0]
    model = dask.delayed(
        estimator, name=f"{type(estimator).__name__}-{uuid.uuid4().hex}", traverse=False
    )
    return X.map_blocks(
        _block,
        model,
        method,
        frame,
        empty,
        token=method,
        chunks=(X.chunks[0], *((n,) for n in empty.shape[1:])),
        drop_axis=1 if empty.ndim == 1 else None,
        dtype=empty.dtype,
        meta=empty,
    )


def computed_score(
    estimator: Any, metric: Callable[..., float], X: Any, y: Any, sample_weight: Any
) -> float:
    """``metric(y, estimator.predict(X), sample_weight=sample_weight)``, in memory.

    For dask arguments: the predictions, ``y`` and the weights are computed
    together, once (scikit-learn's metrics would compute each several times).
    """
    import dask

    y_pred, y, sample_weight = dask.compute(estimator.predict(X), y, sample_weight)
    return metric(y, y_pred, sample_weight=sample_weight)


def _block(block: Any, estimator: Any, method: str, frame: bool, empty: Any) -> Any:
    """``method``'s output for one row chunk (``empty`` for a chunk of no rows).

    A DataFrame's chunk goes in as a pandas DataFrame with the fitted feature
    names (checked at the call against the dask DataFrame's), so that the
    method does not warn that it lacks them.
    """
    if empty is not None and block.shape[0] == 0:
        return empty
    names = getattr(estimator, "feature_names_in_", None) if frame else None
    if names is not None:
        import pandas as pd

        block = pd.DataFrame(block, columns=names, copy=False)
    return getattr(estimator, method)(block)


def _check_names(estimator: Any, X: Any) -> None:
    """Raise (or warn) as scikit-learn does for a DataFrame's column names."""
    # X._meta: the empty pandas DataFrame of X's columns and dtypes
    validate_data(estimator, X._meta, reset=False, skip_check_array=True)


def _check_2d(X: Any) -> None:
    if X.ndim != 2:
        raise ValueError(
            f"Expected a 2D dask array or a DataFrame, got a {X.ndim}D "
            f"{type(X).__name__}: reshape a single feature with X.reshape(-1, 1)."
        )


def _check_shape(estimator: Any, X: Any) -> None:
    """Raise ``ValueError`` for a 2-D ``X`` of the wrong width, or without rows."""
    name = type(estimator).__name__
    n_features = X.shape[1]
    if np.isnan(n_features):
        raise ValueError(
            "X's number of columns is unknown to dask: call "
            "X.compute_chunk_sizes() first."
        )
    if n_features != estimator.n_features_in_:
        raise ValueError(
            f"X has {n_features} features, but {name} is expecting "
            f"{estimator.n_features_in_} features as input."
        )
    if X.shape[0] == 0:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of "
            f"1 is required by {name}."
        )
