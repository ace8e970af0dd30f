"""Numerical robustness: float32 L-BFGS, cross-entropy on extreme inputs,
the divergence guard, the weight-decay check, non-finite initializations and
float64 input out of a float32 model's range."""

import warnings

import numpy as np
import pytest
from scipy.special import logsumexp
from sklearn.datasets import load_iris, make_classification, make_regression
from sklearn.metrics import log_loss

from sklearn_adamlp import MLPClassifier, MLPRegressor, optimizers
from sklearn_adamlp.losses import LOSSES
from sklearn_adamlp.training import DivergenceWarning

# --- float32 L-BFGS and cross-entropy values ------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_lbfgs_float32_large_targets_trains_like_float64(dtype):
    # targets ~1e7: the float32 loss used to stay constant under every step
    # L-BFGS tried, which ended the fit after 1-2 iterations at R^2 ~ 0
    X, y = make_regression(n_samples=500, n_features=20, noise=10, random_state=1)
    y = y * 1e5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = MLPRegressor(solver="lbfgs", random_state=0).fit(
            X.astype(dtype), y.astype(dtype)
        )
    assert est.n_iter_ > 20
    assert est.score(X.astype(dtype), y) > 0.99


def _softmax_ce_oracle(y_onehot, raw):
    raw = raw.astype(np.float64)
    return logsumexp(raw, axis=1) - (y_onehot * raw).sum(axis=1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", [1.0, 1e3, 1e11])
@pytest.mark.parametrize("wrong", [0.0, 0.2])
def test_softmax_cross_entropy_value_is_accurate_and_nonnegative(dtype, scale, wrong):
    # wrong=0: every label is the arg max, the loss is near 0, where the old
    # difference of two large sums came out negative
    loss = LOSSES.get("log_loss").specialize("multiclass")
    rng = np.random.default_rng(0)
    for _ in range(20):
        raw = (rng.normal(size=(150, 3)) * scale).astype(dtype)
        guess = rng.integers(0, 3, 150)
        labels = np.where(rng.random(150) < wrong, guess, raw.argmax(1))
        y = np.eye(3, dtype=dtype)[labels]
        value = loss.output_value(y, raw.copy(), np.empty_like(raw))
        expected = _softmax_ce_oracle(y, raw).mean()
        assert value >= 0
        assert value == pytest.approx(expected, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", [1.0, 1e3, 1e11])
def test_sigmoid_cross_entropy_value_is_accurate_and_nonnegative(dtype, scale):
    loss = LOSSES.get("log_loss").specialize("binary")
    rng = np.random.default_rng(1)
    raw = (rng.normal(size=(200, 1)) * scale).astype(dtype)
    y = (rng.random((200, 1)) < 0.5).astype(dtype)
    value = loss.output_value(y, raw.copy(), np.empty_like(raw))
    r = raw.astype(np.float64)
    expected = np.mean(np.logaddexp(0, r) - y * r)
    assert value >= 0
    assert value == pytest.approx(expected, rel=1e-6, abs=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("solver", ["lbfgs", "adam", "sgd"])
def test_log_loss_never_negative_on_extreme_inputs(dtype, solver):
    X, y = load_iris(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = MLPClassifier(solver=solver, max_iter=50, random_state=0)
        est.fit((X * 1e12).astype(dtype), y)
    assert est.loss_ >= 0
    assert min(est.loss_curve_) >= 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_lbfgs_loss_equals_log_loss_plus_penalty(dtype, n_classes):
    X, y = make_classification(
        n_samples=200, n_informative=4, n_classes=n_classes, random_state=0
    )
    X = X.astype(dtype)
    alpha = 0.01
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = MLPClassifier(
            (8,), solver="lbfgs", alpha=alpha, max_iter=30, random_state=0
        ).fit(X, y)
    proba = est.predict_proba(X).astype(np.float64)
    proba /= proba.sum(axis=1, keepdims=True)
    penalty = 0.5 * alpha * sum(np.sum(W.astype(np.float64) ** 2) for W in est.coefs_)
    expected = log_loss(y, proba) + penalty / len(X)
    # float32 probabilities near 1 carry ~1e-7 absolute error in -log(p)
    tol = 5e-6 if dtype == np.float32 else 1e-9
    assert est.loss_ == pytest.approx(expected, rel=1e-4, abs=tol)


# --- non-finite initialization ------------------------------------------------


def _nan_init(shape, rng, dtype):
    return np.full(shape, np.nan, dtype=dtype)


class _InfInit:
    """An initializer object (not a registered class) that returns inf."""

    def __call__(self, shape, rng, dtype):
        w = rng.uniform(-0.1, 0.1, size=shape).astype(dtype)
        w[0, 0] = np.inf
        return w

    def __repr__(self):
        return "InfInit()"


@pytest.mark.parametrize(
    ("init", "name"), [(_nan_init, "_nan_init"), (_InfInit(), "InfInit")]
)
@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
def test_non_finite_initialization_raises_naming_the_initializer(init, name, Est):
    X, y = make_classification(n_samples=40, random_state=0)
    est = Est(hidden_layer_sizes=(5,), init=init, max_iter=5, random_state=0)
    with pytest.raises(ValueError, match=name) as err:
        est.fit(X, y)
    assert "NaN or inf" in str(err.value)


# --- weight decay times learning rate -----------------------------------------


def _reg_data():
    X, y = make_regression(n_samples=60, n_features=4, random_state=0)
    return X, y / y.std()


@pytest.mark.parametrize("solver", ["adam", "sgd", "rmsprop"])
def test_estimator_weight_decay_times_rate_at_least_one_is_rejected(solver):
    # W *= 1 - lr * weight_decay with lr * weight_decay = 1e3: the weights flip
    # sign and grow a thousandfold every step (R^2 of -1e142 before)
    X, y = _reg_data()
    est = MLPRegressor(
        hidden_layer_sizes=(5,),
        solver=solver,
        learning_rate_init=2e-3,
        weight_decay=1e6,
        max_iter=5,
    )
    with pytest.raises(ValueError, match=r"weight_decay=1000000\.0") as err:
        est.fit(X, y)
    assert "0.002" in str(err.value)  # the learning rate it meets


def test_weight_decay_check_uses_the_largest_rate_of_the_schedule():
    from sklearn_adamlp.schedules import Step, Warmup

    X, y = _reg_data()
    # Step(drop=2) grows the rate 2x every 5 epochs: 1e-3 * 2**9 = 0.512 in the
    # last of 50 epochs, times weight_decay=10 is 5.12 (the first epoch: 0.01)
    kw = {"hidden_layer_sizes": (5,), "solver": "sgd", "learning_rate_init": 1e-3}
    grow = Warmup(Step(drop=2.0, every=5), epochs=2)
    with pytest.raises(ValueError, match=r"weight_decay=10\.0"):
        MLPRegressor(weight_decay=10.0, learning_rate=grow, max_iter=50, **kw).fit(X, y)
    # over 10 epochs the rate peaks at 1e-3 * 2 = 2e-3: 0.02, accepted
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        MLPRegressor(weight_decay=10.0, learning_rate=grow, max_iter=10, **kw).fit(X, y)


def test_schedule_peak_over_a_fit_clock():
    from sklearn_adamlp.schedules import Cosine, CosineRestarts, Step, Warmup

    # cosine from epoch 5 of 10: the largest factor is at epoch 5
    assert Cosine(T_max=10).peak(range(5, 10)) == pytest.approx(
        0.5 * (1 + np.cos(np.pi * 5 / 10))
    )
    # warm restarts every 3 epochs: epoch 3 restarts at the peak eta_max
    assert CosineRestarts(T_0=3, T_mult=1, eta_max=1.0).peak(range(1, 5)) == 1.0
    assert CosineRestarts(T_0=3, T_mult=1, eta_max=2.0).peak(range(1, 5)) == 2.0
    # warm-up of 4 epochs over the first 2 epochs: (1 + 1) / (4 + 1)
    assert Warmup(epochs=4).peak(range(2)) == pytest.approx(2 / 5)
    assert Step(drop=2.0, every=5).peak(range(12)) == 4.0


def test_optimizer_decoupled_weight_decay_times_rate_at_least_one_is_rejected():
    from sklearn_adamlp.optimizers import AdamW

    X, y = _reg_data()
    est = MLPRegressor(
        hidden_layer_sizes=(5,),
        solver=AdamW(learning_rate=1e-2, weight_decay=150.0),
        max_iter=5,
    )
    with pytest.raises(ValueError, match=r"weight_decay=150\.0") as err:
        est.fit(X, y)
    assert "0.01" in str(err.value)
    # below the bound it trains
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.set_params(solver=AdamW(learning_rate=1e-2, weight_decay=50.0)).fit(X, y)
    assert np.isfinite(est.predict(X)).all()


# --- float64 input beyond a float32 model's range --------------------------------

_HUGE = 1e39  # finite in float64, beyond float32's largest value (3.4e38)


def _float32_models():
    X, y = make_classification(n_samples=60, n_features=5, random_state=0)
    X = X.astype(np.float32)
    kw = {"hidden_layer_sizes": (4,), "max_iter": 3, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return (
            X,
            y,
            [
                MLPClassifier(**kw).fit(X, y),
                MLPClassifier(loss="hinge", **kw).fit(X, y),
                MLPRegressor(**kw).fit(X, y.astype(np.float32)),
            ],
        )


@pytest.mark.parametrize("n_rows", [1, 5, 3000])  # 3000 x 5 > SUM_CHECK_SIZE
def test_float32_model_rejects_float64_input_beyond_float32_range(n_rows):
    X, y, models = _float32_models()
    X64 = np.resize(X, (n_rows, X.shape[1])).astype(np.float64)
    X64[n_rows // 2, 1] = -_HUGE
    for est in models:
        methods = [est.predict, lambda Z, e=est: e.score(Z, np.resize(y, n_rows))]
        for name in ("predict_proba", "predict_log_proba", "decision_function"):
            if hasattr(est, name):
                methods.append(getattr(est, name))
        for method in methods:
            with warnings.catch_warnings():
                warnings.simplefilter("error", RuntimeWarning)  # no numpy warning
                with pytest.raises(ValueError, match="float32"):
                    method(X64)
        # in range, float64 input to a float32 model is fine
        ok = X64.copy()
        ok[n_rows // 2, 1] = 3e38
        assert est.predict(ok).shape[0] == n_rows


def test_continuing_a_float32_fit_with_float64_input_beyond_range_raises():
    X, y, models = _float32_models()
    X64 = X.astype(np.float64)
    X64[3, 0] = _HUGE
    for est in models:
        target = y.astype(np.float64) if isinstance(est, MLPRegressor) else y
        with pytest.raises(ValueError, match="float32"):
            est.partial_fit(X64, target)
        est.set_params(warm_start=True)
        with pytest.raises(ValueError, match="float32"):
            est.fit(X64, target)


def test_float32_regression_target_beyond_float32_range_raises():
    X, y = make_regression(n_samples=30, n_features=3, random_state=0)
    y[4] = _HUGE
    with pytest.raises(ValueError, match="float32"):
        MLPRegressor(hidden_layer_sizes=(3,), max_iter=2).fit(X.astype(np.float32), y)


def test_float32_model_rejects_sparse_float64_input_beyond_range():
    import scipy.sparse as sp

    X, _, models = _float32_models()
    X64 = sp.csr_matrix(X.astype(np.float64))
    X64.data[7] = _HUGE
    with pytest.raises(ValueError, match="float32"):
        models[0].predict(X64)


# --- divergence by growth ---------------------------------------------------------

_STEPPERS = [
    name
    for name in optimizers.available()
    if not hasattr(optimizers.get(name), "minimize")
]


def _div_data(Est):
    if Est is MLPClassifier:
        return make_classification(
            n_samples=200, n_features=8, n_informative=5, n_classes=3, random_state=0
        )
    X, y = make_regression(n_samples=200, n_features=8, noise=1, random_state=0)
    return X, y / y.std()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
@pytest.mark.parametrize("solver", _STEPPERS)
def test_huge_learning_rate_never_ends_silently_bad(solver, Est, dtype):
    # learning_rate_init=1e3: losses grew to 1e287 while the no-improvement
    # rule called the run converged, at chance accuracy or R^2 < 0, silently
    X, y = _div_data(Est)
    X = X.astype(dtype)
    if solver == "adamw":  # its default weight_decay=0.01 at lr=1e3: rejected
        with pytest.raises(ValueError, match="weight_decay"):
            Est(solver=solver, learning_rate_init=1e3).fit(X, y)
        solver = optimizers.AdamW(learning_rate=1e3, weight_decay=1e-4)
    est = Est(
        hidden_layer_sizes=(16,),
        solver=solver,
        learning_rate_init=1e3,
        max_iter=50,
        random_state=0,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, y)
    diverged = [w for w in caught if issubclass(w.category, DivergenceWarning)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        pred = est.predict(X)
    if diverged:
        assert "learning_rate_init" in str(diverged[0].message)
        if Est is MLPRegressor:
            assert np.isfinite(pred).all()
        return
    # no warning: the model must beat a baseline (chance is 1/3; R^2 of the mean 0)
    assert est.score(X, y) > (0.5 if Est is MLPClassifier else 0.0)


@pytest.mark.parametrize(
    ("solver", "message"),
    [("adam", "grew from"), ("sgd", "loss became infinite")],  # finite / inf
)
def test_divergence_keeps_the_start_of_the_lowest_loss_epoch(solver, message):
    from sklearn_adamlp.schedules import Step

    X, y = _div_data(MLPRegressor)
    # the rate grows 3x every 4 epochs: training improves, then explodes
    kw = {
        "hidden_layer_sizes": (16,),
        "solver": solver,
        "learning_rate_init": 1e-3,
        "learning_rate": Step(drop=3.0, every=4),
        "n_iter_no_change": 100,
        "random_state": 0,
    }
    with pytest.warns(DivergenceWarning, match=message) as record:
        est = MLPRegressor(max_iter=40, **kw).fit(X, y)
    curve = np.array(est.loss_curve_)
    best = int(np.argmin(curve))  # epochs completed before the lowest-loss epoch
    assert 0 < best < len(curve) - 1
    text = " ".join(str(w.message) for w in record)
    assert f"kept the weights epoch {best + 1} started from" in text
    # the same fit stopped after `best` epochs ends where the lowest-loss
    # epoch started
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = MLPRegressor(max_iter=best, **kw).fit(X, y)
    for a, b in zip(
        est.coefs_ + est.intercepts_, ref.coefs_ + ref.intercepts_, strict=True
    ):
        np.testing.assert_array_equal(a, b)
    assert est.score(X, y) > 0.8


def test_healthy_fit_does_not_warn():
    X, y = _div_data(MLPClassifier)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DivergenceWarning)
        MLPClassifier((16,), max_iter=30, random_state=0).fit(X, y)


def test_growth_guard_spans_partial_fit_calls():
    X, y = _div_data(MLPRegressor)
    est = MLPRegressor(
        hidden_layer_sizes=(16,), solver="adam", learning_rate_init=1e3, random_state=0
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(20):
            est.partial_fit(X, y)  # one epoch per call
    assert any("grew from" in str(w.message) for w in caught)
    assert np.isfinite(est.predict(X)).all()
