"""scikit-learn's common estimator checks, over several configurations."""

import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_adamlp import MLPClassifier, MLPRegressor

# Small nets and few epochs keep the suite fast; every check must pass, with no
# expected-failure list.
_COMMON = {"hidden_layer_sizes": (16,), "max_iter": 200, "random_state": 0}

ESTIMATORS = [
    MLPClassifier(**_COMMON),
    MLPClassifier(solver="sgd", **_COMMON),
    MLPClassifier(solver="lbfgs", **_COMMON),
    MLPClassifier(solver="quickprop", learning_rate_init=0.1, **_COMMON),
    MLPClassifier(solver="newton_cg", **_COMMON),
    MLPClassifier(early_stopping=True, learning_rate_init=0.01, **_COMMON),
    MLPRegressor(**_COMMON),
    MLPRegressor(solver="sgd", learning_rate_init=0.01, **_COMMON),
    MLPRegressor(solver="lbfgs", **_COMMON),
    MLPRegressor(solver="quickprop", learning_rate_init=0.1, **_COMMON),
    MLPRegressor(solver="newton_cg", **_COMMON),
    MLPRegressor(early_stopping=True, learning_rate_init=0.01, **_COMMON),
    MLPClassifier(
        early_stopping=True, monitor="val_loss", learning_rate_init=0.01, **_COMMON
    ),
    MLPClassifier(snapshot_ensemble=True, learning_rate="cosine_restarts", **_COMMON),
    MLPRegressor(snapshot_ensemble=True, learning_rate="cosine_restarts", **_COMMON),
    MLPClassifier(learning_rate="cosine_restarts", **_COMMON),
    MLPClassifier(class_weight="balanced", **_COMMON),
    # one stepping solver of every optimizer family (sgd, adam and lbfgs above)
    MLPClassifier(solver="momentum", **_COMMON),
    MLPRegressor(solver="momentum", learning_rate_init=0.01, **_COMMON),
    MLPClassifier(solver="nesterov", **_COMMON),
    MLPClassifier(solver="adagrad", learning_rate_init=0.01, **_COMMON),
    MLPRegressor(solver="adagrad", learning_rate_init=0.01, **_COMMON),
    MLPClassifier(solver="adadelta", learning_rate_init=1.0, epsilon=1e-6, **_COMMON),
    MLPRegressor(solver="adadelta", learning_rate_init=1.0, epsilon=1e-6, **_COMMON),
    MLPClassifier(solver="rmsprop", **_COMMON),
    MLPRegressor(solver="rmsprop", **_COMMON),
    MLPClassifier(solver="nadam", **_COMMON),
    MLPRegressor(solver="adamw", **_COMMON),
    MLPClassifier(solver="amsgrad", **_COMMON),
    MLPRegressor(solver="adamax", **_COMMON),
    MLPClassifier(solver="adabound", **_COMMON),
    MLPRegressor(solver="adabound", **_COMMON),
    MLPClassifier(solver="rprop", **_COMMON),
    MLPRegressor(solver="rprop", **_COMMON),
    # layers and losses
    MLPClassifier(loss="hinge", solver="sgd", **_COMMON),
    MLPClassifier(batch_norm=True, **_COMMON),
    MLPRegressor(batch_norm=True, **_COMMON),
    # dropout's noisy training loss stops the no-improvement rule early at the
    # default rate (51 epochs, R^2 0.33 on the checks' regression data)
    MLPClassifier(dropout=0.3, learning_rate_init=0.01, **_COMMON),
    MLPRegressor(dropout=0.3, learning_rate_init=0.01, **_COMMON),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


@pytest.mark.parametrize("est", ESTIMATORS, ids=repr)
def test_repr_roundtrip_params(est):
    assert type(est)(**est.get_params()).get_params() == est.get_params()
