"""Pipelines, searches, cloning and persistence."""

import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_adamlp import MLPClassifier, MLPRegressor, optimizers
from sklearn_adamlp.optimizers import Adam

FAST = {"hidden_layer_sizes": (10,), "max_iter": 20, "random_state": 0}


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def test_pipeline_gridsearch_njobs2_and_cross_val(small_clf_data):
    X, y = small_clf_data
    pipe = make_pipeline(StandardScaler(), MLPClassifier(**FAST))
    grid = GridSearchCV(
        pipe,
        {
            "mlpclassifier__alpha": [1e-4, 1e-2],
            "mlpclassifier__solver": ["adam", "lbfgs"],
        },
        cv=3,
        n_jobs=2,
    ).fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()
    scores = cross_val_score(grid.best_estimator_, X, y, cv=3)
    assert scores.shape == (3,)
    assert (scores > 0.4).all()


def test_solver_object_is_tunable_and_never_mutated(small_clf_data):
    X, y = small_clf_data
    user_opt = Adam(beta_1=0.8)
    clf = MLPClassifier(solver=user_opt, **FAST)
    assert clf.get_params()["solver__beta_1"] == 0.8
    grid = GridSearchCV(
        clf,
        {"solver__beta_1": [0.5, 0.9], "solver__learning_rate": [1e-3, 1e-2]},
        cv=2,
        n_jobs=2,
    ).fit(X, y)
    assert {p["solver__beta_1"] for p in grid.cv_results_["params"]} == {0.5, 0.9}
    assert grid.best_estimator_.optimizer_.beta_1 in (0.5, 0.9)
    assert not hasattr(user_opt, "state_")
    assert user_opt.beta_1 == 0.8


@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
def test_clone_pickle_joblib_give_identical_predictions(small_clf_data, tmp_path, Est):
    X, y = small_clf_data
    est = Est(**FAST).fit(X, y)
    method = "predict_proba" if Est is MLPClassifier else "predict"
    expected = getattr(est, method)(X)
    for copy in (
        pickle.loads(pickle.dumps(est)),
        joblib.load(joblib.dump(est, tmp_path / "m.joblib")[0]),
    ):
        np.testing.assert_array_equal(getattr(copy, method)(X), expected)
    cloned = clone(est)
    assert not hasattr(cloned, "coefs_")
    np.testing.assert_array_equal(getattr(cloned.fit(X, y), method)(X), expected)


def test_user_registered_optimizer_by_name(small_clf_data):
    import _user_entries  # noqa: F401  (registers 'user_signsgd')

    X, y = small_clf_data
    assert "user_signsgd" in optimizers.available()
    clf = MLPClassifier(solver="user_signsgd", **FAST).fit(X, y)
    assert type(clf.optimizer_).__name__ == "SignSGD"
    # a name takes the estimator's learning_rate_init, the value get_params shows
    assert clf.optimizer_.learning_rate == clf.learning_rate_init == 0.001
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(clf)).predict(X), clf.predict(X)
    )
    assert clone(clf).solver == "user_signsgd"
    grid = GridSearchCV(clf, {"learning_rate_init": [0.01, 0.05]}, cv=2, n_jobs=2).fit(
        X, y
    )
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()


def test_pickle_with_user_name_loads_in_a_fresh_process(small_clf_data, tmp_path):
    """The pickle carries the registration of the name it uses.

    The class is registered under a name in this process only (importing its
    module does not register that name), so only the pickle can bring it.
    """
    import _user_entries

    if "user_late" not in optimizers.available():
        optimizers.register("user_late")(_user_entries.SignSGD)
    X, y = small_clf_data
    clf = MLPClassifier(solver="user_late", **FAST).fit(X, y)
    path = tmp_path / "clf.pkl"
    path.write_bytes(pickle.dumps(clf))
    np.save(tmp_path / "X.npy", X)
    code = (
        "import pickle, sys, numpy as np\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from sklearn_adamlp import optimizers\n"
        "import _user_entries\n"
        "assert 'user_late' not in optimizers.available()\n"
        f"clf = pickle.loads(open({str(path)!r}, 'rb').read())\n"
        "assert 'user_late' in optimizers.available()\n"
        f"X = np.load({str(tmp_path / 'X.npy')!r})\n"
        "clf.partial_fit(X, clf.predict(X))\n"
        "print(clf.optimizer_.t_)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert int(out.stdout) == clf.optimizer_.t_ + 1


@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
def test_pickling_or_copying_leaves_the_original_whole(small_clf_data, tmp_path, Est):
    """Regression: __getstate__ used to pop the views and the gradient buffer out
    of the live estimator (Python 3.11's object.__getstate__ returns __dict__
    itself), so a model dumped to disk could no longer predict or keep fitting."""
    import copy

    X, y = small_clf_data
    est = Est(**{**FAST, "warm_start": True}).fit(X, y)
    method = "predict_proba" if Est is MLPClassifier else "predict"
    expected = getattr(est, method)(X)
    pickle.dumps(est)
    joblib.dump(est, tmp_path / "m.joblib")
    twin = copy.deepcopy(est)
    np.testing.assert_array_equal(getattr(est, method)(X), expected)
    assert np.shares_memory(est.coefs_[0], est._flat)
    assert not np.shares_memory(twin._flat, est._flat)
    twin.fit(X, y)
    est.fit(X, y)  # keeps training (needs its gradient buffer)
    # the same warm-started epochs from the same weights: the same model
    np.testing.assert_array_equal(getattr(twin, method)(X), getattr(est, method)(X))
    est.partial_fit(X, y)
