"""trace_layers with batch normalization and dropout (inference and training)."""

import numpy as np
import pytest
from sklearn.metrics import log_loss

from sklearn_adamlp import MLPClassifier
from sklearn_adamlp.inspection import trace_layers

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 5)) * [1, 2, 3, 0.5, 1] + 1
    y = (X[:, 0] > 1).astype(int) + (X[:, 1] > 1.5)
    return X, y


def _objective(est, X, y):
    penalty = 0.5 * est.alpha * sum((W**2).sum() for W in est.coefs_) / len(X)
    return log_loss(y, est.predict_proba(X), labels=est.classes_) + penalty


def _fd(est, f, layer, idx, eps=1e-6):
    W = est.coefs_[layer]
    old = W[idx]
    W[idx] = old + eps
    up = f()
    W[idx] = old - eps
    down = f()
    W[idx] = old
    return (up - down) / (2 * eps)


@pytest.fixture(scope="module")
def bn_model(data):
    X, y = data
    est = MLPClassifier(
        (6, 5), activation="tanh", batch_norm=True, max_iter=20, random_state=0
    )
    return est.fit(X, y)


def test_batch_norm_inference_pass_is_predicts(bn_model, data):
    X, y = data
    trace = trace_layers(bn_model, X, y)
    np.testing.assert_allclose(trace.activations[-1], bn_model.predict_proba(X))
    assert trace.loss == pytest.approx(_objective(bn_model, X, y), rel=1e-9)
    for layer, idx in [(0, (1, 2)), (0, (4, 0)), (1, (3, 3)), (2, (2, 1))]:
        fd = _fd(bn_model, lambda: _objective(bn_model, X, y), layer, idx)
        assert trace.grad_weights[layer][idx] == pytest.approx(fd, rel=1e-5, abs=1e-9)


def test_batch_norm_training_pass_uses_batch_statistics(bn_model, data):
    X, y = data
    before = bn_model.predict_proba(X)
    trace = trace_layers(bn_model, X, y, training=True)
    np.testing.assert_array_equal(bn_model.predict_proba(X), before)  # unchanged
    assert not np.allclose(trace.activations[-1], before)
    inputs = [X, trace.activations[0]]
    for l in range(2):
        z = inputs[l] @ bn_model.coefs_[l] + bn_model.intercepts_[l]
        z_hat = (z - z.mean(axis=0)) / np.sqrt(z.var(axis=0) + 1e-5)
        y_l = trace.pre_activations[l]
        for j in range(z.shape[1]):  # y = gamma * z_hat + beta, unit by unit
            A = np.column_stack([z_hat[:, j], np.ones(len(X))])
            coef, *_ = np.linalg.lstsq(A, y_l[:, j], rcond=None)
            np.testing.assert_allclose(A @ coef, y_l[:, j], atol=1e-9)
        np.testing.assert_allclose(trace.activations[l], np.tanh(y_l))

    def training_loss():
        return trace_layers(bn_model, X, y, training=True).loss

    for layer, idx in [(0, (1, 2)), (1, (3, 3)), (2, (2, 1))]:
        fd = _fd(bn_model, training_loss, layer, idx)
        assert trace.grad_weights[layer][idx] == pytest.approx(fd, rel=1e-5, abs=1e-9)


@pytest.fixture(scope="module")
def dropout_model(data):
    X, y = data
    est = MLPClassifier((8, 8), dropout=0.5, max_iter=20, random_state=0)
    return est.fit(X, y)


def test_dropout_off_in_inference(dropout_model, data):
    X, y = data
    trace = trace_layers(dropout_model, X, y)
    assert trace.dropout_masks == [None, None]
    np.testing.assert_allclose(trace.activations[-1], dropout_model.predict_proba(X))


def test_dropout_training_pass_masks(dropout_model, data):
    X, y = data
    a = trace_layers(dropout_model, X, y, training=True, random_state=3)
    b = trace_layers(dropout_model, X, y, training=True, random_state=3)
    c = trace_layers(dropout_model, X, y, training=True, random_state=4)
    for m, mb, mc in zip(
        a.dropout_masks, b.dropout_masks, c.dropout_masks, strict=True
    ):
        assert set(np.unique(m)) <= {0.0, 2.0}
        assert abs(np.mean(m == 0) - 0.5) < 0.1
        np.testing.assert_array_equal(m, mb)
        assert not np.array_equal(m, mc)
    # a numpy pass (relu) with those masks gives the trace's arrays
    W, bias, masks = dropout_model.coefs_, dropout_model.intercepts_, a.dropout_masks
    n = len(X)
    h, inputs, pre = X, [X], []
    for l in range(3):
        z = h @ W[l] + bias[l]
        pre.append(z)
        if l < 2:
            h = np.maximum(z, 0) * masks[l]
            inputs.append(h)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    d = (p - (y[:, None] == dropout_model.classes_).astype(float)) / n
    for l in range(2, -1, -1):
        gW = inputs[l].T @ d + dropout_model.alpha / n * W[l]
        np.testing.assert_allclose(a.grad_weights[l], gW, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(a.pre_activations[l], pre[l], rtol=1e-12)
        if l:
            d = (d @ W[l].T) * masks[l - 1] * (pre[l - 1] > 0)
