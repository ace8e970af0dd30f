"""Random inputs and parameters: the only errors are clear ValueError/TypeError."""

import warnings

import numpy as np
import scipy.sparse as sp
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sklearn_adamlp import MLPClassifier, MLPRegressor
from sklearn_adamlp.parallel import EASGD, Downpour, Hogwild

DTYPES = [np.float64, np.float32, np.int64, np.float16, object]
LABELS = [
    lambda y: y,
    lambda y: y.astype(str),
    lambda y: y.astype(float),
    lambda y: y > 0,
    lambda y: np.stack([y > 0, y > 1], axis=1).astype(int),
    lambda y: y.astype(float) + 0.5,
]
PARAMS = st.fixed_dictionaries(
    {},
    optional={
        "hidden_layer_sizes": st.sampled_from([(3,), (2, 2), 4, (), (0,), "x"]),
        "activation": st.sampled_from(["relu", "tanh", "silu", ["tanh"], "nope"]),
        "solver": st.sampled_from(["adam", "sgd", "lbfgs", "rprop", "nope", 3]),
        "alpha": st.sampled_from([0.0, 1e-3, 10.0, -1.0, np.nan]),
        "batch_size": st.sampled_from(["auto", 1, 7, 0, "full?"]),
        "learning_rate": st.sampled_from(["constant", "invscaling", "adaptive", "x"]),
        "learning_rate_init": st.sampled_from([1e-3, 1.0, 1e3, 0.0, -1.0]),
        "early_stopping": st.booleans(),
        "validation_fraction": st.sampled_from([0.1, 0.5, 0.0, 1.5]),
        "shuffle": st.booleans(),
        "warm_start": st.booleans(),
        "momentum": st.sampled_from([0.0, 0.9, 2.0]),
        "n_iter_no_change": st.sampled_from([1, 5, 0]),
        # workers in turns in this process: fast and deterministic
        "parallel": st.sampled_from(
            [
                None,
                Hogwild(n_workers=2, backend="sequential"),
                Downpour(n_workers=3, n_push=2, backend="sequential"),
                EASGD(n_workers=2, tau=1, backend="sequential"),
                EASGD(n_workers=0),
                "nope",
            ]
        ),
    },
)


def _make_X(rng, n, d, dtype, pattern, sparse):
    X = rng.normal(size=(n, d)) * rng.choice([1e-3, 1.0, 1e4])
    if pattern == "nan" and X.size:
        X.flat[rng.randint(X.size)] = np.nan
    if pattern == "inf" and X.size:
        X.flat[rng.randint(X.size)] = np.inf
    with np.errstate(invalid="ignore", over="ignore"):
        X = X.astype(dtype) if dtype is not object else X.astype(object)
    if sparse and dtype in (np.float64, np.float32):
        X = sp.csr_matrix(X)
    return X


def _call(est, X, y, method):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if method == "partial_fit" and hasattr(est, "partial_fit"):
                kw = {"classes": np.unique(y)} if isinstance(est, MLPClassifier) else {}
                if isinstance(est, MLPClassifier) and np.ndim(y) == 2:
                    kw = {"classes": None}
                est.partial_fit(X, y, **kw)
            else:
                est.fit(X, y)
            out = est.predict(X)
        except (ValueError, TypeError) as exc:
            message = str(exc)
            event(f"rejected: {type(exc).__name__}")
            if not message:
                raise AssertionError("errors must say what is wrong") from exc
            return
    event("fitted and predicted")
    if np.asarray(out).dtype.kind == "f":
        assert np.isfinite(out).all(), "predictions must never be NaN"


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 2**16),
    n=st.sampled_from([0, 1, 2, 5, 23]),
    d=st.sampled_from([0, 1, 3]),
    dtype=st.sampled_from(DTYPES),
    pattern=st.sampled_from(["clean", "clean", "nan", "inf"]),
    sparse=st.booleans(),
    label=st.sampled_from(range(len(LABELS))),
    regressor=st.booleans(),
    method=st.sampled_from(["fit", "partial_fit"]),
    params=PARAMS,
)
def test_only_clear_errors(
    seed, n, d, dtype, pattern, sparse, label, regressor, method, params
):
    rng = np.random.RandomState(seed)
    X = _make_X(rng, n, d, dtype, pattern, sparse)
    y = LABELS[label](rng.randint(0, 3, n))
    Est = MLPRegressor if regressor else MLPClassifier
    est = Est(max_iter=3, random_state=0, **params)
    _call(est, X, y, method)


VALID_PARAMS = st.fixed_dictionaries(
    {},
    optional={
        "hidden_layer_sizes": st.sampled_from([(3,), (2, 2), 4]),
        "activation": st.sampled_from(["relu", "tanh", "logistic", "identity"]),
        "solver": st.sampled_from(["adam", "sgd", "lbfgs", "rmsprop", "nadam"]),
        "alpha": st.sampled_from([0.0, 1e-3, 10.0]),
        "batch_size": st.sampled_from(["auto", 1, 7]),
        "learning_rate": st.sampled_from(["constant", "invscaling", "adaptive"]),
        "learning_rate_init": st.sampled_from([1e-3, 1.0, 1e3]),
        "early_stopping": st.booleans(),
        "shuffle": st.booleans(),
        "momentum": st.sampled_from([0.0, 0.9]),
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**16),
    n=st.sampled_from([2, 5, 23, 40]),
    d=st.sampled_from([1, 3]),
    dtype=st.sampled_from([np.float64, np.float32, np.int64]),
    sparse=st.booleans(),
    label=st.sampled_from(range(len(LABELS))),
    regressor=st.booleans(),
    method=st.sampled_from(["fit", "partial_fit"]),
    params=VALID_PARAMS,
)
def test_valid_random_configurations(
    seed, n, d, dtype, sparse, label, regressor, method, params
):
    """Extreme scales and learning rates: fitted or a clear error, never NaN."""
    rng = np.random.RandomState(seed)
    X = _make_X(rng, n, d, dtype, "clean", sparse)
    y = LABELS[label](rng.randint(0, 3, n))
    Est = MLPRegressor if regressor else MLPClassifier
    _call(Est(max_iter=5, random_state=0, **params), X, y, method)
