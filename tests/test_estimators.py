"""Behaviour of MLPClassifier / MLPRegressor beyond sklearn's common checks."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning

from sklearn_adamlp import MLPClassifier, MLPRegressor

FAST = {"hidden_layer_sizes": (10,), "max_iter": 30, "random_state": 0}
SOLVERS = ["adam", "sgd", "lbfgs"]


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def test_same_constructor_params_and_defaults_as_sklearn():
    from sklearn.neural_network import MLPClassifier as SkC
    from sklearn.neural_network import MLPRegressor as SkR

    for ours, theirs in [(MLPClassifier(), SkC()), (MLPRegressor(), SkR())]:
        mine = ours.get_params()
        for name, value in theirs.get_params().items():
            assert name in mine, name
            assert mine[name] == value, name


@pytest.mark.parametrize("solver", SOLVERS)
def test_fitted_attributes_like_sklearn(small_clf_data, solver):
    from sklearn.neural_network import MLPClassifier as SkC

    X, y = small_clf_data
    ours = MLPClassifier(solver=solver, **FAST).fit(X, y)
    theirs = SkC(solver=solver, **FAST).fit(X, y)
    for name in vars(theirs):
        if name.endswith("_") and not name.startswith("_"):
            assert hasattr(ours, name), name
    assert ours.n_layers_ == theirs.n_layers_ == 3
    assert ours.out_activation_ == theirs.out_activation_ == "softmax"
    assert ours.n_iter_ == len(ours.history_) == len(ours.loss_curve_)


def test_history_records_every_epoch(small_clf_data):
    X, y = small_clf_data
    clf = MLPClassifier(early_stopping=True, **FAST).fit(X, y)
    h = clf.history_
    assert list(h.columns) == [
        "epoch",
        "loss",
        "val_loss",
        "val_score",
        "learning_rate",
        "seconds",
    ]
    assert len(h) == clf.n_iter_
    assert h["epoch"].tolist() == list(range(1, clf.n_iter_ + 1))
    np.testing.assert_allclose(h["loss"], clf.loss_curve_)
    np.testing.assert_allclose(h["val_score"], clf.validation_scores_)
    assert (h["seconds"] > 0).all()
    assert (h["learning_rate"] == 0.001).all()
    assert h["val_loss"].notna().all()


def test_early_stopping_restores_the_best_weights(small_clf_data):
    X, y = small_clf_data
    seen = []

    class Snapshot:
        def on_fit_begin(self, ctx, **kw):
            pass

        def on_epoch_end(self, ctx, record, **kw):
            seen.append((record["val_score"], ctx.flat.copy()))

        def on_fit_end(self, ctx, **kw):
            pass

    clf = MLPClassifier(
        early_stopping=True,
        n_iter_no_change=3,
        max_iter=200,
        random_state=0,
        callbacks=[Snapshot()],
    ).fit(X, y)
    scores = [s for s, _ in seen]
    assert clf.validation_scores_ == scores
    assert clf.best_validation_score_ == max(scores)
    best = int(np.argmax(scores))
    np.testing.assert_array_equal(clf._flat, seen[best][1])
    assert clf.n_iter_ > best + 3
    assert clf.best_loss_ is None


def test_stops_on_training_loss_plateau():
    X = np.random.RandomState(0).normal(size=(50, 3))
    y = (X[:, 0] > 0).astype(int)
    clf = MLPClassifier(tol=1.0, n_iter_no_change=2, random_state=0).fit(X, y)
    # epoch 1 improves on +inf; epochs 2-4 never improve by tol=1.0, and the
    # rule stops when the count exceeds n_iter_no_change (sklearn's rule)
    assert clf.n_iter_ == 4
    assert clf.best_loss_ == min(clf.loss_curve_)


@pytest.mark.parametrize("early_stopping", [False, True])
def test_stopping_epoch_matches_sklearn(small_clf_data, early_stopping):
    """SGD with init='sklearn' follows sklearn's trajectory, so both stop together."""
    from sklearn.neural_network import MLPClassifier as SkC

    X, y = small_clf_data
    kw = {
        "solver": "sgd",
        "learning_rate_init": 0.05,
        "n_iter_no_change": 3,
        "tol": 1e-3,
        "max_iter": 300,
        "random_state": 0,
    }
    ours = MLPClassifier(**kw).fit(X, y)
    theirs = SkC(**kw).fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-10)
    if not early_stopping:
        np.testing.assert_allclose(ours.coefs_[0], theirs.coefs_[0], rtol=1e-10)


def test_convergence_warning_at_max_iter(small_clf_data):
    X, y = small_clf_data
    warnings.simplefilter("always", ConvergenceWarning)
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        MLPClassifier(max_iter=2, random_state=0).fit(X, y)


@pytest.mark.parametrize("solver", SOLVERS)
def test_random_state_makes_runs_bit_identical(small_clf_data, solver):
    X, y = small_clf_data
    a = MLPClassifier(solver=solver, **FAST).fit(X, y)
    b = MLPClassifier(solver=solver, **FAST).fit(X, y)
    np.testing.assert_array_equal(a._flat, b._flat)
    c = MLPClassifier(solver=solver, **{**FAST, "random_state": 1}).fit(X, y)
    assert not np.array_equal(a._flat, c._flat)


def test_targets_binary_multiclass_multilabel_and_strings(small_clf_data):
    X, y = small_clf_data
    binary = MLPClassifier(**FAST).fit(X, y > 0)
    assert binary.out_activation_ == "logistic"
    assert binary.n_outputs_ == 1
    assert binary.predict_proba(X).shape == (len(X), 2)
    assert set(binary.predict(X)) <= {False, True}

    labels = np.array(["cat", "dog", "eel"])[y]
    multi = MLPClassifier(solver="lbfgs", **FAST).fit(X, labels)
    proba = multi.predict_proba(X)
    np.testing.assert_allclose(proba.sum(1), 1.0)
    np.testing.assert_array_equal(multi.classes_, ["cat", "dog", "eel"])
    np.testing.assert_array_equal(multi.predict(X), multi.classes_[proba.argmax(1)])
    np.testing.assert_allclose(multi.predict_log_proba(X), np.log(proba))
    assert multi.score(X, labels) > 0.7

    Y = np.stack([y > 0, y > 1, X[:, 3] > 0], axis=1).astype(int)
    ml = MLPClassifier(**FAST).fit(X, Y)
    assert ml.out_activation_ == "logistic"
    assert ml.n_outputs_ == 3
    assert ml.predict(X).shape == Y.shape
    np.testing.assert_array_equal(ml.predict(X), ml.predict_proba(X) > 0.5)


def test_regressor_single_multi_output_and_poisson():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 4))
    y = X[:, 0] - 2 * X[:, 1]
    reg = MLPRegressor(solver="lbfgs", hidden_layer_sizes=(20,), random_state=0)
    assert reg.fit(X, y).score(X, y) > 0.95
    assert reg.predict(X).shape == (200,)
    Y = np.stack([y, X[:, 2] ** 2], axis=1)
    multi = MLPRegressor(solver="lbfgs", hidden_layer_sizes=(20,), random_state=0)
    assert multi.fit(X, Y).predict(X).shape == (200, 2)
    assert multi.score(X, Y) > 0.9
    counts = rng.poisson(np.exp(0.5 * X[:, 0]))
    pois = MLPRegressor(loss="poisson", solver="lbfgs", random_state=0).fit(X, counts)
    assert pois.out_activation_ == "exp"
    assert (pois.predict(X) > 0).all()


def test_sample_weight_zero_equals_dropping_the_rows(small_clf_data):
    X, y = small_clf_data
    sw = np.ones(len(y))
    sw[::3] = 0
    kw = {"solver": "lbfgs", "hidden_layer_sizes": (5,), "random_state": 0}
    a = MLPClassifier(**kw).fit(X, y, sample_weight=sw)
    b = MLPClassifier(**kw).fit(X[sw > 0], y[sw > 0])
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-6)


def test_pandas_input_sets_feature_names(small_clf_data):
    X, y = small_clf_data
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    clf = MLPClassifier(**FAST).fit(df, y)
    np.testing.assert_array_equal(clf.feature_names_in_, df.columns)
    assert clf.n_features_in_ == X.shape[1]
    with pytest.warns(UserWarning, match="feature names"):
        np.testing.assert_array_equal(clf.predict(df), clf.predict(X))


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("solver", SOLVERS)
def test_sparse_input_trains_like_dense(small_clf_data, fmt, solver):
    X, y = small_clf_data
    Xs = sp.csr_matrix(X * (np.abs(X) > 0.5)).asformat(fmt)
    dense = MLPClassifier(solver=solver, **FAST).fit(Xs.toarray(), y)
    sparse = MLPClassifier(solver=solver, **FAST).fit(Xs, y)
    np.testing.assert_allclose(sparse._flat, dense._flat, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(sparse.predict_proba(Xs), dense.predict_proba(Xs))


@pytest.mark.parametrize("solver", SOLVERS)
def test_float32_trains_in_float32(small_clf_data, solver):
    X, y = small_clf_data
    clf = MLPClassifier(solver=solver, **FAST).fit(X.astype(np.float32), y)
    assert clf._flat.dtype == np.float32
    assert all(c.dtype == np.float32 for c in clf.coefs_ + clf.intercepts_)
    assert clf.predict_proba(X.astype(np.float32)).dtype == np.float32
    for state in getattr(clf.optimizer_, "state_", [{}]):
        arrays = [a for a in state.values() if isinstance(a, np.ndarray)]
        assert all(a.dtype == np.float32 for a in arrays)
    reg = MLPRegressor(solver=solver, **FAST).fit(X.astype(np.float32), X[:, 0])
    assert reg.predict(X.astype(np.float32)).dtype == np.float32
    f64 = MLPClassifier(solver=solver, **FAST).fit(X, y)
    assert f64._flat.dtype == np.float64


def test_coefs_are_views_after_fit_partial_fit_and_pickle(small_clf_data):
    X, y = small_clf_data
    clf = MLPClassifier(**FAST).fit(X, y)

    def shared(est):
        return all(np.shares_memory(a, est._flat) for a in est.coefs_ + est.intercepts_)

    assert shared(clf)
    clf.partial_fit(X, y)
    assert shared(clf)
    assert not hasattr(clf, "_callback_data")  # no training data kept
    assert len(pickle.dumps(clf)) < clf._flat.nbytes + 50_000
    loaded = pickle.loads(pickle.dumps(clf))
    assert shared(loaded)
    loaded.partial_fit(X, y)
    assert shared(loaded)
    # writing through coefs_ reaches the network
    before = loaded.predict_proba(X)
    loaded.coefs_[0][...] = 0
    assert not np.allclose(loaded.predict_proba(X), before)
    # assigning a new list copies into the buffer
    loaded.coefs_ = [np.ones_like(c) for c in loaded.coefs_]
    assert shared(loaded)
    assert (loaded.coefs_[1] == 1).all()
    with pytest.raises(ValueError, match="shape"):
        loaded.intercepts_ = [np.ones(3), np.ones(3)]


def test_partial_fit_keeps_adam_moments(small_clf_data):
    X, y = small_clf_data
    clf = MLPClassifier(**FAST)
    clf.partial_fit(X, y, classes=np.unique(y))
    t1 = clf.optimizer_.t_
    m1 = clf.optimizer_.state_[0]["m"].copy()
    clf.partial_fit(X, y)
    assert clf.optimizer_.t_ == 2 * t1  # the step count carries on
    assert not np.array_equal(clf.optimizer_.state_[0]["m"], m1)
    assert clf.t_ == 2 * len(X)
    assert len(clf.history_) == 2


def test_warm_start_continues_like_one_long_fit(small_clf_data):
    """Two warm-started fits of k epochs equal one fit of 2k epochs (no shuffle)."""
    X, y = small_clf_data
    kw = {"hidden_layer_sizes": (8,), "random_state": 0, "shuffle": False, "tol": 0}
    once = MLPClassifier(max_iter=20, **kw).fit(X, y)
    twice = MLPClassifier(max_iter=10, warm_start=True, **kw).fit(X, y).fit(X, y)
    np.testing.assert_allclose(twice._flat, once._flat, rtol=1e-12)
    assert twice.optimizer_.t_ == once.optimizer_.t_
    assert len(twice.history_) == 20
    assert twice.n_iter_ == 10


def test_warm_start_keeps_adam_moments_and_takes_new_hyperparameters(small_clf_data):
    X, y = small_clf_data
    kw = {"hidden_layer_sizes": (8,), "random_state": 0, "max_iter": 5}
    clf = MLPClassifier(warm_start=True, **kw).fit(X, y)
    steps = clf.optimizer_.t_
    clf.fit(X, y)
    assert clf.optimizer_.t_ == 2 * steps
    # A changed hyper-parameter applies on the next fit; the moments stay.
    clf.set_params(learning_rate_init=0.01).fit(X, y)
    assert clf.optimizer_.learning_rate == 0.01
    assert clf.optimizer_.t_ == 3 * steps


def test_invscaling_and_adaptive_learning_rates(small_clf_data):
    X, y = small_clf_data
    inv = MLPClassifier(
        solver="sgd",
        learning_rate="invscaling",
        learning_rate_init=0.5,
        power_t=0.5,
        **FAST,
    ).fit(X, y)
    n = len(X)
    expected = [0.5 / (e * n + 1) ** 0.5 for e in range(inv.n_iter_)]
    np.testing.assert_allclose(inv.history_["learning_rate"], expected)

    ada = MLPClassifier(
        solver="sgd",
        learning_rate="adaptive",
        tol=10.0,
        n_iter_no_change=1,
        max_iter=12,
        hidden_layer_sizes=(5,),
        random_state=0,
    ).fit(X, y)
    lr = ada.history_["learning_rate"].to_numpy()
    # tol=10: epoch 1 improves on +inf, then the count exceeds 1 every 2 epochs
    np.testing.assert_allclose(lr[:6], 0.001 * np.array([1, 1, 1, 0.2, 0.2, 0.04]))


def test_batch_size_auto_and_clipping(small_clf_data):
    X, y = small_clf_data
    clf = MLPClassifier(batch_size=50, **FAST).fit(X, y)
    assert clf.optimizer_.t_ == clf.n_iter_ * 3  # ceil(120 / 50) steps per epoch
    auto = MLPClassifier(**FAST).fit(X, y)
    assert auto.optimizer_.t_ == auto.n_iter_  # min(200, 120): one batch
    with pytest.warns(UserWarning, match="clipped"):
        big = MLPClassifier(batch_size=10_000, **FAST).fit(X, y)
    assert big.optimizer_.t_ == big.n_iter_
    full = MLPClassifier(batch_size="full", **FAST).fit(X, y)
    np.testing.assert_array_equal(full._flat, big._flat)  # batch gradient descent
    one = MLPClassifier(batch_size=1, **{**FAST, "max_iter": 2}).fit(X, y)
    assert one.optimizer_.t_ == 2 * len(X)  # stochastic gradient descent


def test_partial_fit_sample_weight_zero_equals_dropping_rows(small_clf_data):
    X, y = small_clf_data
    sw = np.ones(len(y))
    sw[::4] = 0
    kw = {"hidden_layer_sizes": (6,), "random_state": 0, "shuffle": False}
    kw["batch_size"] = "full"
    a, b = MLPClassifier(**kw), MLPClassifier(**kw)
    for _ in range(3):
        a.partial_fit(X, y, sample_weight=sw, classes=np.unique(y))
        b.partial_fit(X[sw > 0], y[sw > 0], classes=np.unique(y))
    np.testing.assert_allclose(a._flat, b._flat, rtol=1e-12, atol=1e-15)


def test_history_frame_follows_refits_and_warm_starts(small_clf_data):
    X, y = small_clf_data
    clf = MLPClassifier(hidden_layer_sizes=(5,), max_iter=4, tol=0, random_state=0)
    with pytest.raises(AttributeError, match="not fitted"):
        clf.history_  # noqa: B018
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
        first = clf.history_
        assert first is clf.history_  # built once, then cached
        np.testing.assert_allclose(first["loss"], clf.loss_curve_)
        clf.set_params(learning_rate_init=0.1, random_state=1).fit(X, y)
        # same length, new fit: the cached frame must not survive
        assert len(clf.history_) == 4
        np.testing.assert_allclose(clf.history_["loss"], clf.loss_curve_)
        assert not np.allclose(clf.history_["loss"], first["loss"])
        clf.set_params(warm_start=True).fit(X, y)
        assert len(clf.history_) == 8
        assert list(clf.history_["epoch"]) == list(range(1, 9))
    assert "_history_frame" not in clf.__getstate__()


@pytest.mark.parametrize(
    "kw",
    [{}, {"early_stopping": True}, {"solver": "lbfgs"}],
    ids=["sgd-family", "early-stopping", "lbfgs"],
)
def test_a_fitted_estimator_keeps_its_model_and_one_progress_object(kw):
    """The private state of a fitted estimator: the model (network, flat buffer,
    its coefs_/intercepts_ views, the label encoder, the snapshot ensemble's
    choice) and one ``Progress`` that later fits continue; no training data,
    work buffer or fit-time object is left on it."""
    X, y = load_iris(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = MLPClassifier(max_iter=5, random_state=0, **kw).fit(X, y)
    private = {k for k in vars(clf) if k.startswith("_")}
    model = {"_coefs", "_intercepts", "_flat", "_network", "_label_binarizer"}
    ensemble = (
        set() if kw.get("solver") == "lbfgs" else {"_ensemble", "_snapshot_running"}
    )
    assert private == model | ensemble | {"_progress"}
    progress = clf._progress
    assert progress.history.records  # the epochs of this fit
    assert progress.state.epochs == clf.n_iter_
