"""find_lr: the range test's rates, smoothing, stopping rule and suggestion."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_adamlp import MLPClassifier, MLPRegressor
from sklearn_adamlp.inspection import LRFinderResult, find_lr
from sklearn_adamlp.optimizers import Adam, available, get

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

STEPPERS = [n for n in available() if not hasattr(get(n), "minimize")]
MINIMIZERS = [n for n in available() if hasattr(get(n), "minimize")]


@pytest.fixture(scope="module")
def digits_scaled():
    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def digits_result(digits_scaled):
    X, y = digits_scaled
    return find_lr(MLPClassifier(), X, y, random_state=0)


def test_rates_follow_the_geometric_formula(digits_result):
    r = digits_result
    assert isinstance(r, LRFinderResult)
    k = np.arange(len(r.learning_rates))
    want = 1e-7 * (10 / 1e-7) ** (k / 99)
    np.testing.assert_allclose(r.learning_rates, want, rtol=1e-12)
    assert np.isfinite(r.losses).all()
    assert len(r.losses) == len(r.smoothed_losses) == len(r.learning_rates)


def test_smoothing_is_the_bias_corrected_average(digits_result):
    r = digits_result
    avg, want = 0.0, []
    for k, loss in enumerate(r.losses):
        avg = 0.98 * avg + 0.02 * loss
        want.append(avg / (1 - 0.98 ** (k + 1)))
    np.testing.assert_allclose(r.smoothed_losses, want, rtol=1e-12)


def test_suggestion_is_a_tenth_of_the_rate_at_the_minimum(digits_result):
    r = digits_result
    lr_min = r.learning_rates[np.argmin(r.smoothed_losses)]
    assert r.lr_min == lr_min
    assert r.suggestion == pytest.approx(lr_min / 10, rel=1e-12)
    assert "lr_min / 10" in r.suggestion_rule


def test_adam_on_digits_suggests_a_sensible_rate(digits_result):
    assert 1e-4 <= digits_result.suggestion <= 1e-1
    # the loss first falls: at the minimum it is well below its start
    assert min(digits_result.smoothed_losses) < 0.75 * digits_result.losses[0]


def test_stops_on_divergence(digits_scaled):
    X, y = digits_scaled
    r = find_lr(MLPClassifier(), X, y, stop=1e6, num=100, random_state=0)
    assert r.diverged
    assert len(r.losses) < 100
    s = r.smoothed_losses
    for k in range(1, len(s) - 1):  # no earlier step met the rule
        assert s[k] <= 4.0 * s[: k + 1].min()
    assert s[-1] > 4.0 * s.min()


def test_estimator_unchanged(digits_scaled):
    X, y = digits_scaled
    est = MLPClassifier((16,), max_iter=3, random_state=0)
    before = est.get_params()
    find_lr(est, X, y, num=10, random_state=0)
    assert est.get_params() == before
    assert not hasattr(est, "coefs_")
    est.fit(X, y)
    coefs = [W.copy() for W in est.coefs_]
    proba = est.predict_proba(X)
    curve = list(est.loss_curve_)
    find_lr(est, X, y, num=10, random_state=0)
    assert est.get_params() == before
    for W, W0 in zip(est.coefs_, coefs, strict=True):
        np.testing.assert_array_equal(W, W0)
    np.testing.assert_array_equal(est.predict_proba(X), proba)
    assert list(est.loss_curve_) == curve
    assert est.n_iter_ == 3


def test_optimizer_object_swept_and_unchanged(digits_scaled):
    X, y = digits_scaled
    opt = Adam(learning_rate=0.5)
    r = find_lr(MLPClassifier((16,), solver=opt), X, y, num=20, random_state=0)
    assert len(r.losses) == 20
    assert opt.learning_rate == 0.5
    assert not hasattr(opt, "state_")


def test_pipeline_sweeps_last_step_on_transformed_X(digits_scaled):
    X, y = load_digits(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), MLPClassifier((16,)))
    a = find_lr(pipe, X, y, num=30, random_state=0)
    Xt = StandardScaler().fit_transform(X)
    b = find_lr(MLPClassifier((16,)), Xt, y, num=30, random_state=0)
    np.testing.assert_allclose(a.losses, b.losses, rtol=1e-12)
    assert not hasattr(pipe[-1], "coefs_")
    assert not hasattr(pipe[0], "mean_")


@pytest.mark.parametrize("solver", STEPPERS)
def test_every_stepping_solver(digits_scaled, solver):
    X, y = digits_scaled
    r = find_lr(
        MLPClassifier((8,), solver=solver), X[:300], y[:300], num=8, random_state=0
    )
    assert 1 <= len(r.losses) <= 8
    assert np.isfinite(r.suggestion)


@pytest.mark.parametrize("solver", MINIMIZERS)
def test_minimizers_rejected(digits_scaled, solver):
    X, y = digits_scaled
    with pytest.raises(ValueError, match="minimizer"):
        find_lr(MLPClassifier(solver=solver), X, y)


def test_regressor(digits_scaled):
    X, _ = digits_scaled
    target = X[:, 10] + X[:, 20]
    r = find_lr(MLPRegressor(hidden_layer_sizes=(8,)), X, target, random_state=0)
    assert len(r.losses) > 10
    assert np.isfinite(r.smoothed_losses).all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"start": 0}, "start"),
        ({"start": 1.0, "stop": 0.5}, "start"),
        ({"num": 1}, "num"),
        ({"smooth": 1.0}, "smooth"),
        ({"diverge": 1.0}, "diverge"),
    ],
)
def test_bad_arguments(digits_scaled, kwargs, match):
    X, y = digits_scaled
    with pytest.raises(ValueError, match=match):
        find_lr(MLPClassifier(), X, y, **kwargs)


def test_first_steps_are_plain_sgd_steps_at_the_swept_rates(digits_scaled):
    """l_0 is the loss at the initial weights, l_1 after one SGD step at lr_0."""
    from sklearn.metrics import log_loss

    from sklearn_adamlp.inspection import trace_layers

    X, y = digits_scaled[0][:300], digits_scaled[1][:300]
    params = dict(
        hidden_layer_sizes=(6,),
        solver="sgd",
        momentum=0.0,
        nesterovs_momentum=False,
        batch_size="full",
        alpha=0.01,
    )
    r = find_lr(
        MLPClassifier(**params), X, y, start=0.05, stop=1, num=3, random_state=0
    )
    # the same initial weights: a fit whose one step is negligible
    est0 = MLPClassifier(
        **params, learning_rate_init=1e-300, max_iter=1, random_state=0
    )
    est0.fit(X, y)

    def objective(est):
        penalty = 0.5 * 0.01 * sum((W**2).sum() for W in est.coefs_) / len(X)
        return log_loss(y, est.predict_proba(X)) + penalty

    assert r.losses[0] == pytest.approx(objective(est0), rel=1e-10)
    trace = trace_layers(est0, X, y)
    est0.coefs_ = [
        W - 0.05 * g for W, g in zip(est0.coefs_, trace.grad_weights, strict=True)
    ]
    est0.intercepts_ = [
        b - 0.05 * g for b, g in zip(est0.intercepts_, trace.grad_biases, strict=True)
    ]
    assert r.losses[1] == pytest.approx(objective(est0), rel=1e-10)
