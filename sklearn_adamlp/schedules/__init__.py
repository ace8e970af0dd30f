"""Learning-rate schedules: multiplicative factors of the base learning rate.

A schedule is a small cloneable object called as ``schedule(t)`` that returns the
factor by which the optimizer's base ``learning_rate`` (the estimator's
``learning_rate_init``) is multiplied. ``unit`` says what ``t`` counts and when the
training loop evaluates it:

- ``"step"``: optimizer steps so far, evaluated before every step;
- ``"epoch"``: completed epochs, evaluated at the start of every epoch (every
  built-in schedule but ``invscaling``, so ``history_['learning_rate']`` is
  exactly the rate each epoch used);
- ``"sample"``: training samples seen, evaluated at the end of every epoch
  (scikit-learn's ``invscaling``).

Names: 'constant', 'invscaling', 'adaptive' (scikit-learn's), 'step',
'exponential', 'plateau', 'cosine', 'cosine_restarts', 'warmup',
'increase_batch' (which grows the mini-batch size instead). See
docs/schedules.md.
"""

from __future__ import annotations

from sklearn_adamlp.schedules._base import SCHEDULES, Constant, InvScaling, Schedule
from sklearn_adamlp.schedules._batch import IncreaseBatch
from sklearn_adamlp.schedules._cosine import Cosine, CosineRestarts, Warmup
from sklearn_adamlp.schedules._decay import Adaptive, Exponential, Plateau, Step

register = SCHEDULES.register
get = SCHEDULES.get
available = SCHEDULES.available


def build(spec, **defaults) -> Schedule:
    """Build a fresh, checked schedule from a name (with ``defaults``) or an object.

    ``SCHEDULES.build``: a name gets the ``defaults`` its class accepts (the
    estimator passes ``power_t``, ``T_max=max_iter``, ``n_iter_no_change`` and
    ``tol``); an object is copied with its parameters (nested schedules are
    copied too), never mutated. Its parameters are checked against the
    classes' ``_parameter_constraints``.
    """
    out = SCHEDULES.build(spec, **defaults)
    if not isinstance(out, Schedule):
        raise TypeError(f"learning_rate must be a name or a Schedule; got {spec!r}")
    nested = [
        v for v in out.get_params(deep=True).values() if isinstance(v, IncreaseBatch)
    ]
    if nested:
        raise ValueError(
            f"IncreaseBatch sets the batch size only as the outer schedule; "
            f"{type(out).__name__} wraps {nested[0]!r}, whose batch would not "
            "grow. Pass it as learning_rate directly."
        )
    return out


__all__ = [
    "SCHEDULES",
    "Adaptive",
    "Constant",
    "Cosine",
    "CosineRestarts",
    "Exponential",
    "IncreaseBatch",
    "InvScaling",
    "Plateau",
    "Schedule",
    "Step",
    "Warmup",
    "available",
    "build",
    "get",
    "register",
]
