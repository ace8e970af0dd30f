"""LRFinderDisplay draws a range test's rates, losses and suggestion."""

from types import SimpleNamespace

import numpy as np

from sklearn_adamlp.plotting import LRFinderDisplay


def _result():
    lr = np.geomspace(1e-4, 1.0, 20)
    loss = 2.0 - 0.5 * np.log10(lr / 1e-4)
    loss[-3:] = [5.0, 50.0, np.inf]  # divergence at the end
    smooth = np.minimum.accumulate(loss)
    return SimpleNamespace(
        learning_rates=lr, losses=loss, smoothed_losses=smooth,
        suggestion=1e-2, suggestion_rule="steepest descent of the smoothed loss",
    )  # fmt: skip


def test_lines_and_suggestion():
    result = _result()
    disp = LRFinderDisplay.from_result(result)
    np.testing.assert_array_equal(
        disp.lines_["loss"].get_xdata(), result.learning_rates
    )
    np.testing.assert_array_equal(disp.lines_["loss"].get_ydata(), result.losses)
    np.testing.assert_array_equal(
        disp.lines_["smoothed"].get_ydata(), result.smoothed_losses
    )
    assert list(disp.lines_["suggestion"].get_xdata()) == [1e-2, 1e-2]
    assert "steepest descent" in disp.lines_["suggestion"].get_label()
    assert disp.ax_.get_xscale() == "log"
    low, high = disp.ax_.get_ylim()
    # the divergence is cut off: the axis ends a little above the first loss
    assert high < 5.0
    assert low <= result.smoothed_losses.min()


def test_without_smoothing_or_suggestion():
    r = _result()
    r.smoothed_losses, r.suggestion = None, None
    disp = LRFinderDisplay.from_result(r)
    assert set(disp.lines_) == {"loss"}


def test_from_estimator_draws_find_lr():
    from sklearn.datasets import load_digits

    from sklearn_adamlp import MLPClassifier
    from sklearn_adamlp.inspection import find_lr

    X, y = load_digits(return_X_y=True)
    X, y = X[:300] / 16.0, y[:300]
    est = MLPClassifier((16,), solver="sgd", batch_size=32)
    kwargs = {"start": 1e-4, "stop": 10.0, "num": 40, "random_state": 0}
    disp = LRFinderDisplay.from_estimator(est, X, y, **kwargs)
    result = find_lr(est, X, y, **kwargs)
    np.testing.assert_array_equal(disp.learning_rates, result.learning_rates)
    np.testing.assert_array_equal(disp.lines_["loss"].get_ydata(), result.losses)
    np.testing.assert_array_equal(
        disp.lines_["smoothed"].get_ydata(), result.smoothed_losses
    )
    assert disp.lines_["suggestion"].get_xdata()[0] == result.suggestion
    assert disp.lines_["lr_min"].get_xdata()[0] == result.lr_min
