"""Bad input gets a clear ValueError naming the problem; divergence is contained."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_adamlp import MLPClassifier, MLPRegressor
from sklearn_adamlp._estimators._base import SUM_CHECK_SIZE
from sklearn_adamlp.training import DivergenceWarning

FAST = {"hidden_layer_sizes": (5,), "max_iter": 5, "random_state": 0}


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    return rng.normal(size=(30, 4)), rng.randint(0, 3, 30)


@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_X_or_y(data, Est, bad):
    X, y = data
    X_bad = X.copy()
    X_bad[3, 1] = bad
    word = "NaN" if np.isnan(bad) else "infinity"
    with pytest.raises(ValueError, match=f"Input X contains {word}"):
        Est(**FAST).fit(X_bad, y)
    y_bad = y.astype(float)
    y_bad[2] = bad
    with pytest.raises(ValueError, match=f"Input y contains {word}"):
        Est(**FAST).fit(X, y_bad)
    est = Est(**FAST).fit(X, y)
    with pytest.raises(ValueError, match=f"Input X contains {word}"):
        est.predict(X_bad)


@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
def test_wrong_feature_count_and_empty_input(data, Est):
    X, y = data
    est = Est(**FAST).fit(X, y)
    with pytest.raises(ValueError, match=r"X has 3 features, but .* expecting 4"):
        est.predict(X[:, :3])
    with pytest.raises(ValueError, match="0 sample"):
        Est(**FAST).fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="0 feature"):
        Est(**FAST).fit(X[:, :0], y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        Est(**FAST).fit(X, y[:-1])
    with pytest.raises(ValueError, match=r"sample_weight\.shape"):
        Est(**FAST).fit(X, y, sample_weight=np.ones(5))


@pytest.mark.parametrize(
    ("param", "value", "match"),
    [
        ("hidden_layer_sizes", (10, 0), "hidden_layer_sizes"),
        ("hidden_layer_sizes", -3, "hidden_layer_sizes"),
        ("activation", "bogus", "activation"),
        ("solver", "bogus", "solver"),
        ("alpha", -1.0, "alpha"),
        ("batch_size", 0, "batch_size"),
        ("learning_rate", "bogus", "learning_rate"),
        ("learning_rate_init", 0.0, "learning_rate_init"),
        ("max_iter", 0, "max_iter"),
        ("momentum", 1.5, "momentum"),
        ("validation_fraction", 1.0, "validation_fraction"),
        ("beta_1", 1.0, "beta_1"),
        ("epsilon", 0.0, "epsilon"),
        ("n_iter_no_change", 0, "n_iter_no_change"),
        ("loss", "bogus", "loss"),
        ("init", "bogus", "init"),
    ],
)
def test_invalid_constructor_values_raise_at_fit(data, param, value, match):
    X, y = data
    est = MLPClassifier(**{**FAST, param: value})  # constructing never raises
    with pytest.raises(ValueError, match=match):
        est.fit(X, y)


def test_invalid_names_list_the_valid_ones(data):
    X, y = data
    with pytest.raises(InvalidParameterError, match=r"'adam'.*'sgd'|'sgd'.*'adam'"):
        MLPClassifier(solver="bogus").fit(X, y)
    with pytest.raises(ValueError, match="regression loss"):
        MLPClassifier(loss="squared_error", **FAST).fit(X, y)
    with pytest.raises(ValueError, match="classification loss"):
        MLPRegressor(loss="log_loss", **FAST).fit(X, y)
    with pytest.raises(ValueError, match="non-negative"):
        MLPRegressor(loss="poisson", **FAST).fit(X, y - 5.0)


def test_partial_fit_classes(data):
    X, y = data
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        MLPClassifier(**FAST).partial_fit(X, y)
    clf = MLPClassifier(**FAST).partial_fit(X, y, classes=[0, 1, 2, 3])
    assert list(clf.classes_) == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="classes not in"):
        clf.partial_fit(X, y + 5)
    with pytest.raises(AttributeError, match="partial_fit"):
        MLPClassifier(solver="lbfgs").partial_fit(X, y, classes=[0, 1, 2])


def test_warm_start_with_other_classes_or_outputs(data):
    X, y = data
    clf = MLPClassifier(warm_start=True, **FAST).fit(X, y)
    with pytest.raises(ValueError, match="same classes"):
        clf.fit(X, (y + 1) % 4)
    reg = MLPRegressor(warm_start=True, **FAST).fit(X, y)
    with pytest.raises(ValueError, match="outputs"):
        reg.fit(X, np.stack([y, y], 1))
    with pytest.raises(ValueError, match="batch_norm=True"):
        reg.set_params(batch_norm=True).fit(X, y)
    with pytest.raises(ValueError, match=r"dropout=0\.5"):
        reg.set_params(batch_norm=False, dropout=0.5).partial_fit(X, y)


def test_predict_before_fit():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        MLPClassifier().predict(np.zeros((2, 3)))


@pytest.mark.parametrize("solver", ["sgd", "momentum"])
def test_diverging_run_keeps_finite_weights_and_warns(solver):
    X, y = load_diabetes(return_X_y=True)
    X, y = X * 1e3, y * 1e3  # unscaled on purpose
    reg = MLPRegressor(
        solver=solver, learning_rate_init=1e3, max_iter=50, random_state=0
    )
    with pytest.warns(DivergenceWarning, match="learning_rate_init.*scale"):
        reg.fit(X, y)
    assert np.isfinite(reg._flat).all()
    assert np.isfinite(reg.predict(X)).all()
    assert np.isfinite(reg.loss_curve_).all()


def test_divergence_in_lbfgs_restores_the_start(monkeypatch):
    from sklearn_adamlp.optimizers import LBFGS

    def broken_minimize(self, fun, x0, **kwargs):
        class Result:
            x = np.full_like(x0, np.nan)
            fun = np.nan
            nit = 1
            status = 0
            message = "fake"

        return Result()

    monkeypatch.setattr(LBFGS, "minimize", broken_minimize)
    X = np.random.RandomState(0).normal(size=(20, 3))
    with pytest.warns(DivergenceWarning):
        reg = MLPRegressor(solver="lbfgs", **FAST).fit(X, X[:, 0])
    assert np.isfinite(reg._flat).all()
    assert np.isfinite(reg.predict(X)).all()


def test_huge_final_weights_are_caught_after_the_last_step():
    """The last step's weights are checked too (found by the fuzz test)."""
    rng = np.random.RandomState(1)
    X = rng.normal(size=(23, 3)) * 1e4
    y = rng.randint(0, 3, 23).astype(float)
    reg = MLPRegressor(solver="sgd", batch_size=7, max_iter=5, random_state=0)
    with pytest.warns(DivergenceWarning, match="outputs became non-finite"):
        reg.partial_fit(X, y)
    assert np.isfinite(reg.predict(X)).all()


# --- predict's input check in the first layer (Network.forward's on_nonfinite) --


def _fitted(dtype, hidden=(8, 6), Est=MLPClassifier):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 10)).astype(dtype)
    return Est(hidden_layer_sizes=hidden, max_iter=5, random_state=0).fit(
        X, rng.randint(0, 3, 60)
    )


def _reference_output(est, X):
    """The forward pass written out: relu hidden layers, then softmax/identity."""
    a = X.astype(est._network.dtype)
    with np.errstate(all="ignore"):
        for W, b in zip(est.coefs_[:-1], est.intercepts_[:-1], strict=True):
            a = np.maximum(a @ W + b, 0)
        raw = a @ est.coefs_[-1] + est.intercepts_[-1]
        if est.out_activation_ != "softmax":
            return raw
        e = np.exp(raw - raw.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)


def _sklearn_message(est, X) -> str:
    from sklearn.utils.validation import validate_data as sk_validate_data

    with pytest.raises(ValueError, match="Input X contains") as info:
        sk_validate_data(est, X, reset=False, dtype=(np.float64, np.float32))
    return str(info.value)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_rows", [1, 10_000])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("hidden", [(8, 6), ()])
def test_non_finite_X_in_predict_raises_sklearns_error(dtype, n_rows, bad, hidden):
    """Caught even in a feature whose first-layer weights are all zero.

    ``hidden=()``: the output layer is the first layer.
    """
    est = _fitted(dtype, hidden)
    est.coefs_[0][4] = 0.0  # feature 4 has no effect on the first layer
    X = np.random.RandomState(1).normal(size=(n_rows, 10)).astype(dtype)
    X[-1, 4] = bad  # the last row: in the last block of the pass
    expected = _sklearn_message(est, X)
    if X.size > SUM_CHECK_SIZE:  # checked in the first layer, not by its sum

        def no_sum_check(X):
            raise AssertionError("large X went through _validated_X")

        est._validated_X = no_sum_check
    assert expected.startswith("Input X contains " + ("NaN" if bad != bad else "inf"))
    for method in (est.predict, est.predict_proba):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no RuntimeWarning before the error
            with pytest.raises(ValueError, match="Input X contains") as info:
                method(X)
        assert str(info.value) == expected


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_rows", [1, 10_000])
def test_predict_output_unchanged(dtype, n_rows):
    est = _fitted(dtype)
    X = np.random.RandomState(2).normal(size=(n_rows, 10)).astype(dtype)
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(
        est.predict_proba(X), _reference_output(est, X), rtol=rtol, atol=1e-7
    )


# (a float32 model given float64 values beyond float32's range raises instead:
# tests/test_numerical_robustness.py)
@pytest.mark.parametrize(
    ("net_dtype", "x_dtype"), [(np.float32, np.float32), (np.float64, np.float64)]
)
def test_huge_finite_X_that_overflows_the_first_layer_does_not_raise(
    net_dtype, x_dtype
):
    """A finite X is accepted even when its products overflow (as before)."""
    est = _fitted(net_dtype)
    est.coefs_[0][:, 0] = 0.5  # the checked column surely overflows
    X = np.random.RandomState(3).normal(size=(3000, 10)).astype(x_dtype)
    X[-1] = np.finfo(x_dtype).max  # finite, but 10 * 0.5 * max overflows
    calls = []
    checked_X = est._checked_X
    est._checked_X = lambda X: calls.append(1) or checked_X(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        proba = est.predict_proba(X)
        expected = _reference_output(est, X)
        assert calls == [1]  # the full validation ran once and passed
        labels = est.predict(X)
    assert not np.isfinite(proba[-1]).all()
    rtol = 1e-4 if net_dtype == np.float32 else 1e-10
    np.testing.assert_allclose(proba, expected, rtol=rtol, atol=1e-7)
    np.testing.assert_array_equal(labels[:-1], est.predict(X[:-1]))


def test_validation_data_with_nan_still_raises():
    X = np.random.RandomState(4).normal(size=(40, 3))
    X_val = X[:10].copy()
    X_val[2, 1] = np.nan
    est = MLPClassifier(**FAST)
    with pytest.raises(ValueError, match="validation_data: Input X_val contains NaN"):
        est.fit(X, np.arange(40) % 2, validation_data=(X_val, np.arange(10) % 2))


def test_blas_probe_and_the_fallback_when_zeros_are_skipped(monkeypatch):
    """The first-layer check needs ``inf * 0 = nan`` inside GEMM (OpenBLAS
    here); a BLAS that skips zero weights sends large X to the sum check."""
    from sklearn_adamlp._estimators import _base
    from sklearn_adamlp.network import products_propagate_nonfinite

    assert products_propagate_nonfinite(np.float64)
    assert products_propagate_nonfinite(np.float32)
    monkeypatch.setattr(_base, "products_propagate_nonfinite", lambda dtype: False)
    est = _fitted(np.float64)
    est.coefs_[0][4] = 0.0
    X = np.random.RandomState(5).normal(size=(5000, 10))
    calls = []
    validated_X = est._validated_X
    est._validated_X = lambda X: calls.append(1) or validated_X(X)
    np.testing.assert_allclose(
        est.predict_proba(X), _reference_output(est, X), rtol=1e-10, atol=1e-7
    )
    assert calls == [1]
    X[17, 4] = np.inf
    with pytest.raises(ValueError, match="Input X contains infinity"):
        est.predict(X)
