import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from sklearn_adamlp import MLPClassifier, MLPRegressor, losses

RNG = np.random.default_rng(0)


def _onehot(labels, k):
    return np.eye(k)[labels]


def _multiclass_hinge_oracle(y, s):
    """The course notes' multiclass SVM loss as a loop.

    sum_{j != y_i} max(0, s_j - s_{y_i} + 1)
    """
    out = []
    for yi, si in zip(y.argmax(1), s, strict=True):
        out.append(sum(max(0.0, si[j] - si[yi] + 1) for j in range(len(si)) if j != yi))
    return np.array(out)


def test_multiclass_hinge_matches_lecture_example():
    # CS231n lecture 3, in the course notes: scores of 3 examples, 3 classes
    # (cat, car, frog)
    scores = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    y = _onehot([0, 1, 2], 3)
    loss = losses.get("hinge").specialize("multiclass")
    np.testing.assert_allclose(loss.per_sample(y, scores, scores), [2.9, 0.0, 12.9])
    assert loss.value(y, scores, scores) == pytest.approx(5.27, abs=1e-2)


def test_multiclass_hinge_against_loop_oracle():
    y = _onehot(RNG.integers(0, 4, 50), 4)
    s = RNG.normal(size=(50, 4)) * 2
    loss = losses.get("hinge").specialize("multiclass")
    np.testing.assert_allclose(loss.per_sample(y, s, s), _multiclass_hinge_oracle(y, s))


def test_binary_hinge_values():
    y = np.array([[1.0], [0.0], [1.0], [0.0]])
    s = np.array([[2.0], [0.5], [-1.0], [-3.0]])
    loss = losses.get("hinge").specialize("binary")
    np.testing.assert_allclose(loss.per_sample(y, s, s), [0.0, 1.5, 2.0, 0.0])
    g = np.empty_like(s)
    loss.gradient(y, s, s, g)
    np.testing.assert_allclose(g.ravel(), [0.0, 1.0, -1.0, 0.0])
    assert loss.threshold == 0.0
    assert not loss.probabilistic


@pytest.mark.parametrize(
    ("name", "y_type"),
    [
        ("log_loss", "multiclass"),
        ("log_loss", "binary"),
        ("hinge", "multiclass"),
        ("hinge", "binary"),
        ("hinge", "multilabel-indicator"),
        ("squared_error", "continuous"),
        ("poisson", "continuous"),
        ("absolute_error", "continuous"),
        ("huber", "continuous"),
    ],
)
def test_gradient_matches_central_differences_of_value(name, y_type):
    n, k = 40, 3
    loss = losses.get(name).specialize(y_type)
    raw = RNG.normal(size=(n, k)) * 2
    if y_type == "multiclass":
        y = _onehot(RNG.integers(0, k, n), k)
    elif y_type == "continuous":
        y = (
            RNG.exponential(size=(n, k))
            if name == "poisson"
            else RNG.normal(size=(n, k))
        )
    else:
        y = (RNG.random((n, k)) < 0.5) * 1.0
    out = loss.out_activation(raw)
    grad = np.empty_like(raw)
    loss.gradient(y, raw, out, grad)
    h = 1e-6
    fd = np.empty_like(raw)
    for idx in np.ndindex(*raw.shape):
        rp, rm = raw.copy(), raw.copy()
        rp[idx] += h
        rm[idx] -= h
        i = idx[0]
        lp = loss.per_sample(y, rp, loss.out_activation(rp))[i]
        lm = loss.per_sample(y, rm, loss.out_activation(rm))[i]
        fd[idx] = (lp - lm) / (2 * h)
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-6)


def test_regression_losses_values():
    y = np.array([[0.0], [0.0], [0.0]])
    out = np.array([[0.5], [-2.0], [3.0]])
    ae = losses.get("absolute_error")
    np.testing.assert_allclose(ae.per_sample(y, out, out), [0.5, 2.0, 3.0])
    hub = losses.get("huber")
    np.testing.assert_allclose(hub.per_sample(y, out, out), [0.125, 1.5, 2.5])
    hub2 = losses.Huber(delta=2.0)
    np.testing.assert_allclose(hub2.per_sample(y, out, out), [0.125, 2.0, 4.0])
    g = np.empty_like(out)
    hub2.gradient(y, out, out, g)
    np.testing.assert_allclose(g.ravel(), [0.5, -2.0, 2.0])
    ae.gradient(y, out, out, g)
    np.testing.assert_allclose(g.ravel(), [1.0, -1.0, 1.0])


@pytest.mark.parametrize("name", losses.available())
def test_value_is_weighted_mean(name):
    loss = losses.get(name)
    y = _onehot(RNG.integers(0, 3, 10), 3)
    raw = RNG.normal(size=(10, 3))
    out = loss.out_activation(raw)
    w = RNG.random(10)
    per = loss.per_sample(y, raw, out)
    assert loss.value(y, raw, out, w) == pytest.approx(np.dot(per, w) / w.sum())
    assert loss.value(y, raw, out) == pytest.approx(per.mean())


@pytest.mark.parametrize(
    ("name", "y_type"),
    [
        ("log_loss", "multiclass"),  # the fused softmax + log-sum-exp override
        ("log_loss", "binary"),
        ("hinge", "multiclass"),
        ("poisson", "continuous"),
        ("squared_error", "continuous"),
    ],
)
@pytest.mark.parametrize("weighted", [False, True])
def test_output_value_is_activation_then_value(name, y_type, weighted):
    loss = losses.get(name).specialize(y_type)
    k = 1 if y_type == "binary" else 4
    raw = RNG.normal(size=(30, k)) * 3
    y = _onehot(RNG.integers(0, k, 30), k) if k > 1 else (raw > 0) * 1.0
    w = RNG.random(30) if weighted else None
    out = np.full_like(raw, np.nan)
    got = loss.output_value(y, raw, out, w)
    expected_out = loss.out_activation(raw)
    np.testing.assert_allclose(out, expected_out, rtol=1e-12)
    assert got == pytest.approx(loss.value(y, raw, expected_out, w), rel=1e-12)


@pytest.mark.parametrize("name", losses.available())
def test_losses_pickle_and_clone(name):
    loss = losses.get(name)
    back = pickle.loads(pickle.dumps(loss))
    assert type(back) is type(loss)
    assert back.get_params() == loss.get_params()
    hub = pickle.loads(pickle.dumps(losses.Huber(delta=3.0)))
    assert hub.delta == 3.0


def _fit(est, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kw)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_hinge_classifier_scores_and_no_proba(n_classes):
    X, y = make_classification(
        200, n_features=8, n_informative=5, n_classes=n_classes, random_state=0
    )
    clf = _fit(MLPClassifier((16,), loss="hinge", max_iter=200, random_state=0), X, y)
    assert clf.out_activation_ == "identity"
    scores = clf.decision_function(X)
    if n_classes == 2:
        assert scores.shape == (200,)
        expected = clf.classes_[(scores > 0).astype(int)]
    else:
        assert scores.shape == (200, n_classes)
        expected = clf.classes_[scores.argmax(1)]
    np.testing.assert_array_equal(clf.predict(X), expected)
    ref = _fit(MLPClassifier((16,), max_iter=200, random_state=0), X, y)
    assert clf.score(X, y) > ref.score(X, y) - 0.05
    for method in ("predict_proba", "predict_log_proba"):
        assert not hasattr(clf, method)
        with pytest.raises(AttributeError, match=method) as info:
            getattr(clf, method)
        assert "hinge" in str(info.value.__cause__)
    assert not hasattr(MLPClassifier(), "decision_function")
    assert hasattr(MLPClassifier(), "predict_proba")


def test_hinge_binary_threshold_is_zero():
    # Scores in (0, 0.5) must mean the positive class (a 0.5 cut would not).
    X, y = make_classification(100, n_features=4, random_state=0)
    clf = _fit(MLPClassifier((4,), loss="hinge", max_iter=20, random_state=0), X, y)
    clf.coefs_ = [np.zeros_like(c) for c in clf.coefs_]
    clf.intercepts_ = [np.zeros(4), np.array([0.25])]
    np.testing.assert_allclose(clf.decision_function(X), 0.25)
    assert (clf.predict(X) == clf.classes_[1]).all()


def test_hinge_multilabel():
    X, Y = make_multilabel_classification(
        200, n_features=10, n_classes=3, random_state=0
    )
    clf = _fit(MLPClassifier((20,), loss="hinge", max_iter=300, random_state=0), X, Y)
    scores = clf.decision_function(X)
    assert scores.shape == (200, 3)
    np.testing.assert_array_equal(clf.predict(X), (scores > 0).astype(int))
    assert clf.score(X, Y) > 0.5


def test_hinge_sample_weight_zero_equals_dropping():
    X, y = make_classification(80, n_features=5, random_state=1)
    w = np.ones(80)
    w[:20] = 0
    est = MLPClassifier((5,), loss="hinge", solver="lbfgs", max_iter=50, random_state=0)
    a = _fit(clone(est), X, y, sample_weight=w)
    b = _fit(clone(est), X[20:], y[20:])
    np.testing.assert_allclose(a.decision_function(X), b.decision_function(X))


@pytest.mark.parametrize("loss", ["absolute_error", "huber", losses.Huber(delta=0.5)])
def test_robust_regression_losses_fit(loss):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = X @ [1.0, -2.0, 0.5] + 0.1 * rng.normal(size=200)
    y[:10] += 50  # outliers
    reg = _fit(
        MLPRegressor(
            loss=loss,
            hidden_layer_sizes=(8,),
            solver="lbfgs",
            max_iter=300,
            random_state=0,
        ),
        X,
        y,
    )
    clean = X @ [1.0, -2.0, 0.5]
    assert np.median(np.abs(reg.predict(X[10:]) - clean[10:])) < 0.5
    assert reg.out_activation_ == "identity"


def test_huber_delta_is_tunable():
    X = RNG.normal(size=(60, 2))
    y = X.sum(1)
    search = GridSearchCV(
        MLPRegressor(
            loss=losses.Huber(),
            hidden_layer_sizes=(4,),
            solver="lbfgs",
            max_iter=30,
            random_state=0,
        ),
        {"loss__delta": [0.5, 2.0]},
        cv=2,
    )
    _fit(search, X, y)
    assert search.best_params_["loss__delta"] in (0.5, 2.0)
    assert search.best_estimator_.loss.delta == search.best_params_["loss__delta"]


def test_classification_loss_rejected_by_regressor_and_vice_versa():
    X = RNG.normal(size=(20, 2))
    with pytest.raises(ValueError, match="classification loss"):
        MLPRegressor(loss="hinge", max_iter=2).fit(X, X[:, 0])
    with pytest.raises(ValueError, match="regression loss"):
        MLPClassifier(loss="huber", max_iter=2).fit(X, X[:, 0] > 0)


@pytest.mark.parametrize(
    "est",
    [
        MLPClassifier((5,), activation="silu", loss="hinge", max_iter=5),
        MLPRegressor(loss="absolute_error", activation="gelu", max_iter=5),
        MLPRegressor(loss="huber", activation="elu", max_iter=5),
    ],
)
def test_float32_end_to_end(est):
    X, y = make_classification(60, n_features=5, random_state=0)
    X = X.astype(np.float32)
    _fit(est.set_params(random_state=0), X, y)
    assert est._flat.dtype == np.float32
    out = est.decision_function(X) if hasattr(est, "decision_function") else None
    pred = est.predict(X)
    if out is not None:
        assert out.dtype == np.float32
    else:
        assert pred.dtype == np.float32


def test_hinge_with_early_stopping_scores_with_zero_threshold():
    X, y = make_classification(200, n_features=6, random_state=0)
    clf = MLPClassifier(
        (10,),
        loss="hinge",
        early_stopping=True,
        learning_rate_init=0.01,
        max_iter=100,
        random_state=0,
    )
    _fit(clf, X, y)
    assert clf.best_validation_score_ >= 0.75  # log_loss: 0.8; a 0.5 cut: lower
    assert clf.score(X, y) >= 0.75
