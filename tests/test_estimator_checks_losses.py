"""scikit-learn's common checks for the hinge classifier and every regression loss.

Every check must pass: there is no expected-failure list.
"""

import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_adamlp import MLPClassifier, MLPRegressor

_SMALL = {"hidden_layer_sizes": (16,), "random_state": 0}

ESTIMATORS = [
    MLPClassifier(loss="hinge", max_iter=100, random_state=0),
    MLPClassifier(
        (20, 10),
        activation=["tanh", "silu"],
        loss="hinge",
        init="auto",
        max_iter=100,
        random_state=0,
    ),
    *(
        MLPRegressor(loss=loss, max_iter=100, **_SMALL)
        for loss in ("absolute_error", "huber")
    ),
    MLPRegressor(loss="poisson", learning_rate_init=0.01, **_SMALL),
]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)
