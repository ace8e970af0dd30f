"""Inverted dropout: masks, expectation, inference, gradients, regularization."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_adamlp import MLPClassifier, MLPRegressor, activations, losses
from sklearn_adamlp.dropout import draw_mask, layer_rates, row_keys
from sklearn_adamlp.network import Network
from sklearn_adamlp.regularizers import L2Penalty


def _net(units=(4, 6, 5, 3), act="tanh", dropout=0.3, alpha=0.0, rng=0, **kw):
    loss = losses.get("log_loss").specialize("multiclass")
    acts = [activations.get(act)] * (len(units) - 2)
    return Network(
        units, acts, loss, penalties=[L2Penalty(alpha)], dropout=dropout, rng=rng, **kw
    )


def _problem(net, n=9, seed=0):
    rs = np.random.RandomState(seed)
    flat = rs.normal(size=net.layout.n_params)
    X = rs.normal(size=(n, net.layout.layer_units[0]))
    Y = np.eye(net.layout.layer_units[-1])[rs.randint(0, 3, n)]
    return flat, X, Y


def _mask(X, p, salt=7, units=50, dtype=np.float64):
    m = np.empty((X.shape[0], units), dtype=dtype)
    scratch = (np.empty(m.shape, np.uint64), np.empty(m.shape, np.uint64))
    return draw_mask(row_keys(X), salt, p, m, scratch)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mask_rate_and_scale(dtype):
    p = 0.3
    X = np.random.RandomState(0).normal(size=(400, 5)).astype(dtype)
    m = _mask(X, p, dtype=dtype)
    assert m.dtype == dtype
    kept = m != 0
    np.testing.assert_allclose(m[kept], 1 / (1 - p), rtol=1e-6)
    sigma = np.sqrt(p * (1 - p) / m.size)
    assert abs((~kept).mean() - p) < 5 * sigma


def test_masks_keyed_by_row_content():
    rs = np.random.RandomState(0)
    X = rs.normal(size=(300, 4))
    X[5] = X[7]
    X[9, 2] = 0.0
    m = _mask(X, 0.5)
    np.testing.assert_array_equal(m[5], m[7])  # identical rows, identical masks
    # independent of row order and batch composition
    order = rs.permutation(300)
    np.testing.assert_array_equal(_mask(X[order], 0.5), m[order])
    np.testing.assert_array_equal(_mask(X[:20], 0.5), m[:20])
    # dense and sparse rows hash alike; float32 works
    np.testing.assert_array_equal(_mask(sp.csr_matrix(X), 0.5), m)
    np.testing.assert_array_equal(_mask(sp.csc_matrix(X), 0.5), m)
    assert _mask(X.astype(np.float32), 0.5).dtype == np.float64
    # another salt (the next pass) gives another mask; units look independent
    assert not np.array_equal(_mask(X, 0.5, salt=8), m)
    kept = m != 0
    corr = np.corrcoef(kept[:, :10].T.astype(float))[np.triu_indices(10, 1)]
    assert np.abs(corr).max() < 0.25
    assert abs(kept.mean() - 0.5) < 0.02


def test_expectation_preserved():
    net = _net(units=(3, 200, 3), act="logistic", dropout=0.4)
    flat, X, Y = _problem(net, n=2000)
    net.loss_grad(flat, np.empty_like(flat), X, Y)
    bufs = net._buffers(X.shape[0])
    a, a_dropped = bufs.A[0], bufs.Ad[0]
    assert bufs.inputs[0] is a_dropped
    # mean over all entries: 4e5 Bernoulli draws, relative error well under 1%
    np.testing.assert_allclose(a_dropped.mean(), a.mean(), rtol=1e-2)
    np.testing.assert_allclose(a_dropped.mean(axis=0), a.mean(axis=0), rtol=0.15)


def test_inference_is_deterministic_and_unmasked():
    net = _net(dropout=[0.5, 0.2])
    plain = _net(dropout=0.0)
    flat, X, Y = _problem(net)
    net.loss_grad(flat, np.empty_like(flat), X, Y)  # a training pass first
    out1 = net.predict(flat, X)
    np.testing.assert_array_equal(out1, net.predict(flat, X))
    np.testing.assert_array_equal(out1, plain.predict(flat, X))
    _raw, out = net.forward(flat, X)
    np.testing.assert_array_equal(out, out1)


def test_training_pass_is_random():
    net = _net(dropout=0.5)
    flat, X, Y = _problem(net)
    g1, g2 = np.empty_like(flat), np.empty_like(flat)
    l1 = net.loss_grad(flat, g1, X, Y)
    l2 = net.loss_grad(flat, g2, X, Y)
    assert l1 != l2
    assert not np.array_equal(g1, g2)


@pytest.mark.parametrize("act", ["relu", "tanh"])
@pytest.mark.parametrize("batch_norm", [False, True])
def test_gradient_with_fixed_mask(act, batch_norm):
    net = _net(act=act, dropout=[0.3, 0.5], alpha=0.1, batch_norm=batch_norm)
    flat, X, Y = _problem(net)
    sw = np.random.RandomState(1).uniform(0.5, 2.0, X.shape[0])

    def loss_grad(f):
        net.rng = np.random.default_rng(42)  # the same salts at every evaluation
        g = np.empty_like(f)
        return net.loss_grad(f, g, X, Y, sw), g

    _, grad = loss_grad(flat)
    assert np.count_nonzero(net._buffers(X.shape[0]).M[0] == 0) > 0
    num = np.empty_like(flat)
    h = 1e-6
    for i in range(flat.size):
        f = flat.copy()
        f[i] += h
        lp = loss_grad(f)[0]
        f[i] -= 2 * h
        num[i] = (lp - loss_grad(f)[0]) / (2 * h)
    scale = np.abs(num).max()
    assert np.abs(num - grad).max() / scale < 1e-6


def test_layer_rates_validation():
    assert layer_rates(0.2, 3) == [0.2, 0.2, 0.2]
    assert layer_rates((0.1, 0.0), 2) == [0.1, 0.0]
    with pytest.raises(ValueError, match="one rate per hidden layer"):
        layer_rates([0.1, 0.2], 3)
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        layer_rates([0.1, 1.0], 2)


def test_estimator_rejects_bad_dropout():
    X, y = make_classification(n_samples=30, random_state=0)
    with pytest.raises(ValueError, match="one rate per hidden layer"):
        MLPClassifier(hidden_layer_sizes=(4, 4), dropout=[0.1]).fit(X, y)
    with pytest.raises(ValueError, match="dropout"):
        MLPClassifier(dropout=1.0).fit(X, y)
    with pytest.raises(ValueError, match="dropout"):
        MLPClassifier(dropout=-0.1).fit(X, y)


def test_estimator_same_init_reproducible_and_deterministic_predict():
    X, y = make_classification(n_samples=60, random_state=0)
    kw = {"hidden_layer_sizes": (8,), "max_iter": 1, "random_state": 3}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        b = MLPRegressor(dropout=0.5, **kw).fit(X, y)
        c = MLPRegressor(dropout=0.5, **kw).fit(X, y)
    np.testing.assert_array_equal(b._flat, c._flat)  # seeded masks: reproducible
    np.testing.assert_array_equal(b.predict(X), b.predict(X))
    # the mask generator is seeded after the weights: same initial weights
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        d = MLPRegressor(dropout=0.0, max_iter=1, hidden_layer_sizes=(8,))
        d.set_params(random_state=3, learning_rate_init=1e-300).fit(X, y)
        e = MLPRegressor(dropout=0.5, max_iter=1, hidden_layer_sizes=(8,))
        e.set_params(random_state=3, learning_rate_init=1e-300).fit(X, y)
    np.testing.assert_allclose(d._flat, e._flat, rtol=0, atol=1e-12)


def test_no_global_random_state_used():
    X, y = make_classification(n_samples=40, random_state=0)
    np.random.seed(0)  # noqa: NPY002
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPClassifier(
            hidden_layer_sizes=(5,), dropout=0.3, max_iter=3, random_state=0
        ).fit(X, y)
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002


def _gap(dropout, seed):
    X, y = make_classification(
        n_samples=300, n_features=20, n_informative=5, flip_y=0.2, random_state=seed
    )
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.5, random_state=0)
    clf = MLPClassifier(
        hidden_layer_sizes=(64,), alpha=0.0, max_iter=300, dropout=dropout,
        random_state=0,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(Xtr, ytr)
    return clf.score(Xtr, ytr) - clf.score(Xte, yte)


def test_dropout_shrinks_generalization_gap():
    # Measured: gaps 0.19-0.34 without dropout, 0.03-0.16 with p=0.5.
    without = np.mean([_gap(0.0, s) for s in range(3)])
    with_dropout = np.mean([_gap(0.5, s) for s in range(3)])
    assert with_dropout < 0.6 * without


_COMMON = {"hidden_layer_sizes": (16,), "max_iter": 200, "random_state": 0}


@parametrize_with_checks(
    [
        MLPClassifier(dropout=0.1, **_COMMON),
        MLPRegressor(dropout=0.1, **_COMMON),
    ]
)
def test_sklearn_compatible_with_dropout(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_keys_hashed_once_per_fit_equal_keys_hashed_per_batch(monkeypatch, dtype):
    """The training loop gathers each batch's keys from keys of the whole data."""
    import sklearn_adamlp.dropout as dropout_module

    monkeypatch.setattr(dropout_module, "_KEY_ROWS", 7)  # several row blocks
    net = _net(dropout=[0.5, 0.2])
    flat, X, Y = _problem(net, n=30)
    X = X.astype(dtype)
    keys = net.row_keys(X)
    idx = np.random.default_rng(0).permutation(30)[:12]
    np.testing.assert_array_equal(keys[idx], row_keys(X[idx]))
    other = _net(dropout=[0.5, 0.2])  # same seed: the same salts
    g1, g2 = np.empty_like(flat), np.empty_like(flat)
    l1 = net.loss_grad(flat, g1, X[idx], Y[idx], keys=keys[idx])
    l2 = other.loss_grad(flat, g2, X[idx], Y[idx])
    assert l1 == l2
    np.testing.assert_array_equal(g1, g2)
    assert _net(dropout=0.0).row_keys(X) is None
