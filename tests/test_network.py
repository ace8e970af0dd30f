"""The engine: flat-buffer layout, forward/backward, the notes' worked example."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from sklearn_adamlp import activations, initializers, losses
from sklearn_adamlp.layout import ParamLayout
from sklearn_adamlp.network import Network
from sklearn_adamlp.optimizers import SGD
from sklearn_adamlp.regularizers import L2Penalty


def _net(units=(5, 4, 3), act="tanh", loss=None, dtype=np.float64, alpha=0.0):
    loss = loss or losses.get("log_loss").specialize("multiclass")
    acts = [activations.get(act)] * (len(units) - 2)
    return Network(units, acts, loss, dtype=dtype, penalties=[L2Penalty(alpha)])


def test_layout_views_are_views_in_order():
    lay = ParamLayout([3, 4, 2])
    flat = np.arange(lay.n_params, dtype=float)
    W, b = lay.views(flat)
    assert [w.shape for w in W] == [(3, 4), (4, 2)]
    assert [v.shape for v in b] == [(4,), (2,)]
    assert lay.n_weights == 3 * 4 + 4 * 2
    assert lay.n_params == lay.n_weights + 4 + 2
    # weights first, then biases: the weight slice is contiguous
    assert W[0][0, 0] == 0
    assert W[1][0, 0] == 12
    assert b[0][0] == 20
    assert b[1][0] == 24
    for v in W + b:
        assert np.shares_memory(v, flat)
    np.testing.assert_array_equal(flat[lay.weights], np.arange(20))
    packed = lay.pack(W, b, np.float32)
    assert packed.dtype == np.float32
    np.testing.assert_array_equal(packed, flat)


def test_layout_rejects_wrong_buffer():
    with pytest.raises(ValueError, match="expected"):
        ParamLayout([3, 2]).views(np.zeros(5))


def _course_notes_backprop_params():
    """The 2-2-2 ReLU/softmax net of the course notes' worked example.

    The notes print x = [0.2, 0.5], y = [0, 1], w1 = 0.1, w5 = 0.5, w6 = 0.25,
    w8 = 0.15, h2 = 1.02 and y_hat = [0.774256, 0.225744]; the rest of their
    figure is not in the text, so the remaining values below are chosen to be
    consistent with every printed number (b3 is solved for y_hat).
    Equations of the notes: u1 = x1 w1 + x2 w2 + b1, u2 = x1 w3 + x2 w4 + b2,
    h = relu(u), z1 = h1 w5 + h2 w7 + b3, z2 = h1 w6 + h2 w8 + b4.
    """
    x = np.array([0.2, 0.5])
    w1, w2, w3, w4 = 0.1, 0.3, 0.2, 0.4
    w5, w6, w7, w8 = 0.5, 0.25, 0.3, 0.15
    b1 = 0.35
    b2 = 1.02 - (x[0] * w3 + x[1] * w4)  # h2 = 1.02
    h = np.array([x @ [w1, w2] + b1, 1.02])
    b4 = 0.1
    z2 = h[0] * w6 + h[1] * w8 + b4
    b3 = z2 + np.log(0.774256 / 0.225744) - (h[0] * w5 + h[1] * w7)
    coefs = [np.array([[w1, w3], [w2, w4]]), np.array([[w5, w6], [w7, w8]])]
    intercepts = [np.array([b1, b2]), np.array([b3, b4])]
    return x, coefs, intercepts


def test_course_notes_worked_backprop_example():
    x, coefs, intercepts = _course_notes_backprop_params()
    net = _net(units=(2, 2, 2), act="relu")
    flat = net.layout.pack(coefs, intercepts, np.float64)
    grad = np.empty_like(flat)
    X, Y = x[None, :], np.array([[0.0, 1.0]])

    _raw, y_hat = net.forward(flat, X)
    np.testing.assert_allclose(y_hat[0], [0.774256, 0.225744], atol=1e-6)

    net.loss_grad(flat, grad, X, Y)
    gW, _ = net.layout.views(grad)
    # dl/dw8 = h2 (y_hat2 - y2) = 1.02 * (0.225744 - 1) = -0.789741
    assert gW[1][1, 1] == pytest.approx(-0.789741, abs=1e-6)
    # dl/dw1 = x1 {w5 (y_hat1 - y1) + w6 (y_hat2 - y2)} = 0.038713
    assert gW[0][0, 0] == pytest.approx(0.038713, abs=1e-6)

    # one gradient-descent step with eta = 0.5
    SGD(learning_rate=0.5).step([flat], [grad])
    W, _ = net.layout.views(flat)
    assert W[1][1, 1] == pytest.approx(0.544871, abs=1e-6)
    assert W[0][0, 0] == pytest.approx(0.080644, abs=1e-6)


def test_backprop_matches_a_plain_numpy_oracle():
    """The whole gradient against a loop-per-layer re-derivation."""
    rng = np.random.default_rng(0)
    net = _net(units=(4, 6, 5, 3), act="tanh", alpha=0.1)
    flat = net.init_params([initializers.get("glorot_uniform")()] * 3, rng)
    grad = np.empty_like(flat)
    X = rng.normal(size=(7, 4))
    Y = np.eye(3)[rng.integers(0, 3, 7)]
    sw = rng.uniform(0.5, 2, 7)
    loss = net.loss_grad(flat, grad, X, Y, sw)

    W, b = net.layout.views(flat)
    a = [X]
    for l in range(2):
        a.append(np.tanh(a[-1] @ W[l] + b[l]))
    z = a[-1] @ W[2] + b[2]
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    s = sw / sw.sum()
    expected_loss = (
        -(s * np.log((p * Y).sum(1))).sum()
        + 0.5 * 0.1 * sum((w**2).sum() for w in W) / sw.sum()
    )
    d = (p - Y) * s[:, None]
    gW_ref, gb_ref = [None] * 3, [None] * 3
    for l in (2, 1, 0):
        gW_ref[l] = a[l].T @ d + 0.1 * W[l] / sw.sum()
        gb_ref[l] = d.sum(0)
        d = (d @ W[l].T) * (1 - a[l] ** 2)
    gW, gb = net.layout.views(grad)
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    for l in range(3):
        np.testing.assert_allclose(gW[l], gW_ref[l], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(gb[l], gb_ref[l], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_input_gives_the_dense_gradient(fmt):
    rng = np.random.default_rng(1)
    net = _net(units=(6, 5, 3), act="relu", alpha=0.01)
    flat = net.init_params([initializers.get("glorot_uniform")()] * 2, rng)
    X = rng.normal(size=(9, 6)) * (rng.random((9, 6)) < 0.4)
    Y = np.eye(3)[rng.integers(0, 3, 9)]
    g_dense, g_sparse = np.empty_like(flat), np.empty_like(flat)
    l1 = net.loss_grad(flat, g_dense, X, Y)
    l2 = net.loss_grad(flat, g_sparse, sp.csr_matrix(X).asformat(fmt), Y)
    assert l1 == pytest.approx(l2, rel=1e-12)
    np.testing.assert_allclose(g_sparse, g_dense, rtol=1e-12, atol=1e-15)


def test_float32_network_stays_float32_and_reuses_buffers():
    rng = np.random.default_rng(2)
    net = _net(units=(4, 8, 3), act="relu", dtype=np.float32)
    flat = net.init_params([initializers.get("glorot_uniform")()] * 2, rng)
    assert flat.dtype == np.float32
    grad = np.empty_like(flat)
    X = rng.normal(size=(16, 4)).astype(np.float32)
    Y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 16)]
    net.loss_grad(flat, grad, X, Y)
    bufs = net._buffers(16)
    ids = [id(a) for a in bufs.Z + bufs.D]
    assert all(a.dtype == np.float32 for a in bufs.Z + bufs.D + [bufs.out])
    net.loss_grad(flat, grad, X[::-1].copy(), Y)
    assert [id(a) for a in net._buffers(16).Z + net._buffers(16).D] == ids
    raw, out = net.forward(flat, X)
    assert raw.dtype == out.dtype == np.float32


@pytest.mark.parametrize("name", activations.available())
def test_activation_forward_in_place_equals_out_of_place(name):
    """The inference pass applies every activation in place."""
    act = activations.get(name)
    z = np.linspace(-6, 6, 25).reshape(5, 5)
    expected = act.forward(z.copy(), out=np.empty_like(z))
    in_place = z.copy()
    np.testing.assert_array_equal(act.forward(in_place, out=in_place), expected)


@pytest.mark.parametrize("batch_norm", [False, True])
def test_inference_in_blocks_equals_one_pass(monkeypatch, batch_norm):
    import sklearn_adamlp.network as network_module

    rng = np.random.default_rng(3)
    net = Network(
        (5, 7, 3), [activations.get("silu")], losses.get("squared_error"),
        batch_norm=batch_norm,
    )  # fmt: skip
    flat = net.init_params([initializers.get("glorot_uniform")()] * 2, rng)
    X = rng.normal(size=(50, 5))
    whole = net.predict(flat, X)
    monkeypatch.setattr(network_module, "INFER_ROWS", 7)
    # equal up to BLAS round-off (a one-row block is a matrix-vector product)
    np.testing.assert_allclose(net.predict(flat, X), whole, rtol=1e-12)
    # the training pass's forward agrees with the inference pass (no dropout)
    bufs = net._buffers(50)
    net._forward(flat, X, bufs)  # up to the output pre-activations
    net.loss.out_activation.forward(bufs.Z[-1], out=bufs.out)
    np.testing.assert_allclose(bufs.out, whole, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_flat_buffers_start_on_a_cache_line(dtype):
    """Weight matrices start on a 64-byte line: after fit, warm start, pickling."""
    import pickle

    from sklearn_adamlp import MLPClassifier
    from sklearn_adamlp.layout import ALIGN, aligned_empty

    for n in (1, 7, 300_001):  # small, odd, and large enough for glibc's mmap
        a = aligned_empty(n, dtype)
        assert a.shape == (n,)
        assert a.dtype == dtype
        assert a.ctypes.data % ALIGN == 0
    X = np.random.RandomState(0).normal(size=(60, 9)).astype(dtype)
    y = np.arange(60) % 3
    est = MLPClassifier((64,), max_iter=2, random_state=0, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
        est.fit(X, y)
    again = pickle.loads(pickle.dumps(est))
    for model in (est, again):
        assert model._flat.ctypes.data % ALIGN == 0
        assert all(W.base is not None for W in model.coefs_)  # views, still
    np.testing.assert_array_equal(again._flat, est._flat)
    np.testing.assert_array_equal(again.predict_proba(X), est.predict_proba(X))
