"""The ``Schedule`` base class, the registry and scikit-learn's two schedules."""

from __future__ import annotations

from numbers import Real
from typing import ClassVar

from sklearn_adamlp._params import Parametrized
from sklearn_adamlp._registry import Registry
from sklearn_adamlp._validation import Interval

SCHEDULES = Registry("learning-rate schedule")

#: a real number > 0 and >= 0, the constraints most schedule parameters share
POSITIVE = Interval(Real, 0, None, closed="neither")
NON_NEGATIVE = Interval(Real, 0, None, closed="left")


class Schedule(Parametrized):
    """Base class: ``factor = schedule(t)`` with ``t`` counted in ``unit``.

    Besides ``__call__``, a schedule answers two questions the estimator and the
    training loop ask by protocol, never by class name:

    - ``cycle_end(t)``: whether epoch ``t`` (0-based) is the last of a cycle
      (restarts; snapshot ensembles keep the weights there). ``has_cycles`` says
      whether it ever is.
    - ``plateau()``: the plateau rule (an object with ``factor``, ``patience``,
      ``min_delta``, ``min_lr``, ``rule`` and ``stop_at_min_lr``, the
      parameters of ``callbacks.ReduceLROnPlateau``) whose reductions multiply
      this schedule, or None.
    - ``batch_size(e)``: the mini-batch size of epoch ``e`` (completed epochs),
      or None to keep the estimator's; ``bind(batch_size, n_samples)`` tells
      such a schedule the fit's starting batch size and sample count first.

    Hyper-parameters are declared in ``_parameter_constraints`` (scikit-learn's
    constraint objects) and checked by ``_validate_params()`` when the fit
    builds the schedule.
    """

    unit: str = "epoch"
    has_cycles: bool = False

    def __call__(self, t: int) -> float:
        """Return the learning-rate factor at time ``t``."""
        raise NotImplementedError

    def cycle_end(self, t: int) -> bool:
        """Whether epoch ``t`` (0-based) ends a cycle of the schedule."""
        return False

    def peak(self, clocks) -> float:
        """Return the largest factor over the times ``clocks`` (in ``unit``).

        ::

            peak = max_{t in clocks} schedule(t)

        The estimator checks ``weight_decay * learning_rate_init * peak < 1``
        over the times of a fit. This default evaluates every time; a schedule
        whose maximum is known in closed form may override it.
        """
        return max((float(self(t)) for t in clocks), default=float(self(0)))

    def plateau(self) -> Schedule | None:
        """Return the plateau rule applied on top of this schedule, if any."""
        return None

    def bind(self, batch_size: int, n_samples: int) -> None:
        """Learn the fit's batch size and sample count (batch-size schedules)."""

    def batch_size(self, e: int) -> int | None:
        """Return the mini-batch size of epoch ``e``, or None to keep it."""
        return None


@SCHEDULES.register("constant")
class Constant(Schedule):
    """A constant learning rate.

    ::

        lr_t = learning_rate_init

    References
    ----------
    scikit-learn, ``MLPClassifier(learning_rate='constant')``.
    """

    def __call__(self, t: int) -> float:
        return 1.0

    def peak(self, clocks) -> float:
        return 1.0


@SCHEDULES.register("invscaling")
class InvScaling(Schedule):
    """Inverse scaling, scikit-learn's ``learning_rate='invscaling'``.

    ::

        lr_t = learning_rate_init / (t + 1)**power_t

    where ``t`` is the number of training samples seen, updated at the end of each
    epoch.

    Parameters
    ----------
    power_t : float, default=0.5
        Exponent of the decay.

    References
    ----------
    scikit-learn, ``MLPClassifier(learning_rate='invscaling')``.
    """

    unit = "sample"
    _parameter_constraints: ClassVar[dict] = {"power_t": [NON_NEGATIVE]}

    def __init__(self, power_t: float = 0.5) -> None:
        self.power_t = power_t

    def __call__(self, t: int) -> float:
        return 1.0 / (t + 1.0) ** float(self.power_t)
