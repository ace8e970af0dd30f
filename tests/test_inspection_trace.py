"""trace_layers against a numpy forward/backward and finite differences."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, mean_squared_error
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_adamlp import MLPClassifier, MLPRegressor
from sklearn_adamlp.inspection import LayerTrace, trace_layers

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

HIDDEN = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0)}
HIDDEN_DERIV = {
    "tanh": lambda z, a: 1 - a**2,
    "relu": lambda z, a: (z > 0).astype(float),
}


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


OUT = {
    "softmax": _softmax,
    "logistic": lambda z: 1 / (1 + np.exp(-z)),
    "identity": lambda z: z,
}


def numpy_trace(coefs, intercepts, X, Y, hidden, out, alpha, masks=None):
    """Plain numpy forward and backward pass (canonical links: d = out - y)."""
    n, L = X.shape[0], len(coefs)
    inputs, pre, acts = [X], [], []
    a = X
    for l in range(L):
        z = a @ coefs[l] + intercepts[l]
        h = HIDDEN[hidden](z) if l < L - 1 else OUT[out](z)
        pre.append(z)
        acts.append(h)
        a = h if masks is None or masks[l] is None or l == L - 1 else h * masks[l]
        inputs.append(a)
    d = (acts[-1] - Y) / n
    gW, gb, gpre = [None] * L, [None] * L, [None] * L
    for l in range(L - 1, -1, -1):
        gpre[l] = d
        gW[l] = inputs[l].T @ d + alpha / n * coefs[l]
        gb[l] = d.sum(axis=0)
        if l:
            d = d @ coefs[l].T
            if masks is not None and masks[l - 1] is not None:
                d = d * masks[l - 1]
            d = d * HIDDEN_DERIV[hidden](pre[l - 1], acts[l - 1])
    return pre, acts, gpre, gW, gb


def _one_hot(y, classes):
    if len(classes) == 2:
        return (y == classes[1]).astype(float)[:, None]
    return (y[:, None] == classes[None, :]).astype(float)


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 5))
    y3 = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)
    y2 = (X[:, 0] + X[:, 2] > 0).astype(int)
    yr = X[:, 0] - 2 * X[:, 1] ** 2 + 0.1 * rng.normal(size=60)
    return X, y3, y2, yr


def _objective_clf(est, X, y, alpha):
    """Data loss from predict_proba and sklearn's log_loss, plus L2 penalty."""
    penalty = 0.5 * alpha * sum((W**2).sum() for W in est.coefs_) / len(X)
    return log_loss(y, est.predict_proba(X), labels=est.classes_) + penalty


def _objective_reg(est, X, y, alpha):
    penalty = 0.5 * alpha * sum((W**2).sum() for W in est.coefs_) / len(X)
    return mean_squared_error(y, est.predict(X)) / 2 + penalty


def _finite_differences(est, objective, X, y, alpha, layer, entries, eps=1e-6):
    out = []
    for attr, idx in entries:
        arrays = getattr(est, attr)
        old = arrays[layer][idx]
        arrays[layer][idx] = old + eps
        up = objective(est, X, y, alpha)
        arrays[layer][idx] = old - eps
        down = objective(est, X, y, alpha)
        arrays[layer][idx] = old
        out.append((up - down) / (2 * eps))
    return np.array(out)


CASES = [
    ("tanh", "multiclass", MLPClassifier, "softmax"),
    ("relu", "multiclass", MLPClassifier, "softmax"),
    ("tanh", "binary", MLPClassifier, "logistic"),
    ("relu", "binary", MLPClassifier, "logistic"),
    ("tanh", "regression", MLPRegressor, "identity"),
    ("relu", "regression", MLPRegressor, "identity"),
]


@pytest.mark.parametrize(("hidden", "task", "cls", "out"), CASES)
def test_trace_matches_numpy_and_finite_differences(data, hidden, task, cls, out):
    X, y3, y2, yr = data
    y = {"multiclass": y3, "binary": y2, "regression": yr}[task]
    alpha = 0.3
    est = cls(
        hidden_layer_sizes=(7, 4),
        activation=hidden,
        alpha=alpha,
        max_iter=30,
        random_state=1,
        tol=0,
    )
    est.fit(X, y)
    trace = trace_layers(est, X, y)
    assert isinstance(trace, LayerTrace)
    assert trace.layer_names == ["hidden 1", "hidden 2", "output"]
    assert trace.activation_names == [hidden, hidden, out]
    Y = yr[:, None] if task == "regression" else _one_hot(y, est.classes_)
    coefs = [W.copy() for W in est.coefs_]
    biases = [b.copy() for b in est.intercepts_]
    pre, acts, gpre, gW, gb = numpy_trace(coefs, biases, X, Y, hidden, out, alpha)
    for name, want in [
        ("pre_activations", pre),
        ("activations", acts),
        ("grad_pre_activations", gpre),
        ("grad_weights", gW),
        ("grad_biases", gb),
        ("weights", coefs),
        ("biases", biases),
    ]:
        got = getattr(trace, name)
        assert len(got) == 3
        for g, w in zip(got, want, strict=True):
            np.testing.assert_allclose(g, w, rtol=1e-7, atol=1e-10, err_msg=name)
    objective = _objective_reg if task == "regression" else _objective_clf
    assert trace.loss == pytest.approx(objective(est, X, y, alpha), rel=1e-9)
    rng = np.random.RandomState(0)
    for l in range(3):
        shape = est.coefs_[l].shape
        entries = [
            ("coefs_", (rng.randint(shape[0]), rng.randint(shape[1]))) for _ in range(4)
        ] + [("intercepts_", (rng.randint(shape[1]),)) for _ in range(2)]
        fd = _finite_differences(est, objective, X, y, alpha, l, entries)
        got = np.array(
            [
                (trace.grad_weights if a == "coefs_" else trace.grad_biases)[l][i]
                for a, i in entries
            ]
        )
        np.testing.assert_allclose(got, fd, rtol=1e-5, atol=1e-8)


def test_trace_without_y_has_no_gradients(data):
    X, y3, _, _ = data
    est = MLPClassifier((6,), max_iter=5, random_state=0).fit(X, y3)
    trace = trace_layers(est, X)
    assert trace.grad_weights is None
    assert trace.grad_biases is None
    assert trace.grad_pre_activations is None
    assert trace.loss is None
    np.testing.assert_allclose(trace.activations[-1], est.predict_proba(X))
    frame = trace.to_frame()
    assert frame["grad_norm"].isna().all()


def test_pipeline_traces_the_last_step_on_transformed_X(data):
    X, y3, _, _ = data
    X = 10 * X + 3
    pipe = make_pipeline(
        StandardScaler(), MLPClassifier((6,), max_iter=10, random_state=0)
    )
    pipe.fit(X, y3)
    Xt = pipe[0].transform(X)
    a = trace_layers(pipe, X, y3)
    b = trace_layers(pipe[-1], Xt, y3)
    for name in ("pre_activations", "activations", "grad_weights"):
        for u, v in zip(getattr(a, name), getattr(b, name), strict=True):
            np.testing.assert_array_equal(u, v)


def test_frame_rules_recomputed(data):
    X, y3, _, _ = data
    est = MLPClassifier((8, 8), activation=["tanh", "relu"], max_iter=1, random_state=0)
    est.fit(3 * X, y3)
    trace = trace_layers(est, 3 * X, y3)
    frame = trace.to_frame()
    assert list(frame.index) == ["hidden 1", "hidden 2", "output"]
    assert frame.index.name == "layer"
    assert list(frame.columns) == [
        "mean",
        "std",
        "saturated",
        "dead",
        "zero_fraction",
        "grad_norm",
        "weight_norm",
    ]
    h1, h2, _ = trace.activations
    assert frame.loc["hidden 1", "saturated"] == np.mean(np.abs(h1) > 0.9)
    assert np.isnan(frame.loc["hidden 2", "saturated"])  # relu: unbounded
    assert np.isnan(frame.loc["output", "saturated"])  # softmax
    dead_units = [(h2[:, j] == 0).all() for j in range(h2.shape[1])]
    assert frame.loc["hidden 2", "dead"] == np.mean(dead_units)
    assert frame.loc["hidden 2", "zero_fraction"] == np.mean(h2 == 0)
    assert frame.loc["hidden 1", "mean"] == pytest.approx(h1.mean())
    assert frame.loc["hidden 2", "std"] == pytest.approx(h2.std())
    for l, name in enumerate(frame.index):
        assert frame.loc[name, "weight_norm"] == pytest.approx(
            np.sqrt((est.coefs_[l] ** 2).sum())
        )
        assert frame.loc[name, "grad_norm"] == pytest.approx(
            np.sqrt((trace.grad_weights[l] ** 2).sum())
        )


def test_logistic_saturation_rule(data):
    X, _, y2, _ = data
    est = MLPClassifier((5,), activation="logistic", max_iter=1, random_state=0)
    est.fit(5 * X, y2)
    trace = trace_layers(est, 5 * X)
    h = trace.activations[0]
    frame = trace.to_frame()
    assert frame.loc["hidden 1", "saturated"] == np.mean((h < 0.05) | (h > 0.95))
    out = trace.activations[1]
    assert frame.loc["output", "saturated"] == np.mean((out < 0.05) | (out > 0.95))


def test_bad_input(data):
    X, y3, _, _ = data
    with pytest.raises(NotFittedError):
        trace_layers(MLPClassifier(), X)
    with pytest.raises(TypeError, match="MLPClassifier or MLPRegressor"):
        trace_layers(LogisticRegression().fit(X, y3), X)
    est = MLPClassifier((4,), max_iter=2, random_state=0)
    est.fit(X, y3)
    with pytest.raises(ValueError, match="rows"):
        trace_layers(est, X, y3[:-1])
    with pytest.raises(ValueError, match="classes"):
        trace_layers(est, X, y3 + 7)
    with pytest.raises(ValueError, match="features"):
        trace_layers(est, X[:, :3])
    reg = MLPRegressor(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    reg.fit(X, X[:, 0])
    with pytest.raises(ValueError, match="outputs"):
        trace_layers(reg, X, X[:, :2])


def test_sparse_and_float32_input(data):
    import scipy.sparse as sp

    X, y3, _, _ = data
    est = MLPClassifier((6,), max_iter=5, random_state=0).fit(X, y3)
    dense = trace_layers(est, X, y3)
    sparse = trace_layers(est, sp.csr_matrix(X), y3)
    for u, v in zip(dense.grad_weights, sparse.grad_weights, strict=True):
        np.testing.assert_allclose(u, v, rtol=1e-12)
    est32 = MLPClassifier((6,), max_iter=5, random_state=0).fit(
        X.astype(np.float32), y3
    )
    t32 = trace_layers(est32, X.astype(np.float32), y3)
    assert all(a.dtype == np.float32 for a in t32.activations + t32.grad_weights)


@pytest.mark.parametrize("batch_norm", [False, True])
def test_integer_sample_weights_equal_repeated_rows(data, batch_norm):
    X, y3, _, _ = data
    est = MLPClassifier(
        (6, 5), batch_norm=batch_norm, alpha=0.2, max_iter=10, random_state=0
    ).fit(X, y3)
    sw = np.random.RandomState(1).randint(0, 4, size=len(X))
    rows = np.repeat(np.arange(len(X)), sw)
    for training in (False, True):
        a = trace_layers(est, X, y3, sample_weight=sw, training=training)
        b = trace_layers(est, X[rows], y3[rows], training=training)
        assert a.loss == pytest.approx(b.loss, rel=1e-12)
        for u, v in zip(
            a.grad_weights + a.grad_biases, b.grad_weights + b.grad_biases, strict=True
        ):
            np.testing.assert_allclose(u, v, rtol=1e-9, atol=1e-13)


def test_sample_weighted_gradient_by_finite_differences(data):
    X, y3, _, _ = data
    est = MLPClassifier((6,), alpha=0.2, max_iter=10, random_state=0).fit(X, y3)
    sw = np.random.RandomState(2).uniform(0.1, 3, size=len(X))

    def objective():
        penalty = 0.5 * 0.2 * sum((W**2).sum() for W in est.coefs_) / sw.sum()
        proba = est.predict_proba(X)
        return log_loss(y3, proba, sample_weight=sw) + penalty

    trace = trace_layers(est, X, y3, sample_weight=sw)
    assert trace.loss == pytest.approx(objective(), rel=1e-10)
    for l, idx in [(0, (0, 0)), (0, (3, 4)), (1, (2, 1))]:
        W = est.coefs_[l]
        old = W[idx]
        W[idx] = old + 1e-6
        up = objective()
        W[idx] = old - 1e-6
        down = objective()
        W[idx] = old
        fd = (up - down) / 2e-6
        assert trace.grad_weights[l][idx] == pytest.approx(fd, rel=1e-5, abs=1e-9)
    with pytest.raises(ValueError, match="sample_weight"):
        trace_layers(est, X, y3, sample_weight=-sw)
