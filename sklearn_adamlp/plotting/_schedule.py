"""``ScheduleDisplay``: learning rate against epochs for learning-rate schedules."""

from __future__ import annotations

from typing import Any

import numpy as np

from sklearn_adamlp import schedules
from sklearn_adamlp.plotting._base import as_list, check_matplotlib, get_axes, styles


class ScheduleDisplay:
    """Learning rate per epoch (or per step) of one or several schedules.

    A schedule multiplies the base rate ``learning_rate`` by ``schedule(t)``,
    with ``t`` counted in the schedule's ``unit`` (see
    :mod:`sklearn_adamlp.schedules`). The rate of epoch ``e`` (0-based) is
    evaluated as the training loop does:

    - ``unit="epoch"``: ``lr_e = learning_rate * schedule(e)``;
    - ``unit="sample"`` (``invscaling``): ``t`` counts samples seen at the end of
      the previous epoch, ``lr_e = learning_rate * schedule(e * n_samples)``;
    - ``unit="step"``: one point per optimizer step,
      ``lr_t = learning_rate * schedule(t)`` at ``x = t / steps_per_epoch``.

    Reductions on plateaus ('plateau', 'adaptive') depend on the loss and are
    not drawn: such schedules show their constant base.

    Parameters
    ----------
    x : list of arrays
        Epochs (fractional for step-wise schedules), one array per schedule.
    learning_rates : list of arrays
        The learning rate at each ``x``.
    labels : list of str
    base_rate : float or None
        The base rate the factors were multiplied by (1: the axis shows the
        factor itself).

    Attributes
    ----------
    lines_ : list of Line2D
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    """

    def __init__(
        self,
        *,
        x: list,
        learning_rates: list,
        labels: list[str],
        base_rate: float | None = None,
    ) -> None:
        self.x = [np.asarray(v, dtype=float) for v in x]
        self.learning_rates = [np.asarray(v, dtype=float) for v in learning_rates]
        self.labels = list(labels)
        self.base_rate = base_rate

    @classmethod
    def from_schedules(
        cls,
        schedule_list: Any,
        *,
        epochs: int = 100,
        learning_rate: float = 1.0,
        n_samples: int | None = None,
        steps_per_epoch: int | None = None,
        labels: list[str] | None = None,
        **plot_kwargs: Any,
    ) -> ScheduleDisplay:
        """Evaluate and plot schedules given by name or as objects.

        Parameters
        ----------
        schedule_list : str, Schedule or list of them
            Names of :func:`sklearn_adamlp.schedules.available` (built with
            ``T_max=epochs``, as the estimator does with ``max_iter``) or
            ``Schedule`` objects.
        epochs : int, default=100
            Length of the horizontal axis.
        learning_rate : float, default=1.0
            The base rate (the estimator's ``learning_rate_init``); 1 draws the
            factor of the base rate.
        n_samples : int, default=None
            Training samples per epoch, needed by schedules counted in samples.
        steps_per_epoch : int, default=None
            Optimizer steps per epoch, needed by schedules counted in steps.
        labels : list of str, default=None
            Legend labels; default: the names, or the objects' ``repr``.
        **plot_kwargs
            Passed to :meth:`plot`.
        """
        check_matplotlib(f"{cls.__name__}.from_schedules")
        if isinstance(schedule_list, (str, schedules.Schedule)):
            schedule_list = [schedule_list]
        epochs = int(epochs)
        if epochs < 1:
            raise ValueError(f"epochs must be a positive integer; got {epochs}.")
        labels = as_list(labels, len(schedule_list), "labels")
        xs, rates, names = [], [], []
        for spec, label in zip(schedule_list, labels, strict=True):
            sched = schedules.build(spec, T_max=epochs)
            x, factor = _evaluate(sched, epochs, n_samples, steps_per_epoch)
            xs.append(x)
            rates.append(float(learning_rate) * factor)
            names.append(label or (spec if isinstance(spec, str) else repr(spec)))
        disp = cls(
            x=xs, learning_rates=rates, labels=names, base_rate=float(learning_rate)
        )
        return disp.plot(**plot_kwargs)

    def plot(
        self, ax: Any = None, *, log: bool = False, legend: bool = True
    ) -> ScheduleDisplay:
        """Draw one line per schedule, each with its own dash and marker.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        log : bool, default=False
            Log scale for the learning rate.
        legend : bool, default=True
        """
        ax = get_axes(ax, f"{type(self).__name__}.plot")
        n = max((len(x) for x in self.x), default=0)
        self.lines_ = []
        for x, lr, label, style in zip(
            self.x, self.learning_rates, self.labels, styles(n), strict=False
        ):
            (line,) = ax.plot(x, lr, label=label, **style)
            self.lines_.append(line)
        ylabel = (
            "learning rate / base rate" if self.base_rate == 1.0 else "learning rate"
        )
        ax.set(xlabel="epoch", ylabel=ylabel)
        if log:
            ax.set_yscale("log")
        else:
            ax.set_ylim(bottom=0.0)
        if legend:
            ax.legend(fontsize="small")
        self.ax_, self.figure_ = ax, ax.figure
        return self


def _evaluate(
    sched: schedules.Schedule,
    epochs: int,
    n_samples: int | None,
    steps_per_epoch: int | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(x, factor)`` of one schedule over ``epochs`` epochs."""
    unit = getattr(sched, "unit", "epoch")
    if unit == "epoch":
        x = np.arange(epochs)
        return x, np.array([sched(int(t)) for t in x], dtype=float)
    if unit == "sample":
        if n_samples is None:
            raise ValueError(
                f"{type(sched).__name__} counts training samples: pass n_samples="
                "(the number of training samples per epoch)."
            )
        x = np.arange(epochs)
        return x, np.array([sched(int(e * n_samples)) for e in x], dtype=float)
    if unit == "step":
        if steps_per_epoch is None:
            raise ValueError(
                f"{type(sched).__name__} counts optimizer steps: pass "
                "steps_per_epoch= (the number of mini-batches per epoch)."
            )
        t = np.arange(epochs * int(steps_per_epoch))
        factor = np.array([sched(int(s)) for s in t], dtype=float)
        return t / float(steps_per_epoch), factor
    raise ValueError(f"unknown schedule unit {unit!r} of {sched!r}.")
