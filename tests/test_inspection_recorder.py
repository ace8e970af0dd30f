"""LayerStatsRecorder: records equal trace_layers; update ratios from snapshots."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from sklearn_adamlp import MLPClassifier, MLPRegressor
from sklearn_adamlp.inspection import LayerStatsRecorder, trace_layers

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def known_init(shape, rng, dtype):
    """Weights the test knows without asking the estimator."""
    return np.random.RandomState(100 * shape[0] + shape[1]).normal(size=shape) * 0.3


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(90, 6))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] + X[:, 2] > 0.5)
    return X, y


def _frame_at(stats, epoch):
    at = stats[stats["epoch"] == epoch]
    return at.pivot(index="layer", columns="statistic", values="value")


def test_final_epoch_equals_trace_of_fitted_model(data):
    X, y = data
    rec = LayerStatsRecorder(X[:40], y[:40])
    est = MLPClassifier(
        (8, 6), activation="tanh", max_iter=7, tol=0, random_state=0, callbacks=[rec]
    ).fit(X, y)
    stats = rec.stats_
    assert list(stats.columns) == ["epoch", "layer", "statistic", "value"]
    assert sorted(stats["epoch"].unique()) == list(range(8))  # 0: initial
    want = trace_layers(est, X[:40], y[:40]).to_frame()
    got = _frame_at(stats, 7).loc[want.index, list(want.columns)]
    got.columns.name = None
    pd.testing.assert_frame_equal(got, want)
    assert set(stats["statistic"]) == {*want.columns, "update_ratio"}


@pytest.mark.parametrize("every", [1, 2])
def test_update_ratio_from_coefs_snapshots(data, every):
    X, y = data
    rec = LayerStatsRecorder(X, y, every=every)
    est = MLPClassifier((8, 6), init=known_init, random_state=0, callbacks=[rec])
    shapes = [(6, 8), (8, 6), (6, 3)]
    snapshots = [[known_init(s, None, float) for s in shapes]]
    for _ in range(6):
        est.partial_fit(X, y, classes=[0, 1, 2])
        snapshots.append([W.copy() for W in est.coefs_])
    stats = rec.stats_
    assert sorted(stats["epoch"].unique()) == list(range(0, 7, every))
    start = _frame_at(stats, 0)
    assert start["update_ratio"].isna().all()
    for l, name in enumerate(["hidden 1", "hidden 2", "output"]):
        W0 = snapshots[0][l]
        assert start.loc[name, "weight_norm"] == pytest.approx(np.sqrt((W0**2).sum()))
    for t in range(every, 7, every):
        ratios = _frame_at(stats, t)["update_ratio"]
        for l, name in enumerate(["hidden 1", "hidden 2", "output"]):
            W, W0 = snapshots[t][l], snapshots[t - every][l]
            want = np.sqrt(((W - W0) ** 2).sum()) / np.sqrt((W**2).sum())
            assert ratios[name] == pytest.approx(want, rel=1e-10)


def test_regressor_without_targets(data):
    X, _ = data
    rec = LayerStatsRecorder(X[:20])
    MLPRegressor(hidden_layer_sizes=(5,), max_iter=3, callbacks=[rec]).fit(X, X[:, 0])
    stats = rec.stats_
    assert stats.loc[stats["statistic"] == "grad_norm", "value"].isna().all()
    assert stats.loc[stats["statistic"] == "weight_norm", "value"].notna().all()


def test_new_fit_starts_again_and_warm_start_continues(data):
    X, y = data
    rec = LayerStatsRecorder(X, y)
    est = MLPClassifier((4,), max_iter=3, tol=0, random_state=0, callbacks=[rec])
    est.fit(X, y)
    est.fit(X, y)
    assert sorted(rec.stats_["epoch"].unique()) == [0, 1, 2, 3]
    est.set_params(warm_start=True).fit(X, y)
    assert sorted(rec.stats_["epoch"].unique()) == [0, 1, 2, 3, 4, 5, 6]
    # a recorder joining a fitted model records its starting point, epoch 3 + 3
    late = LayerStatsRecorder(X, y)
    est.set_params(callbacks=[late]).fit(X, y)
    assert sorted(late.stats_["epoch"].unique()) == [6, 7, 8, 9]
    a = _frame_at(late.stats_, 6).drop(columns="update_ratio")
    b = _frame_at(rec.stats_, 6).drop(columns="update_ratio")
    pd.testing.assert_frame_equal(a, b)


def test_clone_and_pickle(data):
    X, y = data
    rec = LayerStatsRecorder(X[:10], y[:10], every=2)
    est = MLPClassifier((4,), max_iter=4, tol=0, random_state=0, callbacks=[rec])
    est.fit(X, y)
    fresh = clone(rec)
    assert fresh.get_params()["every"] == 2
    assert fresh.get_params()["X_probe"] is not None
    with pytest.raises(AttributeError):
        fresh.stats_  # noqa: B018
    back = pickle.loads(pickle.dumps(est))
    pd.testing.assert_frame_equal(back.callbacks[0].stats_, rec.stats_)
    np.testing.assert_array_equal(back.predict_proba(X), est.predict_proba(X))
    assert not hasattr(clone(est).callbacks[0], "records_")


@pytest.mark.parametrize("every", [0, 1.5, "2"])
def test_bad_every(data, every):
    X, y = data
    rec = LayerStatsRecorder(X, y, every=every)
    with pytest.raises(ValueError, match="every"):
        MLPClassifier((4,), max_iter=2, callbacks=[rec]).fit(X, y)


def test_probe_checked(data):
    X, y = data
    rec = LayerStatsRecorder(X[:, :3], y)
    with pytest.raises(ValueError, match="features"):
        MLPClassifier((4,), max_iter=2, callbacks=[rec]).fit(X, y)
