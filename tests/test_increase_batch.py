"""Growing the batch size instead of decaying the rate (Smith et al. 2018).

Expected values are the paper's rule written out by hand here: where a step
schedule divides the rate by ``B``, the batch size is multiplied by ``B``;
past the cap the rate is divided by what the batch could not take, so that
``lr / batch`` follows the step schedule throughout.
"""

import math
import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_adamlp import MLPClassifier, MLPRegressor, schedules
from sklearn_adamlp.callbacks import Callback
from sklearn_adamlp.schedules import IncreaseBatch, Warmup


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


class StepsPerEpoch(Callback):
    """Optimizer steps taken in each epoch, read from ``ctx.state.steps``."""

    def on_fit_begin(self, ctx, **kw):
        self.steps_, self._last = [], ctx.state.steps

    def on_epoch_end(self, ctx, record, **kw):
        self.steps_.append(ctx.state.steps - self._last)
        self._last = ctx.state.steps
        return False


def _data(n=200, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4))
    return X, (X[:, 0] - X[:, 1] > 0).astype(int)


# The paper's schedule by hand: n = 200 samples, B_0 = 10, factor 5 at epochs
# 2, 4, 6. The step schedule would use rates 1, 1/5, 1/25, 1/125 (x lr_0).
# Batches 10, 50, 250 -> capped at 200 (rate x 200/250), 1250 -> 200
# (rate x 200/1250).
HAND = {
    "batch": [10, 10, 50, 50, 200, 200, 200, 200],
    "rate": [1, 1, 1, 1, 200 / 250, 200 / 250, 200 / 1250, 200 / 1250],
}


def test_batch_sizes_rates_and_steps_follow_the_rule_by_hand():
    X, y = _data()
    n, lr_0 = X.shape[0], 0.01
    steps = StepsPerEpoch()
    clf = MLPClassifier(
        hidden_layer_sizes=(5,),
        solver="sgd",
        batch_size=10,
        learning_rate=IncreaseBatch(factor=5, milestones=(2, 4, 6)),
        learning_rate_init=lr_0,
        max_iter=8,
        n_iter_no_change=100,
        random_state=0,
        callbacks=[steps],
    ).fit(X, y)
    h = clf.history_
    assert h["batch_size"].tolist() == HAND["batch"]
    np.testing.assert_allclose(h["learning_rate"], [lr_0 * r for r in HAND["rate"]])
    assert steps.steps_ == [math.ceil(n / b) for b in HAND["batch"]]
    assert steps.steps_ == [20, 20, 4, 4, 1, 1, 1, 1]
    # lr / batch is the step schedule's lr_0 / 5**k / B_0 at every epoch
    k = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    np.testing.assert_allclose(
        h["learning_rate"] / h["batch_size"], lr_0 / 5.0**k / 10, rtol=1e-12
    )


def test_every_and_max_batch_size_the_hybrid_schedule():
    # every=3 epochs, factor 2, B_0 = 16, cap 64 (below n = 200): batches
    # 16, 32, 64 and then the rate halves at each further milestone.
    X, y = _data()
    clf = MLPClassifier(
        hidden_layer_sizes=(5,),
        batch_size=16,
        learning_rate=IncreaseBatch(factor=2, every=3, max_batch_size=64),
        learning_rate_init=0.001,
        max_iter=15,
        n_iter_no_change=100,
        random_state=0,
    ).fit(X, y)
    e = np.arange(15)
    k = e // 3
    wanted = 16 * 2.0**k
    assert clf.history_["batch_size"].tolist() == np.minimum(wanted, 64).tolist()
    np.testing.assert_allclose(
        clf.history_["learning_rate"], 0.001 * np.minimum(1, 64 / wanted)
    )


def test_partial_fit_grows_the_batch_over_calls():
    X, y = _data(60)
    clf = MLPClassifier(
        hidden_layer_sizes=(5,),
        batch_size=5,
        learning_rate=IncreaseBatch(factor=3, every=1),
        random_state=0,
    )
    clf.partial_fit(X, y, classes=[0, 1])
    for _ in range(3):
        clf.partial_fit(X, y)
    assert clf.history_["batch_size"].tolist() == [5, 15, 45, 60]


def test_by_name_and_without_it_no_batch_column():
    X, y = _data()
    clf = MLPClassifier(
        hidden_layer_sizes=(5,), learning_rate="increase_batch", max_iter=12
    )
    clf.fit(X, y)
    # defaults: factor 5 every 10 epochs from batch_size='auto' = min(200, n)
    assert clf.history_["batch_size"].tolist() == [200] * 12
    assert "batch_size" not in MLPClassifier(max_iter=2).fit(X, y).history_


def test_clone_pickle_and_grid_search():
    sched = IncreaseBatch(factor=2, milestones=(1, 2))
    assert repr(eval(repr(sched), vars(schedules))) == repr(sched)
    assert clone(sched).get_params() == sched.get_params()
    pickle.loads(pickle.dumps(sched))
    X, y = _data()
    est = MLPClassifier(
        hidden_layer_sizes=(5,),
        batch_size=20,
        learning_rate=sched,
        max_iter=4,
        random_state=0,
    )
    grid = GridSearchCV(est, {"learning_rate__factor": [2, 4]}, cv=2).fit(X, y)
    factor = grid.best_params_["learning_rate__factor"]
    wanted = [20, 20 * factor, 20 * factor**2, 20 * factor**2]
    assert grid.best_estimator_.history_["batch_size"].tolist() == [
        min(b, X.shape[0])
        for b in wanted  # refit on all 200 rows: the cap
    ]
    assert not hasattr(sched, "batch_size_")  # the user's object is untouched


@pytest.mark.parametrize(
    "bad",
    [
        IncreaseBatch(factor=0.5),
        IncreaseBatch(every=0),
        IncreaseBatch(milestones=(3, 2)),
        IncreaseBatch(milestones=(0,)),
        IncreaseBatch(max_batch_size=0),
        IncreaseBatch(max_batch_size=5),  # below the starting batch size
        Warmup(IncreaseBatch(), epochs=2),  # the batch would not grow
    ],
    ids=repr,
)
def test_invalid_parameters_raise_at_fit(bad):
    X, y = _data()
    with pytest.raises(ValueError, match="IncreaseBatch"):
        MLPClassifier(batch_size=10, learning_rate=bad, max_iter=2).fit(X, y)


# batch_size='auto' (full batch on the checks' small data sets, so that the
# sample-weight equivalence checks hold): the cap is reached at once and the
# schedule decays the rate.
@parametrize_with_checks(
    [
        MLPRegressor(
            hidden_layer_sizes=(8,),
            learning_rate=IncreaseBatch(factor=2, every=20),
            learning_rate_init=0.01,
            max_iter=100,
            random_state=0,
        )
    ]
)
def test_sklearn_compatible_with_increase_batch(estimator, check):
    check(estimator)
