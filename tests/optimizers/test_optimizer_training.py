"""Every optimizer, with its documented defaults, trains the estimator on digits."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_adamlp import MLPClassifier, optimizers

FULL_BATCH = {"rprop", "lbfgs"}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


@pytest.mark.parametrize("name", optimizers.available())
def test_trains_digits_with_default_hyperparameters(name, digits):
    X_train, X_test, y_train, y_test = digits
    # an object keeps the optimizer's own defaults (a name would get the
    # estimator's learning_rate_init=0.001)
    clf = MLPClassifier(
        hidden_layer_sizes=(64,),
        activation="relu",
        solver=optimizers.get(name)(),
        max_iter=200,
        random_state=0,
        batch_size=len(X_train) if name in FULL_BATCH else "auto",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at max_iter
        clf.fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= 0.95


def test_solver_object_is_cloned_and_never_mutated(digits):
    X_train, _, y_train, _ = digits
    adam = optimizers.Adam(beta_1=0.8)
    clf = MLPClassifier(hidden_layer_sizes=(8,), solver=adam, max_iter=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X_train[:200], y_train[:200])
    assert not hasattr(adam, "state_")
    assert not hasattr(adam, "t_")
    assert adam.get_params()["beta_1"] == 0.8
    assert clf.solver is adam
    assert clf.get_params()["solver__beta_1"] == 0.8
    pickle.loads(pickle.dumps(clf)).predict(X_train[:5])


def test_grid_search_over_optimizer_hyperparameters(digits):
    X_train, _, y_train, _ = digits
    adam = optimizers.Adam()
    search = GridSearchCV(
        MLPClassifier(hidden_layer_sizes=(8,), solver=adam, max_iter=5, random_state=0),
        {"solver__beta_1": [0.8, 0.9], "solver__learning_rate": [1e-3, 1e-2]},
        cv=2,
        n_jobs=1,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X_train[:300], y_train[:300])
    assert set(search.best_params_) == {"solver__beta_1", "solver__learning_rate"}
    assert len(search.cv_results_["params"]) == 4
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert not hasattr(adam, "state_")
    best = search.best_estimator_.solver
    assert best.beta_1 == search.best_params_["solver__beta_1"]


def test_float32_training_keeps_float32_state(digits):
    X_train, _, y_train, _ = digits
    clf = MLPClassifier(
        hidden_layer_sizes=(8,), solver=optimizers.NAdam(), max_iter=3, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X_train[:200].astype(np.float32), y_train[:200])
    assert clf.coefs_[0].dtype == np.float32
    state = clf.optimizer_.state_[0]
    assert {state[k].dtype for k in ("m", "v")} == {np.dtype(np.float32)}
