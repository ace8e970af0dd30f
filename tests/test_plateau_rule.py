"""One plateau mechanism: 'plateau' and scikit-learn's 'adaptive' alike.

scikit-learn's rule is written again here from its ``_fit_stochastic``,
``_update_no_improvement_count`` and ``SGDOptimizer.trigger_stopping``: the
count grows when the loss is not below ``best - tol``, a new lowest loss always
becomes ``best``, and when the count exceeds ``n_iter_no_change`` the rate is
divided by 5, unless it is already at most 1e-6: then training stops.
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.neural_network import MLPClassifier as SkClassifier

from sklearn_adamlp import MLPClassifier, schedules
from sklearn_adamlp.callbacks import PlateauReduction, ReduceLROnPlateau
from sklearn_adamlp.training import TrainState


def sklearn_adaptive_by_hand(values, lr, tol, n, higher_is_better=False):
    """(rate of every epoch, epochs run when it stops or None)."""
    best, count, rates = (-np.inf if higher_is_better else np.inf), 0, []
    for epoch, value in enumerate(values):
        rates.append(lr)
        if higher_is_better:
            count = count + 1 if value < best + tol else 0
            best = max(best, value)
        else:
            count = count + 1 if value > best - tol else 0
            best = min(best, value)
        if count > n:
            if lr <= 1e-6:
                return rates, epoch + 1
            lr /= 5
            count = 0
    return rates, None


@pytest.fixture(scope="module")
def digits300():
    X, y = load_digits(return_X_y=True)
    return X[:300] / 16.0, y[:300]


def _fit(cls, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cls(**kw).fit(X, y)


@pytest.mark.parametrize("tol", [0.003, 0.03])
def test_adaptive_matches_sklearn_rates_and_stopping_epoch(digits300, tol):
    X, y = digits300
    kw = dict(
        solver="sgd", hidden_layer_sizes=(15,), learning_rate="adaptive",
        learning_rate_init=0.2, tol=tol, n_iter_no_change=2, max_iter=200,
        random_state=0,
    )  # fmt: skip
    theirs = _fit(SkClassifier, X, y, **kw)
    rates, stop = sklearn_adaptive_by_hand(theirs.loss_curve_, 0.2, tol, 2)
    assert stop == theirs.n_iter_ < 200  # the replay is sklearn's rule
    ours = _fit(MLPClassifier, X, y, **kw)
    assert ours.n_iter_ == stop
    np.testing.assert_allclose(ours.history_["learning_rate"], rates, rtol=1e-12)
    assert min(rates) <= 1e-6 < min(rates) * 5  # stopped at the rate floor


def test_adaptive_with_early_stopping_follows_the_rule_on_validation_scores(
    digits300,
):
    X, y = digits300
    kw = dict(
        solver="sgd", hidden_layer_sizes=(15,), learning_rate="adaptive",
        learning_rate_init=0.2, tol=0.01, n_iter_no_change=2, max_iter=200,
        random_state=0, early_stopping=True,
    )  # fmt: skip
    ours = _fit(MLPClassifier, X, y, **kw)
    rates, stop = sklearn_adaptive_by_hand(
        ours.validation_scores_, 0.2, 0.01, 2, higher_is_better=True
    )
    assert ours.n_iter_ == stop
    np.testing.assert_allclose(ours.history_["learning_rate"], rates, rtol=1e-12)


def test_adaptive_is_the_plateau_rule_with_sklearns_numbers():
    rule = schedules.build("adaptive", n_iter_no_change=3, tol=0.1).plateau()
    assert isinstance(rule, schedules.Plateau)
    assert (rule.factor, rule.patience, rule.min_delta, rule.min_lr) == (
        5.0, 4.0, 0.1, 1e-6,
    )  # fmt: skip
    assert rule.rule == "sklearn"
    assert rule.stop_at_min_lr
    plateau = schedules.build("plateau").plateau()
    assert (plateau.rule, plateau.stop_at_min_lr) == ("keras", False)
    assert PlateauReduction is ReduceLROnPlateau


def _run(cb, values, monitor="loss"):
    """Feed ``values`` as epoch records at rate ``1.0 * lr_multiplier``.

    Returns the multipliers after each epoch and the reason the callback
    gave for stopping (its return value), if it stopped.
    """
    state = TrainState()
    ctx = type("Ctx", (), {})()
    ctx.state, ctx.verbose = state, False
    cb.on_fit_begin(ctx)
    out = []
    for v in values:
        record = {monitor: v, "learning_rate": 1.0 * state.lr_multiplier}
        stop = cb.on_epoch_end(ctx, record)
        out.append(state.lr_multiplier)
        if stop:
            assert isinstance(stop, str)  # the reason, not just True
            return out, stop
    return out, None


def test_sklearn_count_moves_best_on_every_new_low_and_counts_ties():
    # best: 5 -> 4.95 (not by tol=0.1: count 1) -> 4.9 (count 2 -> /5); a tie
    # with best - tol counts as an improvement
    cb = ReduceLROnPlateau(factor=5, patience=2, min_delta=0.1, rule="sklearn")
    rates, _ = _run(cb, [5.0, 4.95, 4.9, 4.8, 4.7])
    assert rates == pytest.approx([1, 1, 0.2, 0.2, 0.2])
    # keras's count: best stays 5 until 4.8 < 5 - 0.1
    cb = ReduceLROnPlateau(factor=5, patience=2, min_delta=0.1, rule="keras")
    rates, _ = _run(cb, [5.0, 4.95, 4.9, 4.8, 4.75])
    assert rates == pytest.approx([1, 1, 0.2, 0.2, 0.2])
    cb = ReduceLROnPlateau(factor=5, patience=2, min_delta=0.1, rule="keras")
    rates, _ = _run(cb, [5.0, 4.95, 4.85, 4.7, 4.65, 4.62])
    # 4.85 < 5 - 0.1 improves (best 4.85); 4.7 (> 4.75? no: improves); then two
    assert rates == pytest.approx([1, 1, 1, 1, 1, 0.2])


def test_stop_at_min_lr_stops_instead_of_reducing_at_the_floor():
    cb = ReduceLROnPlateau(
        factor=10, patience=1, min_lr=0.05, stop_at_min_lr=True, rule="sklearn"
    )
    rates, reason = _run(cb, [1.0, 2.0, 3.0, 4.0, 5.0])
    # 1 -> 0.1 -> 0.01 (<= 0.05): the next due reduction stops
    assert rates == pytest.approx([1, 0.1, 0.01, 0.01])
    assert "did not improve" in reason


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="rule must be 'keras' or 'sklearn'"):
        _run(ReduceLROnPlateau(rule="torch"), [1.0])
