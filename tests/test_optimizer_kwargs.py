"""Estimator-level optimizer parameters reach every named optimizer as given."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from sklearn_adamlp import MLPClassifier, MLPRegressor, optimizers

STEPPERS = [
    n for n in optimizers.available() if not hasattr(optimizers.get(n), "minimize")
]
FAST = {"hidden_layer_sizes": (8,), "max_iter": 5, "random_state": 0}

#: estimator parameter -> (optimizer parameter, a value other than sklearn's default)
CHANGED = {
    "learning_rate_init": ("learning_rate", 0.0123),
    "beta_1": ("beta_1", 0.8),
    "beta_2": ("beta_2", 0.95),
    "epsilon": ("epsilon", 1e-7),
    "momentum": ("momentum", 0.5),
    "nesterovs_momentum": ("nesterov", False),
}


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


#: the names that fix a parameter, and the value it keeps whatever the estimator
#: says: 'momentum' is classical momentum, 'nesterov' Nesterov's; scikit-learn's
#: momentum is SGD's, so RMSprop by name keeps torch's default momentum=0
FIXED_BY_NAME = {
    "momentum": {"nesterovs_momentum": ("nesterov", False)},
    "nesterov": {"nesterovs_momentum": ("nesterov", True)},
    "rmsprop": {"momentum": ("momentum", 0.0)},
}


@pytest.mark.parametrize("solver", STEPPERS)
@pytest.mark.parametrize("changed", [False, True], ids=["sklearn_defaults", "set"])
def test_named_optimizer_takes_every_value_as_given(small_clf_data, solver, changed):
    X, y = small_clf_data
    params = {k: v for k, (_, v) in CHANGED.items()} if changed else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # parameters a name ignores
        est = _fit(MLPClassifier(solver=solver, **params, **FAST), X, y)
    taken = est.optimizer_.get_params()
    fixed = FIXED_BY_NAME.get(solver, {})
    for name, (opt_name, _) in CHANGED.items():
        if name in fixed:
            assert taken[opt_name] == fixed[name][1], (solver, name)
        elif opt_name in taken:  # the optimizer has this hyper-parameter
            assert taken[opt_name] == getattr(est, name), (solver, name)
    assert "learning_rate" in taken  # every stepping optimizer has a rate


@pytest.mark.parametrize(
    ("solver", "param"),
    [("rmsprop", "momentum"), ("nesterov", "nesterovs_momentum"), ("adam", "momentum")],
)
def test_a_changed_parameter_the_named_solver_ignores_warns(
    small_clf_data, solver, param
):
    X, y = small_clf_data
    value = {"momentum": 0.5, "nesterovs_momentum": False}[param]
    with pytest.warns(UserWarning, match=rf"{param}={value!r} not used by solver"):
        _fit(MLPClassifier(solver=solver, **{param: value}, **FAST), X, y)


@pytest.mark.parametrize("solver", ["rmsprop", "adagrad", "adadelta", "nadam"])
def test_grid_over_learning_rate_init_fits_different_models(small_clf_data, solver):
    X, y = small_clf_data
    grid = GridSearchCV(
        MLPClassifier(solver=solver, **FAST),
        {"learning_rate_init": [0.001, 0.01]},
        scoring="neg_log_loss",
        cv=2,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid.fit(X, y)
    scores = grid.cv_results_["split0_test_score"]
    assert scores[0] != scores[1]  # two different models, not one scored twice
    best = grid.best_estimator_
    assert best.optimizer_.learning_rate == grid.best_params_["learning_rate_init"]
    a = _fit(MLPRegressor(solver=solver, learning_rate_init=0.001, **FAST), X, y)
    b = _fit(MLPRegressor(solver=solver, learning_rate_init=0.01, **FAST), X, y)
    assert not np.array_equal(a._flat, b._flat)


def test_sklearn_default_rate_is_used_by_every_name(small_clf_data):
    # get_params shows 0.001 and 1e-8: that is what Adadelta runs with by name;
    # its own defaults (1.0, 1e-6) come with an object
    X, y = small_clf_data
    by_name = _fit(MLPClassifier(solver="adadelta", **FAST), X, y).optimizer_
    assert (by_name.learning_rate, by_name.epsilon) == (0.001, 1e-8)
    by_object = _fit(MLPClassifier(solver=optimizers.Adadelta(), **FAST), X, y)
    assert (by_object.optimizer_.learning_rate, by_object.optimizer_.epsilon) == (
        1.0,
        1e-6,
    )
