"""Checked inputs for inspection: the final estimator, ``X`` and encoded ``y``."""

from __future__ import annotations

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.multiclass import unique_labels
from sklearn.utils.validation import check_array, column_or_1d

from sklearn_adamlp._estimators import checked_X, fitted_parts
from sklearn_adamlp._estimators._base import BaseMLP
from sklearn_adamlp._validation import check_sample_weight


def final_step(estimator, X):
    """Return ``(model, X)``: a Pipeline's last step and ``X`` transformed."""
    if isinstance(estimator, Pipeline):
        model = estimator.steps[-1][1]
        if len(estimator.steps) > 1:
            X = estimator[:-1].transform(X)
    else:
        model = estimator
    if not isinstance(model, BaseMLP):
        raise TypeError(
            "expected an MLPClassifier or MLPRegressor of sklearn_adamlp (or a "
            f"Pipeline ending in one), got {type(model).__name__}."
        )
    fitted_parts(model)  # raises NotFittedError for an unfitted model
    return model, X


def probe_X(model: BaseMLP, X):
    """``X`` validated against the fitted model, in the network's dtype."""
    X = checked_X(model, X)
    return X.astype(fitted_parts(model).network.dtype, copy=False)


def encode_target(model: BaseMLP, y, n_samples: int) -> np.ndarray:
    """Return the network's 2-D target of ``y``: label indicators or floats."""
    parts = fitted_parts(model)
    dtype = parts.network.dtype
    if parts.label_binarizer is not None:
        y = check_array(y, ensure_2d=False, dtype=None, input_name="y")
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y)
        _check_rows(y, n_samples)
        if parts.label_binarizer.y_type_.startswith("multilabel"):
            Y = np.asarray(y)
        else:
            unknown = np.setdiff1d(unique_labels(y), model.classes_)
            if len(unknown):
                raise ValueError(
                    f"y has classes not in the fitted classes_ {model.classes_}: "
                    f"{unknown}."
                )
            Y = parts.label_binarizer.transform(y)
        return np.asarray(Y, dtype=dtype).reshape(n_samples, -1)
    y = check_array(y, ensure_2d=False, dtype="numeric", input_name="y")
    _check_rows(y, n_samples)
    Y = y.reshape(-1, 1) if y.ndim == 1 else y
    if Y.shape[1] != model.n_outputs_:
        raise ValueError(
            f"y has {Y.shape[1]} outputs, the fitted model {model.n_outputs_}."
        )
    return Y.astype(dtype, copy=False)


def _check_rows(y, n_samples: int) -> None:
    if y.shape[0] != n_samples:
        raise ValueError(f"y has {y.shape[0]} rows but X has {n_samples}.")


def check_weights(sample_weight, X) -> np.ndarray:
    """Return checked sample weights of the rows: finite, >= 0, positive sum."""
    sw = check_sample_weight(sample_weight, X, dtype=X.dtype)
    if not np.isfinite(sw).all() or (sw < 0).any() or sw.sum() <= 0:
        raise ValueError(
            "sample_weight must be finite and non-negative with a positive sum."
        )
    return sw
