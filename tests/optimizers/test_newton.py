"""Truncated Newton: Hessian-vector products against exact Hessians, the minimum."""

import pickle
import warnings

import numpy as np
import pytest
from scipy.special import expit
from sklearn.base import clone
from sklearn.datasets import make_moons, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split

from sklearn_adamlp import MLPClassifier, MLPRegressor, optimizers
from sklearn_adamlp.optimizers._newton import FiniteDifferenceHessian

rng = np.random.default_rng(0)
X = rng.normal(size=(50, 6))
y = rng.normal(size=50)
ALPHA = 0.3


def ridge_grad(w, dtype=np.float64):
    """Gradient of ||X w - y||**2 / (2 n) + alpha / 2 ||w||**2 (in ``dtype``)."""
    Xd, yd, wd = X.astype(dtype), y.astype(dtype), w.astype(dtype)
    g = Xd.T @ (Xd @ wd - yd) / len(yd) + dtype(ALPHA) * wd
    return g.astype(np.float64)


def logistic_grad(w):
    """Gradient of a logistic regression's mean log-loss + alpha / 2 ||w||**2."""
    t = (y > 0).astype(float)
    return X.T @ (expit(X @ w) - t) / len(t) + ALPHA * w


def test_hessian_vector_product_of_a_linear_model():
    H = X.T @ X / len(y) + ALPHA * np.eye(X.shape[1])  # exact, written by hand
    hessp = FiniteDifferenceHessian(ridge_grad, np.finfo(np.float64).eps)
    for _ in range(5):
        w, v = rng.normal(size=6), rng.normal(size=6)
        np.testing.assert_allclose(hessp(w, v), H @ v, rtol=1e-8, atol=1e-9)
    assert hessp.calls == 10  # two gradients per product
    np.testing.assert_array_equal(hessp(w, np.zeros(6)), 0.0)


def test_hessian_vector_product_in_float32():
    H = X.T @ X / len(y) + ALPHA * np.eye(X.shape[1])
    hessp = FiniteDifferenceHessian(
        lambda w: ridge_grad(w, np.float32), np.finfo(np.float32).eps
    )
    w, v = rng.normal(size=6), rng.normal(size=6)
    np.testing.assert_allclose(hessp(w, v), H @ v, rtol=2e-3, atol=2e-3)


def test_hessian_vector_product_of_a_logistic_regression():
    # H = X' diag(p (1 - p)) X / n + alpha I: curvature that varies with w
    hessp = FiniteDifferenceHessian(logistic_grad, np.finfo(np.float64).eps)
    for scale in (0.1, 1.0, 5.0):
        w, v = scale * rng.normal(size=6), rng.normal(size=6)
        p = expit(X @ w)
        H = X.T @ (X * (p * (1 - p))[:, None]) / len(p) + ALPHA * np.eye(6)
        np.testing.assert_allclose(hessp(w, v), H @ v, rtol=1e-6, atol=1e-8)


def _closed_form_ridge(Xr, yr, alpha):
    """argmin of mean((y - X w - b)**2) / 2 + alpha / (2 n) ||w||**2."""
    n, d = Xr.shape
    Z = np.hstack([Xr, np.ones((n, 1))])
    P = alpha * np.eye(d + 1)
    P[-1, -1] = 0.0  # the intercept is not penalized
    coef = np.linalg.solve(Z.T @ Z + P, Z.T @ yr)
    return coef[:-1], coef[-1]


def test_same_minimum_as_lbfgs_and_closed_form_on_a_linear_model():
    Xr, yr = make_regression(80, 5, noise=5.0, random_state=0)
    yr = yr / yr.std()
    w, b = _closed_form_ridge(Xr, yr, alpha=1.0)
    fits = {}
    for solver in ("newton_cg", "lbfgs"):
        reg = MLPRegressor(
            hidden_layer_sizes=(),
            solver=solver,
            alpha=1.0,
            tol=1e-10,
            max_iter=500,
            random_state=0,
        )
        with warnings.catch_warnings():
            # at the minimum, rounding can end either run with a warning
            warnings.simplefilter("ignore", ConvergenceWarning)
            fits[solver] = reg.fit(Xr, yr)
    newton, lbfgs = fits["newton_cg"], fits["lbfgs"]
    np.testing.assert_allclose(newton.coefs_[0].ravel(), w, rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(newton.intercepts_[0], b, atol=1e-8)
    # L-BFGS stops earlier (its relative-decrease test): close, not as close
    np.testing.assert_allclose(lbfgs.coefs_[0].ravel(), w, rtol=1e-4)
    assert newton.loss_ == pytest.approx(lbfgs.loss_, rel=1e-7)
    assert newton.loss_ <= lbfgs.loss_
    # Newton's quadratic model is exact here: a handful of iterations
    assert newton.n_iter_ <= 6


def test_fits_moons():
    Xm, ym = make_moons(300, noise=0.1, random_state=0)
    X_tr, X_te, y_tr, y_te = train_test_split(Xm, ym, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(
            (16,), solver="newton_cg", max_iter=100, random_state=0
        ).fit(X_tr, y_tr)
    assert clf.score(X_te, y_te) >= 0.97
    assert len(clf.history_) == clf.n_iter_


def test_float32_stays_float32():
    Xm, ym = make_moons(60, noise=0.1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(
            (8,), activation="tanh", solver="newton_cg", max_iter=30, random_state=0
        )
        clf.fit(Xm.astype(np.float32), ym)
    assert clf.coefs_[0].dtype == np.float32
    assert clf.score(Xm.astype(np.float32), ym) == 1.0


def test_max_fun_counts_hessian_products():
    calls = []

    def quadratic(x):
        calls.append(1)
        return 0.5 * float(x @ x), x.copy()

    res = optimizers.NewtonCG().minimize(
        lambda x: quadratic(x * np.arange(1.0, 21.0)),
        np.ones(20),
        max_iter=100,
        max_fun=7,
        tol=0,
    )
    assert res.status == 1
    assert "evaluations" in res.message
    assert res.nfev == len(calls)
    assert len(calls) < 7 + 2 * 20  # stopped after the iteration that reached 7


def test_bad_hyperparameters_raise_at_fit():
    Xm, ym = make_moons(40, random_state=0)
    clf = MLPClassifier((4,), solver=optimizers.NewtonCG(initial_trust_radius=0.0))
    with pytest.raises(ValueError, match="initial_trust_radius"):
        clf.fit(Xm, ym)


def test_partial_fit_clone_pickle_grid_search():
    Xm, ym = make_moons(80, noise=0.1, random_state=0)
    clf = MLPClassifier((8,), solver=optimizers.NewtonCG(), max_iter=10, random_state=0)
    with pytest.raises(AttributeError, match="partial_fit"):
        clf.partial_fit(Xm, ym, classes=[0, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = GridSearchCV(
            clf, {"solver__initial_trust_radius": [0.5, 1.0]}, cv=2
        ).fit(Xm, ym)
    best = search.best_estimator_
    assert best.solver.initial_trust_radius in (0.5, 1.0)
    assert clf.solver.get_params() == {
        "damping": 1e-3,
        "initial_trust_radius": 1.0,
        "max_trust_radius": 1000.0,
    }
    loaded = pickle.loads(pickle.dumps(best))
    np.testing.assert_array_equal(loaded.predict_proba(Xm), best.predict_proba(Xm))
    assert clone(best).get_params()["solver__initial_trust_radius"] == (
        best.solver.initial_trust_radius
    )


def test_relu_network_restarts_instead_of_stopping_early(digits):
    # finite differences across ReLU kinks can make the model predict no
    # decrease; the run restarts in a smaller region instead of stopping (on
    # this case it stopped at iteration 4 with loss 0.16 before restarts)
    X, y = digits
    clf = MLPClassifier(
        (32,), activation="relu", solver="newton_cg", max_iter=200, random_state=4
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf.fit(X[:300], y[:300])
    assert clf.loss_ < 1e-3
    assert clf.n_iter_ > 4
