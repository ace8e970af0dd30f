"""``LossCurveDisplay``: loss, validation score and learning rate per epoch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sklearn_adamlp import schedules
from sklearn_adamlp.plotting._base import check_matplotlib, get_axes


class LossCurveDisplay:
    """Training curves of one fit: loss, validation loss and score, learning rate.

    Build it with :meth:`from_estimator` (any fitted sklearn-adamlp estimator) or
    :meth:`from_history` (a ``history_`` frame); both call :meth:`plot`. The data
    stay on the object, so they can be checked or re-plotted.

    Parameters
    ----------
    epochs : array of int
        The 1-based epoch numbers (``history_['epoch']``).
    loss : array of float
        Training loss per epoch (penalty included).
    val_loss, val_score, learning_rate : array of float or None
        Validation loss, validation score and the learning rate of each epoch.
    restarts : array of float or None
        Positions of the learning-rate restarts on the epoch axis (between the
        last epoch of a cycle and the first of the next, hence ``e + 0.5``).
    snapshots : array of int or None
        Epochs at whose end a snapshot ensemble kept the weights.
    ensemble : array of int or None
        The epochs of the snapshots that ``predict`` averages.
    name : str or None
        Name of the run, prefixed to the legend labels.
    score_name : str, default="validation score"
        Label of the score axis (e.g. "validation accuracy").

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes of the losses.
    ax_score_ : matplotlib Axes or None
        Axes of the validation score (its own panel below the losses).
    ax_lr_ : matplotlib Axes or None
        Right-hand axis of the learning rate.
    figure_ : matplotlib Figure
    lines_ : dict of str to Line2D
        ``"loss"``, ``"val_loss"``, ``"val_score"``, ``"learning_rate"``,
        ``"snapshots"`` and ``"ensemble"``, where drawn.
    """

    def __init__(
        self,
        *,
        epochs: Any,
        loss: Any,
        val_loss: Any = None,
        val_score: Any = None,
        learning_rate: Any = None,
        restarts: Any = None,
        snapshots: Any = None,
        ensemble: Any = None,
        name: str | None = None,
        score_name: str = "validation score",
    ) -> None:
        self.epochs = np.asarray(epochs)
        self.loss = np.asarray(loss, dtype=float)
        self.val_loss = _optional(val_loss)
        self.val_score = _optional(val_score)
        self.learning_rate = _optional(learning_rate)
        self.restarts = np.asarray([] if restarts is None else restarts, dtype=float)
        self.snapshots = np.asarray([] if snapshots is None else snapshots, dtype=int)
        self.ensemble = np.asarray([] if ensemble is None else ensemble, dtype=int)
        self.name = name
        self.score_name = score_name

    @classmethod
    def from_history(
        cls, history: pd.DataFrame, *, name: str | None = None, **plot_kwargs: Any
    ) -> LossCurveDisplay:
        """Plot a ``history_`` frame (columns of :class:`sklearn_adamlp.history`)."""
        check_matplotlib(f"{cls.__name__}.from_history")
        missing = {"epoch", "loss"} - set(history.columns)
        if missing:
            raise ValueError(f"history lacks the column(s) {sorted(missing)}.")
        disp = cls(
            epochs=history["epoch"].to_numpy(),
            loss=history["loss"].to_numpy(),
            val_loss=history.get("val_loss"),
            val_score=history.get("val_score"),
            learning_rate=history.get("learning_rate"),
            name=name,
        )
        return disp.plot(**plot_kwargs)

    @classmethod
    def from_estimator(
        cls, estimator: Any, *, name: str | None = None, **plot_kwargs: Any
    ) -> LossCurveDisplay:
        """Plot a fitted estimator's ``history_``, its restarts and snapshots.

        Restarts are the cycle ends of the estimator's learning-rate schedule
        (``schedule.cycle_end``); snapshots are those a ``snapshot_ensemble``
        kept (``n_snapshots_``), the last ``ensemble_size_ - 1`` of which
        ``predict`` averages with the final weights.
        """
        check_matplotlib(f"{cls.__name__}.from_estimator")
        history = getattr(estimator, "history_", None)
        if history is None:
            raise ValueError(
                f"{type(estimator).__name__} is not fitted or has no history_; "
                "fit it before plotting its loss curve."
            )
        epochs = history["epoch"].to_numpy()
        cycle_ends = _cycle_ends(estimator, epochs)
        n_snap = int(getattr(estimator, "n_snapshots_", 0) or 0)
        snapshots = cycle_ends[len(cycle_ends) - n_snap :] if n_snap else []
        n_used = int(getattr(estimator, "ensemble_size_", 1) or 1) - 1
        ensemble = snapshots[len(snapshots) - n_used :] if n_used > 0 else []
        is_classifier = hasattr(estimator, "classes_")
        disp = cls(
            epochs=epochs,
            loss=history["loss"].to_numpy(),
            val_loss=history["val_loss"],
            val_score=history["val_score"],
            learning_rate=history["learning_rate"],
            restarts=[e + 0.5 for e in cycle_ends if e < epochs[-1]],
            snapshots=snapshots,
            ensemble=ensemble,
            name=name,
            score_name="validation accuracy" if is_classifier else "validation R²",
        )
        return disp.plot(**plot_kwargs)

    def plot(
        self,
        ax: Any = None,
        *,
        score_ax: Any = None,
        name: str | None = None,
        show_learning_rate: bool = True,
        show_score: bool = True,
        log_loss: bool = False,
        log_learning_rate: bool = False,
        show_validation_loss: bool = True,
        legend: bool = True,
        **kwargs: Any,
    ) -> LossCurveDisplay:
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes of the losses. None: a new figure, with a second panel below
            for the validation score when there is one and ``show_score``.
        score_ax : matplotlib Axes, default=None
            Axes of the validation score when ``ax`` is given (None: no score).
        name : str, default=None
            Overrides the name given at construction.
        show_learning_rate : bool, default=True
            Draw the learning rate on a right-hand axis.
        show_score : bool, default=True
            Draw the validation score, if any.
        log_loss : bool, default=False
            Log scale for the loss axis.
        log_learning_rate : bool, default=False
            Log scale for the learning-rate axis.
        show_validation_loss : bool, default=True
            Draw the validation loss, if any (dashed, in the training colour).
        legend : bool, default=True
            Draw a legend above the axes (off when several runs share them and
            the caller draws one legend).
        **kwargs
            Keywords of the training-loss line (``color``, ``linestyle``,
            ``marker``...); the validation lines reuse its colour.

        Returns
        -------
        self
        """
        check_matplotlib(f"{type(self).__name__}.plot")
        name = self.name if name is None else name
        has_score = show_score and self.val_score is not None
        if ax is None and has_score:
            import matplotlib.pyplot as plt

            _fig, (ax, score_ax) = plt.subplots(
                2, 1, sharex=True, figsize=(7, 6), height_ratios=(3, 2)
            )
        ax = get_axes(ax)
        prefix = f"{name}: " if name else ""
        self.lines_: dict[str, Any] = {}
        self._plot_losses(ax, prefix, kwargs, show_validation_loss)
        self.ax_lr_ = None
        if show_learning_rate and self.learning_rate is not None:
            self._plot_learning_rate(ax, log_learning_rate)
        self.ax_score_ = None
        if has_score and score_ax is not None:
            color = self.lines_["loss"].get_color()
            style = {"color": color, "marker": ".", **kwargs}
            (self.lines_["val_score"],) = score_ax.plot(
                self.epochs, self.val_score, label=f"{prefix}{self.score_name}",
                **style,
            )  # fmt: skip
            score_ax.set(xlabel="epoch", ylabel=self.score_name)
            if "accuracy" in self.score_name:  # a fraction: its whole range
                score_ax.set_ylim(0.0, 1.02)
            self.ax_score_ = score_ax
        if log_loss:
            ax.set_yscale("log")
        ax.set(ylabel="loss (mean per sample)")
        if self.ax_score_ is None:
            ax.set_xlabel("epoch")
        if legend:
            ax.legend(
                loc="lower left", bbox_to_anchor=(0.0, 1.01), ncol=3,
                fontsize="small", frameon=False,
            )  # fmt: skip
        self.ax_, self.figure_ = ax, ax.figure
        return self

    def _plot_losses(
        self, ax: Any, prefix: str, kwargs: dict, show_val: bool = True
    ) -> None:
        kwargs = {"linestyle": "-", **kwargs}
        (line,) = ax.plot(
            self.epochs, self.loss, label=f"{prefix}training loss", **kwargs
        )
        self.lines_["loss"] = line
        if show_val and self.val_loss is not None:
            (self.lines_["val_loss"],) = ax.plot(
                self.epochs, self.val_loss, color=line.get_color(), linestyle="--",
                label=f"{prefix}validation loss",
            )  # fmt: skip
        for x in self.restarts:
            ax.axvline(x, color="0.6", linewidth=0.8, linestyle=":", zorder=0)
        if len(self.restarts):  # one legend entry for all restart lines
            ax.plot([], [], color="0.6", linewidth=0.8, linestyle=":",
                    label="learning-rate restart")  # fmt: skip
        self._plot_snapshots(ax, line.get_color())

    def _plot_snapshots(self, ax: Any, color: Any) -> None:
        loss_at = dict(zip(self.epochs.tolist(), self.loss, strict=True))
        unused = [e for e in self.snapshots if e not in set(self.ensemble.tolist())]
        for key, epochs, face, label in (
            ("snapshots", unused, "white", "snapshot (not averaged)"),
            ("ensemble", self.ensemble, color, "snapshot averaged by predict"),
        ):
            if len(epochs):
                (self.lines_[key],) = ax.plot(
                    epochs, [loss_at[e] for e in epochs], linestyle="none",
                    marker="o", markersize=8, markeredgecolor=color,
                    markerfacecolor=face, label=label, zorder=3,
                )  # fmt: skip

    def _plot_learning_rate(self, ax: Any, log: bool) -> None:
        lr = np.asarray(self.learning_rate, dtype=float)
        ax_lr = ax.twinx()
        (self.lines_["learning_rate"],) = ax_lr.step(
            self.epochs, lr, where="mid", color="0.45",
            linewidth=1.0, linestyle="-.", label="learning rate",
        )  # fmt: skip
        if log and np.all(lr > 0):
            ax_lr.set_yscale("log")
        else:
            ax_lr.set_ylim(0.0, 1.05 * float(np.nanmax(lr)))
        ax_lr.set_ylabel("learning rate (right axis)", color="0.35")
        ax_lr.tick_params(axis="y", colors="0.35")
        ax.plot([], [], color="0.45", linewidth=1.0, linestyle="-.",
                label="learning rate (right axis)")  # fmt: skip
        self.ax_lr_ = ax_lr


def _optional(values: Any) -> np.ndarray | None:
    """Return a float array, or None when absent or all NaN."""
    if values is None:
        return None
    arr = np.asarray(values, dtype=float)
    return None if arr.size == 0 or np.all(np.isnan(arr)) else arr


def _cycle_ends(estimator: Any, epochs: np.ndarray) -> list[int]:
    """Return the 1-based epochs that end a cycle of the estimator's schedule."""
    spec = getattr(estimator, "learning_rate", None)
    if spec is None or hasattr(getattr(estimator, "optimizer_", None), "minimize"):
        return []
    try:
        schedule = schedules.build(
            spec,
            power_t=getattr(estimator, "power_t", 0.5),
            T_max=getattr(estimator, "max_iter", 100),
        )
    except (TypeError, ValueError):
        return []
    if not schedule.has_cycles:
        return []
    return [int(e) for e in epochs if schedule.cycle_end(int(e) - 1)]
