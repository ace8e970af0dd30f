"""Learning-rate schedules: multiplicative factors of the base learning rate.

A schedule is a small cloneable object called as ``schedule(t)`` that returns the
factor by which the optimizer's base ``learning_rate`` (the estimator's
``learning_rate_init``) is multiplied. ``unit`` says what ``t`` counts and when the
training loop evaluates it:

- ``"step"``: optimizer steps so far, evaluated before every step;
- ``"epoch"``: completed epochs, evaluated at the start and end of every epoch;
- ``"sample"``: training samples seen, evaluated at the end of every epoch
  (scikit-learn's ``invscaling``).
"""

from __future__ import annotations

from sklearn_adamlp._params import Parametrized
from sklearn_adamlp._registry import Registry

SCHEDULES = Registry("learning-rate schedule")
register = SCHEDULES.register
get = SCHEDULES.get
available = SCHEDULES.available


class Schedule(Parametrized):
    """Base class: ``factor = schedule(t)`` with ``t`` counted in ``unit``."""

    unit: str = "epoch"

    def __call__(self, t: int) -> float:
        """Return the learning-rate factor at time ``t``."""
        raise NotImplementedError


@register("constant")
class Constant(Schedule):
    """A constant learning rate.

    ::

    lr_t = learning_rate_init
    """

    def __call__(self, t: int) -> float:  # noqa: D102
        return 1.0


@register("invscaling")
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
    """

    unit = "sample"

    def __init__(self, power_t: float = 0.5) -> None:
        self.power_t = power_t

    def __call__(self, t: int) -> float:  # noqa: D102
        return 1.0 / (t + 1.0) ** float(self.power_t)


# scikit-learn's 'adaptive' is a constant schedule plus a plateau rule (the
# training loop divides the rate by 5 where sklearn would stop): see callbacks.
register("adaptive")(Constant)


def build(spec, **defaults) -> Schedule:
    """Build a fresh schedule from a name (with ``defaults``) or an object."""
    obj = get(spec)
    if isinstance(obj, type):
        names = obj._get_param_names()
        return obj(**{k: v for k, v in defaults.items() if k in names})
    if isinstance(obj, Schedule):
        return type(obj)(**obj.get_params(deep=False))
    raise TypeError(f"learning_rate must be a name or a Schedule; got {spec!r}")
