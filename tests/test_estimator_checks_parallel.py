"""scikit-learn's common checks with parallel SGD switched on.

The sequential backend runs the workers in turns in this process; one
configuration runs real worker processes.
"""

import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_adamlp import MLPClassifier, MLPRegressor
from sklearn_adamlp.parallel import EASGD, Downpour, Hogwild

_COMMON = {"hidden_layer_sizes": (16,), "max_iter": 200, "random_state": 0}

ESTIMATORS = [
    MLPClassifier(parallel=Hogwild(n_workers=2, backend="sequential"), **_COMMON),
    MLPRegressor(parallel=EASGD(n_workers=2, backend="sequential"), **_COMMON),
    MLPClassifier(parallel=Downpour(n_workers=2), **_COMMON),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_parallel(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


@pytest.mark.parametrize("est", ESTIMATORS, ids=repr)
def test_repr_roundtrip_params(est):
    params = est.get_params(deep=False)
    assert type(est)(**params).get_params(deep=False) == params
