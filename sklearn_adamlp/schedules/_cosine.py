"""Cosine annealing, warm restarts (SGDR) and linear warm-up."""

from __future__ import annotations

import math
from numbers import Real
from typing import ClassVar

from sklearn_adamlp._params import invalid_parameter
from sklearn_adamlp._validation import Interval
from sklearn_adamlp.schedules._base import (
    NON_NEGATIVE,
    POSITIVE,
    SCHEDULES,
    Constant,
    Schedule,
)


def _cosine(t: float, period: float, eta_min: float, eta_max: float = 1.0) -> float:
    return eta_min + (eta_max - eta_min) * 0.5 * (1.0 + math.cos(math.pi * t / period))


@SCHEDULES.register("cosine")
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

    _parameter_constraints: ClassVar[dict] = {
        "T_max": [POSITIVE],
        "eta_min": [NON_NEGATIVE],
    }

    def __init__(self, T_max: int = 100, eta_min: float = 0.0) -> None:
        self.T_max = T_max
        self.eta_min = eta_min

    def __call__(self, t: int) -> float:
        period = float(self.T_max)
        return _cosine(min(float(t), period), period, float(self.eta_min))


@SCHEDULES.register("cosine_restarts")
class CosineRestarts(Schedule):
    """Cosine annealing with warm restarts (SGDR).

    Cycle ``i`` lasts ``T_i = T_0 * T_mult**i`` epochs. With ``T_cur`` the
    epochs completed since the last restart (SGDR's equation 5, with
    ``eta_max`` and ``eta_min`` as multiples of ``learning_rate_init``)::

        lr_e = learning_rate_init * (eta_min + (eta_max - eta_min)
                                     * (1 + cos(pi * T_cur / T_i)) / 2)

    The rate is evaluated once per epoch (at its start), so the last epoch of a
    cycle runs at ``T_cur = T_i - 1``; the next epoch restarts at ``eta_max``.

    ``eta_max=2`` (the default) with ``eta_min=0`` makes the mean rate over a
    cycle ``learning_rate_init * (1 + 1 / T_i)``: about the learning budget of
    a constant rate,
    so switching from 'constant' to 'cosine_restarts' does not underfit a
    short training (annealing from the base rate halves the budget). Huang et
    al. restart likewise at twice the single model's rate (``alpha_0 = 0.2``
    against 0.1, their Table 1).

    ``T_0=None`` (the default) fits ``cycles`` cycles into the training length
    ``T_max``: the smallest ``T_0`` with which they end at or after it::

        T_0 = ceil(T_max / (1 + T_mult + ... + T_mult**(cycles - 1)))

    By name (``learning_rate='cosine_restarts'``) ``T_max`` is the estimator's
    ``max_iter``, as for 'cosine': 200 epochs give cycles of 50 epochs ending
    at epochs 50, 100, 150 and 200, so the last cycle anneals to its low rate by
    the end of training instead of being cut short at a high one. With
    ``snapshot_ensemble=True`` the estimator keeps the weights at the end of
    every cycle.

    Parameters
    ----------
    T_0 : int or None, default=None
        Length of the first cycle, in epochs; None derives it from ``T_max``
        and ``cycles`` (above).
    T_mult : int, default=1
        Growth factor of the cycle length (1: equal cycles, as in snapshot
        ensembles; SGDR also uses 2).
    eta_min : float, default=0.0
        Rate at the end of a cycle, as a fraction of ``learning_rate_init``.
    eta_max : float, default=2.0
        Rate at the start of a cycle, as a multiple of ``learning_rate_init``.
    cycles : int, default=4
        Number of cycles in ``T_max`` epochs when ``T_0`` is None.
    T_max : int, default=100
        Training length in epochs when ``T_0`` is None (``max_iter`` by name).

    References
    ----------
    Loshchilov, I. and Hutter, F. (2017). SGDR: Stochastic Gradient Descent with
    Warm Restarts. ICLR 2017.
    Huang, G. et al. (2017). Snapshot Ensembles: Train 1, get M for free. ICLR 2017.
    """

    has_cycles = True
    _parameter_constraints: ClassVar[dict] = {
        "T_0": [POSITIVE, None],
        "T_mult": [Interval(Real, 1, None, closed="left")],
        "eta_min": [NON_NEGATIVE],
        "eta_max": [POSITIVE],
        "cycles": [Interval(Real, 1, None, closed="left")],
        "T_max": [POSITIVE],
    }

    def __init__(
        self,
        T_0: int | None = None,
        T_mult: int = 1,
        eta_min: float = 0.0,
        eta_max: float = 2.0,
        cycles: int = 4,
        T_max: int = 100,
    ) -> None:
        self.T_0 = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.eta_max = eta_max
        self.cycles = cycles
        self.T_max = T_max

    def first_cycle(self) -> int:
        """Return ``T_0``, derived from ``T_max`` and ``cycles`` when None."""
        if self.T_0 is not None:
            return int(self.T_0)
        mult = int(self.T_mult)
        total = sum(mult**i for i in range(int(self.cycles)))
        return max(1, math.ceil(int(self.T_max) / total))

    def position(self, t: int) -> tuple[int, int]:
        """Return ``(T_cur, T_i)``: position in, and length of, epoch t's cycle."""
        t, period, mult = int(t), self.first_cycle(), int(self.T_mult)
        if mult == 1:
            return t % period, period
        while t >= period:
            t -= period
            period *= mult
        return t, period

    def __call__(self, t: int) -> float:
        t_cur, period = self.position(t)
        return _cosine(t_cur, period, float(self.eta_min), float(self.eta_max))

    def cycle_end(self, t: int) -> bool:
        t_cur, period = self.position(t)
        return t_cur == period - 1

    def _validate_params(self) -> None:
        """Check the constraints, then that ``T_mult`` and ``cycles`` are whole."""
        super()._validate_params()
        for name in ("T_mult", "cycles"):
            value = getattr(self, name)
            if float(value) % 1:
                invalid_parameter(self, name, "a whole number >= 1", value)


@SCHEDULES.register("warmup")
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

    _parameter_constraints: ClassVar[dict] = {
        "schedule": [Schedule, None],
        "epochs": [NON_NEGATIVE],
    }

    def __init__(self, schedule: Schedule | None = None, epochs: int = 5) -> None:
        self.schedule = schedule
        self.epochs = epochs

    @property
    def _inner(self) -> Schedule:
        return Constant() if self.schedule is None else self.schedule

    @property  # the wrapped schedule's answer
    def has_cycles(self) -> bool:  # type: ignore[override]
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

    def _validate_params(self) -> None:
        """Check the constraints (the wrapped schedule's too), then its unit."""
        super()._validate_params()
        if self._inner.unit != "epoch":
            invalid_parameter(
                self, "schedule", "None or a Schedule counted in epochs", self.schedule
            )
