"""ScheduleDisplay: the plotted rates are the schedules' equations."""

import math

import numpy as np
import pytest

from sklearn_adamlp.plotting import ScheduleDisplay
from sklearn_adamlp.schedules import CosineRestarts, Step


def test_rates_follow_the_equations():
    epochs, base = 30, 0.1
    disp = ScheduleDisplay.from_schedules(
        ["cosine", Step(drop=0.5, every=10), "invscaling"],
        epochs=epochs, learning_rate=base, n_samples=50,
    )  # fmt: skip
    e = np.arange(epochs)
    cosine = base * 0.5 * (1 + np.cos(np.pi * e / epochs))  # T_max = epochs
    step = base * 0.5 ** (e // 10)
    invscaling = base / (e * 50 + 1.0) ** 0.5  # samples seen, power_t 0.5
    for line, expected in zip(disp.lines_, (cosine, step, invscaling), strict=True):
        np.testing.assert_array_equal(line.get_xdata(), e)
        np.testing.assert_allclose(line.get_ydata(), expected, rtol=1e-12)
    assert disp.labels[0] == "cosine"
    assert disp.labels[2] == "invscaling"
    assert disp.ax_.get_ylabel() == "learning rate"
    # overlapping lines stay apart: every line has its own dash and marker
    styles = {(ln.get_linestyle(), ln.get_marker()) for ln in disp.lines_}
    assert len(styles) == 3


def test_restarts_of_sgdr():
    disp = ScheduleDisplay.from_schedules(
        CosineRestarts(T_0=5, T_mult=2, eta_max=1.0), epochs=20, labels=["sgdr"]
    )
    lr = disp.learning_rates[0]
    # cycles of 5 and 10 epochs: restarts at epochs 5 and 15
    for t in range(20):
        start, length = (0, 5) if t < 5 else (5, 10) if t < 15 else (15, 20)
        assert math.isclose(
            lr[t], 0.5 * (1 + math.cos(math.pi * (t - start) / length)), abs_tol=1e-12
        )
    assert disp.ax_.get_ylabel() == "learning rate / base rate"


def test_sample_unit_needs_n_samples():
    with pytest.raises(ValueError, match="n_samples"):
        ScheduleDisplay.from_schedules("invscaling", epochs=5)
    with pytest.raises(ValueError, match="epochs"):
        ScheduleDisplay.from_schedules("constant", epochs=0)
    with pytest.raises(ValueError, match="Unknown learning-rate schedule"):
        ScheduleDisplay.from_schedules("cosinus", epochs=5)


def test_step_unit_schedule_is_drawn_per_step():
    from sklearn_adamlp.schedules import Schedule

    class Halving(Schedule):
        unit = "step"

        def __call__(self, t):
            return 0.5 ** (t // 3)

    disp = ScheduleDisplay.from_schedules(Halving(), epochs=2, steps_per_epoch=4)
    np.testing.assert_allclose(disp.x[0], np.arange(8) / 4)
    np.testing.assert_allclose(disp.learning_rates[0], 0.5 ** (np.arange(8) // 3))
    with pytest.raises(ValueError, match="steps_per_epoch"):
        ScheduleDisplay.from_schedules(Halving(), epochs=2)
