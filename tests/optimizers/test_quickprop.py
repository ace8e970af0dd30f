"""Quickprop (Fahlman 1988): the paper's rules by hand, and the estimator."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split

from sklearn_adamlp import MLPClassifier, MLPRegressor, optimizers

# E = 0.5 * sum(a * (w - c)**2): separable, S = dE/dw = a * (w - c)
A = np.array([6.0, 2.0, 0.4])
C = np.array([1.0, -2.0, 0.5])


def separable(w):
    return 0.5 * float(np.sum(A * (w - C) ** 2)), A * (w - C)


def paper_rules(w0, grad, n_steps, epsilon, mu, decay=0.0):
    """Fahlman's rules, one weight at a time, as the paper states them."""
    w = [float(v) for v in w0]
    S_prev = [0.0] * len(w)
    dw_prev = [0.0] * len(w)
    for _ in range(n_steps):
        S = [float(s) + decay * wi for s, wi in zip(grad(np.array(w)), w, strict=True)]
        for i in range(len(w)):
            if dw_prev[i] == 0.0:  # first step or restart: gradient descent
                dw = -epsilon * S[i]
            else:
                same_sign = S[i] * S_prev[i] > 0
                if same_sign and abs(S[i]) > mu / (1 + mu) * abs(S_prev[i]):
                    dw = mu * dw_prev[i]  # maximum growth factor
                else:
                    dw = S[i] / (S_prev[i] - S[i]) * dw_prev[i]
                if same_sign:
                    dw += -epsilon * S[i]
            w[i] += dw
            dw_prev[i] = dw
        S_prev = S
    return np.array(w)


def _run(n_steps, problem=separable, **kw):
    opt = optimizers.Quickprop(**kw)
    return opt.minimize(problem, np.zeros(3), max_iter=n_steps, max_fun=10_000, tol=0)


def test_second_step_by_hand():
    eps, mu = 0.25, 1.75
    x = _run(2, learning_rate=eps, mu=mu).x
    S0 = A * (0 - C)
    dw1 = -eps * S0
    S1 = A * (dw1 - C)
    # eps * a = 1.5: the first step crossed the minimum (S changed sign): the
    # secant step alone lands on it
    assert x[0] == pytest.approx(C[0], abs=1e-12)
    # eps * a = 0.5: S shrank to half (< mu / (1 + mu)): the secant lands on the
    # minimum, plus the gradient term
    assert x[1] == pytest.approx(C[1] - eps * S1[1], abs=1e-12)
    # eps * a = 0.1: S shrank only to 0.9 of itself: the secant step would be
    # 9 x the first; mu times the first step instead, plus the gradient term
    assert x[2] == pytest.approx(dw1[2] + mu * dw1[2] - eps * S1[2], abs=1e-12)


@pytest.mark.parametrize(("eps", "mu"), [(0.25, 1.75), (0.05, 1.75), (0.3, 1.2)])
def test_steps_follow_the_paper(eps, mu):
    for n_steps in (1, 2, 3, 6):
        x = _run(n_steps, learning_rate=eps, mu=mu).x
        expected = paper_rules(np.zeros(3), lambda w: separable(w)[1], n_steps, eps, mu)
        np.testing.assert_allclose(x, expected, rtol=1e-12, atol=1e-12)


def test_secant_jumps_to_the_minimum_of_a_separable_quadratic():
    # eps * a in (1, 2) for every weight: the first step overshoots each
    # minimum, the second (the secant alone) lands on all of them at once
    opt = optimizers.Quickprop(learning_rate=0.3)
    a = np.array([4.0, 5.0, 6.0])

    def problem(w):
        return 0.5 * float(np.sum(a * (w - C) ** 2)), a * (w - C)

    res = opt.minimize(problem, np.zeros(3), max_iter=50, max_fun=100, tol=1e-12)
    np.testing.assert_allclose(res.x, C, atol=1e-12)
    assert res.status == 0
    assert res.nit == 2
    assert res.fun == pytest.approx(0.0, abs=1e-20)


def test_weight_decay_moves_the_minimum():
    # S = a (w - c) + d w: the minimum is a c / (a + d); the secant finds it
    d, eps = 0.5, 0.3
    a = np.array([4.0, 5.0])
    c = np.array([1.0, -1.0])

    def problem(w):
        return 0.5 * float(np.sum(a * (w - c) ** 2)), a * (w - c)

    opt = optimizers.Quickprop(learning_rate=eps, weight_decay=d)
    res = opt.minimize(problem, np.zeros(2), max_iter=2, max_fun=100, tol=0)
    np.testing.assert_allclose(res.x, a * c / (a + d), atol=1e-12)
    expected = paper_rules(np.zeros(2), lambda w: a * (w - c), 2, eps, 1.75, d)
    np.testing.assert_allclose(res.x, expected, atol=1e-12)


def test_callback_sees_every_iterate_and_can_stop():
    seen = []

    def callback(intermediate_result):
        seen.append((intermediate_result.x.copy(), intermediate_result.fun))
        if len(seen) == 3:
            raise StopIteration

    opt = optimizers.Quickprop(learning_rate=0.05)
    res = opt.minimize(separable, np.zeros(3), max_iter=50, max_fun=100, tol=0,
                       callback=callback)  # fmt: skip
    assert res.status == 99
    assert res.nit == 3
    for k, (x, f) in enumerate(seen, start=1):
        np.testing.assert_allclose(
            x, paper_rules(np.zeros(3), lambda w: separable(w)[1], k, 0.05, 1.75)
        )
        assert f == pytest.approx(separable(x)[0])
    np.testing.assert_array_equal(res.x, seen[-1][0])


def test_non_finite_loss_keeps_the_last_finite_point():
    def cliff(w):
        f, g = separable(w)
        return (np.inf if w[2] > 0.3 else f), g

    res = _run(100, problem=cliff, learning_rate=0.05)
    assert res.status == 2
    assert np.isfinite(res.fun)
    assert 0 < res.x[2] <= 0.3


def test_max_fun_stops():
    res = optimizers.Quickprop(learning_rate=0.01).minimize(
        separable, np.zeros(3), max_iter=100, max_fun=5, tol=0
    )
    assert res.nfev == 5
    assert res.nit == 4
    assert res.status == 1


@pytest.mark.parametrize("kw", [{"mu": 0.0}, {"learning_rate": -1.0}])
def test_bad_hyperparameters_raise_at_fit(kw):
    X, y = make_moons(40, random_state=0)
    clf = MLPClassifier((4,), solver=optimizers.Quickprop(**kw))
    with pytest.raises(ValueError, match=next(iter(kw))):
        clf.fit(X, y)


# --- through the estimator ---------------------------------------------------


def test_fits_xor_exactly():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0, 1, 1, 0])
    clf = MLPClassifier((4,), activation="tanh", solver="quickprop", max_iter=300,
                        random_state=0).fit(X, y)  # fmt: skip
    assert clf.score(X, y) == 1.0
    assert clf.loss_ < 0.01
    assert len(clf.history_) == clf.n_iter_ == len(clf.loss_curve_)


def test_fits_moons_and_ignores_batch_size():
    X, y = make_moons(300, noise=0.1, random_state=0)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=0)
    kw = {"hidden_layer_sizes": (16,), "solver": "quickprop", "max_iter": 200,
          "random_state": 0}  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        full = MLPClassifier(**kw).fit(X_tr, y_tr)
        mini = MLPClassifier(batch_size=10, **kw).fit(X_tr, y_tr)
    assert full.score(X_te, y_te) >= 0.97
    # a minimizer sees the whole training set: batch_size changes nothing
    for a, b in zip(full.coefs_, mini.coefs_, strict=True):
        np.testing.assert_array_equal(a, b)


def test_learning_rate_init_sets_epsilon_and_float32_stays():
    X, y = make_moons(60, random_state=0)
    clf = MLPClassifier((4,), solver="quickprop", learning_rate_init=0.05, max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X.astype(np.float32), y)
    assert clf.optimizer_.learning_rate == 0.05
    assert clf.coefs_[0].dtype == np.float32


def test_partial_fit_clone_pickle_grid_search():
    X, y = make_moons(80, noise=0.1, random_state=0)
    clf = MLPClassifier((8,), solver=optimizers.Quickprop(), max_iter=20,
                        random_state=0)  # fmt: skip
    with pytest.raises(AttributeError, match="partial_fit"):
        clf.partial_fit(X, y, classes=[0, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = GridSearchCV(clf, {"solver__mu": [1.2, 1.75]}, cv=2).fit(X, y)
        reg = MLPRegressor(
            hidden_layer_sizes=(8,), solver="quickprop", max_iter=20
        ).fit(X, y * 1.0)
    assert search.best_estimator_.solver.mu in (1.2, 1.75)
    assert clf.solver.get_params() == {"learning_rate": 0.1, "mu": 1.75,
                                       "weight_decay": 0.0}  # fmt: skip
    best = search.best_estimator_
    loaded = pickle.loads(pickle.dumps(best))
    np.testing.assert_array_equal(loaded.predict_proba(X), best.predict_proba(X))
    assert clone(best).get_params()["solver__mu"] == best.solver.mu
    assert np.isfinite(reg.predict(X)).all()


def test_step_transforms_are_refused():
    X, y = make_moons(40, random_state=0)
    with pytest.raises(ValueError, match="full-batch"):
        MLPClassifier((4,), solver="quickprop", clip_norm=1.0).fit(X, y)


def test_convergence_warning_names_the_solver():
    X, y = make_moons(60, noise=0.1, random_state=0)
    clf = MLPClassifier((4,), solver="quickprop", max_iter=2, random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"quickprop failed .* 2 iteration"):
        clf.fit(X, y)
    assert clf.n_iter_ == 2
