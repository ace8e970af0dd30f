"""Validation data in a Pipeline: routed through the earlier steps, or a warning.

scikit-learn >= 1.6 transforms routed fit parameters through a pipeline's
earlier steps with ``Pipeline(..., transform_input=["X_val"])`` (metadata
routing on, the estimator requesting ``X_val``/``y_val``), as for
``HistGradientBoostingClassifier.fit(X_val=, y_val=)``. Passing
``validation_data`` to the last step by name (``mlp__validation_data=``) skips
those steps: the estimator sees untransformed validation features and warns
when their scale is grossly off.
"""

import warnings

import numpy as np
import pytest
import sklearn
from sklearn.datasets import load_digits, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from sklearn_adamlp import MLPClassifier, MLPRegressor


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.fixture(scope="module")
def digits100():
    X, y = load_digits(return_X_y=True)
    X = X * 100.0  # features far from unit scale: scaling matters
    return X[:1200], y[:1200], X[1200:], y[1200:]


def _mlp(**kw):
    return MLPClassifier(hidden_layer_sizes=(32,), max_iter=15, random_state=0, **kw)


def test_transform_input_scores_the_transformed_validation_set(digits100):
    X, y, X_val, y_val = digits100
    with sklearn.config_context(enable_metadata_routing=True):
        mlp = _mlp().set_fit_request(X_val=True, y_val=True)
        pipe = Pipeline(
            [("scale", StandardScaler()), ("mlp", mlp)], transform_input=["X_val"]
        )
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)  # no scale warning
            warnings.simplefilter("ignore", ConvergenceWarning)
            pipe.fit(X, y, X_val=X_val, y_val=y_val)
    fitted = pipe[-1]
    assert len(fitted.validation_scores_) == fitted.n_iter_
    # the last epoch's validation score is the pipeline's score on (X_val, y_val)
    assert fitted.validation_scores_[-1] == pytest.approx(pipe.score(X_val, y_val))
    assert pipe.score(X_val, y_val) > 0.8


def test_transform_input_with_early_stopping_restores_on_the_right_score(
    digits100,
):
    X, y, X_val, y_val = digits100
    with sklearn.config_context(enable_metadata_routing=True):
        mlp = _mlp(early_stopping=True, n_iter_no_change=3).set_fit_request(
            X_val=True, y_val=True
        )
        pipe = Pipeline(
            [("scale", StandardScaler()), ("mlp", mlp)], transform_input=["X_val"]
        )
        pipe.fit(X, y, X_val=X_val, y_val=y_val)
    fitted = pipe[-1]
    assert fitted.best_validation_score_ == pytest.approx(pipe.score(X_val, y_val))


def test_x_val_y_val_are_the_same_as_validation_data(digits100):
    X, y, X_val, y_val = digits100
    Xs = StandardScaler().fit(X)
    a = _mlp().fit(Xs.transform(X), y, X_val=Xs.transform(X_val), y_val=y_val)
    b = _mlp().fit(Xs.transform(X), y, validation_data=(Xs.transform(X_val), y_val))
    assert a.validation_scores_ == b.validation_scores_


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"X_val": 1}, "y_val"),
        ({"y_val": 1}, "X_val"),
        ({"sample_weight_val": 1}, "X_val"),
        ({"X_val": 1, "y_val": 1, "validation_data": (1, 1)}, "either"),
    ],
)
def test_x_val_y_val_misuse(kwargs, match):
    X = np.zeros((10, 2))
    y = np.arange(10) % 2
    with pytest.raises(ValueError, match=match):
        _mlp().fit(X, y, **kwargs)


@pytest.mark.parametrize("scaler", [StandardScaler, MinMaxScaler])
def test_untransformed_validation_data_through_a_pipeline_warns(digits100, scaler):
    X, y, X_val, y_val = digits100
    pipe = Pipeline([("scale", scaler()), ("mlp", _mlp())])
    with pytest.warns(UserWarning, match="transform_input"):
        pipe.fit(X, y, mlp__validation_data=(X_val, y_val))


def _honest_splits():
    rng = np.random.RandomState(0)
    Xd, yd = load_digits(return_X_y=True)
    Xs = StandardScaler().fit_transform(Xd)
    Xr, yr = make_regression(n_samples=400, n_features=8, random_state=0)
    heavy = rng.lognormal(sigma=2.0, size=(400, 6))  # heavy right tails
    binary = (rng.uniform(size=(400, 10)) < 0.05).astype(float)  # rare ones
    drift = rng.normal(size=(400, 5))
    drift[300:] = drift[300:] * 3 + 4  # shifted validation rows (4 sd, 3x)
    cases = {
        "digits raw": (Xd, yd),
        "digits scaled": (Xs, yd),
        "regression": (Xr, yr),
        "lognormal": (heavy, heavy[:, 0] > 1),
        "rare binary": (binary, binary[:, 0] + binary[:, 1] > 0),
        "drift": (drift, drift[:, 0] > 0),
    }
    for name, (X, y) in cases.items():
        for n_val in (5, 100):
            yield name, n_val, X[:300], y[:300], X[-n_val:], y[-n_val:]


@pytest.mark.parametrize(
    ("name", "n_val", "X", "y", "X_val", "y_val"),
    list(_honest_splits()),
    ids=[f"{c[0]}-{c[1]}" for c in _honest_splits()],
)
def test_no_scale_warning_for_honest_validation_sets(name, n_val, X, y, X_val, y_val):
    Est = MLPRegressor if name == "regression" else MLPClassifier
    est = Est(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y, validation_data=(X_val, y_val))
