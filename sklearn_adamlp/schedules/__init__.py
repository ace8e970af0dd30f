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

from sklearn_adamlp._registry import Registry
from sklearn_adamlp.schedules._base import Constant, InvScaling, Schedule
from sklearn_adamlp.schedules._batch import IncreaseBatch
from sklearn_adamlp.schedules._cosine import Cosine, CosineRestarts, Warmup
from sklearn_adamlp.schedules._decay import Adaptive, Exponential, Plateau, Step

SCHEDULES = Registry("learning-rate schedule")
register = SCHEDULES.register
get = SCHEDULES.get
available = SCHEDULES.available

register("constant")(Constant)
register("invscaling")(InvScaling)
# scikit-learn's 'adaptive' is the plateau rule with its numbers (divide by 5
# after n_iter_no_change epochs without improvement; stop at 1e-6)
register("adaptive")(Adaptive)
register("step")(Step)
register("exponential")(Exponential)
register("plateau")(Plateau)
register("cosine")(Cosine)
register("cosine_restarts")(CosineRestarts)
register("warmup")(Warmup)
register("increase_batch")(IncreaseBatch)


def build(spec, **defaults) -> Schedule:
    """Build a fresh, checked schedule from a name (with ``defaults``) or an object.

    A name gets the ``defaults`` its class accepts (the estimator passes
    ``power_t`` and ``T_max=max_iter``); an object is copied with its parameters
    (nested schedules are copied too), never mutated.
    """
    obj = get(spec)
    if isinstance(obj, type) and issubclass(obj, Schedule):
        names = obj._get_param_names()
        out = obj(**{k: v for k, v in defaults.items() if k in names})
    elif isinstance(obj, Schedule):
        out = _copy(obj)
    else:
        raise TypeError(f"learning_rate must be a name or a Schedule; got {spec!r}")
    out.check()
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


def _copy(obj: Schedule) -> Schedule:
    params = {
        k: _copy(v) if isinstance(v, Schedule) else v
        for k, v in obj.get_params(deep=False).items()
    }
    return type(obj)(**params)


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
