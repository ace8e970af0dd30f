"""Fitted configurations and checks shared by the ONNX export tests."""

import warnings

import numpy as np
from sklearn.datasets import (
    make_classification,
    make_multilabel_classification,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning

from sklearn_adamlp import MLPClassifier, MLPRegressor
from sklearn_adamlp.export import to_onnx

TOL = {np.float32: 1e-5, np.float64: 1e-10}
N_TRAIN = 160


def _run(onx, X):
    import onnxruntime as ort

    sess = ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return sess.run(None, {sess.get_inputs()[0].name: X})


def _classification(target, dtype, rng=0):
    if target == "multilabel":
        X, y = make_multilabel_classification(
            n_samples=260, n_features=6, n_classes=3, random_state=rng
        )
        X = X / 4
    else:
        n_classes = 2 if target.startswith("binary") else 3
        X, y = make_classification(
            n_samples=260, n_features=6, n_informative=4, n_classes=n_classes,
            random_state=rng,
        )  # fmt: skip
        if target.endswith("str"):
            y = np.array(["cat", "dog", "emu"])[y]
        elif target.endswith("int"):
            y = np.array([-3, 7, 40])[y]
    return X.astype(dtype), y


def _regression(target, dtype, rng=0):
    n_targets = 2 if target == "multioutput" else 1
    X, y = make_regression(
        n_samples=260, n_features=6, n_targets=n_targets, noise=0.1, random_state=rng
    )
    X /= X.std()
    if target == "poisson":
        y = np.random.default_rng(rng).poisson(np.exp(0.3 * X[:, 0] - 0.2 * X[:, 1]))
    else:
        y = y / y.std()
    return X.astype(dtype), y.astype(dtype)


# (estimator, target, loss, activation, batch_norm, dropout, snapshots, dtype)
HIDDEN = ["identity", "logistic", "tanh", "relu", "leaky_relu", "elu", "gelu",
          "silu", "softplus"]  # fmt: skip
CLASSIFIER_TARGETS = [
    ("multiclass", "log_loss"),
    ("binary", "log_loss"),
    ("multilabel", "log_loss"),
    ("multiclass_str", "log_loss"),
    ("binary_str", "log_loss"),
    ("multiclass_int", "hinge"),
    ("binary", "hinge"),
    ("multilabel", "hinge"),
]
REGRESSOR_TARGETS = [
    ("single", "squared_error"),
    ("multioutput", "squared_error"),
    ("poisson", "poisson"),
]


def _configs():
    out = []
    i = 0
    for dtype in (np.float32, np.float64):
        for target, loss in CLASSIFIER_TARGETS:
            act = HIDDEN[i % len(HIDDEN)]
            out.append(("clf", target, loss, act, i % 2 == 0, (0.2 if i % 3 else 0.0),
                        i % 4 == 1, dtype))  # fmt: skip
            i += 1
        for target, loss in REGRESSOR_TARGETS:
            act = HIDDEN[i % len(HIDDEN)]
            drop = 0.1 if i % 3 == 0 else 0.0
            out.append(("reg", target, loss, act, i % 2 == 1, drop, i % 3 == 2, dtype))
            i += 1
    # every activation, in both dtypes, in a two-hidden-layer network
    for dtype in (np.float32, np.float64):
        for act in HIDDEN:
            out.append(("reg", "single", "squared_error", [act, "tanh"], True, 0.0,
                        False, dtype))  # fmt: skip
    return out


CONFIGS = _configs()


def _id(c):
    kind, target, loss, act, bn, drop, snap, dtype = c
    act = "+".join(act) if isinstance(act, list) else act
    return (
        f"{kind}-{target}-{loss}-{act}{'-bn' if bn else ''}"
        f"{'-drop' if drop else ''}{'-snap' if snap else ''}-{dtype.__name__}"
    )


def _fit(kind, target, loss, act, bn, drop, snap, dtype, **overrides):
    X, y = (_classification if kind == "clf" else _regression)(target, dtype)
    hidden = (8, 6) if isinstance(act, list) else (8,)
    params = dict(
        hidden_layer_sizes=hidden, activation=act, loss=loss, batch_norm=bn,
        dropout=drop, max_iter=20, random_state=0, learning_rate_init=0.01,
        batch_size=32,
    )  # fmt: skip
    if snap:
        params.update(snapshot_ensemble=True, learning_rate="cosine_restarts")
    params.update(overrides)
    est = (MLPClassifier if kind == "clf" else MLPRegressor)(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X[:N_TRAIN], y[:N_TRAIN])
    return est, X[N_TRAIN:]


def _check(est, X, config):
    _check_outputs(est, X, config, _run(to_onnx(est), X))


def _check_outputs(est, X, config, outputs):
    kind, _, loss, *_, dtype = config
    tol = TOL[dtype]
    if kind == "reg":
        (pred,) = outputs
        assert pred.dtype == dtype
        expected = est.predict(X).reshape(len(X), -1)
        np.testing.assert_allclose(pred, expected, rtol=tol, atol=tol)
        return
    label, second = outputs
    np.testing.assert_array_equal(label, est.predict(X))
    assert second.dtype == dtype
    if loss == "hinge":
        np.testing.assert_allclose(second, est.decision_function(X), rtol=tol, atol=tol)
    else:
        np.testing.assert_allclose(second, est.predict_proba(X), rtol=tol, atol=tol)
