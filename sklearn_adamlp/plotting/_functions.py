"""Two-dimensional test functions for optimizer paths, with their gradients."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sklearn_adamlp._typing import FloatArray


@dataclass(frozen=True)
class TestFunction:
    """A function of ``p = (x, y)``, its gradient and a view that frames it.

    Attributes
    ----------
    name : str
        The title of the plot.
    formula : str
        The equation in plain text.
    f : callable
        ``f(x, y)``, vectorized over arrays (for the contours).
    grad : callable
        ``grad(p) -> array of shape (2,)``.
    start : tuple of float
        The default starting point.
    xlim, ylim : tuple of float
        The plotted region.
    minima : tuple of (x, y)
        Points marked with a star (global minima; none for the saddle).
    saddles : tuple of (x, y)
        Points marked with a cross.
    gradient_lr : float
        A learning rate at which plain gradient descent is stable (below
        ``2 / L``, ``L`` the largest curvature along the default path).
    adaptive_lr : float
        A learning rate of per-coordinate normalized methods (Adam, RMSprop),
        whose steps are about ``lr`` long: a few hundredths of the view.
    log_levels : bool
        Contours at log-spaced heights (functions with a deep narrow valley).
    """

    name: str
    formula: str
    f: Callable[[FloatArray, FloatArray], FloatArray]
    grad: Callable[[FloatArray], FloatArray]
    start: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    minima: tuple[tuple[float, float], ...] = ()
    saddles: tuple[tuple[float, float], ...] = ()
    gradient_lr: float = 1e-2
    adaptive_lr: float = 5e-2
    log_levels: bool = False

    __test__ = False  # not a pytest test class


def _rosenbrock(x: FloatArray, y: FloatArray) -> FloatArray:
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _rosenbrock_grad(p: FloatArray) -> FloatArray:
    x, y = p
    return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])


def _beale(x: FloatArray, y: FloatArray) -> FloatArray:
    return (
        (1.5 - x + x * y) ** 2
        + (2.25 - x + x * y**2) ** 2
        + (2.625 - x + x * y**3) ** 2
    )


def _beale_grad(p: FloatArray) -> FloatArray:
    x, y = p
    r1, r2, r3 = 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3
    dx = 2 * r1 * (y - 1) + 2 * r2 * (y**2 - 1) + 2 * r3 * (y**3 - 1)
    dy = 2 * r1 * x + 2 * r2 * 2 * x * y + 2 * r3 * 3 * x * y**2
    return np.array([dx, dy])


def _saddle(x: FloatArray, y: FloatArray) -> FloatArray:
    return x**2 - y**2


def _saddle_grad(p: FloatArray) -> FloatArray:
    x, y = p
    return np.array([2 * x, -2 * y])


def _ravine(x: FloatArray, y: FloatArray) -> FloatArray:
    return 0.5 * (x**2 + 100 * y**2)


def _ravine_grad(p: FloatArray) -> FloatArray:
    x, y = p
    return np.array([x, 100 * y])


FUNCTIONS: dict[str, TestFunction] = {
    "rosenbrock": TestFunction(
        "Rosenbrock's banana valley", "f(x, y) = (1 - x)² + 100 (y - x²)²",
        _rosenbrock, _rosenbrock_grad, start=(-1.5, 2.0), xlim=(-2.0, 2.0),
        ylim=(-1.0, 3.0), minima=((1.0, 1.0),), gradient_lr=1e-3,
        adaptive_lr=3e-2, log_levels=True,
    ),
    "beale": TestFunction(
        "Beale's function",
        "f(x, y) = (1.5 - x + xy)² + (2.25 - x + xy²)² + (2.625 - x + xy³)²",
        _beale, _beale_grad, start=(1.0, 1.4), xlim=(-1.0, 4.0),
        ylim=(-1.5, 2.0), minima=((3.0, 0.5),), gradient_lr=1e-3,
        adaptive_lr=5e-2, log_levels=True,
    ),
    "saddle": TestFunction(
        "A saddle point", "f(x, y) = x² - y²", _saddle, _saddle_grad,
        start=(-1.5, 1e-3), xlim=(-2.0, 2.0), ylim=(-2.0, 2.0),
        saddles=((0.0, 0.0),), gradient_lr=5e-2, adaptive_lr=5e-2,
    ),
    "ravine": TestFunction(
        "An ill-conditioned ravine (condition number 100)",
        "f(x, y) = (x² + 100 y²) / 2", _ravine, _ravine_grad,
        start=(-4.0, 0.6), xlim=(-5.0, 5.0), ylim=(-1.0, 1.0),
        minima=((0.0, 0.0),), gradient_lr=1.2e-2, adaptive_lr=1e-1,
        log_levels=True,
    ),
}  # fmt: skip
