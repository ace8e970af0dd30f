"""Ctrl-C (KeyboardInterrupt) during fit: stop, warn, keep a consistent model.

As scikit-learn's MLP (``_fit_stochastic`` catches ``KeyboardInterrupt``, warns
"Training interrupted by user." and returns), the estimator is then fitted on
the epochs that completed: ``n_iter_``, ``loss_curve_``, ``history_``, ``t_``
and the best-* attributes describe exactly those epochs.
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_adamlp import MLPClassifier, MLPRegressor
from sklearn_adamlp.callbacks import Callback
from sklearn_adamlp.schedules import Schedule


class InterruptAtStep(Schedule):
    """A constant rate, evaluated before every step, that raises at step ``t``."""

    unit = "step"

    def __init__(self, t=12):
        self.t = t

    def __call__(self, t):
        if t == self.t:
            raise KeyboardInterrupt
        return 1.0


class InterruptAt(Callback):
    """Raise KeyboardInterrupt at the end (or start) of epoch ``k`` (1-based)."""

    def __init__(self, k=3, where="end", times=1):
        self.k = k
        self.where = where
        self.times = times

    def on_fit_begin(self, ctx, **kw):
        self.seen_ = 0
        self.fired_ = getattr(self, "fired_", 0)

    def _maybe(self):
        if self.seen_ == self.k and self.fired_ < self.times:
            self.fired_ += 1
            raise KeyboardInterrupt

    def on_epoch_begin(self, ctx, **kw):
        self.seen_ += 1
        if self.where == "begin":
            self._maybe()

    def on_epoch_end(self, ctx, record, **kw):
        if self.where == "end":
            self._maybe()
        return False


def _data(n=150, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 5))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    return X, y


def _fit_interrupted(est, X, y, **fit_params):
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        est.fit(X, y, **fit_params)
    return est


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_interrupt_at_epoch_end_keeps_the_k_completed_epochs(solver):
    X, y = _data()
    k = 3
    clf = MLPClassifier(
        hidden_layer_sizes=(8,),
        solver=solver,
        max_iter=50,
        batch_size=32,
        random_state=0,
        callbacks=[InterruptAt(k)],
    )
    _fit_interrupted(clf, X, y)
    # epoch k was complete and recorded when the callback raised: it counts
    assert clf.n_iter_ == k
    assert len(clf.history_) == k == len(clf.loss_curve_)
    assert clf.history_["epoch"].tolist() == [1, 2, 3]
    assert clf.t_ == k * X.shape[0]
    assert clf.loss_ == clf.loss_curve_[-1]
    assert clf.best_loss_ == min(clf.loss_curve_)
    # the weights are those of the end of epoch k: continuing without the
    # interruption from a k-epoch fit gives the same weights
    ref = MLPClassifier(
        hidden_layer_sizes=(8,),
        solver=solver,
        max_iter=k,
        batch_size=32,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref.fit(X, y)
    np.testing.assert_array_equal(clf.coefs_[0], ref.coefs_[0])
    np.testing.assert_array_equal(clf.predict_proba(X), ref.predict_proba(X))
    assert clf.loss_curve_ == ref.loss_curve_


def test_interrupt_mid_epoch_rolls_back_to_the_last_completed_epoch():
    X, y = _data()
    k = 3  # raised as epoch 3 begins, so 2 epochs completed
    clf = MLPClassifier(
        hidden_layer_sizes=(8,),
        max_iter=50,
        batch_size=32,
        random_state=0,
        callbacks=[InterruptAt(k, where="begin")],
    )
    _fit_interrupted(clf, X, y)
    assert clf.n_iter_ == k - 1 == len(clf.history_) == len(clf.loss_curve_)
    assert clf.t_ == (k - 1) * X.shape[0]
    ref = MLPClassifier(
        hidden_layer_sizes=(8,), max_iter=k - 1, batch_size=32, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref.fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), ref.predict_proba(X))


def test_interrupt_between_steps_rolls_back_the_partial_epoch():
    X, y = _data()  # 150 rows in batches of 32: 5 steps per epoch
    clf = MLPClassifier(
        hidden_layer_sizes=(8,),
        max_iter=50,
        batch_size=32,
        random_state=0,
        learning_rate=InterruptAtStep(12),  # after 2 steps of epoch 3
    )
    _fit_interrupted(clf, X, y)
    assert clf.n_iter_ == 2 == len(clf.history_)
    assert clf.t_ == 2 * X.shape[0]
    ref = MLPClassifier(
        hidden_layer_sizes=(8,), max_iter=2, batch_size=32, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref.fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), ref.predict_proba(X))
    assert clf.loss_curve_ == ref.loss_curve_


def test_interrupt_with_early_stopping_restores_the_best_epoch():
    X, y = _data(300)
    clf = MLPClassifier(
        hidden_layer_sizes=(8,),
        max_iter=100,
        early_stopping=True,
        random_state=0,
        callbacks=[InterruptAt(6)],
    )
    _fit_interrupted(clf, X, y)
    assert clf.n_iter_ == 6 == len(clf.validation_scores_)
    assert clf.best_validation_score_ == max(clf.validation_scores_)


def test_second_fit_after_an_interrupt_runs_to_the_end():
    X, y = _data()
    cb = InterruptAt(2)
    clf = MLPClassifier(
        hidden_layer_sizes=(8,), max_iter=7, random_state=0, callbacks=[cb]
    )
    _fit_interrupted(clf, X, y)
    assert clf.n_iter_ == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no interrupt this time
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert clf.n_iter_ == 7 == len(clf.history_)
    ref = MLPClassifier(hidden_layer_sizes=(8,), max_iter=7, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref.fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), ref.predict_proba(X))


def test_interrupted_partial_fit_leaves_the_previous_state():
    X, y = _data()
    clf = MLPClassifier(hidden_layer_sizes=(8,), random_state=0, batch_size=32)
    clf.partial_fit(X, y, classes=[0, 1])
    before = clf.predict_proba(X)
    clf.set_params(callbacks=[InterruptAt(1, where="begin")])
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        clf.partial_fit(X, y)
    assert len(clf.history_) == 1 == len(clf.loss_curve_)
    assert clf.t_ == X.shape[0]
    np.testing.assert_array_equal(clf.predict_proba(X), before)
    clf.partial_fit(X, y)  # the callback fires once only
    assert len(clf.history_) == 2


def test_interrupt_during_lbfgs_keeps_the_last_iterate():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 4))
    y = X @ [1.0, -2.0, 0.5, 0.0]
    k = 4
    reg = MLPRegressor(
        hidden_layer_sizes=(6,),
        solver="lbfgs",
        max_iter=200,
        random_state=0,
        callbacks=[InterruptAt(k)],
    )
    _fit_interrupted(reg, X, y)
    assert reg.n_iter_ == k == len(reg.history_) == len(reg.loss_curve_)
    ref = MLPRegressor(
        hidden_layer_sizes=(6,), solver="lbfgs", max_iter=k, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref.fit(X, y)
    np.testing.assert_allclose(reg.predict(X), ref.predict(X), rtol=1e-12)
    assert reg.loss_ == pytest.approx(reg.loss_curve_[-1], rel=1e-12)
    assert reg.loss_ == pytest.approx(ref.loss_, rel=1e-12)
