"""Batch normalization: exact gradients, batch/running statistics, state."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_adamlp import MLPClassifier, MLPRegressor, activations, losses
from sklearn_adamlp.layout import ParamLayout
from sklearn_adamlp.network import Network
from sklearn_adamlp.regularizers import L2Penalty


def _net(units=(4, 6, 5, 3), act="tanh", alpha=0.0, dtype=np.float64):
    loss = losses.get("log_loss").specialize("multiclass")
    acts = [activations.get(act)] * (len(units) - 2)
    return Network(
        units, acts, loss, dtype=dtype, penalties=[L2Penalty(alpha)], batch_norm=True
    )


def _problem(net, n=9, seed=0):
    rs = np.random.RandomState(seed)
    flat = rs.normal(size=net.layout.n_params).astype(net.dtype)
    X = rs.normal(size=(n, net.layout.layer_units[0])).astype(net.dtype)
    Y = np.eye(net.layout.layer_units[-1], dtype=net.dtype)[rs.randint(0, 3, n)]
    return flat, X, Y


def _numeric_grad(net, flat, X, Y, sw, h=1e-6):
    num = np.empty_like(flat)
    for i in range(flat.size):
        f = flat.copy()
        f[i] += h
        lp = net.loss_grad(f, np.empty_like(f), X, Y, sw)
        f[i] -= 2 * h
        num[i] = (lp - net.loss_grad(f, np.empty_like(f), X, Y, sw)) / (2 * h)
    return num


def _check_grad(net, flat, X, Y, sw):
    grad = np.empty_like(flat)
    net.loss_grad(flat, grad, X, Y, sw)
    num = _numeric_grad(net, flat, X, Y, sw)
    # Relative to the gradient's scale: the hidden biases' gradients are exactly
    # zero under batch norm (a shift of z is normalized away), so an elementwise
    # ratio there would compare round-off with round-off.
    assert np.abs(num - grad).max() / np.abs(num).max() < 1e-6
    big = np.abs(num) > 1e-3  # elementwise where the gradient is not ~0
    rel = np.abs(num - grad)[big] / np.abs(num)[big]
    assert rel.max() < 1e-6
    norm = net.layout.norm
    assert np.abs(grad[norm]).max() > 1e-3  # gamma/beta really get gradients


@pytest.mark.parametrize("act", ["relu", "tanh"])
@pytest.mark.parametrize("weighted", [False, True])
def test_gradient_check_training_mode(act, weighted):
    net = _net(act=act, alpha=0.3)
    flat, X, Y = _problem(net)
    sw = np.random.RandomState(2).uniform(0.5, 2.0, X.shape[0]) if weighted else None
    _check_grad(net, flat, X, Y, sw)


def test_gradient_check_single_row_uses_running_stats():
    net = _net(act="tanh", alpha=0.3)
    flat, X, Y = _problem(net, n=9)
    net.loss_grad(flat, np.empty_like(flat), X, Y)  # some running statistics
    running = net.running.copy()
    _check_grad(net, flat, X[:1], Y[:1], None)
    np.testing.assert_array_equal(net.running, running)  # n=1: not updated
    net.penalties = []  # training loss of one row == its inference loss
    np.testing.assert_allclose(
        net.loss_grad(flat, np.empty_like(flat), X[:1], Y[:1]),
        net.loss.value(Y[:1], *net.forward(flat, X[:1])),
    )


def test_layout_places_gamma_beta_after_biases():
    lay = ParamLayout([3, 4, 2, 1], batch_norm=True)
    assert lay.n_params == 3 * 4 + 4 * 2 + 2 + 4 + 2 + 1 + 2 * (4 + 2)
    flat = np.arange(lay.n_params, dtype=float)
    gammas, betas = lay.norm_views(flat)
    assert [g.shape for g in gammas] == [(4,), (2,)]
    assert gammas[0][0] == lay.biases.stop
    assert betas[0][0] == lay.biases.stop + 6
    assert betas[-1][-1] == lay.n_params - 1
    for v in gammas + betas:
        assert np.shares_memory(v, flat)
    packed = lay.pack(*lay.views(flat), np.float64)
    np.testing.assert_array_equal(packed[lay.norm], [1.0] * 6 + [0.0] * 6)
    assert ParamLayout([3, 4, 2]).norm_views(np.zeros(3 * 4 + 4 * 2 + 6)) == ([], [])


def test_penalty_skips_gamma_beta():
    net0, net1 = _net(alpha=0.0), _net(alpha=5.0)
    flat, X, Y = _problem(net0)
    g0, g1 = np.empty_like(flat), np.empty_like(flat)
    net0.loss_grad(flat, g0, X, Y)
    net1.loss_grad(flat, g1, X, Y)
    norm = net0.layout.norm
    np.testing.assert_array_equal(g0[norm], g1[norm])
    assert not np.allclose(g0[net0.layout.weights], g1[net0.layout.weights])


@pytest.mark.parametrize("weighted", [False, True])
def test_batch_statistics_in_training(weighted):
    net = _net()
    flat, X, _Y = _problem(net, n=50)
    sw = np.random.RandomState(3).uniform(0.1, 3.0, 50) if weighted else None
    w = np.full(50, 1 / 50) if sw is None else sw / sw.sum()
    bufs = net._buffers(50)
    net._forward(flat, X, bufs, train=True, w=None if sw is None else w)
    for h, st in zip(bufs.H, bufs.stats, strict=True):  # h = z_hat
        np.testing.assert_allclose(w @ h, 0, atol=1e-12)
        var = w @ (h * h)
        np.testing.assert_allclose(var, st.var / (st.var + net.bn_eps), rtol=1e-12)
        np.testing.assert_allclose(var, 1, atol=1e-3)


def _manual_inference(net, flat, X):
    W, b = net.layout.views(flat)
    gammas, betas = net.layout.norm_views(flat)
    a = X
    for l in range(len(W) - 1):
        z = a @ W[l] + b[l]
        z_hat = (z - net.running_mean[l]) / np.sqrt(net.running_var[l] + 1e-5)
        a = np.tanh(gammas[l] * z_hat + betas[l])
    raw = a @ W[-1] + b[-1]
    e = np.exp(raw - raw.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_running_statistics_and_inference():
    net = _net()
    flat, X, Y = _problem(net, n=30)
    np.testing.assert_array_equal(net.running_mean[0], 0)
    np.testing.assert_array_equal(net.running_var[0], 1)
    W, b = net.layout.views(flat)
    z0 = X @ W[0] + b[0]
    net.loss_grad(flat, np.empty_like(flat), X, Y)
    np.testing.assert_allclose(net.running_mean[0], 0.1 * z0.mean(axis=0))
    np.testing.assert_allclose(net.running_var[0], 0.9 + 0.1 * z0.var(axis=0))
    for seed in range(5):
        Xb = np.random.RandomState(seed).normal(size=X.shape)
        net.loss_grad(flat, np.empty_like(flat), Xb, Y)
    running = net.running.copy()
    X_new = np.random.RandomState(9).normal(size=(7, 4))
    out = net.predict(flat, X_new)
    np.testing.assert_allclose(out, _manual_inference(net, flat, X_new), rtol=1e-12)
    np.testing.assert_array_equal(net.running, running)  # inference: no update
    # inference is per row: a row's prediction does not depend on its batch
    np.testing.assert_allclose(net.predict(flat, X_new[:3]), out[:3], rtol=1e-12)


def test_float32_stays_float32():
    X, y = make_classification(n_samples=60, n_features=5, random_state=0)
    X = X.astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(
            hidden_layer_sizes=(6, 4), batch_norm=True, max_iter=5, random_state=0
        ).fit(X, y)
    net = clf._network
    assert clf._flat.dtype == np.float32
    assert net.running.dtype == np.float32
    assert all(g.dtype == np.float32 for g in net.layout.norm_views(clf._flat)[0])
    assert clf.predict_proba(X).dtype == np.float32
    assert not np.array_equal(net.running_mean[0], 0)


def test_partial_fit_continues_running_stats():
    X, y = make_regression(n_samples=40, n_features=3, random_state=0)
    reg = MLPRegressor(
        hidden_layer_sizes=(5,), batch_norm=True, batch_size=40, random_state=0,
        shuffle=False,
    )  # fmt: skip
    reg.partial_fit(X, y)
    net = reg._network
    r1 = net.running.copy()
    W, b = net.layout.views(reg._flat)
    z = X @ W[0] + b[0]  # the next batch's pre-activations
    reg.partial_fit(X, y)
    assert reg._network is net
    np.testing.assert_allclose(net.running[0], 0.9 * r1[0] + 0.1 * z.mean(axis=0))
    np.testing.assert_allclose(net.running[1], 0.9 * r1[1] + 0.1 * z.var(axis=0))


def test_warm_start_and_pickle_keep_running_stats():
    X, y = make_classification(n_samples=50, n_features=4, random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(
            hidden_layer_sizes=(5,), batch_norm=True, max_iter=3, warm_start=True,
            random_state=0,
        ).fit(X, y)  # fmt: skip
        net = clf._network
        r1 = net.running.copy()
        clf.fit(X, y)
    assert clf._network is net
    assert not np.array_equal(net.running, r1)
    clone = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(clone._network.running, net.running)
    np.testing.assert_array_equal(clone.predict_proba(X), clf.predict_proba(X))
    assert np.shares_memory(clone.coefs_[0], clone._flat)


def test_early_stopping_scores_in_inference_mode():
    X, y = make_classification(n_samples=120, n_features=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(
            hidden_layer_sizes=(8,), batch_norm=True, early_stopping=True,
            max_iter=20, n_iter_no_change=100, random_state=0,
        ).fit(X, y)  # fmt: skip
    assert len(clf.validation_scores_) == 20
    assert np.isfinite(clf.validation_scores_).all()


_COMMON = {"hidden_layer_sizes": (16,), "max_iter": 200, "random_state": 0}


@parametrize_with_checks(
    [
        MLPClassifier(batch_norm=True, **_COMMON),
        MLPRegressor(batch_norm=True, **_COMMON),
    ]
)
def test_sklearn_compatible_with_batch_norm(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


def test_diverging_batch_leaves_running_stats_finite():
    net = _net()
    flat, X, Y = _problem(net, n=10)
    net.loss_grad(flat, np.empty_like(flat), X, Y)
    mean0, var0 = net.running_mean[0].copy(), net.running_var[0].copy()
    with np.errstate(all="ignore"):
        net.loss_grad(flat, np.empty_like(flat), X * 1e300, Y)  # z overflows
    np.testing.assert_array_equal(net.running_mean[0], mean0)  # skipped
    np.testing.assert_array_equal(net.running_var[0], var0)
    assert np.isfinite(net.running).all()


def test_divergence_keeps_finite_state_and_predictions():
    X, y = make_regression(n_samples=100, n_features=4, random_state=0)
    reg = MLPRegressor(
        hidden_layer_sizes=(8,), batch_norm=True, solver="sgd",
        learning_rate_init=1e8, max_iter=20, random_state=0,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # DivergenceWarning
        reg.fit(X, y * 1e10)
    assert np.isfinite(reg._network.running).all()
    assert np.isfinite(reg.predict(X)).all()
