"""Accuracy against scikit-learn's MLP on the same data and settings."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_val_score
from sklearn.neural_network import MLPClassifier as SkClassifier
from sklearn.neural_network import MLPRegressor as SkRegressor
from sklearn.preprocessing import StandardScaler

from sklearn_adamlp import MLPClassifier, MLPRegressor

SETTINGS = {
    "adam": {"max_iter": 60},
    "sgd": {"max_iter": 60, "learning_rate_init": 0.05},
    "lbfgs": {"max_iter": 100},
}


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.mark.parametrize("solver", sorted(SETTINGS))
def test_digits_cv_accuracy_within_1_5_points(digits, solver):
    X, y = digits
    kw = {"solver": solver, "hidden_layer_sizes": (64,), "random_state": 0}
    kw.update(SETTINGS[solver])
    ours = cross_val_score(MLPClassifier(**kw), X, y, cv=5).mean()
    theirs = cross_val_score(SkClassifier(**kw), X, y, cv=5).mean()
    assert ours > 0.9
    assert abs(ours - theirs) <= 0.015, (ours, theirs)


def test_diabetes_r2_within_0_05():
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    kw = {"hidden_layer_sizes": (32,), "max_iter": 300, "random_state": 0}
    ours = cross_val_score(MLPRegressor(**kw), X, y, cv=5).mean()
    theirs = cross_val_score(SkRegressor(**kw), X, y, cv=5).mean()
    assert ours > 0.35
    assert abs(ours - theirs) <= 0.05, (ours, theirs)


def test_sgd_follows_sklearn_trajectory_exactly(digits):
    """With init='sklearn', SGD reproduces sklearn's weights to round-off."""
    X, y = digits
    kw = {"solver": "sgd", "hidden_layer_sizes": (20,), "max_iter": 5}
    kw["random_state"] = 3
    ours = MLPClassifier(**kw).fit(X[:600], y[:600])
    theirs = SkClassifier(**kw).fit(X[:600], y[:600])
    for a, b in zip(
        ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_, strict=True
    ):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
