"""The tqdm progress bar: kept when the fit ends, counts L-BFGS iterations."""

import io
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from sklearn_adamlp import MLPClassifier, MLPRegressor
from sklearn_adamlp.callbacks import ProgressBar

pytest.importorskip("tqdm")


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    return X, (X[:, 0] > 0).astype(int)


def _final_line(err: str) -> str:
    """What the terminal shows last: the text after the last carriage return."""
    return err.rstrip("\n").split("\r")[-1]


def test_verbose_2_keeps_the_finished_bar_with_n_over_total(capsys):
    X, y = _data()
    MLPClassifier(hidden_layer_sizes=(4,), max_iter=4, verbose=2).fit(X, y)
    err = capsys.readouterr().err
    assert err.endswith("\n")  # tqdm's leave=True ends the bar's line
    last = _final_line(err)
    assert "4/4" in last
    assert "epoch" in last


def test_progress_bar_leave_false_clears_the_bar():
    X, y = _data()
    out = io.StringIO()
    bar = ProgressBar(total=3, leave=False, file=out)
    MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, callbacks=[bar]).fit(X, y)
    assert "3/3" not in _final_line(out.getvalue())
    assert not hasattr(bar, "bar_")


def test_progress_bar_callback_keeps_its_bar_by_default():
    X, y = _data()
    out = io.StringIO()
    bar = ProgressBar(total=5, file=out)
    assert bar.leave is True
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, callbacks=[bar])
    clf.fit(X, y)
    last = _final_line(out.getvalue())
    assert "3/5" in last  # stopped (max_iter) before the announced total
    params = clone(bar).get_params()
    assert {k: params[k] for k in ("total", "leave", "unit")} == {
        "total": 5,
        "leave": True,
        "unit": "epoch",
    }


def test_lbfgs_bar_counts_iterations_out_of_max_iter(capsys):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 3))
    y = X @ [1.0, -1.0, 2.0]
    reg = MLPRegressor(
        hidden_layer_sizes=(5,), solver="lbfgs", max_iter=7, verbose=2
    ).fit(X, y)
    last = _final_line(capsys.readouterr().err)
    assert f"{reg.n_iter_}/7" in last
    assert "iteration" in last
