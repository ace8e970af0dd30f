"""PopulationBasedTraining: rounds, exploit (weights copied), explore, delegation."""

import warnings

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.datasets import load_digits, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_adamlp import MLPClassifier, MLPRegressor
from sklearn_adamlp.model_selection import PopulationBasedTraining
from sklearn_adamlp.model_selection._space import Space

SPACE = {"learning_rate_init": loguniform(1e-5, 1.0), "alpha": loguniform(1e-6, 1.0)}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:900] / 16.0, y[:900]


def _pbt(**kw):
    params = {
        "population_size": 6, "n_rounds": 6, "epochs_per_round": 3,
        "random_state": 0,
    }  # fmt: skip
    return PopulationBasedTraining(
        MLPClassifier(hidden_layer_sizes=(16,)), SPACE, **{**params, **kw}
    )


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def test_history_records_rounds_exploits_and_lineage(digits):
    X, y = digits
    pbt = _fit(_pbt(), X, y)
    h = pbt.history_
    assert len(h) == 6 * 6
    assert list(h.columns) == [
        "round", "member", "score", "source", "alpha", "learning_rate_init",
    ]  # fmt: skip
    n_exploit = 2  # round(0.25 * 6)
    for rnd, frame in h.groupby("round"):
        scores = frame["score"].to_numpy()
        copied = frame[frame["source"] != frame["member"]]
        if rnd == 5:  # no exploit after the last round
            assert copied.empty
            continue
        assert len(copied) == n_exploit
        ranked = np.argsort(-scores, kind="stable")
        assert set(copied["member"]) <= set(ranked[-n_exploit:])  # the worst
        assert set(copied["source"]) <= set(ranked[:n_exploit])  # from the best
    # the best member trained through every round, along its lineage
    assert pbt.best_score_ == h[h["round"] == 5]["score"].max()
    assert len(pbt.best_estimator_.history_) == 6 * 3
    assert pbt.best_params_ == {k: pbt.best_estimator_.get_params()[k] for k in SPACE}


def test_population_improves_and_beats_the_same_members_trained_alone(digits):
    """Exploit and explore against the same initial members trained for the same
    18 epochs without them (one round): never worse over five seeds, better on
    average; and each population's median rises from round 1 to round 6."""
    X, y = digits
    gains = []
    for seed in range(5):
        pbt = _fit(_pbt(random_state=seed), X, y)
        alone = _fit(_pbt(random_state=seed, n_rounds=1, epochs_per_round=18), X, y)
        gains.append(pbt.best_score_ - alone.best_score_)
        medians = pbt.history_.groupby("round")["score"].median()
        assert medians.iloc[-1] > medians.iloc[0] + 0.2
    # measured: +0.017, +0.006, 0.0, +0.011, +0.006
    assert min(gains) >= 0.0
    assert np.mean(gains) > 0.005


def test_exploit_copies_weights_and_state_and_explore_perturbs(digits):
    X, y = digits
    pbt = _pbt(explore_rate=1.0)
    winner = _fit(
        MLPClassifier(
            hidden_layer_sizes=(16,), max_iter=3, warm_start=True, random_state=0,
            learning_rate_init=0.01, alpha=1e-3,
        ),
        X, y,
    )  # fmt: skip
    copy_ = pbt._explore(winner, Space(SPACE), np.random.RandomState(0))
    np.testing.assert_array_equal(copy_._flat, winner._flat)
    assert not np.shares_memory(copy_._flat, winner._flat)
    assert copy_.optimizer_.t_ == winner.optimizer_.t_
    for name, old in (("learning_rate_init", 0.01), ("alpha", 1e-3)):
        new = copy_.get_params()[name]
        assert min(abs(new - 0.8 * old), abs(new - 1.25 * old)) < 1e-12 * old
    assert copy_.random_state != winner.random_state
    assert winner.learning_rate_init == 0.01  # the winner itself is untouched


def test_same_seed_same_training(digits):
    X, y = digits
    a, b = _fit(_pbt(n_rounds=3), X, y), _fit(_pbt(n_rounds=3), X, y)
    np.testing.assert_array_equal(a.history_.to_numpy(), b.history_.to_numpy())
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_delegates_to_the_best_member(digits):
    X, y = digits
    pbt = _fit(_pbt(n_rounds=2), X, y)
    best = pbt.best_estimator_
    np.testing.assert_array_equal(pbt.predict(X), best.predict(X))
    np.testing.assert_array_equal(pbt.predict_proba(X), best.predict_proba(X))
    assert pbt.score(X, y) == best.score(X, y)
    np.testing.assert_array_equal(pbt.classes_, best.classes_)
    assert pbt.n_features_in_ == 64
    Xr, yr = make_regression(n_samples=200, n_features=5, random_state=0)
    reg = PopulationBasedTraining(
        MLPRegressor(hidden_layer_sizes=(8,)), SPACE, population_size=3,
        n_rounds=2, epochs_per_round=2, random_state=0,
    )  # fmt: skip
    assert not hasattr(reg, "predict_proba")
    _fit(reg, Xr, yr)
    assert not hasattr(reg, "predict_proba")
    assert reg.predict(Xr).shape == (200,)


def test_members_train_in_parallel(digits):
    X, y = digits
    pbt = _fit(_pbt(n_rounds=2, n_jobs=2), X, y)
    assert len(pbt.population_) == 6
    assert pbt.best_score_ > 0.5


@pytest.mark.parametrize(
    ("est", "kwargs", "error", "match"),
    [
        (Ridge(), {}, ValueError, "no 'warm_start' parameter"),
        (MLPClassifier(), {"population_size": 1}, InvalidParameterError, "popul"),
        (MLPClassifier(), {"exploit_fraction": 0.6}, InvalidParameterError, "exploit"),
        (MLPClassifier(), {"n_rounds": 0}, InvalidParameterError, "n_rounds"),
        (MLPClassifier(), {"param_distributions": {}}, ValueError, "at least one"),
    ],
)
def test_bad_setups_are_named(digits, est, kwargs, error, match):
    X, y = digits
    params = {"param_distributions": SPACE, **kwargs}
    with pytest.raises(error, match=match):
        PopulationBasedTraining(est, **params).fit(X, y)
