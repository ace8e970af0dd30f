"""Snapshot ensembles (Huang et al. 2017) and easy-first curriculum learning."""

import math
import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits, make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, log_loss, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_adamlp import MLPClassifier, MLPRegressor
from sklearn_adamlp.callbacks import Callback, EasyFirstCurriculum
from sklearn_adamlp.schedules import Cosine, CosineRestarts, Warmup


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def _clf(**kw):
    params = {
        "hidden_layer_sizes": (8,),
        "solver": "sgd",
        "learning_rate_init": 0.05,
        "tol": 0.0,
        "n_iter_no_change": np.inf,
        "random_state": 0,
    }
    return MLPClassifier(**{**params, **kw})


@pytest.fixture(scope="module")
def digits_split():
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=0, stratify=y)
    sc = StandardScaler().fit(Xtr)
    return sc.transform(Xtr), sc.transform(Xte), ytr, yte


# --- snapshot ensembles -------------------------------------------------------


def test_one_snapshot_per_completed_cycle(small_clf_data):
    X, y = small_clf_data
    sched = CosineRestarts(T_0=2, T_mult=2)  # cycles end after epochs 2, 6, 14, 30
    est = _fit(_clf(learning_rate=sched, max_iter=20, snapshot_ensemble=True), X, y)
    assert est.n_snapshots_ == len(est.snapshots_) == 3
    # the snapshots are the weights at the end of those epochs
    for n_epochs, snap in zip((2, 6, 14), est.snapshots_, strict=True):
        ref = _fit(_clf(learning_rate=sched, max_iter=n_epochs), X, y)
        np.testing.assert_array_equal(snap, ref._flat)
        assert not np.shares_memory(snap, est._flat)


def test_snapshots_through_warmup_and_partial_fit(small_clf_data):
    X, y = small_clf_data
    sched = Warmup(CosineRestarts(T_0=3, T_mult=1), epochs=2)
    est = _fit(_clf(learning_rate=sched, max_iter=11, snapshot_ensemble=True), X, y)
    assert est.n_snapshots_ == 3  # ends after epochs 5, 8, 11
    for _ in range(3):
        est.partial_fit(X, y)
    assert est.n_snapshots_ == 4  # epoch 14 ends a cycle too


def _ensemble_by_rule(est, X, score):
    """The members' rule written out: the final weights, then the snapshots
    latest first (one equal to the final weights skipped); the number m
    averaged maximizes ``score`` of the mean output, a tie going to the larger m.
    """
    snaps = list(reversed(est.snapshots_))
    if snaps and np.array_equal(snaps[0], est._flat):
        snaps = snaps[1:]
    outs = [est._network.predict(w, X) for w in [est._flat, *snaps]]
    scores = [score(np.mean(outs[:m], axis=0)) for m in range(1, len(outs) + 1)]
    m = max(range(len(scores)), key=lambda i: (scores[i], i)) + 1
    return m, np.mean(outs[:m], axis=0)


def test_ensemble_averages_chosen_snapshot_outputs(small_clf_data):
    X, y = small_clf_data
    sched = CosineRestarts(T_0=5, T_mult=1)
    est = _fit(_clf(learning_rate=sched, max_iter=17, snapshot_ensemble=True), X, y)
    assert est.n_snapshots_ == 3  # epochs 5, 10, 15; the final weights are 17's

    def accuracy(out):
        return accuracy_score(y, est.classes_[out.argmax(1)])

    m, expected = _ensemble_by_rule(est, X, accuracy)
    assert est.ensemble_size_ == m == 2  # the final weights and epoch 15's
    np.testing.assert_allclose(est.predict_proba(X), expected)
    np.testing.assert_array_equal(est.predict(X), est.classes_[expected.argmax(1)])
    loaded = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))


def test_regressor_averages_chosen_snapshots():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 3))
    y = X @ [1.0, -2.0, 0.5]
    est = MLPRegressor(
        hidden_layer_sizes=(8,),
        solver="sgd",
        learning_rate=CosineRestarts(T_0=4, T_mult=1),
        learning_rate_init=0.01,
        max_iter=12,
        tol=0.0,
        n_iter_no_change=np.inf,
        random_state=0,
        snapshot_ensemble=True,
    )
    _fit(est, X, y)
    assert est.n_snapshots_ == 3
    m, expected = _ensemble_by_rule(est, X, lambda out: r2_score(y, out.ravel()))
    assert est.ensemble_size_ == m
    np.testing.assert_allclose(est.predict(X), expected.ravel())


def test_ensemble_chosen_on_the_validation_set(small_clf_data):
    X, y = small_clf_data
    Xv, yv = X[::2] + 0.3, y[::2]
    sched = CosineRestarts(T_0=2, T_mult=1)
    est = _clf(learning_rate=sched, max_iter=9, snapshot_ensemble=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y, validation_data=(Xv, yv))

    def val_accuracy(out):
        return accuracy_score(yv, est.classes_[out.argmax(1)])

    vm, _ = _ensemble_by_rule(est, Xv, val_accuracy)
    assert est.ensemble_size_ == vm


def test_snapshot_ensemble_no_worse_than_final_weights():
    # cycles that start near chance: the ensemble must not average them in
    X, y = make_blobs(n_samples=300, centers=3, random_state=0)
    Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=0)
    kw = {"hidden_layer_sizes": (16,), "max_iter": 200, "random_state": 0}
    for sched in ("cosine_restarts", CosineRestarts(T_0=10, T_mult=2)):
        est = _fit(
            MLPClassifier(learning_rate=sched, snapshot_ensemble=True, **kw), Xtr, ytr
        )
        ensemble = est.score(Xte, yte), est.score(Xtr, ytr)
        est.set_params(snapshot_ensemble=False)
        final = est.score(Xte, yte), est.score(Xtr, ytr)
        assert ensemble[1] >= final[1]  # guaranteed on the selection set
        assert ensemble[0] >= final[0] - 0.02
        assert ensemble[0] > 0.85  # chance is 1/3


def test_ensemble_log_loss_no_worse_than_last_snapshot(digits_split):
    Xtr, Xte, ytr, yte = digits_split
    est = MLPClassifier(
        hidden_layer_sizes=(64,),
        solver="adam",
        batch_size=32,
        learning_rate=CosineRestarts(T_0=10, T_mult=1, eta_max=1.0),
        learning_rate_init=0.02,
        max_iter=40,  # ends at a cycle end: the final weights are the last snapshot
        tol=0.0,
        n_iter_no_change=np.inf,
        random_state=0,
        snapshot_ensemble=True,
    )
    _fit(est, Xtr, ytr)
    assert est.n_snapshots_ == 4
    np.testing.assert_array_equal(est.snapshots_[-1], est._flat)
    ensemble = log_loss(yte, est.predict_proba(Xte))
    est.set_params(snapshot_ensemble=False)
    last = log_loss(yte, est.predict_proba(Xte))
    assert est.ensemble_size_ == 4  # every snapshot: they tie on training accuracy
    assert ensemble <= last


def test_snapshot_ensemble_needs_restarts(small_clf_data):
    X, y = small_clf_data
    with pytest.raises(ValueError, match="restarts"):
        _clf(learning_rate=Cosine(), snapshot_ensemble=True).fit(X, y)
    with pytest.raises(ValueError, match="stochastic solver"):
        MLPClassifier(
            solver="lbfgs", learning_rate="cosine_restarts", snapshot_ensemble=True
        ).fit(X, y)


def test_no_snapshot_yet_predicts_with_final_weights(small_clf_data):
    X, y = small_clf_data
    est = _clf(learning_rate=CosineRestarts(T_0=10), max_iter=3, snapshot_ensemble=True)
    _fit(est, X, y)
    assert est.n_snapshots_ == 0
    np.testing.assert_allclose(
        est.predict_proba(X), est.set_params(snapshot_ensemble=False).predict_proba(X)
    )


# --- curriculum -------------------------------------------------------------------


class SeenPerEpoch(Callback):
    """Records how many samples each epoch trained on."""

    def on_epoch_end(self, ctx, record, **kwargs):
        seen = getattr(self, "seen_", [])
        total = sum(seen)
        self.seen_ = [*seen, ctx.state.samples - total]


@pytest.mark.parametrize("n_epochs", [1, 3, 4])
def test_admitted_set_grows_linearly(small_clf_data, n_epochs):
    X, y = small_clf_data
    n = X.shape[0]
    rec = SeenPerEpoch()
    est = _clf(
        max_iter=8, curriculum="easy_first", curriculum_epochs=n_epochs, callbacks=[rec]
    )
    _fit(est, X, y)
    expected = [n] + [math.ceil(n * min(1, k / n_epochs)) for k in range(1, 8)]
    assert rec.seen_ == expected
    assert est.t_ == sum(expected)


def test_easiest_samples_come_first(small_clf_data):
    X, y = small_clf_data
    est = _fit(_clf(max_iter=1), X, y)  # the weights the first pass ends with
    Y = est._label_binarizer.transform(y).astype(float)
    raw, out = est._network.forward(est._flat, X)
    per_sample = est._network.loss.per_sample(Y, raw, out)
    cur = EasyFirstCurriculum(epochs=4, batch_rows=7)  # scoring in chunks
    ctx = type("Ctx", (), {"network": est._network, "flat": est._flat})()
    ctx.rng = np.random.RandomState(0)
    data = type("Data", (), {"X": X, "Y": Y, "n": X.shape[0], "sw": None})()
    assert cur.order(ctx, data, 0, True) is None  # first pass: every row
    first = cur.order(ctx, data, 1, True)
    m = math.ceil(X.shape[0] / 4)
    assert len(first) == m
    assert set(first) == set(np.argsort(per_sample, kind="stable")[:m])
    in_order = cur.order(ctx, data, 2, False)  # no shuffle: easiest first
    np.testing.assert_array_equal(
        in_order, np.argsort(per_sample, kind="stable")[: len(in_order)]
    )


def test_curriculum_trains_well_and_reproducibly(digits_split):
    Xtr, Xte, ytr, yte = digits_split
    kw = {
        "hidden_layer_sizes": (32,),
        "solver": "sgd",
        "learning_rate_init": 0.1,
        "max_iter": 30,
        "random_state": 0,
        "curriculum": "easy_first",
        "curriculum_epochs": 5,
    }
    a = _fit(MLPClassifier(**kw), Xtr, ytr)
    b = _fit(MLPClassifier(**kw), Xtr, ytr)
    np.testing.assert_array_equal(a._flat, b._flat)
    assert a.score(Xte, yte) > 0.93
    # curriculum epochs do not count towards stopping: at least 1 + 5 + 10 + 1
    assert a.n_iter_ >= 17


def test_curriculum_needs_stochastic_solver(small_clf_data):
    X, y = small_clf_data
    with pytest.raises(ValueError, match="stochastic solver"):
        MLPClassifier(solver="lbfgs", curriculum="easy_first").fit(X, y)
    with pytest.raises(ValueError, match="curriculum"):
        MLPClassifier(curriculum="hard_first").fit(X, y)


def test_curriculum_with_sparse_input_and_no_shuffle(small_clf_data):
    import scipy.sparse as sp

    X, y = small_clf_data
    kw = {"max_iter": 6, "curriculum": "easy_first", "curriculum_epochs": 2}
    dense = _fit(_clf(shuffle=False, **kw), X, y)
    sparse = _fit(_clf(shuffle=False, **kw), sp.csr_matrix(X), y)
    np.testing.assert_allclose(dense._flat, sparse._flat, rtol=1e-10, atol=1e-12)


# --- scikit-learn's common checks -----------------------------------------------

_COMMON = {"hidden_layer_sizes": (16,), "max_iter": 200, "random_state": 0}


@parametrize_with_checks(
    [
        MLPClassifier(
            learning_rate="cosine_restarts",
            learning_rate_init=0.01,
            snapshot_ensemble=True,
            **_COMMON,
        ),
        MLPRegressor(
            solver="sgd",
            learning_rate=CosineRestarts(T_0=20, T_mult=1),
            learning_rate_init=0.01,
            snapshot_ensemble=True,
            **_COMMON,
        ),
        MLPClassifier(curriculum="easy_first", curriculum_epochs=5, **_COMMON),
    ]
)
def test_sklearn_compatible_with_snapshots_or_curriculum(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)
