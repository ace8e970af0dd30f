"""Cosine annealing, warm restarts (SGDR) and linear warm-up."""

from __future__ import annotations

import math

from sklearn_adamlp.schedules._base import Constant, Schedule, check_positive


def _cosine(t: float, period: float, eta_min: float) -> float:
    return eta_min + (1.0 - eta_min) * 0.5 * (1.0 + math.cos(math.pi * t / period))


class Cosine(Schedule):
    """Cosine annealing from the base rate down to ``eta_min`` times it.

    With ``e`` the number of completed epochs::

        lr_e = learning_rate_init * (eta_min + (1 - eta_min)
                                     * (1 + cos(pi * min(e, T_max) / T_max)) / 2)

    The rate stays at ``eta_min`` times the base rate after ``T_max`` epochs. By
    name (``learning_rate='cosine'``), ``T_max`` is the estimator's ``max_iter``.

    Parameters
    ----------
    T_max : int, default=100
        Length of the annealing, in epochs.
    eta_min : float, default=0.0
        Final rate as a fraction of ``learning_rate_init``.

    References
    ----------
    Loshchilov, I. and Hutter, F. (2017). SGDR: Stochastic Gradient Descent with
    Warm Restarts. ICLR 2017 (equation 5, without restarts).
    """

    def __init__(self, T_max: int = 100, eta_min: float = 0.0) -> None:
        self.T_max = T_max
        self.eta_min = eta_min

    def __call__(self, t: int) -> float:
        period = float(self.T_max)
        return _cosine(min(float(t), period), period, float(self.eta_min))

    def check(self) -> None:
        check_positive(self, "T_max")
        check_positive(self, "eta_min", strict=False)


class CosineRestarts(Schedule):
    """Cosine annealing with warm restarts (SGDR).

    Cycle ``i`` lasts ``T_i = T_0 * T_mult**i`` epochs. With ``T_cur`` the
    epochs completed since the last restart::

        lr_e = learning_rate_init * (eta_min + (1 - eta_min)
                                     * (1 + cos(pi * T_cur / T_i)) / 2)

    The rate is evaluated once per epoch (at its start), so the last epoch of a
    cycle runs at ``T_cur = T_i - 1``; the next epoch restarts at the base rate.
    With ``snapshot_ensemble=True`` the estimator keeps the weights at the end
    of every cycle.

    Parameters
    ----------
    T_0 : int, default=10
        Length of the first cycle, in epochs.
    T_mult : int, default=2
        Growth factor of the cycle length (1: equal cycles).
    eta_min : float, default=0.0
        Rate at the end of a cycle, as a fraction of ``learning_rate_init``.

    References
    ----------
    Loshchilov, I. and Hutter, F. (2017). SGDR: Stochastic Gradient Descent with
    Warm Restarts. ICLR 2017.
    Huang, G. et al. (2017). Snapshot Ensembles: Train 1, get M for free. ICLR 2017.
    """

    has_cycles = True

    def __init__(self, T_0: int = 10, T_mult: int = 2, eta_min: float = 0.0) -> None:
        self.T_0 = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min

    def position(self, t: int) -> tuple[int, int]:
        """Return ``(T_cur, T_i)``: position in, and length of, epoch t's cycle."""
        t, period, mult = int(t), int(self.T_0), int(self.T_mult)
        if mult == 1:
            return t % period, period
        while t >= period:
            t -= period
            period *= mult
        return t, period

    def __call__(self, t: int) -> float:
        t_cur, period = self.position(t)
        return _cosine(t_cur, period, float(self.eta_min))

    def cycle_end(self, t: int) -> bool:
        t_cur, period = self.position(t)
        return t_cur == period - 1

    def check(self) -> None:
        check_positive(self, "T_0")
        check_positive(self, "eta_min", strict=False)
        if int(self.T_mult) < 1 or int(self.T_mult) != self.T_mult:
            raise ValueError(
                f"CosineRestarts: T_mult must be an integer >= 1; got {self.T_mult!r}."
            )


class Warmup(Schedule):
    """Linear warm-up for ``epochs`` epochs, then the wrapped ``schedule``.

    With ``W = epochs`` and ``s`` the wrapped schedule (constant if None)::

        lr_e = learning_rate_init * (e + 1) / (W + 1) * s(0)   for e < W
        lr_e = learning_rate_init * s(e - W)                   for e >= W

    so the rate climbs linearly to the wrapped schedule's start, which then runs
    as if training had started after the warm-up (its ``T_max``, drops and
    cycles count from there). The wrapped schedule's parameters are tunable as
    ``learning_rate__schedule__T_max``; cycles and plateau rules pass through.

    Parameters
    ----------
    schedule : Schedule or None, default=None
        The schedule after the warm-up (an epoch-unit schedule).
    epochs : int, default=5
        Length of the warm-up.

    References
    ----------
    Goyal, P. et al. (2017). Accurate, Large Minibatch SGD: Training ImageNet in
    1 Hour. arXiv:1706.02677 (gradual warm-up).
    """

    def __init__(self, schedule: Schedule | None = None, epochs: int = 5) -> None:
        self.schedule = schedule
        self.epochs = epochs

    @property
    def _inner(self) -> Schedule:
        return Constant() if self.schedule is None else self.schedule

    @property
    def has_cycles(self) -> bool:
        return self._inner.has_cycles

    def __call__(self, t: int) -> float:
        w = int(self.epochs)
        if t < w:
            return (t + 1.0) / (w + 1.0) * float(self._inner(0))
        return float(self._inner(t - w))

    def cycle_end(self, t: int) -> bool:
        w = int(self.epochs)
        return t >= w and self._inner.cycle_end(t - w)

    def plateau(self) -> Schedule | None:
        return self._inner.plateau()

    def check(self) -> None:
        check_positive(self, "epochs", strict=False)
        inner = self._inner
        if not isinstance(inner, Schedule) or inner.unit != "epoch":
            raise ValueError(
                "Warmup: schedule must be None or a Schedule counted in epochs; "
                f"got {self.schedule!r}."
            )
        inner.check()
