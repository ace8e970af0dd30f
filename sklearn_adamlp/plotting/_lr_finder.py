"""``LRFinderDisplay``: the loss against the learning rate of a range test."""

from __future__ import annotations

from typing import Any

import numpy as np

from sklearn_adamlp.plotting._base import check_matplotlib, get_axes


class LRFinderDisplay:
    """The learning-rate range test (Smith 2017): loss against learning rate.

    Parameters
    ----------
    learning_rates, losses, smoothed_losses : arrays
        The rates tried (increasing), the loss measured at each and its
        smoothed version.
    suggestion : float or None
        The suggested learning rate.
    suggestion_rule : str
        How it was chosen, in words.
    lr_min : float or None
        The rate at the lowest smoothed loss, marked on the curve.

    Attributes
    ----------
    lines_ : dict of str to Line2D
        ``"loss"``, ``"smoothed"``, ``"lr_min"`` and ``"suggestion"``.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    References
    ----------
    Smith, L. N. (2017). Cyclical Learning Rates for Training Neural Networks.
    WACV 2017 (the "LR range test").
    """

    def __init__(
        self,
        *,
        learning_rates: Any,
        losses: Any,
        smoothed_losses: Any = None,
        suggestion: float | None = None,
        suggestion_rule: str = "",
        lr_min: float | None = None,
    ) -> None:
        self.learning_rates = np.asarray(learning_rates, dtype=float)
        self.losses = np.asarray(losses, dtype=float)
        self.smoothed_losses = (
            None if smoothed_losses is None else np.asarray(smoothed_losses, float)
        )
        self.suggestion = suggestion
        self.suggestion_rule = suggestion_rule
        self.lr_min = lr_min

    @classmethod
    def from_result(cls, result: Any, **plot_kwargs: Any) -> LRFinderDisplay:
        """Plot the result of :func:`sklearn_adamlp.inspection.find_lr`."""
        check_matplotlib(f"{cls.__name__}.from_result")
        disp = cls(
            learning_rates=result.learning_rates,
            losses=result.losses,
            smoothed_losses=getattr(result, "smoothed_losses", None),
            suggestion=getattr(result, "suggestion", None),
            suggestion_rule=str(getattr(result, "suggestion_rule", "") or ""),
            lr_min=getattr(result, "lr_min", None),
        )
        return disp.plot(**plot_kwargs)

    @classmethod
    def from_estimator(
        cls, estimator: Any, X: Any, y: Any, *, ax: Any = None, **find_lr_kwargs: Any
    ) -> LRFinderDisplay:
        """Run :func:`~sklearn_adamlp.inspection.find_lr` and plot its result."""
        check_matplotlib(f"{cls.__name__}.from_estimator")
        from sklearn_adamlp.inspection import find_lr

        return cls.from_result(find_lr(estimator, X, y, **find_lr_kwargs), ax=ax)

    def plot(self, ax: Any = None) -> LRFinderDisplay:
        """Draw the raw and smoothed losses on a log rate axis, and the suggestion."""
        ax = get_axes(ax, f"{type(self).__name__}.plot")
        lr, raw = self.learning_rates, self.losses
        self.lines_: dict[str, Any] = {}
        smooth = self.smoothed_losses
        (self.lines_["loss"],) = ax.plot(
            lr, raw, color="tab:blue", alpha=0.35 if smooth is not None else 1.0,
            linewidth=1.0, marker=".", markersize=3, label="loss at each rate",
        )  # fmt: skip
        if smooth is not None:
            (self.lines_["smoothed"],) = ax.plot(
                lr, smooth, color="tab:blue", linewidth=2.0, label="smoothed loss"
            )
        if smooth is not None and self.lr_min is not None:
            k = int(np.argmin(np.abs(np.log(lr / self.lr_min))))
            (self.lines_["lr_min"],) = ax.plot(
                lr[k], smooth[k], "o", color="tab:blue", markersize=8,
                markerfacecolor="white",
                label=f"lowest smoothed loss (rate {lr[k]:.2g})",
            )  # fmt: skip
        if self.suggestion is not None and np.isfinite(self.suggestion):
            rule = f"\n({self.suggestion_rule})" if self.suggestion_rule else ""
            self.lines_["suggestion"] = ax.axvline(
                self.suggestion, color="tab:red", linestyle="--",
                label=f"suggested rate {self.suggestion:.2g}{rule}",
            )  # fmt: skip
        ax.set_xscale("log")
        ax.set(xlabel="learning rate (log scale)", ylabel="training loss")
        ax.set_ylim(*_loss_limits(raw if smooth is None else smooth))
        # below the axes: the curve fills the panel from corner to corner
        ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.14))
        self.ax_, self.figure_ = ax, ax.figure
        return self


def _loss_limits(loss: np.ndarray) -> tuple[float, float]:
    """From the lowest loss to a little above the first: the divergence is cut."""
    finite = loss[np.isfinite(loss)]
    if finite.size == 0:
        return 0.0, 1.0
    lo, first = float(finite.min()), float(finite[0])
    hi = max(first, lo) + 0.25 * max(abs(first - lo), 1e-12)
    return lo - 0.05 * (hi - lo), hi
