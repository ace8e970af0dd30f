"""scikit-learn's common checks on models that train in float32.

The estimators have no ``dtype`` parameter: float32 input trains in float32 end
to end, and scikit-learn's checks feed float64 data (float32 only in
``check_estimators_dtypes``). So every check here runs on a thin subclass whose
``fit`` and ``partial_fit`` cast float64 arrays (dense or sparse) to float32
before fitting: the fitted network, its buffers and optimizer state are
float32, and the checks' float64 ``predict``/``score`` input goes through the
float32 model's narrowing cast. Every check must pass: there is no
expected-failure list.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.metaestimators import available_if

from sklearn_adamlp import MLPClassifier, MLPRegressor
from sklearn_adamlp._estimators._base import is_stepper


def _float32(X):
    """``X`` in float32 if it is float64: sparse, a DataFrame or array-like.

    A DataFrame keeps its columns (feature names are checked); lists are left
    to the estimator's validation.
    """
    if sp.issparse(X):
        return X.astype(np.float32) if X.dtype == np.float64 else X
    if hasattr(X, "columns"):  # pandas
        floats = len(X.columns) and all(dt == np.float64 for dt in X.dtypes)
        return X.astype(np.float32) if floats else X
    if hasattr(X, "__array__"):
        arr = np.asarray(X)
        if arr.dtype == np.float64:
            return arr.astype(np.float32)
    return X


class Float32MLPClassifier(MLPClassifier):
    """``MLPClassifier`` trained on float32 copies of float64 input."""

    def fit(self, X, y, **kwargs):
        return super().fit(_float32(X), y, **kwargs)

    @available_if(is_stepper)
    def partial_fit(self, X, y, **kwargs):
        return super().partial_fit(_float32(X), y, **kwargs)


class Float32MLPRegressor(MLPRegressor):
    """``MLPRegressor`` trained on float32 copies of float64 input."""

    def fit(self, X, y, **kwargs):
        return super().fit(_float32(X), y, **kwargs)

    @available_if(is_stepper)
    def partial_fit(self, X, y, **kwargs):
        return super().partial_fit(_float32(X), y, **kwargs)


_SMALL = {"hidden_layer_sizes": (16,), "max_iter": 200, "random_state": 0}

ESTIMATORS = [
    Float32MLPClassifier(**_SMALL),
    Float32MLPRegressor(**_SMALL),
    Float32MLPClassifier(solver="lbfgs", **_SMALL),
    Float32MLPRegressor(solver="lbfgs", **_SMALL),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_float32(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


@pytest.mark.parametrize("est", ESTIMATORS, ids=repr)
def test_trains_in_float32(est):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = rng.randint(0, 2, 40) if hasattr(est, "predict_proba") else X[:, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    assert est._flat.dtype == np.float32
    assert all(W.dtype == np.float32 for W in est.coefs_)
