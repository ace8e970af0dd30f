"""Population based training (Jaderberg et al. 2017), synchronous rounds."""

from __future__ import annotations

import copy
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import ParameterSampler, train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from sklearn_adamlp._validation import HasMethods, Interval
from sklearn_adamlp.model_selection._space import Space


def _best_has(name: str):
    def check(self) -> bool:
        if hasattr(self, "best_estimator_"):
            return hasattr(self.best_estimator_, name)
        return hasattr(self.estimator, name)

    return check


def _train(member, X, y):
    """One round of training of one member (a warm-started fit), for joblib."""
    return member.fit(X, y)


class PopulationBasedTraining(MetaEstimatorMixin, BaseEstimator):
    """Population based training: members train, and the weak copy the strong.

    A population of ``population_size`` copies of ``estimator`` is trained. Each
    member starts from its own parameters, drawn from ``param_distributions``
    as ``RandomizedSearchCV`` draws them. Training runs in ``n_rounds`` rounds.
    In each round:

    1. **Train.** Every member trains on the training part of the data for
       ``epochs_per_round`` more epochs. This is a warm-started ``fit`` with
       ``max_iter=epochs_per_round``, so a member's weights and optimizer state
       carry over from round to round.
    2. **Evaluate.** Every member is scored on the held-out validation part.
    3. **Exploit.** Each of the worst ``n_exploit = max(1, round(exploit_fraction
       * population_size))`` members is replaced by a deep copy of one of the
       best ``n_exploit``, drawn at random. The copy takes its weights, its
       optimizer state and its parameters (truncation selection).
    4. **Explore.** Each parameter of such a copy mutates with probability
       ``explore_rate``. A list-valued parameter is redrawn from its list. A
       distribution's parameter is multiplied by 0.8 or 1.25, and redrawn if
       that leaves the distribution's support.

    The last round is not followed by exploit and explore. The result is the
    member with the best final validation score, ``best_estimator_``,
    **trained**, not refitted. Its parameters changed along its lineage, and a
    refit from scratch with the final ones would not reproduce it. ``predict``,
    ``predict_proba``, ``decision_function``, ``transform`` and ``score``
    delegate to it.

    Only parameters that a warm-started fit can change belong in
    ``param_distributions``: learning rates, penalties, momentum. Sizes of
    layers do not.

    Parameters
    ----------
    estimator : estimator object
        Must have a ``warm_start`` parameter and ``max_iter`` (e.g.
        ``MLPClassifier``, ``MLPRegressor``); each member is a clone.
    param_distributions : dict
        Parameter names to lists or to objects with an ``rvs`` method.
    population_size : int, default=8
    n_rounds : int, default=10
    epochs_per_round : int, default=5
        ``max_iter`` of each member's fit per round.
    exploit_fraction : float in (0, 0.5], default=0.25
        Share of the population replaced each round (and share copied from).
    explore_rate : float in [0, 1], default=1.0
        Probability that each parameter of a copied member mutates.
    validation_fraction : float in (0, 1), default=0.2
        Held-out share of ``X`` for the evaluations (stratified for a
        classifier). Members never train on it.
    scoring : str, callable or None, default=None
        Validation metric (the estimator's ``score`` if None).
    n_jobs : int or None, default=None
        Members trained in parallel within a round (joblib).
    random_state : int, RandomState instance or None, default=None
        Seeds the draws, the split, the choice of copies and the mutations.
        Members whose estimator has a ``random_state`` get distinct seeds drawn
        from it.
    verbose : int, default=0
        Print each round's best and median validation score.

    Attributes
    ----------
    best_estimator_ : estimator
        The best member after the last round, trained.
    best_score_ : float
        Its validation score.
    best_params_ : dict
        Its parameters at the end, those of ``param_distributions``.
    population_ : list of estimators
        Every member after the last round.
    history_ : pandas.DataFrame
        One row per member and round: ``round``, ``member``, ``score``,
        ``source``, and one column per searched parameter. ``source`` is the
        member whose weights this member continued from at the end of the
        round, i.e. itself, or the member it copied.
    n_features_in_, feature_names_in_, classes_
        Those of ``best_estimator_``, when it has them.

    References
    ----------
    Jaderberg, M. et al. (2017). "Population Based Training of Neural
    Networks". arXiv:1711.09846. The course notes, "Hyper-parameter tuning:
    evolutionary method".
    """

    _parameter_constraints: ClassVar[dict] = {
        "estimator": [HasMethods(["fit", "get_params", "set_params"])],
        "param_distributions": [dict],
        "population_size": [Interval(Integral, 2, None, closed="left")],
        "n_rounds": [Interval(Integral, 1, None, closed="left")],
        "epochs_per_round": [Interval(Integral, 1, None, closed="left")],
        "exploit_fraction": [Interval(Real, 0, 0.5, closed="right")],
        "explore_rate": [Interval(Real, 0, 1, closed="both")],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "scoring": [str, callable, None],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        population_size=8,
        n_rounds=10,
        epochs_per_round=5,
        exploit_fraction=0.25,
        explore_rate=1.0,
        validation_fraction=0.2,
        scoring=None,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.population_size = population_size
        self.n_rounds = n_rounds
        self.epochs_per_round = epochs_per_round
        self.exploit_fraction = exploit_fraction
        self.explore_rate = explore_rate
        self.validation_fraction = validation_fraction
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y):
        """Train the population on ``X``, ``y`` and keep the best member.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)

        Returns
        -------
        self : PopulationBasedTraining
        """
        self._validate_params()
        params = self.estimator.get_params()
        for name in ("warm_start", "max_iter"):
            if name not in params:
                raise ValueError(
                    f"PopulationBasedTraining trains its members round by round "
                    f"with warm-started fits: {type(self.estimator).__name__} has "
                    f"no {name!r} parameter."
                )
        rng = check_random_state(self.random_state)
        space = Space(self.param_distributions)
        X_tr, X_val, y_tr, y_val = train_test_split(
            X,
            y,
            test_size=self.validation_fraction,
            random_state=rng.randint(2**31 - 1),
            stratify=y if is_classifier(self.estimator) else None,
        )
        scorer = check_scoring(self.estimator, scoring=self.scoring)
        members = self._initial_members(params, rng)
        n_exploit = max(1, round(float(self.exploit_fraction) * len(members)))
        rows = []
        for rnd in range(self.n_rounds):
            members = Parallel(n_jobs=self.n_jobs)(
                delayed(_train)(m, X_tr, y_tr) for m in members
            )
            scores = np.array([_score(scorer, m, X_val, y_val) for m in members])
            order = np.argsort(-np.where(np.isnan(scores), -np.inf, scores))
            round_rows = [
                {
                    "round": rnd,
                    "member": i,
                    "score": scores[i],
                    "source": i,
                    **{n: m.get_params()[n] for n in space.names},
                }
                for i, m in enumerate(members)
            ]
            if rnd < self.n_rounds - 1:  # exploit and explore
                top, bottom = order[:n_exploit], order[len(members) - n_exploit :]
                for loser in bottom:
                    winner = int(top[rng.randint(len(top))])
                    members[loser] = self._explore(members[winner], space, rng)
                    round_rows[loser]["source"] = winner
            rows += round_rows
            if self.verbose:
                print(
                    f"[PBT] round {rnd + 1}/{self.n_rounds}: best "
                    f"{np.nanmax(scores):.4f}, median {np.nanmedian(scores):.4f}"
                )
        best = int(order[0])
        self.best_estimator_ = members[best]
        self.best_score_ = float(scores[best])
        self.best_params_ = {
            n: self.best_estimator_.get_params()[n] for n in space.names
        }
        self.population_ = members
        self.history_ = pd.DataFrame(rows)
        for name in ("n_features_in_", "feature_names_in_", "classes_"):
            if hasattr(self.best_estimator_, name):
                setattr(self, name, getattr(self.best_estimator_, name))
        return self

    def _initial_members(self, params: dict, rng) -> list:
        """Return clones of ``estimator`` with drawn parameters, warm-started."""
        base = list(
            ParameterSampler(
                self.param_distributions, self.population_size, random_state=rng
            )
        )  # fewer than population_size from a small discrete space: repeat them
        draws = [base[i % len(base)] for i in range(self.population_size)]
        members = []
        for draw in draws:
            member = clone(self.estimator).set_params(
                **draw, warm_start=True, max_iter=int(self.epochs_per_round)
            )
            if "random_state" in params:
                member.set_params(random_state=rng.randint(2**31 - 1))
            members.append(member)
        return members

    def _explore(self, winner, space: Space, rng):
        """Return a deep copy of ``winner`` (weights too) with mutated parameters.

        The copy also gets a seed of its own, so it does not replay the
        winner's shuffles from here on.
        """
        copy_ = copy.deepcopy(winner)
        current = {n: copy_.get_params()[n] for n in space.names}
        copy_.set_params(**space.mutate(current, float(self.explore_rate), rng))
        if "random_state" in copy_.get_params():
            copy_.set_params(random_state=rng.randint(2**31 - 1))
        return copy_

    @available_if(_best_has("predict"))
    def predict(self, X):
        """Predict with ``best_estimator_``."""
        check_is_fitted(self)
        return self.best_estimator_.predict(X)

    @available_if(_best_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of ``best_estimator_``."""
        check_is_fitted(self)
        return self.best_estimator_.predict_proba(X)

    @available_if(_best_has("decision_function"))
    def decision_function(self, X):
        """Decision function of ``best_estimator_``."""
        check_is_fitted(self)
        return self.best_estimator_.decision_function(X)

    @available_if(_best_has("transform"))
    def transform(self, X):
        """Transform with ``best_estimator_``."""
        check_is_fitted(self)
        return self.best_estimator_.transform(X)

    def score(self, X, y):
        """Score of ``best_estimator_`` on ``X``, ``y`` with ``scoring``."""
        check_is_fitted(self)
        scorer = check_scoring(self.estimator, scoring=self.scoring)
        return scorer(self.best_estimator_, X, y)


def _score(scorer, member, X, y) -> float:
    """Return the validation score of a member (NaN if it cannot be scored)."""
    try:
        return float(scorer(member, X, y))
    except (ValueError, FloatingPointError):
        return np.nan
