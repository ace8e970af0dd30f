"""scikit-learn's common checks with the regularization parameters switched on."""

import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_adamlp import MLPClassifier, MLPRegressor

_COMMON = {"hidden_layer_sizes": (16,), "max_iter": 200, "random_state": 0}
_STEP = {
    "max_norm": 3.0,
    "clip_norm": 5.0,
    "weight_decay": 1e-3,
    "gradient_noise": 1e-4,
}

ESTIMATORS = [
    MLPClassifier(l1=1e-3, **_COMMON),
    MLPRegressor(l1=1e-3, **_COMMON),
    MLPClassifier(**_STEP, **_COMMON),
    MLPRegressor(**_STEP, **_COMMON),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_regularized(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


@pytest.mark.parametrize("est", ESTIMATORS, ids=repr)
def test_repr_roundtrip_params(est):
    assert type(est)(**est.get_params()).get_params() == est.get_params()
