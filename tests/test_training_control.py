"""validation_data, the monitor, callbacks, progress bars, sklearn.callback."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss

from sklearn_adamlp import MLPClassifier, MLPRegressor, training
from sklearn_adamlp.callbacks import Callback, ProgressBar


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.fixture
def split(digits):
    X, y = digits
    return X[:1200], y[:1200], X[1200:], y[1200:]


class Recorder(Callback):
    def __init__(self, stop_at=None):
        self.stop_at = stop_at

    def on_fit_begin(self, ctx, **kw):
        self.events_ = ["begin"]

    def on_epoch_begin(self, ctx, **kw):
        self.events_.append("epoch_begin")

    def on_epoch_end(self, ctx, record, **kw):
        self.events_.append(("epoch_end", record["epoch"]))
        return self.stop_at is not None and record["epoch"] >= self.stop_at

    def on_fit_end(self, ctx, **kw):
        self.events_.append("end")


def test_validation_data_is_scored_every_epoch(split):
    X, y, X_val, y_val = split
    clf = MLPClassifier(hidden_layer_sizes=(20,), max_iter=8, random_state=0)
    clf.fit(X, y, validation_data=(X_val, y_val))
    h = clf.history_
    assert len(h) == 8
    assert h["val_score"].notna().all()
    assert h["val_loss"].notna().all()
    assert clf.validation_scores_ == h["val_score"].tolist()
    # the last epoch's score is the final model's score (no restore without
    # early stopping)
    assert clf.validation_scores_[-1] == pytest.approx(clf.score(X_val, y_val))
    assert clf.best_loss_ == min(clf.loss_curve_)  # stopping still on the loss


@pytest.mark.parametrize("monitor", ["val_score", "val_loss"])
def test_early_stopping_on_given_validation_data(split, monitor):
    X, y, X_val, y_val = split
    clf = MLPClassifier(
        hidden_layer_sizes=(20,),
        early_stopping=True,
        monitor=monitor,
        n_iter_no_change=3,
        max_iter=300,
        random_state=0,
    ).fit(X, y, validation_data=(X_val, y_val))
    h = clf.history_
    assert clf.n_iter_ < 300
    best = h["val_score"].idxmax() if monitor == "val_score" else h["val_loss"].idxmin()
    # the restored weights are the best epoch's
    assert clf.score(X_val, y_val) == pytest.approx(h["val_score"][best])
    assert clf.best_validation_score_ == pytest.approx(h["val_score"][best])
    assert clf.best_loss_ is None
    # nothing was held out of the training data
    assert clf.t_ == clf.n_iter_ * len(X)


def test_validation_data_for_regressor_and_lbfgs(split):
    X, y, X_val, y_val = split
    reg = MLPRegressor(hidden_layer_sizes=(10,), max_iter=5, random_state=0)
    reg.fit(X, y.astype(float), validation_data=(X_val, y_val.astype(float)))
    assert reg.validation_scores_[-1] == pytest.approx(
        reg.score(X_val, y_val.astype(float))
    )
    clf = MLPClassifier(solver="lbfgs", hidden_layer_sizes=(10,), max_iter=10)
    clf.fit(X, y, validation_data=(X_val, y_val, np.ones(len(y_val))))
    assert clf.history_["val_score"].notna().all()
    assert clf.validation_scores_[-1] == pytest.approx(clf.score(X_val, y_val))


def test_bad_validation_data(split):
    X, y, X_val, y_val = split
    clf = MLPClassifier(max_iter=2)
    with pytest.raises(ValueError, match="tuple"):
        clf.fit(X, y, validation_data=X_val)
    with pytest.raises(ValueError, match="samples"):
        clf.fit(X, y, validation_data=(X_val, y_val[:-1]))
    with pytest.raises(ValueError, match="features"):
        clf.fit(X, y, validation_data=(X_val[:, :5], y_val))
    with pytest.raises(ValueError, match="classes not in"):
        clf.fit(X, y, validation_data=(X_val, y_val + 100))
    with pytest.raises(ValueError, match="NaN"):
        clf.fit(X, y, validation_data=(np.full_like(X_val, np.nan), y_val))


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_callback_hooks_order_and_stop(split, solver):
    X, y, _, _ = split
    rec = Recorder(stop_at=3)
    clf = MLPClassifier(
        solver=solver, hidden_layer_sizes=(10,), max_iter=20, callbacks=[rec]
    ).fit(X, y)
    assert clf.n_iter_ == 3
    assert rec.events_[:4] == ["begin", "epoch_begin", ("epoch_end", 1), "epoch_begin"]
    assert rec.events_[-1] == "end"
    assert [e for e in rec.events_ if isinstance(e, tuple)] == [
        ("epoch_end", 1),
        ("epoch_end", 2),
        ("epoch_end", 3),
    ]


def test_verbose_prints_sklearn_lines(split, capsys):
    X, y, X_val, y_val = split
    MLPClassifier(max_iter=2, verbose=True).fit(X, y, validation_data=(X_val, y_val))
    out = capsys.readouterr().out
    assert "Iteration 1, loss = " in out
    assert "Iteration 2, loss = " in out
    assert "Validation score: " in out


def test_progress_bar(split, capsys):
    pytest.importorskip("tqdm")
    X, y, _, _ = split
    bar = ProgressBar(total=3)
    MLPClassifier(max_iter=3, callbacks=[bar]).fit(X, y)
    assert not hasattr(bar, "bar_")  # closed at fit end
    MLPClassifier(max_iter=2, verbose=2).fit(X, y)
    assert "Iteration" not in capsys.readouterr().out  # the bar replaces lines


def test_sklearn_callback_api_scoring_monitor(split):
    callback = pytest.importorskip("sklearn.callback")
    X, y, _, _ = split
    monitor = callback.ScoringMonitor(scoring="accuracy")
    seen = []

    class Snap(Callback):
        def on_epoch_end(self, ctx, record, **kw):
            seen.append(ctx.flat.copy())

    clf = MLPClassifier(hidden_layer_sizes=(10,), max_iter=4, callbacks=[Snap()])
    clf.set_callbacks(monitor).fit(X, y)
    df = monitor.get_logs().data_as_pandas
    per_epoch = df[df["task_name"] == "epoch"]["accuracy"].to_numpy()
    assert len(per_epoch) == 4
    # each epoch's score is the accuracy of that epoch's weights
    for flat, score in zip(seen, per_epoch, strict=True):
        est = MLPClassifier()
        est.__dict__.update(clf.__dict__)
        est._flat = flat
        assert score == pytest.approx(est.score(X, y))


def test_early_stopping_restores_batch_norm_statistics_with_the_weights(split):
    X, y, X_val, y_val = split
    clf = MLPClassifier(
        hidden_layer_sizes=(16,),
        batch_norm=True,
        early_stopping=True,
        n_iter_no_change=3,
        max_iter=200,
        random_state=0,
    ).fit(X, y, validation_data=(X_val, y_val))
    assert clf.n_iter_ > int(np.argmax(clf.validation_scores_)) + 1  # restored
    assert clf.score(X_val, y_val) == pytest.approx(clf.best_validation_score_)


def test_snapshots_keep_their_batch_norm_statistics(split):
    from sklearn_adamlp.schedules import CosineRestarts

    X, y, X_val, _ = split
    clf = MLPClassifier(
        hidden_layer_sizes=(16,),
        batch_norm=True,
        learning_rate=CosineRestarts(T_0=3, T_mult=1),
        snapshot_ensemble=True,
        max_iter=9,
        tol=0,
        n_iter_no_change=100,
        random_state=0,
    ).fit(X, y)
    assert clf.n_snapshots_ == 3
    runs = clf._snapshot_running
    assert not np.allclose(runs[0], runs[-1])
    net = clf._network
    # the final weights are the last snapshot, with the live running statistics
    np.testing.assert_array_equal(clf.snapshots_[-1], clf._flat)
    np.testing.assert_array_equal(runs[-1], net.running)
    clf._ensemble = [1, 0]  # as if both earlier snapshots had been chosen
    expected = np.mean(
        [net.predict(f, X_val, r) for f, r in zip(clf.snapshots_, runs, strict=True)],
        axis=0,
    )
    np.testing.assert_allclose(clf.predict_proba(X_val), expected, rtol=1e-12)


@pytest.mark.parametrize("layout", ["column slice", "fortran", "every other row"])
def test_non_contiguous_X_trains_like_its_contiguous_copy(layout, monkeypatch):
    """Batches gather from one C-ordered copy made per fit (load_digits' X is a
    column slice, a DataFrame's values Fortran-ordered): same weights."""

    rng = np.random.RandomState(0)
    base = rng.normal(size=(160, 7))
    X = {
        "column slice": base[:, :6],
        "fortran": np.asfortranarray(base[:, :6]),
        "every other row": np.repeat(base[:, :6], 2, axis=0)[::2],
    }[layout]
    assert not X.flags.c_contiguous
    y = (base[:, 0] > 0).astype(int)
    gathered_from = []
    init = training.Batches.__init__

    def spy(self, *args, **kwargs):
        init(self, *args, **kwargs)
        gathered_from.append(self.X.flags.c_contiguous)

    monkeypatch.setattr(training.Batches, "__init__", spy)
    kw = dict(hidden_layer_sizes=(5,), max_iter=4, batch_size=32, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        strided = MLPClassifier(**kw).fit(X, y)
        contiguous = MLPClassifier(**kw).fit(np.ascontiguousarray(X), y)
    assert gathered_from == [True, True]
    np.testing.assert_array_equal(strided._flat, contiguous._flat)


def test_partial_fit_after_an_early_stopping_fit_trains():
    # partial_fit holds nothing out: the weights of the earlier fit's best
    # validation score must not be put back at the end of each call
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = X / 16
    clf = MLPClassifier((32,), early_stopping=True, max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    before = [w.copy() for w in clf.coefs_]
    loss_before = log_loss(y, clf.predict_proba(X))
    for _ in range(3):
        clf.partial_fit(X, y)
    assert not np.array_equal(before[0], clf.coefs_[0])
    assert log_loss(y, clf.predict_proba(X)) < loss_before


def test_misaligned_input_is_gathered_from_an_aligned_copy():
    """An array whose data starts at an odd byte (as a buffer inside a message
    can) trains like its aligned copy, and the batches gather from an aligned
    array (numpy's unaligned gather is about 1,500x slower)."""
    rng = np.random.default_rng(0)
    X0 = rng.standard_normal((64, 5)).astype(np.float32)
    y = (X0[:, 0] > 0).astype(int)
    raw = np.zeros(X0.nbytes + 3, dtype=np.uint8)
    X = raw[3:].view(np.float32).reshape(X0.shape)  # starts 3 bytes in
    X[...] = X0
    assert not X.flags.aligned
    batches = training.Batches(X, y[:, None].astype(np.float32), None, 16)
    assert batches.X.flags.aligned
    assert batches.Y.flags.aligned
    np.testing.assert_array_equal(batches.X, X0)
    fits = []
    for data in (X, X0):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fits.append(MLPClassifier((4,), max_iter=3, random_state=0).fit(data, y))
    for a, b in zip(fits[0].coefs_, fits[1].coefs_, strict=True):
        np.testing.assert_array_equal(a, b)
