"""``OptimizerPathDisplay``: optimizer paths on the contours of a 2-D function."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from sklearn_adamlp import optimizers
from sklearn_adamlp.plotting._base import check_matplotlib, get_axes, styles
from sklearn_adamlp.plotting._functions import FUNCTIONS, TestFunction

#: how each built-in optimizer's default learning rate on a test function is
#: chosen: "gradient" (plain gradient steps: the function's stable rate),
#: "adaptive" (normalized steps of about lr), "adagrad" (five times that: its
#: steps shrink as 1/sqrt(t)), None (the optimizer's own default: Adadelta's
#: unit-free rate 1, Rprop's initial step)
_LR_RULE: dict[str, str | None] = {
    "sgd": "gradient", "momentum": "gradient", "nesterov": "gradient",
    "adagrad": "adagrad", "adadelta": None, "rprop": None,
    "adam": "adaptive", "adamw": "adaptive", "amsgrad": "adaptive",
    "adamax": "adaptive", "nadam": "adaptive", "adabound": "adaptive",
    "rmsprop": "adaptive", "quickprop": "gradient",
}  # fmt: skip


class OptimizerPathDisplay:
    """Paths of optimizers on a two-dimensional function, over its contours.

    Each path is the sequence of points ``p_0 = start``, ``p_1``, ... that the
    package's own update code visits: ``opt.step([p], [grad(p)])`` for a
    first-order optimizer, the iterates of ``opt.minimize`` for a minimizer
    (L-BFGS, Newton-CG, Quickprop). A path ends early where it leaves a box
    three times the size of the view or stops being finite.

    Parameters
    ----------
    paths : dict of str to array of shape (n_points, 2)
    function : TestFunction
    learning_rates : dict of str to float or None

    Attributes
    ----------
    lines_ : dict of str to Line2D
    contour_ : matplotlib ContourSet
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    """

    def __init__(
        self, *, paths: dict[str, Any], function: TestFunction, learning_rates: dict
    ) -> None:
        self.paths = {k: np.asarray(v, dtype=float) for k, v in paths.items()}
        self.function = function
        self.learning_rates = dict(learning_rates)

    @classmethod
    def from_optimizers(
        cls,
        optimizer_list: Sequence[Any],
        *,
        function: str | tuple[Callable, Callable] = "rosenbrock",
        start: Sequence[float] | None = None,
        steps: int = 200,
        learning_rates: dict[str, float] | None = None,
        labels: Sequence[str] | None = None,
        xlim: tuple[float, float] | None = None,
        ylim: tuple[float, float] | None = None,
        **plot_kwargs: Any,
    ) -> OptimizerPathDisplay:
        """Run each optimizer from ``start`` for ``steps`` steps and plot the paths.

        Parameters
        ----------
        optimizer_list : list of str or Optimizer
            Names of :func:`sklearn_adamlp.optimizers.available` or optimizer
            objects (copied, never modified).
        function : str or (f, grad), default="rosenbrock"
            'rosenbrock', 'beale', 'saddle' (``x² - y²``) or 'ravine'
            (``(x² + 100 y²) / 2``); or a pair of callables ``f(x, y)`` and
            ``grad(p) -> array([df/dx, df/dy])``.
        start : (float, float), default=None
            The starting point; default: the function's own.
        steps : int, default=200
            Optimizer steps (iterations of a minimizer).
        learning_rates : dict, default=None
            Learning rate per label (name), overriding the defaults: for a
            name, a rate suited to the function and the optimizer's kind; for
            an object, its own ``learning_rate``.
        labels : list of str, default=None
            Default: the names, or the class names of objects.
        xlim, ylim : (float, float), default=None
            The view; default: the function's, or the paths' extent.
        """
        check_matplotlib(f"{cls.__name__}.from_optimizers")
        fn = _resolve_function(function, start, xlim, ylim)
        p0 = np.asarray(fn.start if start is None else start, dtype=float)
        if p0.shape != (2,) or not np.all(np.isfinite(p0)):
            raise ValueError(f"start must be two finite numbers; got {start!r}.")
        if labels is None:
            labels = [_default_label(o) for o in optimizer_list]
        if len(labels) != len(optimizer_list) or len(set(labels)) != len(labels):
            raise ValueError(
                f"labels must be {len(optimizer_list)} distinct names; got {labels}."
            )
        overrides = dict(learning_rates or {})
        unknown = set(overrides) - set(labels)
        if unknown:
            raise ValueError(
                f"learning_rates has keys {sorted(unknown)} that name no path; "
                f"the labels are {list(labels)}."
            )
        paths, rates = {}, {}
        for spec, label in zip(optimizer_list, labels, strict=True):
            opt = _build(spec, fn, overrides.get(label))
            rates[label] = getattr(opt, "learning_rate", None)
            paths[label] = trace_path(opt, fn, p0, int(steps))
        disp = cls(paths=paths, function=fn, learning_rates=rates)
        return disp.plot(**plot_kwargs)

    def plot(
        self, ax: Any = None, *, levels: int = 20, legend: bool = True
    ) -> OptimizerPathDisplay:
        """Draw the contours, the start, the minima or saddle, and the paths."""
        ax = get_axes(ax, f"{type(self).__name__}.plot")
        fn = self.function
        xs = np.linspace(*fn.xlim, 200)
        ys = np.linspace(*fn.ylim, 200)
        X, Y = np.meshgrid(xs, ys)
        Z = _grid(fn.f, X, Y)
        self.contour_ = ax.contour(
            X, Y, Z, levels=_levels(Z, levels, fn.log_levels), cmap="Greys",
            linewidths=0.6, alpha=0.8, zorder=0,
        )  # fmt: skip
        self.lines_ = {}
        k = len(self.paths)
        for i, ((label, path), style) in enumerate(
            zip(self.paths.items(), styles(), strict=False)
        ):
            every = max(1, len(path) // 8)  # about 8 markers on every path
            style["markevery"] = (i % every, every)
            # the first path on top: lists usually start with the slow,
            # short paths of plain gradient descent, which longer ones hide
            (self.lines_[label],) = ax.plot(
                path[:, 0], path[:, 1], label=self._legend(label, path),
                linewidth=1.4, zorder=2 + (k - i) / k, **style,
            )  # fmt: skip
        self._plot_points(ax)
        ax.set(xlim=fn.xlim, ylim=fn.ylim, xlabel="parameter x", ylabel="parameter y")
        ax.set_title(f"{fn.name}: {fn.formula}", fontsize="medium")
        if legend:
            ax.legend(fontsize="small", loc="best", framealpha=0.9)
        self.ax_, self.figure_ = ax, ax.figure
        return self

    def _legend(self, label: str, path: np.ndarray) -> str:
        lr = self.learning_rates.get(label)
        text = label if lr is None else f"{label} (lr {float(lr):g})"
        return text

    def _plot_points(self, ax: Any) -> None:
        start = next(iter(self.paths.values()))[0] if self.paths else None
        if start is not None:
            ax.plot(*start, "ko", markersize=7, label="start", zorder=4)
        for i, (x, y) in enumerate(self.function.minima):
            ax.plot(x, y, "*", color="gold", markeredgecolor="k", markersize=14,
                    label="minimum" if i == 0 else None, zorder=4)  # fmt: skip
        for i, (x, y) in enumerate(self.function.saddles):
            ax.plot(x, y, "kX", markersize=9,
                    label="saddle point" if i == 0 else None, zorder=4)  # fmt: skip


def trace_path(opt: Any, fn: TestFunction, start: np.ndarray, steps: int) -> Any:
    """Return the points an optimizer visits from ``start``, shape (n, 2)."""
    width = np.array([fn.xlim[1] - fn.xlim[0], fn.ylim[1] - fn.ylim[0]])
    low = np.array([fn.xlim[0], fn.ylim[0]]) - width
    high = np.array([fn.xlim[1], fn.ylim[1]]) + width

    def inside(p: np.ndarray) -> bool:
        return bool(np.all(np.isfinite(p)) and np.all(p >= low) and np.all(p <= high))

    path = [start.copy()]
    if hasattr(opt, "minimize"):
        return _minimizer_path(opt, fn, start, steps, inside)
    p = start.copy()
    for _ in range(steps):
        opt.step([p], [np.asarray(fn.grad(p), dtype=float)])
        if not inside(p):
            break
        path.append(p.copy())
    return np.array(path)


def _minimizer_path(
    opt: Any,
    fn: TestFunction,
    start: np.ndarray,
    steps: int,
    inside: Callable[[np.ndarray], bool],
) -> np.ndarray:
    path = [start.copy()]

    def fun(p: np.ndarray) -> tuple[float, np.ndarray]:
        return float(fn.f(p[0], p[1])), np.asarray(fn.grad(p), dtype=float)

    def callback(intermediate_result: Any) -> None:
        x = np.array(intermediate_result.x, dtype=float)
        if not inside(x):
            raise StopIteration
        path.append(x)

    with contextlib.suppress(StopIteration):  # the path left the view
        opt.minimize(
            fun, start.copy(), max_iter=steps, max_fun=20 * steps, tol=0.0,
            callback=callback,
        )  # fmt: skip
    return np.array(path)


def _default_label(spec: Any) -> str:
    return spec if isinstance(spec, str) else type(spec).__name__.lower()


def _build(spec: Any, fn: TestFunction, lr: float | None) -> Any:
    """Return a fresh optimizer: a name with a default rate, or a copy of an object."""
    obj = optimizers.get(spec)
    if isinstance(obj, type):
        params = obj().get_params(deep=False)
        rule = _LR_RULE.get(spec) if isinstance(spec, str) else None
        if lr is None and rule is not None and "learning_rate" in params:
            lr = {"gradient": fn.gradient_lr, "adaptive": fn.adaptive_lr,
                  "adagrad": 5 * fn.adaptive_lr}[rule]  # fmt: skip
        kwargs = {} if lr is None else {"learning_rate": lr}
        return optimizers.OPTIMIZERS.build(obj, **kwargs)
    if not (hasattr(obj, "step") or hasattr(obj, "minimize")):
        raise TypeError(
            f"optimizers must be names of {optimizers.available()} or optimizer "
            f"objects; got {spec!r}."
        )
    if lr is not None:  # a copy at this rate, checked as any other
        obj = optimizers.OPTIMIZERS.build(obj).set_params(learning_rate=lr)
    return optimizers.OPTIMIZERS.build(obj)


def _resolve_function(
    function: str | tuple[Callable, Callable],
    start: Sequence[float] | None,
    xlim: tuple[float, float] | None,
    ylim: tuple[float, float] | None,
) -> TestFunction:
    if isinstance(function, str):
        try:
            fn = FUNCTIONS[function]
        except KeyError:
            raise ValueError(
                f"Unknown function {function!r}. Available: {', '.join(FUNCTIONS)}, "
                "or a pair (f, grad) of callables."
            ) from None
    elif (
        isinstance(function, tuple)
        and len(function) == 2
        and all(callable(c) for c in function)
    ):
        if start is None:
            raise ValueError("a custom function (f, grad) needs start=(x, y).")
        x0, y0 = (float(v) for v in start)
        fn = TestFunction(
            "f", "a user function", function[0], function[1], start=(x0, y0),
            xlim=(x0 - 2.0, x0 + 2.0), ylim=(y0 - 2.0, y0 + 2.0),
        )  # fmt: skip
    else:
        raise TypeError(
            f"function must be a name of {list(FUNCTIONS)} or a pair (f, grad) of "
            f"callables; got {function!r}."
        )
    if xlim is not None or ylim is not None:
        fn = _replace(fn, xlim=xlim or fn.xlim, ylim=ylim or fn.ylim)
    return fn


def _replace(fn: TestFunction, **changes: Any) -> TestFunction:
    return dataclasses.replace(fn, **changes)


def _grid(f: Callable, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """``f`` on a grid; element-wise when ``f`` does not broadcast."""
    try:
        Z = np.asarray(f(X, Y), dtype=float)
        if Z.shape == X.shape:
            return Z
    except (TypeError, ValueError):
        pass
    return np.vectorize(lambda a, b: float(f(a, b)))(X, Y)


def _levels(Z: np.ndarray, n: int, log: bool) -> np.ndarray:
    finite = Z[np.isfinite(Z)]
    lo, hi = float(finite.min()), float(finite.max())
    if not log:
        return np.linspace(lo, hi, n)
    offset = lo - 1e-3 * (hi - lo)  # contour heights above the lowest point
    return offset + np.geomspace(1e-3 * (hi - lo), hi - offset, n)
