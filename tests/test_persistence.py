"""Saving and loading fitted estimators: pickle, joblib, skops, versions."""

import pickle
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.exceptions import InconsistentVersionWarning as SklearnVersionWarning

import sklearn_adamlp
from sklearn_adamlp import MLPClassifier, MLPRegressor, optimizers
from sklearn_adamlp._estimators import _build
from sklearn_adamlp.exceptions import InconsistentVersionWarning
from sklearn_adamlp.initializers import HeNormal
from sklearn_adamlp.optimizers import Adam
from sklearn_adamlp.schedules import CosineRestarts

sio = pytest.importorskip("skops.io")

DATA = Path(__file__).parent / "data"
FAST = {"hidden_layer_sizes": (10,), "max_iter": 8, "random_state": 0}

#: fitted configurations whose whole state must survive a save
CONFIGS = {
    "default": {},
    "early_stopping": {"early_stopping": True, "n_iter_no_change": 50},
    "dropout_batch_norm": {"dropout": 0.2, "batch_norm": True},
    "adaptive": {"solver": "sgd", "learning_rate": "adaptive"},
    "plateau": {"learning_rate": "plateau"},
    "snapshots": {
        "learning_rate": "cosine_restarts",
        "snapshot_ensemble": True,
        "max_iter": 9,
    },
    "float32": {"dtype32": True},
}


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _fit(Est, config, X, y, **extra):
    params = {**FAST, **config, **extra}
    if params.pop("dtype32", False):
        X = X.astype(np.float32)
    return Est(**params).fit(X, y), X


def _target(Est, X, y):
    return y if Est is MLPClassifier else X[:, 0] - X[:, 1] ** 2


def _copies(est):
    """Return the estimator loaded back from pickle and from skops."""
    data = sio.dumps(est)
    return {
        "pickle": pickle.loads(pickle.dumps(est)),
        "skops": sio.loads(data, trusted=[type(est)]),
    }


def _assert_same_weights(a, b):
    assert len(a.coefs_) == len(b.coefs_)
    for x, z in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        np.testing.assert_array_equal(x, z)


@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
def test_skops_trusts_only_the_estimator_class(small_clf_data, Est):
    X, y = small_clf_data
    est = Est(**FAST).fit(X, _target(Est, X, y))
    untrusted = sio.get_untrusted_types(data=sio.dumps(est))
    assert untrusted == [f"{Est.__module__}.{Est.__name__}"]
    loaded = sio.loads(sio.dumps(est), trusted=untrusted)
    method = "predict_proba" if Est is MLPClassifier else "predict"
    np.testing.assert_array_equal(getattr(loaded, method)(X), getattr(est, method)(X))


@pytest.mark.parametrize("config", list(CONFIGS))
@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
def test_loaded_copy_continues_exactly(small_clf_data, Est, config):
    """partial_fit and a warm-started fit after loading (pickle and skops) give
    the weights the original gets from the same calls: optimizer moments, step
    counts, stopping and plateau state, random streams all survive."""
    X, y = small_clf_data
    y = _target(Est, X, y)
    est, X = _fit(Est, CONFIGS[config], X, y)
    untrusted = sio.get_untrusted_types(data=sio.dumps(est))
    assert untrusted == [f"{Est.__module__}.{Est.__name__}"]
    copies = _copies(est)
    for copy in copies.values():
        _assert_same_weights(copy, est)
        assert all(np.shares_memory(c, copy._flat) for c in copy.coefs_)
        assert copy.loss_curve_ == est.loss_curve_
        assert copy.n_iter_ == est.n_iter_
        assert copy.t_ == est.t_
        np.testing.assert_array_equal(copy.predict(X), est.predict(X))
    reference = pickle.loads(pickle.dumps(est))  # a third copy as the original
    if config != "snapshots":  # partial_fit takes no cycles of a schedule
        est.partial_fit(X[:50], y[:50])
        for copy in copies.values():
            copy.partial_fit(X[:50], y[:50])
            _assert_same_weights(copy, est)
    copies = [reference, *_copies(reference).values()]
    for copy in copies:
        copy.set_params(warm_start=True, max_iter=3).fit(X, y)
    columns = ["epoch", "loss", "val_loss", "val_score", "learning_rate"]
    for copy in copies[1:]:
        _assert_same_weights(copy, reference)
        assert copy._flat.dtype == reference._flat.dtype
        pd.testing.assert_frame_equal(
            copy.history_[columns], reference.history_[columns]
        )


def test_every_stepping_optimizer_state_survives_skops(small_clf_data):
    X, y = small_clf_data
    for name in optimizers.available():
        builtin = optimizers.get(name).__module__.startswith("sklearn_adamlp.")
        if _build.is_minimizer(name) or not builtin:  # other tests register some
            continue
        est = MLPClassifier(solver=name, **FAST).fit(X, y)
        untrusted = sio.get_untrusted_types(data=sio.dumps(est))
        assert untrusted == ["sklearn_adamlp._estimators._classifier.MLPClassifier"]
        loaded = _copies(est)["skops"]
        est.partial_fit(X, y)
        loaded.partial_fit(X, y)
        _assert_same_weights(loaded, est)


def test_minimizer_round_trips(small_clf_data):
    X, y = small_clf_data
    est = MLPClassifier(solver="lbfgs", **FAST).fit(X, y)
    for copy in _copies(est).values():
        np.testing.assert_array_equal(copy.predict_proba(X), est.predict_proba(X))


def test_user_objects_are_the_only_other_trusted_types(small_clf_data):
    X, y = small_clf_data
    est = MLPClassifier(
        solver=Adam(beta_1=0.8),
        learning_rate=CosineRestarts(T_0=3),
        init=HeNormal(),
        **FAST,
    ).fit(X, y)
    data = sio.dumps(est)
    untrusted = set(sio.get_untrusted_types(data=data))
    assert untrusted == {
        "sklearn_adamlp._estimators._classifier.MLPClassifier",
        f"{Adam.__module__}.Adam",
        f"{CosineRestarts.__module__}.CosineRestarts",
        f"{HeNormal.__module__}.HeNormal",
    }
    loaded = sio.loads(data, trusted=sorted(untrusted))
    est.partial_fit(X, y)
    loaded.partial_fit(X, y)
    _assert_same_weights(loaded, est)


def test_warm_start_continues_the_random_stream(small_clf_data):
    """Two warm-started fits of 4 and 5 epochs are the 9-epoch fit: the second
    continues the shuffling order and the dropout generator (scikit-learn
    restarts the generator from random_state, repeating the first shuffles)."""
    X, y = small_clf_data
    params = {**FAST, "dropout": 0.3, "batch_size": 16}
    whole = MLPClassifier(**{**params, "max_iter": 9}).fit(X, y)
    split = MLPClassifier(**{**params, "max_iter": 4}).fit(X, y)
    split.set_params(warm_start=True, max_iter=5).fit(X, y)
    _assert_same_weights(split, whole)
    np.testing.assert_array_equal(split.loss_curve_, whole.loss_curve_)


def test_warm_start_keeps_the_early_stopping_split(small_clf_data):
    """A warm-started fit holds out the rows the first fit held out."""
    from sklearn_adamlp._estimators import _persist

    X, y = small_clf_data
    est = MLPClassifier(**FAST, early_stopping=True).fit(X, y)
    seen = []
    real = _persist.PersistMixin._split_rng

    def spy(self, rng):
        out = real(self, rng)
        seen.append(out.get_state(legacy=False)["state"]["key"].copy())
        return out

    _persist.PersistMixin._split_rng = spy
    try:
        est.set_params(warm_start=True).fit(X, y)
        pickle.loads(pickle.dumps(est)).fit(X, y)
    finally:
        _persist.PersistMixin._split_rng = real
    np.testing.assert_array_equal(seen[0], est._progress.split_state["state"]["key"])
    np.testing.assert_array_equal(seen[1], seen[0])


# --- versions ----------------------------------------------------------------------


def test_state_records_the_version(small_clf_data):
    X, y = small_clf_data
    est = MLPClassifier(**FAST).fit(X, y)
    assert est.__getstate__()["_sklearn_adamlp_version"] == sklearn_adamlp.__version__
    with warnings.catch_warnings():
        warnings.simplefilter("error", SklearnVersionWarning)
        pickle.loads(pickle.dumps(est))  # same version: no warning


def test_loading_another_version_warns_naming_both(small_clf_data):
    X, y = small_clf_data
    est = MLPClassifier(**FAST).fit(X, y)
    state = est.__getstate__()
    state["_sklearn_adamlp_version"] = "0.0.1"
    copy = MLPClassifier.__new__(MLPClassifier)
    with pytest.warns(InconsistentVersionWarning) as record:
        copy.__setstate__(state)
    message = str(record[0].message)
    assert "0.0.1" in message
    assert sklearn_adamlp.__version__ in message
    assert "MLPClassifier" in message
    # scikit-learn's filters catch it too
    assert issubclass(InconsistentVersionWarning, SklearnVersionWarning)
    np.testing.assert_array_equal(copy.predict_proba(X), est.predict_proba(X))


def test_loading_under_a_newer_version_warns(small_clf_data, monkeypatch):
    from sklearn_adamlp import _version

    X, _ = small_clf_data
    data = pickle.dumps(MLPRegressor(**FAST).fit(X, X[:, 0]))
    monkeypatch.setattr(_version, "__version__", "99.0")
    with pytest.warns(InconsistentVersionWarning, match=r"99\.0"):
        pickle.loads(data)


def test_missing_constructor_parameter_gets_its_default(small_clf_data):
    """A model saved before a parameter existed loads with its default."""
    X, y = small_clf_data
    est = MLPClassifier(**FAST).fit(X, y)
    state = est.__getstate__()
    del state["curriculum_epochs"], state["batch_norm"]
    copy = MLPClassifier.__new__(MLPClassifier)
    copy.__setstate__(state)
    default = MLPClassifier()
    assert copy.curriculum_epochs == default.curriculum_epochs
    assert copy.batch_norm is default.batch_norm
    copy.partial_fit(X, y)


def test_a_state_listing_the_history_lists_loads(small_clf_data):
    """States that saved ``loss_curve_`` as its own list still load.

    ``loss_curve_`` and ``validation_scores_`` are read from the history now;
    a state that names them under ``history_lists`` (as saved before they
    were) gets them from its history, the same values.
    """
    X, y = small_clf_data
    est = MLPClassifier(**FAST, early_stopping=True).fit(X, y)
    state = est.__getstate__()
    state["_fitted_plain"]["history_lists"] = ["loss_curve_", "validation_scores_"]
    copy = MLPClassifier.__new__(MLPClassifier)
    copy.__setstate__(state)
    assert copy.loss_curve_ == est.loss_curve_
    assert len(copy.loss_curve_) == est.n_iter_
    assert copy.validation_scores_ == est.validation_scores_
    assert len(copy.validation_scores_) == est.n_iter_


@pytest.mark.parametrize("path", sorted(DATA.glob("mlp_*.pkl")), ids=lambda p: p.stem)
def test_pickles_of_earlier_releases_load(path):
    """Fixtures written by tests/data/make_fixtures.py under each release."""
    expected = np.load(str(path).replace(".pkl", "_outputs.npz"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InconsistentVersionWarning)
        models = pickle.loads(path.read_bytes())
    X = expected["X"]
    clf, reg = models["classifier"], models["regressor"]
    np.testing.assert_array_equal(clf.predict_proba(X), expected["predict_proba"])
    np.testing.assert_array_equal(clf.predict(X), expected["predict_class"])
    np.testing.assert_array_equal(reg.predict(X), expected["predict"])
    # and they keep training, saving and loading
    clf.partial_fit(X, expected["predict_class"])
    again = sio.loads(sio.dumps(clf), trusted=[type(clf)])
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


def test_the_release_fixture_exists():
    assert list(DATA.glob("mlp_*.pkl")), "run tests/data/make_fixtures.py"


# --- registries ---------------------------------------------------------------------


def _registry_snapshot():
    return {
        param: dict(registry._entries)
        for param, registry in _build.PARAM_REGISTRIES.items()
    }


def test_loading_leaves_the_registries_alone(small_clf_data):
    X, y = small_clf_data
    est = MLPClassifier(**FAST, activation="tanh", solver="nadam").fit(X, y)
    data, blob = pickle.dumps(est), sio.dumps(est)
    before = _registry_snapshot()
    pickle.loads(data)
    sio.loads(blob, trusted=[MLPClassifier])
    assert _registry_snapshot() == before


def test_loading_never_replaces_a_registered_name(small_clf_data):
    """A user name already registered to another entry stays as it is."""
    import _user_entries

    X, y = small_clf_data
    optimizers.register("user_clash")(_user_entries.SignSGD)
    try:
        est = MLPClassifier(solver="user_clash", **FAST).fit(X, y)
        data = pickle.dumps(est)
        optimizers.OPTIMIZERS.unregister("user_clash")
        optimizers.register("user_clash")(optimizers.get("sgd"))
        with pytest.warns(UserWarning, match="user_clash"):
            loaded = pickle.loads(data)
        assert optimizers.get("user_clash") is optimizers.get("sgd")
        # the fitted optimizer is the one the model was trained with
        assert type(loaded.optimizer_) is _user_entries.SignSGD
    finally:
        optimizers.OPTIMIZERS.unregister("user_clash")


def test_a_newer_state_format_is_refused(small_clf_data):
    X, y = small_clf_data
    state = MLPClassifier(**FAST).fit(X, y).__getstate__()
    state["_fitted_plain"]["format"] += 1
    copy = MLPClassifier.__new__(MLPClassifier)
    with pytest.raises(ValueError, match="newer sklearn-adamlp"):
        copy.__setstate__(state)
