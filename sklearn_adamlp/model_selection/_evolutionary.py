"""Evolutionary hyper-parameter search (the course notes), a scikit-learn search.

``EvolutionarySearchCV`` is the course notes' third way to find hyper-parameters, after
grid and random search: keep a population of parameter sets, and repeatedly
replace the worst-performing sets with new ones made by crossover and mutation
of the best. It works with any scikit-learn estimator, like
``RandomizedSearchCV``, whose ``param_distributions`` it takes.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.model_selection import ParameterSampler
from sklearn.utils import check_random_state

from sklearn_adamlp._validation import BaseSearchCV, Interval
from sklearn_adamlp.model_selection._space import Space


class EvolutionarySearchCV(BaseSearchCV):
    """Evolutionary search over hyper-parameters, cross-validated.

    Generation 0 draws ``population_size`` parameter sets from
    ``param_distributions``, as ``RandomizedSearchCV`` does. Each later
    generation ranks the population by mean cross-validated score and keeps the
    best ``n_survivors = max(1, round(survivor_fraction * population_size))``
    (elitism: the best score never gets worse). It refills the population with
    children. Each child has two different parents drawn from the survivors
    (the same one twice if only one survives). It takes every parameter from
    either parent with probability 1/2 (uniform crossover). Then each parameter
    mutates with probability ``mutation_rate``. A parameter given as a list is
    redrawn from the list. One given as a distribution is multiplied by 0.8 or
    1.25 (population based training's "explore" step), and redrawn if that
    leaves the distribution's support. Only the children are fitted; the
    survivors keep their scores. A child equal to a set already evaluated is
    mutated again, each parameter with probability ``max(mutation_rate, 1/2)``,
    up to 100 tries; a generation that finds no new set at all ends the search
    early.

    In all, ``population_size + (n_generations - 1) * (population_size -
    n_survivors)`` candidates are fitted, once per CV split. Every one of them
    appears in ``cv_results_``, with three extra columns: ``generation``, and
    ``parent_a`` and ``parent_b``, the indices in ``cv_results_`` of the two
    parents (-1 in generation 0). ``best_params_``, ``best_estimator_`` and the
    rest come from ``BaseSearchCV`` over all candidates.

    Parameters
    ----------
    estimator : estimator object
        Fitted once per candidate and split (a clone each time).
    param_distributions : dict
        Parameter names to lists of values (drawn uniformly) or to objects with
        an ``rvs`` method (scipy.stats distributions), as in
        ``RandomizedSearchCV``. Only a single dict is accepted, since
        crossover needs every set to have the same keys.
    population_size : int, default=10
        Parameter sets per generation.
    n_generations : int, default=5
        Generations, the first one included.
    survivor_fraction : float in (0, 1), default=0.5
        Share of each generation kept for the next (at least one set).
    mutation_rate : float in [0, 1], default=0.2
        Probability that each parameter of a child mutates.
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, return_train_score
        As in ``GridSearchCV``. The population is ranked by ``mean_test_score``,
        or, with several metrics, by the metric that ``refit`` names (which must
        then be a string). A candidate whose score is NaN (a failed fit, with
        ``error_score=np.nan``) ranks last.
    random_state : int, RandomState instance or None, default=None
        Seeds the first generation and every crossover and mutation.

    Attributes
    ----------
    cv_results_, best_estimator_, best_score_, best_params_, best_index_,
    scorer_, n_splits_, refit_time_, multimetric_
        As in ``GridSearchCV``.
    n_generations_ : int
        Generations actually run (fewer than ``n_generations`` if the search
        space ran out of new sets).
    generation_best_scores_ : list of float
        Best mean test score of the population after each generation (never
        decreasing).

    References
    ----------
    The course notes, "Hyper-parameter tuning: evolutionary method": replace the
    worst-performing hyper-parameter sets with new sets through crossover and
    mutation. Jaderberg et al. (2017), "Population Based Training of Neural
    Networks", arXiv:1711.09846 (the asynchronous, weight-sharing variant).

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_adamlp import MLPClassifier
    >>> from sklearn_adamlp.model_selection import EvolutionarySearchCV
    >>> X, y = load_digits(return_X_y=True)
    >>> search = EvolutionarySearchCV(
    ...     MLPClassifier(max_iter=30),
    ...     {"alpha": loguniform(1e-5, 1e-1), "learning_rate_init": [1e-3, 1e-2]},
    ...     population_size=4, n_generations=2, cv=3, random_state=0,
    ... ).fit(X / 16, y)
    >>> len(search.cv_results_["params"])  # 4 + (2 - 1) * (4 - 2)
    6
    """

    _parameter_constraints: ClassVar[dict] = {
        **BaseSearchCV._parameter_constraints,
        "param_distributions": [dict],
        "population_size": [Interval(Integral, 2, None, closed="left")],
        "n_generations": [Interval(Integral, 1, None, closed="left")],
        "survivor_fraction": [Interval(Real, 0, 1, closed="neither")],
        "mutation_rate": [Interval(Real, 0, 1, closed="both")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        population_size=10,
        n_generations=5,
        survivor_fraction=0.5,
        mutation_rate=0.2,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
    ):
        self.param_distributions = param_distributions
        self.population_size = population_size
        self.n_generations = n_generations
        self.survivor_fraction = survivor_fraction
        self.mutation_rate = mutation_rate
        self.random_state = random_state
        super().__init__(
            estimator=estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        """Run the generations, each one a call of ``evaluate_candidates``."""
        rng = check_random_state(self.random_state)
        space = Space(self.param_distributions)
        n_survivors = max(1, round(self.survivor_fraction * self.population_size))
        search_ctx = _begin(callback_ctx, "search", self.n_generations, True, self)
        first = list(
            ParameterSampler(
                self.param_distributions, self.population_size, random_state=rng
            )
        )
        population: list[int] = []  # indices into cv_results_
        seen: set = set()
        results: dict = {}
        self.generation_best_scores_ = []
        self.n_generations_ = 0
        candidates, parents = first, [(-1, -1)] * len(first)
        key = None
        for generation in range(self.n_generations):
            if not candidates:
                break  # no new parameter set left in the space
            start = len(results.get("params", []))
            gen_ctx = _begin(
                search_ctx,
                "generation",
                len(candidates) * self.n_splits_,
                False,
                self,
            )
            kwargs = {} if gen_ctx is None else {"callback_ctx": gen_ctx}
            results = evaluate_candidates(
                candidates,
                more_results={
                    "generation": [generation] * len(candidates),
                    "parent_a": [a for a, _ in parents],
                    "parent_b": [b for _, b in parents],
                },
                **kwargs,
            )
            _end(gen_ctx, self)
            key = key or self._ranking_key(results)
            seen.update(space.key(p) for p in candidates)
            population += range(start, start + len(candidates))
            scores = np.asarray(results[key], dtype=float)
            population = _ranked(population, scores)[: self.population_size]
            self.generation_best_scores_.append(float(scores[population[0]]))
            self.n_generations_ = generation + 1
            survivors = population[:n_survivors]
            population = survivors
            candidates, parents = self._children(
                results["params"], survivors, space, seen, rng
            )
        _end(search_ctx, self)

    def _ranking_key(self, results: dict) -> str:
        """Return the ``cv_results_`` column the population is ranked by."""
        if "mean_test_score" in results:  # one metric
            return "mean_test_score"
        if not isinstance(self.refit, str):
            raise ValueError(
                "EvolutionarySearchCV ranks its population by one metric: with "
                "several metrics in scoring, set refit to the name of that metric."
            )
        return f"mean_test_{self.refit}"

    def _children(self, params, survivors, space, seen, rng):
        """Return new parameter sets, and their parents, to refill the population."""
        children, parents = [], []
        for _ in range(self.population_size - len(survivors)):
            if len(survivors) > 1:  # two different parents
                pair = rng.choice(len(survivors), size=2, replace=False)
            else:
                pair = (0, 0)
            a, b = (int(survivors[i]) for i in pair)
            child = {
                name: params[a if rng.rand() < 0.5 else b][name] for name in space.names
            }
            child = space.mutate(child, float(self.mutation_rate), rng)
            for _ in range(100):  # something not evaluated yet
                if space.key(child) not in seen:
                    break
                child = space.mutate(child, max(float(self.mutation_rate), 0.5), rng)
            else:
                continue
            seen.add(space.key(child))
            children.append(child)
            parents.append((a, b))
        return children, parents


def _ranked(indices: list, scores: np.ndarray) -> list:
    """Sort ``indices`` by descending score, NaN last, ties by first seen."""
    vals = np.where(np.isnan(scores[indices]), -np.inf, scores[indices])
    order = np.argsort(-vals, kind="stable")
    return [indices[i] for i in order]


def _begin(ctx, name: str, subtasks: int, sequential: bool, estimator):
    """Open a scikit-learn >= 1.9 callback subcontext (None without callbacks)."""
    if ctx is None:
        return None
    return ctx.subcontext(
        task_name=name, max_subtasks=subtasks, sequential_subtasks=sequential
    ).call_on_fit_task_begin(estimator=estimator)


def _end(ctx, estimator) -> None:
    if ctx is not None:
        ctx.call_on_fit_task_end(estimator=estimator)
