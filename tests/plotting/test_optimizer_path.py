"""OptimizerPathDisplay: the plotted points are the optimizers' own steps.

The expected paths are written here from the update equations (plain gradient
descent, Adam's Algorithm 1) and the test functions' gradients by hand.
"""

import numpy as np
import pytest

from sklearn_adamlp import optimizers
from sklearn_adamlp.plotting import FUNCTIONS, OptimizerPathDisplay


def rosenbrock_grad(x, y):
    return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])


def beale_grad(x, y):
    r = [1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3]
    dx = 2 * r[0] * (y - 1) + 2 * r[1] * (y**2 - 1) + 2 * r[2] * (y**3 - 1)
    dy = 2 * r[0] * x + 4 * r[1] * x * y + 6 * r[2] * x * y**2
    return np.array([dx, dy])


def test_sgd_path_is_gradient_descent_on_rosenbrock():
    lr, steps = 1e-3, 25
    disp = OptimizerPathDisplay.from_optimizers(
        ["sgd"], function="rosenbrock", start=(-1.5, 2.0), steps=steps,
        learning_rates={"sgd": lr},
    )  # fmt: skip
    p = np.array([-1.5, 2.0])
    expected = [p.copy()]
    for _ in range(steps):
        p = p - lr * rosenbrock_grad(*p)
        expected.append(p)
    np.testing.assert_allclose(disp.paths["sgd"], expected, rtol=1e-12)
    line = disp.lines_["sgd"]
    np.testing.assert_allclose(line.get_xdata(), np.array(expected)[:, 0])
    np.testing.assert_allclose(line.get_ydata(), np.array(expected)[:, 1])
    assert disp.learning_rates["sgd"] == lr


def test_adam_path_follows_kingma_and_ba_on_beale():
    lr, b1, b2, eps, steps = 0.05, 0.9, 0.999, 1e-8, 30
    disp = OptimizerPathDisplay.from_optimizers(
        [optimizers.Adam(learning_rate=lr)], function="beale", steps=steps,
        labels=["adam"],
    )  # fmt: skip
    p = np.array(FUNCTIONS["beale"].start, dtype=float)
    m, v, expected = np.zeros(2), np.zeros(2), [p.copy()]
    for t in range(1, steps + 1):
        g = beale_grad(*p)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
        expected.append(p)
    np.testing.assert_allclose(disp.paths["adam"], expected, rtol=1e-10)


def test_momentum_path_and_custom_function():
    lr, mu, steps = 0.1, 0.9, 15

    def f(x, y):
        return (x - 1) ** 2 + 3 * y**2

    def grad(p):
        return np.array([2 * (p[0] - 1), 6 * p[1]])

    disp = OptimizerPathDisplay.from_optimizers(
        [optimizers.get("momentum")(learning_rate=lr, momentum=mu)],
        function=(f, grad), start=(-1.0, 1.0), steps=steps, labels=["heavy ball"],
    )  # fmt: skip
    p, vel, expected = np.array([-1.0, 1.0]), np.zeros(2), [np.array([-1.0, 1.0])]
    for _ in range(steps):
        vel = mu * vel - lr * grad(p)  # Polyak's heavy ball
        p = p + vel
        expected.append(p)
    np.testing.assert_allclose(disp.paths["heavy ball"], expected, rtol=1e-10)


def test_user_objects_are_not_changed():
    adam = optimizers.Adam(learning_rate=0.01)
    OptimizerPathDisplay.from_optimizers([adam], function="ravine", steps=5)
    assert getattr(adam, "state_", None) is None
    assert adam.learning_rate == 0.01


def test_default_rates_depend_on_kind_and_function():
    disp = OptimizerPathDisplay.from_optimizers(
        ["sgd", "adam", "adadelta"], function="ravine", steps=3
    )
    ravine = FUNCTIONS["ravine"]
    assert disp.learning_rates["sgd"] == ravine.gradient_lr
    assert disp.learning_rates["adam"] == ravine.adaptive_lr
    assert disp.learning_rates["adadelta"] == optimizers.get("adadelta")().learning_rate
    # plain gradient descent at the default rate is stable on the ravine:
    # |1 - lr * 100| < 1 along y
    assert abs(1 - ravine.gradient_lr * 100) < 1


def test_minimizer_path_reaches_the_minimum():
    disp = OptimizerPathDisplay.from_optimizers(["lbfgs"], function="rosenbrock")
    np.testing.assert_allclose(disp.paths["lbfgs"][-1], [1.0, 1.0], atol=1e-4)
    np.testing.assert_array_equal(disp.paths["lbfgs"][0], FUNCTIONS["rosenbrock"].start)


def test_saddle_escape_stops_outside_the_view():
    # x² - y² from just off the x axis: gradient descent runs down the y
    # direction without bound; the path ends once it leaves the enlarged view
    disp = OptimizerPathDisplay.from_optimizers(["sgd"], function="saddle", steps=500)
    path = disp.paths["sgd"]
    assert len(path) < 501
    assert np.all(np.isfinite(path))
    assert abs(path[-1, 1]) > 2.0  # escaped along y


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"function": "himmelblau"}, "Available: rosenbrock"),
        ({"learning_rates": {"adma": 0.1}}, "name no path"),
        ({"start": (np.nan, 0.0)}, "start"),
        ({"labels": ["a", "a"]}, "distinct"),
    ],
)
def test_bad_input_is_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        OptimizerPathDisplay.from_optimizers(["sgd", "adam"], steps=2, **kwargs)


def test_not_an_optimizer_raises_type_error():
    with pytest.raises(TypeError, match="optimizer"):
        OptimizerPathDisplay.from_optimizers([object()], steps=2)
    with pytest.raises(TypeError, match="pair"):
        OptimizerPathDisplay.from_optimizers(["sgd"], function=42)
    with pytest.raises(ValueError, match="start"):
        OptimizerPathDisplay.from_optimizers(["sgd"], function=(abs, abs))
