"""LossCurveDisplay draws history_'s columns, the restarts and the snapshots."""

import math
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from sklearn_adamlp import MLPClassifier, MLPRegressor
from sklearn_adamlp.plotting import LossCurveDisplay
from sklearn_adamlp.schedules import CosineRestarts


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:300] / 16.0, y[:300]


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def test_lines_are_the_history_columns(digits):
    X, y = digits
    est = _fit(
        MLPClassifier((16,), solver="sgd", learning_rate="step", max_iter=12,
                      early_stopping=True, n_iter_no_change=100, random_state=0),
        X, y,
    )  # fmt: skip
    disp = LossCurveDisplay.from_estimator(est, name="sgd")
    h = est.history_
    lines = disp.lines_
    np.testing.assert_array_equal(lines["loss"].get_xdata(), h["epoch"])
    np.testing.assert_array_equal(lines["loss"].get_ydata(), h["loss"])
    np.testing.assert_array_equal(lines["val_loss"].get_ydata(), h["val_loss"])
    np.testing.assert_array_equal(lines["val_score"].get_ydata(), h["val_score"])
    np.testing.assert_array_equal(
        lines["learning_rate"].get_ydata(), h["learning_rate"]
    )
    assert disp.ax_score_ is not None
    assert disp.ax_lr_ is not None
    assert disp.ax_score_.get_ylim() == (0.0, 1.02)  # accuracy on its whole range
    assert disp.figure_ is disp.ax_.figure
    assert disp.ax_.get_ylabel()
    assert disp.ax_score_.get_ylabel()
    # every legend entry has a line with data or a drawn marker style
    labels = [t.get_text() for t in disp.ax_.get_legend().get_texts()]
    assert "sgd: training loss" in labels
    assert "sgd: validation loss" in labels


def test_without_validation_no_score_panel(digits):
    X, y = digits
    est = _fit(MLPClassifier((8,), max_iter=5, random_state=0), X, y)
    disp = LossCurveDisplay.from_estimator(est, show_learning_rate=False)
    assert disp.ax_score_ is None
    assert disp.ax_lr_ is None
    assert set(disp.lines_) == {"loss"}
    np.testing.assert_array_equal(disp.lines_["loss"].get_ydata(), est.loss_curve_)


def test_restarts_and_snapshots_follow_the_cycles(digits):
    X, y = digits
    # cycles of T_0 = 4 epochs: SGDR restarts after epochs 4, 8, 12 (1-based)
    est = _fit(
        MLPClassifier((16,), solver="sgd", learning_rate=CosineRestarts(T_0=4),
                      max_iter=14, snapshot_ensemble=True, tol=0.0,
                      n_iter_no_change=100, random_state=0),
        X, y,
    )  # fmt: skip
    disp = LossCurveDisplay.from_estimator(est)
    cycle_ends = [e for e in range(1, 15) if e % 4 == 0]
    np.testing.assert_array_equal(disp.restarts, [e + 0.5 for e in cycle_ends])
    assert est.n_snapshots_ == len(cycle_ends)
    np.testing.assert_array_equal(disp.snapshots, cycle_ends)
    used = cycle_ends[len(cycle_ends) - (est.ensemble_size_ - 1) :]
    np.testing.assert_array_equal(disp.ensemble, used if est.ensemble_size_ > 1 else [])
    marked = []
    for key in ("snapshots", "ensemble"):
        if key in disp.lines_:
            marked += list(disp.lines_[key].get_xdata())
            loss = est.history_.set_index("epoch")["loss"]
            np.testing.assert_array_equal(
                disp.lines_[key].get_ydata(), loss[disp.lines_[key].get_xdata()]
            )
    assert sorted(marked) == cycle_ends
    # the learning rate restarts where the lines are: eta_max at epoch e + 1
    lr = est.history_.set_index("epoch")["learning_rate"]
    for e in cycle_ends[:-1]:
        assert lr[e + 1] > lr[e]
        assert math.isclose(lr[e + 1], 2.0 * est.learning_rate_init)


def test_from_history_and_regressor_label(digits):
    X, y = digits
    reg = _fit(
        MLPRegressor(
            hidden_layer_sizes=(8,), max_iter=6, early_stopping=True, random_state=0
        ),
        X,
        y,
    )
    disp = LossCurveDisplay.from_estimator(reg)
    assert disp.ax_score_.get_ylabel() == "validation R²"
    again = LossCurveDisplay.from_history(reg.history_, log_loss=True)
    np.testing.assert_array_equal(again.lines_["loss"].get_ydata(), reg.loss_curve_)
    assert again.ax_.get_yscale() == "log"


def test_unfitted_or_bad_history_raise(digits):
    with pytest.raises(ValueError, match="not fitted"):
        LossCurveDisplay.from_estimator(MLPClassifier())
    import pandas as pd

    with pytest.raises(ValueError, match="loss"):
        LossCurveDisplay.from_history(pd.DataFrame({"epoch": [1]}))


def test_draws_on_given_axes(digits):
    import matplotlib.pyplot as plt

    X, y = digits
    est = _fit(MLPClassifier((8,), max_iter=4, random_state=0), X, y)
    _, ax = plt.subplots()
    disp = LossCurveDisplay.from_estimator(est, ax=ax, color="k", linestyle=":")
    assert disp.ax_ is ax
    assert disp.lines_["loss"].get_linestyle() == ":"


def test_validation_loss_can_be_left_out(digits):
    X, y = digits
    est = _fit(
        MLPClassifier((8,), max_iter=4, early_stopping=True, random_state=0), X, y
    )
    disp = LossCurveDisplay.from_estimator(est, show_validation_loss=False)
    assert "val_loss" not in disp.lines_
    assert "val_score" in disp.lines_
