"""EvolutionarySearchCV: selection, crossover, mutation, scikit-learn's search API."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats import loguniform, uniform
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import RandomizedSearchCV
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_adamlp import MLPClassifier
from sklearn_adamlp.model_selection import EvolutionarySearchCV
from sklearn_adamlp.model_selection._space import Space

X_DUMMY = np.zeros((8, 1))
Y_DUMMY = np.arange(8) % 2


class Bowl(BaseEstimator):
    """Its score is a known function of its parameters: -(a - 3)^2 - (b - 1)^2."""

    def __init__(self, a=0.0, b=0.0, c=0.0):
        self.a, self.b, self.c = a, b, c

    def fit(self, X, y=None):
        if np.isnan(self.a):
            raise ValueError("a is NaN")
        return self

    def score(self, X, y=None):
        return -((self.a - 3.0) ** 2) - (self.b - 1.0) ** 2 - 0.1 * self.c**2


SPACE = {"a": uniform(0, 10), "b": uniform(-5, 10), "c": uniform(-1, 2)}


def _search(**kw):
    params = {"population_size": 8, "n_generations": 6, "cv": 2, "random_state": 0}
    return EvolutionarySearchCV(Bowl(), SPACE, **{**params, **kw}).fit(X_DUMMY, Y_DUMMY)


def test_population_bookkeeping_and_elitism():
    s = _search(survivor_fraction=0.25)  # 2 survivors, 6 children per generation
    res = s.cv_results_
    gen = np.asarray(res["generation"])
    assert len(res["params"]) == 8 + 5 * 6
    assert np.bincount(gen).tolist() == [8, 6, 6, 6, 6, 6]
    assert s.n_generations_ == 6
    scores = np.asarray(res["mean_test_score"])
    # the best of the population after generation g is the best fitted so far
    expected = [scores[gen <= g].max() for g in range(6)]
    np.testing.assert_allclose(s.generation_best_scores_, expected)
    assert np.all(np.diff(s.generation_best_scores_) >= 0)
    assert s.best_score_ == pytest.approx(scores.max())
    # parents are earlier candidates, from the survivors of the generation before
    pa, pb = np.asarray(res["parent_a"]), np.asarray(res["parent_b"])
    assert (pa[gen == 0] == -1).all()
    assert (pb[gen == 0] == -1).all()
    for i in np.flatnonzero(gen > 0):
        for p in (pa[i], pb[i]):
            assert gen[p] < gen[i]
            # a parent was among the two best fitted before its child's generation
            best_two = np.argsort(-np.where(gen < gen[i], scores, -np.inf))[:2]
            assert p in best_two
    # no parameter set is fitted twice
    keys = {tuple(sorted(p.items())) for p in res["params"]}
    assert len(keys) == len(res["params"])


def test_evolution_beats_random_search_with_the_same_budget():
    """On a smooth bowl, selection plus variation finds better sets than as many
    independent random draws: on average over ten seeds, and for most seeds."""
    evo_best, rand_best = [], []
    for seed in range(10):
        evo = _search(random_state=seed, survivor_fraction=0.25)
        n = len(evo.cv_results_["params"])
        rand = RandomizedSearchCV(Bowl(), SPACE, n_iter=n, cv=2, random_state=seed).fit(
            X_DUMMY, Y_DUMMY
        )
        evo_best.append(evo.best_score_)
        rand_best.append(rand.best_score_)
        assert evo.generation_best_scores_[-1] > evo.generation_best_scores_[0]
    evo_best, rand_best = np.array(evo_best), np.array(rand_best)
    # measured: mean best -0.40 against -0.83, 7 wins of 10
    assert evo_best.mean() > rand_best.mean() + 0.2
    assert (evo_best > rand_best).sum() >= 6


def test_children_inherit_without_mutation_and_perturb_with_full_mutation():
    rng = np.random.RandomState(0)
    names = "abcdefghijklmnop"  # 2**16 crossovers: no child repeats another
    dists = {n: uniform(-10, 20) for n in names}
    space = Space(dists)
    params = [dict.fromkeys(names, 1.0), dict.fromkeys(names, -2.0)]
    seen = {space.key(p) for p in params}
    search = EvolutionarySearchCV(Bowl(), dists, population_size=12)
    search.set_params(mutation_rate=0.0)
    children, parents = search._children(params, [0, 1], space, set(seen), rng)
    assert len(children) == 10
    for child, (a, b) in zip(children, parents, strict=True):
        assert all(child[n] in (params[a][n], params[b][n]) for n in names)
    assert all(0 < sum(v == 1.0 for v in c.values()) < 16 for c in children)
    search.set_params(mutation_rate=1.0)
    children, _ = search._children(params, [0, 1], space, set(seen), rng)
    for child in children:  # each value moved by a factor 0.8 or 1.25
        for n in names:
            assert child[n] in (0.8, 1.25, -1.6, -2.5)
    # a list-valued parameter is redrawn from its list; leaving the support redraws
    space = Space({"k": [1, 2, 3], "u": uniform(0, 1)})
    for _ in range(50):
        assert space.perturb("k", 2, rng) in (1, 2, 3)
        assert 0 <= space.perturb("u", 0.95, rng) <= 1


def test_same_seed_same_search_other_seed_other_search():
    a, b, c = _search(random_state=3), _search(random_state=3), _search(random_state=4)
    assert a.cv_results_["params"] == b.cv_results_["params"]
    assert a.cv_results_["params"] != c.cv_results_["params"]


def test_failed_fits_rank_last_and_never_breed():
    space = {"a": [np.nan, 1.0, 2.0, 3.0, 4.0], "b": [0.0, 1.0, 2.0]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn warns about the failed fits
        s = EvolutionarySearchCV(
            Bowl(), space, population_size=6, n_generations=3, cv=2, random_state=0
        ).fit(X_DUMMY, Y_DUMMY)
    res = s.cv_results_
    failed = {i for i, p in enumerate(res["params"]) if np.isnan(p["a"])}
    assert failed  # the space made some
    for i in np.flatnonzero(np.asarray(res["generation"]) > 0):
        assert res["parent_a"][i] not in failed
        assert res["parent_b"][i] not in failed
    assert not np.isnan(s.best_params_["a"])


def test_a_small_space_ends_the_search_early_without_repeats():
    space = {"a": [1.0, 2.0], "b": [0.0, 1.0]}  # 4 sets in all
    s = EvolutionarySearchCV(
        Bowl(), space, population_size=3, n_generations=10, cv=2, random_state=0
    ).fit(X_DUMMY, Y_DUMMY)
    params = s.cv_results_["params"]
    assert len(params) == 4
    assert len({tuple(sorted(p.items())) for p in params}) == 4
    assert s.n_generations_ < 10
    assert s.best_params_ == {"a": 2.0, "b": 1.0}


def test_several_metrics_rank_by_the_refit_metric():
    scoring = {"bowl": lambda est, X, y: est.score(X), "neg": lambda est, X, y: 0.0}
    s = EvolutionarySearchCV(
        Bowl(), SPACE, scoring=scoring, refit="bowl", population_size=6,
        n_generations=3, cv=2, random_state=0,
    ).fit(X_DUMMY, Y_DUMMY)  # fmt: skip
    scores = np.asarray(s.cv_results_["mean_test_bowl"])
    assert s.generation_best_scores_[-1] == pytest.approx(scores.max())
    with pytest.raises(ValueError, match="set refit to the name of that metric"):
        EvolutionarySearchCV(Bowl(), SPACE, scoring=scoring, refit=False, cv=2).fit(
            X_DUMMY, Y_DUMMY
        )


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"population_size": 1}, InvalidParameterError, "population_size"),
        ({"n_generations": 0}, InvalidParameterError, "n_generations"),
        ({"survivor_fraction": 1.0}, InvalidParameterError, "survivor_fraction"),
        ({"mutation_rate": 1.5}, InvalidParameterError, "mutation_rate"),
        ({"param_distributions": [SPACE]}, InvalidParameterError, "param_distr"),
        ({"param_distributions": {}}, ValueError, "at least one parameter"),
        ({"param_distributions": {"a": 3}}, TypeError, "list of values or"),
        ({"param_distributions": {"a": []}}, ValueError, "is empty"),
    ],
)
def test_bad_parameters_are_named(kwargs, error, match):
    params = {"param_distributions": SPACE, "cv": 2, **kwargs}
    with pytest.raises(error, match=match):
        EvolutionarySearchCV(Bowl(), **params).fit(X_DUMMY, Y_DUMMY)


def test_tunes_an_mlp_on_digits_in_parallel():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X, y = X[:400] / 16.0, y[:400]
    search = EvolutionarySearchCV(
        MLPClassifier(hidden_layer_sizes=(16,), max_iter=15, random_state=0),
        {"alpha": loguniform(1e-5, 1e-1), "learning_rate_init": loguniform(1e-3, 3e-2)},
        population_size=4, n_generations=2, cv=2, n_jobs=2, random_state=0,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    frame = pd.DataFrame(search.cv_results_)
    assert len(frame) == 6
    assert {"generation", "parent_a", "parent_b"} <= set(frame.columns)
    assert search.best_estimator_.score(X, y) > 0.8
    assert search.best_params_ == frame["params"][search.best_index_]


def test_docstring_example_runs():
    import doctest

    from sklearn_adamlp.model_selection import _evolutionary

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = doctest.testmod(_evolutionary, raise_on_error=False)
    assert result.attempted >= 5
    assert result.failed == 0
