"""Sample weights: validation, zero-weight batches, and the early-stopping hold-out.

The hold-out is observed through the public API: a callback fixes the network to
predict ``classes_[0]`` for every row before the first epoch (zero weights, a large
output bias; a learning rate of 1e-12 cannot move it), so the first validation
score is the weighted share of ``classes_[0]`` among the held-out rows.
"""

import warnings

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning

from sklearn_adamlp import (
    MLPClassifier,
    MLPRegressor,
    activations,
    initializers,
    losses,
)
from sklearn_adamlp.callbacks import Callback
from sklearn_adamlp.network import Network
from sklearn_adamlp.regularizers import L2Penalty


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


class PredictFirstClass(Callback):
    """Make the network predict ``classes_[0]`` for every row (see module doc)."""

    def __init__(self, est=None):
        self.est = est

    def on_fit_begin(self, ctx, **kwargs):
        ctx.flat[:] = 0.0
        bias = self.est.intercepts_[-1]  # a view into ctx.flat
        if bias.size == 1:  # binary: sigmoid(-50) < 0.5 predicts classes_[0]
            bias[:] = -50.0
        else:  # softmax: the first output wins
            bias[0] = 50.0


def first_class_share(X, y, sample_weight=None, random_state=0, **kw):
    """The first validation score of a fit that predicts ``classes_[0]`` only."""
    clf = MLPClassifier(
        hidden_layer_sizes=(2,),
        solver="sgd",
        learning_rate_init=1e-12,
        momentum=0.0,
        max_iter=1,
        early_stopping=True,
        random_state=random_state,
        **kw,
    )
    clf.set_params(callbacks=[PredictFirstClass(clf)])
    clf.fit(X, y, sample_weight=sample_weight)
    return clf.validation_scores_[0]


def imbalanced(n=1000, minority=0.1, seed=0, classes=(0, 1)):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    n_min = round(minority * n)
    y = np.array([classes[1]] * n_min + [classes[0]] * (n - n_min))
    return X, y[rng.permutation(n)]


# --- the hold-out is stratified --------------------------------------------------


@pytest.mark.parametrize("seed", range(8))
def test_holdout_keeps_the_class_proportions_binary(seed):
    X, y = imbalanced(seed=seed)  # 900 of class 0, 100 of class 1
    n_val = 100  # ceil(0.1 * 1000)
    share = first_class_share(X, y, random_state=seed)
    # within one sample of the data's proportion (90 of class 0)
    assert abs(share * n_val - 90) <= 1


@pytest.mark.parametrize("seed", range(4))
def test_holdout_keeps_the_class_proportions_multiclass(seed):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(600, 3))
    y = rng.permutation(np.repeat([0, 1, 2], [420, 150, 30]))
    n_val = 60
    for c, count in [(0, 420), (1, 150), (2, 30)]:
        # relabel so that class c comes first in classes_
        relabelled = np.where(y == c, -1, y)
        share = first_class_share(X, relabelled, random_state=seed)
        assert abs(share * n_val - count / 10) <= 1, c


def test_multilabel_holdout_is_not_stratified_but_works():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3))
    Y = (rng.rand(200, 3) < [0.5, 0.2, 0.1]).astype(int)
    clf = MLPClassifier(
        hidden_layer_sizes=(4,), max_iter=5, early_stopping=True, random_state=0
    )
    assert len(clf.fit(X, Y).validation_scores_) == clf.n_iter_


# --- equal weights are no weights -------------------------------------------------


def test_mlp_sample_weight_with_early_stopping():
    """scikit-learn's test of the same name (sklearn/neural_network/tests)."""
    X, y = make_regression(
        n_samples=100,
        n_features=2,
        n_informative=2,
        random_state=42,
    )
    sw = np.ones_like(y)
    params = dict(
        hidden_layer_sizes=10,
        solver="adam",
        early_stopping=True,
        tol=1e-2,
        learning_rate_init=0.01,
        batch_size=10,
        random_state=42,
    )
    m1 = MLPRegressor(
        **params,
    )
    m1.fit(X, y, sample_weight=sw)

    m2 = MLPRegressor(**params).fit(X, y, sample_weight=None)
    np.testing.assert_allclose(m1.predict(X), m2.predict(X))
    # and bit for bit: unit weights are no weights
    np.testing.assert_array_equal(m1.predict(X), m2.predict(X))


@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_unit_weights_equal_no_weights_exactly(small_clf_data, Est, solver):
    X, y = small_clf_data
    kw = {
        "hidden_layer_sizes": (8,),
        "solver": solver,
        "batch_size": 16,
        "early_stopping": True,
        "max_iter": 30,
        "random_state": 0,
    }
    a = Est(**kw).fit(X, y, sample_weight=np.ones(len(y)))
    b = Est(**kw).fit(X, y)
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])
    assert a.validation_scores_ == b.validation_scores_
    assert a.loss_curve_ == b.loss_curve_


@pytest.mark.parametrize("value", [3.0, 2.5])
def test_equal_weights_hold_out_and_batch_as_no_weights(small_clf_data, value):
    """Any common weight leaves the hold-out and the batches as without weights.

    With alpha=0, equal weights give each row of a batch the gradient weight
    c / (m c) = 1 / m, the unweighted mean's: the fits agree to round-off, which
    they could not if the hold-out or the batches differed.
    """
    X, y = small_clf_data
    kw = {
        "hidden_layer_sizes": (8,),
        "alpha": 0.0,
        "batch_size": 16,
        "early_stopping": True,
        "max_iter": 30,
        "random_state": 0,
    }
    a = MLPClassifier(**kw).fit(X, y, sample_weight=np.full(len(y), value))
    b = MLPClassifier(**kw).fit(X, y)
    assert a.n_iter_ == b.n_iter_
    np.testing.assert_allclose(a.coefs_[0], b.coefs_[0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(a.validation_scores_, b.validation_scores_, rtol=1e-12)


def test_zero_weights_with_early_stopping_equal_dropping_the_rows(small_clf_data):
    """Zero-weight rows touch neither the hold-out nor the batches."""
    X, y = small_clf_data
    sw = np.ones(len(y))
    sw[::5] = 0.0
    kw = {
        "hidden_layer_sizes": (8,),
        "batch_size": 16,
        "early_stopping": True,
        "max_iter": 30,
        "random_state": 0,
    }
    a = MLPClassifier(**kw).fit(X, y, sample_weight=sw)
    b = MLPClassifier(**kw).fit(X[sw > 0], y[sw > 0])
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])
    assert a.validation_scores_ == b.validation_scores_


# --- zero-weight batches ----------------------------------------------------------


@pytest.mark.parametrize("solver", ["adam", "sgd", "rmsprop"])
def test_mostly_zero_weights_train_with_mini_batches(solver):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 4))
    y = (X[:, 0] > 0).astype(int)
    sw = (rng.rand(300) > 0.8).astype(float)  # 80 % of the rows masked
    clf = MLPClassifier(
        hidden_layer_sizes=(8,),
        solver=solver,
        learning_rate_init=0.01,
        batch_size=16,
        max_iter=50,
        random_state=0,
    ).fit(X, y, sample_weight=sw)
    assert all(np.isfinite(c).all() for c in clf.coefs_ + clf.intercepts_)
    assert np.isfinite(clf.loss_curve_).all()
    assert clf.score(X, y) > 0.8


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_a_zero_weight_batch_is_skipped(solver):
    """A batch whose weights are all zero takes no step and leaves the state.

    Without shuffling, masking the first batch of every epoch gives exactly the
    fit on the other rows: same batches, same optimizer steps (Adam's step
    count and moments included).
    """
    rng = np.random.RandomState(1)
    X = rng.normal(size=(100, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    sw = np.ones(100)
    sw[:10] = 0.0
    kw = {
        "hidden_layer_sizes": (6,),
        "solver": solver,
        "batch_size": 10,
        "shuffle": False,
        "max_iter": 5,
        "random_state": 0,
    }
    a = MLPClassifier(**kw).fit(X, y, sample_weight=sw)
    b = MLPClassifier(**kw).fit(X[10:], y[10:])
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])
    np.testing.assert_array_equal(a.intercepts_[1], b.intercepts_[1])
    # the weighted mean of a batch's losses rounds apart from the plain mean
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-14)


def test_zero_weight_batch_in_partial_fit(small_clf_data):
    X, y = small_clf_data
    clf = MLPClassifier(hidden_layer_sizes=(5,), batch_size=10, random_state=0)
    clf.partial_fit(X, y, classes=np.unique(y))
    before = [c.copy() for c in clf.coefs_]
    sw = np.zeros(len(y))
    sw[-1] = 1.0  # one weighted row: every other batch is skipped
    clf.partial_fit(X, y, sample_weight=sw)
    assert all(np.isfinite(c).all() for c in clf.coefs_)
    assert not np.array_equal(before[0], clf.coefs_[0])


@pytest.mark.parametrize("with_terms", [False, True])
def test_network_loss_grad_of_a_zero_weight_batch_is_zero(with_terms):
    """No data, no objective: loss 0 and a zero gradient, penalties included."""
    loss = losses.get("log_loss").specialize("multiclass")
    net = Network(
        [4, 3, 3],
        [activations.get("relu")],
        loss,
        dtype=np.float64,
        penalties=[L2Penalty(0.1)],
    )
    rng = np.random.RandomState(0)
    flat = net.init_params([initializers.get("glorot_uniform")()] * 2, rng)
    X = rng.normal(size=(8, 4))
    Y = np.eye(3)[rng.randint(0, 3, size=8)]
    grad = np.full_like(flat, np.nan)
    terms = [] if with_terms else None
    value = net.loss_grad(flat, grad, X, Y, np.zeros(8), terms)
    assert value == 0.0
    assert not grad.any()
    assert not terms


# --- bad weights ------------------------------------------------------------------


@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
@pytest.mark.parametrize(
    "sw",
    [
        -np.ones(40),
        np.r_[np.ones(20), -np.ones(20)],
        np.r_[np.ones(39), -1e-9],
    ],
)
def test_negative_weights_raise(Est, sw):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int)
    with pytest.raises(ValueError, match="negative"):
        Est(max_iter=2).fit(X, y, sample_weight=sw)
    est = Est(max_iter=2)
    kwargs = {"classes": [0, 1]} if Est is MLPClassifier else {}
    with pytest.raises(ValueError, match="negative"):
        est.partial_fit(X, y, sample_weight=sw, **kwargs)


@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
def test_all_zero_weights_raise(Est):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int)
    with pytest.raises(ValueError, match="non-zero"):
        Est(max_iter=2).fit(X, y, sample_weight=np.zeros(40))
    kwargs = {"classes": [0, 1]} if Est is MLPClassifier else {}
    with pytest.raises(ValueError, match="non-zero"):
        Est(max_iter=2).partial_fit(X, y, sample_weight=np.zeros(40), **kwargs)


def test_negative_validation_weights_raise(small_clf_data):
    X, y = small_clf_data
    sw_val = np.ones(len(y))
    sw_val[3] = -1.0
    with pytest.raises(ValueError, match="negative"):
        MLPClassifier(max_iter=2).fit(X, y, validation_data=(X, y, sw_val))


# --- random weights: a clear error or a finite model --------------------------------

WEIGHTS = {
    "uniform": lambda rng, n: rng.uniform(0, 3, n),
    "integers": lambda rng, n: rng.randint(0, 5, n).astype(float),
    "mostly zero": lambda rng, n: (rng.rand(n) > 0.85) * rng.uniform(0.5, 2, n),
    "one row": lambda rng, n: np.eye(n)[rng.randint(n)],
    "plus minus": lambda rng, n: rng.choice([-1.0, 1.0], n),
    "tiny": lambda rng, n: np.full(n, 1e-300),
    "nan": lambda rng, n: np.where(rng.rand(n) < 0.1, np.nan, 1.0),
}


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    n=st.sampled_from([3, 12, 40]),
    kind=st.sampled_from(sorted(WEIGHTS)),
    solver=st.sampled_from(["adam", "sgd", "lbfgs"]),
    batch_size=st.sampled_from([1, 5, 16, "auto"]),
    early_stopping=st.booleans(),
    class_weight=st.sampled_from([None, "balanced", {0: 0.0}, {1: 3.0}]),
)
def test_random_weights_give_a_clear_error_or_a_finite_model(
    seed, n, kind, solver, batch_size, early_stopping, class_weight
):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    y = rng.randint(0, 2, n)
    sw = WEIGHTS[kind](rng, n)
    clf = MLPClassifier(
        hidden_layer_sizes=(4,),
        solver=solver,
        batch_size=batch_size,
        early_stopping=early_stopping,
        class_weight=class_weight,
        max_iter=5,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            clf.fit(X, y, sample_weight=sw)
            message = None
        except ValueError as exc:
            message = str(exc)
    if message is not None:
        event(f"rejected: {kind}")
        assert message, "errors must say what is wrong"
        return
    event(f"fitted: {kind}")
    assert all(np.isfinite(c).all() for c in clf.coefs_ + clf.intercepts_)
    assert np.isfinite(clf.predict_proba(X)).all()
