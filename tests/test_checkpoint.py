"""The Checkpoint callback: when it saves, atomic writes, formats, resuming."""

import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import sklearn_adamlp
from sklearn_adamlp import MLPClassifier, MLPRegressor, checkpoint
from sklearn_adamlp.checkpoint import Checkpoint, load, resolve_format, save

FAST = {"hidden_layer_sizes": (10,), "max_iter": 8, "random_state": 0}


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _same_weights(a, b):
    for x, z in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        np.testing.assert_array_equal(x, z)


def test_saves_every_k_epochs_a_complete_model(small_clf_data, tmp_path):
    X, y = small_clf_data
    cb = Checkpoint(tmp_path / "ck-{epoch}.joblib", every=3)
    MLPClassifier(**FAST, callbacks=[cb]).fit(X, y)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ck-3.joblib", "ck-6.joblib"]
    assert cb.n_saves_ == 2
    assert cb.last_path_ == str(tmp_path / "ck-6.joblib")
    at6 = load(tmp_path / "ck-6.joblib")
    assert at6.n_iter_ == 6
    assert len(at6.history_) == len(at6.loss_curve_) == 6
    # the weights after 6 epochs: a 6-epoch fit of the same seed
    six = MLPClassifier(**{**FAST, "max_iter": 6}).fit(X, y)
    _same_weights(at6, six)
    np.testing.assert_array_equal(at6.predict_proba(X), six.predict_proba(X))
    assert at6.loss_ == six.loss_
    assert at6.t_ == six.t_


def test_save_best_only_saves_when_the_loss_improves(small_clf_data, tmp_path):
    X, y = small_clf_data
    cb = Checkpoint(tmp_path / "best-{epoch}.pkl", monitor="loss", save_best_only=True)
    params = {**FAST, "learning_rate_init": 0.1, "batch_size": 16, "max_iter": 15}
    est = MLPClassifier(**params, callbacks=[cb]).fit(X, y)
    losses = est.loss_curve_
    improved = [
        e + 1 for e, v in enumerate(losses) if v < min(losses[:e], default=np.inf)
    ]
    assert len(improved) < len(losses)  # the rate is high enough to go up somewhere
    saved = sorted(int(p.stem.split("-")[1]) for p in tmp_path.iterdir())
    assert saved == improved
    assert cb.best_ == min(losses)


def test_save_best_only_on_validation_loss_needs_a_validation_set(
    small_clf_data, tmp_path
):
    X, y = small_clf_data
    cb = Checkpoint(tmp_path / "m.pkl", save_best_only=True)
    with pytest.raises(ValueError, match="validation set"):
        MLPClassifier(**FAST, callbacks=[cb]).fit(X, y)
    est = MLPClassifier(**FAST, early_stopping=True, callbacks=[cb]).fit(X, y)
    val_loss = est.history_["val_loss"].to_numpy()
    assert cb.best_ == val_loss.min()
    np.testing.assert_array_equal(
        load(tmp_path / "m.pkl").history_["val_loss"].to_numpy(),
        val_loss[: int(np.argmin(val_loss)) + 1],
    )


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        ({"monitor": "acc"}, "monitor"),
        ({"every": 0}, "every"),
        ({"format": "h5"}, "format"),
    ],
)
def test_invalid_parameters_raise_at_fit(small_clf_data, tmp_path, bad, match):
    X, y = small_clf_data
    cb = Checkpoint(tmp_path / "m.pkl", **bad)
    with pytest.raises(ValueError, match=match):
        MLPClassifier(**FAST, callbacks=[cb]).fit(X, y)


def test_hooks_without_the_estimator_raise(tmp_path):
    with pytest.raises(ValueError, match="callbacks"):
        Checkpoint(tmp_path / "m.pkl").on_fit_begin(ctx=None)


def test_a_failed_write_leaves_the_old_file_whole(
    small_clf_data, tmp_path, monkeypatch
):
    X, y = small_clf_data
    path = tmp_path / "model.pkl"
    est = MLPClassifier(**FAST).fit(X, y)
    save(est, path)
    before = path.read_bytes()
    expected = est.predict_proba(X)

    def broken(obj, file, format):
        file.write(before[: len(before) // 2])  # half a file, then a crash
        raise OSError("disk full")

    monkeypatch.setattr(checkpoint, "_write", broken)
    est.partial_fit(X, y)
    with pytest.raises(OSError, match="disk full"):
        save(est, path)
    cb = Checkpoint(path)
    with pytest.raises(OSError, match="disk full"):
        MLPClassifier(**FAST, callbacks=[cb]).fit(X, y)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.pkl"]  # no temp file left
    monkeypatch.undo()
    np.testing.assert_array_equal(load(path).predict_proba(X), expected)


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("m.skops", "skops"),
        ("m.joblib", "joblib"),
        ("m.pkl", "pickle"),
        ("m.pickle", "pickle"),
    ],
)
def test_format_by_suffix_round_trips(small_clf_data, tmp_path, name, fmt):
    pytest.importorskip("skops")
    X, _ = small_clf_data
    est = MLPRegressor(**FAST).fit(X, X[:, 0])
    assert resolve_format(tmp_path / name) == fmt
    save(est, tmp_path / name)
    np.testing.assert_array_equal(load(tmp_path / name).predict(X), est.predict(X))


def test_auto_format_without_skops_is_joblib(tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoint, "_has_skops", lambda: False)
    assert resolve_format(tmp_path / "m.ckpt") == "joblib"
    with pytest.raises(ImportError, match="persist"):
        resolve_format(tmp_path / "m.ckpt", "skops")


def test_skops_checkpoint_trusts_the_checkpoint_callback(small_clf_data, tmp_path):
    sio = pytest.importorskip("skops.io")
    X, y = small_clf_data
    path = tmp_path / "m.skops"
    MLPClassifier(**FAST, callbacks=[Checkpoint(path)]).fit(X, y)
    assert sorted(sio.get_untrusted_types(file=path)) == [
        "sklearn_adamlp._estimators._classifier.MLPClassifier",
        "sklearn_adamlp.checkpoint.Checkpoint",
    ]
    assert load(path).n_iter_ == FAST["max_iter"]


RESUME = {
    "dropout_shuffle": {"solver": "adam", "dropout": 0.2, "batch_size": 16},
    "early_stopping_adaptive": {
        "solver": "sgd",
        "learning_rate": "adaptive",
        "early_stopping": True,
        "n_iter_no_change": 2,
        "batch_norm": True,
        "batch_size": 32,
    },
}

KILLED_FIT = """
import os, warnings, numpy as np
from sklearn_adamlp import MLPClassifier
from sklearn_adamlp.checkpoint import Checkpoint

warnings.simplefilter("ignore")
save_then = Checkpoint.on_epoch_end

def on_epoch_end(self, ctx, record, **kwargs):
    out = save_then(self, ctx, record, **kwargs)
    if ctx.state.epochs == {kill}:
        os._exit(17)  # a crash: no cleanup, no fit end
    return out

Checkpoint.on_epoch_end = on_epoch_end
X, y = np.load({X!r}), np.load({y!r})
MLPClassifier(**{params!r}, callbacks=[Checkpoint({path!r})]).fit(X, y)
"""


@pytest.mark.parametrize("config", list(RESUME))
def test_resuming_a_killed_fit_gives_the_uninterrupted_weights(
    small_clf_data, tmp_path, config
):
    X, y = small_clf_data
    total, kill = 12, 5
    params = {"hidden_layer_sizes": (10,), "random_state": 3, "max_iter": total}
    params.update(RESUME[config])
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    path = str(tmp_path / "run.skops")
    code = KILLED_FIT.format(
        kill=kill,
        X=str(tmp_path / "X.npy"),
        y=str(tmp_path / "y.npy"),
        params=params,
        path=path,
    )
    env = {**os.environ, "PYTHONPATH": str(Path(sklearn_adamlp.__file__).parents[1])}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True
    )
    assert done.returncode == 17, done.stderr.decode()
    resumed = load(path)
    assert resumed.n_iter_ == kill
    resumed.set_params(warm_start=True, max_iter=total - kill, callbacks=None)
    resumed.fit(X, y)
    whole = MLPClassifier(**params).fit(X, y)
    _same_weights(resumed, whole)
    columns = ["epoch", "loss", "val_loss", "val_score", "learning_rate"]
    np.testing.assert_array_equal(
        resumed.history_[columns].to_numpy(), whole.history_[columns].to_numpy()
    )
    np.testing.assert_array_equal(resumed.predict_proba(X), whole.predict_proba(X))
