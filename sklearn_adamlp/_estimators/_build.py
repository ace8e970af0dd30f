"""Turn the estimator's parameters into working objects from the registries.

One place maps scikit-learn's parameter names onto the optimizers' keyword
hyper-parameters, and one helper builds an object from a name or copies a user's
object, never mutating it.
"""

from __future__ import annotations

import warnings
from typing import Any

from sklearn.base import clone

from sklearn_adamlp import activations, initializers, schedules
from sklearn_adamlp.optimizers import OPTIMIZERS

#: estimator parameter -> optimizer hyper-parameter, for optimizers given by name.
OPTIMIZER_PARAMS = {
    "learning_rate_init": "learning_rate",
    "momentum": "momentum",
    "nesterovs_momentum": "nesterov",
    "beta_1": "beta_1",
    "beta_2": "beta_2",
    "epsilon": "epsilon",
}


def is_minimizer(solver: Any) -> bool:
    """Whether ``solver`` (a name, class or object) is a full-batch minimizer."""
    return hasattr(OPTIMIZERS.get(solver), "minimize")


def build_optimizer(est: Any) -> Any:
    """Build a fresh optimizer for ``est.solver``.

    A name or class gets the estimator's sklearn-named parameters it accepts
    (``learning_rate_init`` becomes ``learning_rate``, ``nesterovs_momentum``
    becomes ``nesterov``, ...). An object is cloned; estimator-level optimizer
    parameters changed from their defaults are then ignored, with a warning.
    """
    spec = OPTIMIZERS.get(est.solver)
    if isinstance(spec, type):
        accepted = (
            set(spec._get_param_names()) if hasattr(spec, "_get_param_names") else set()
        )
        kwargs = {
            opt: getattr(est, name)
            for name, opt in OPTIMIZER_PARAMS.items()
            if opt in accepted
        }
        return spec(**kwargs)
    changed = [
        name
        for name in OPTIMIZER_PARAMS
        if _differs(getattr(est, name), type(est)().get_params()[name])
    ]
    if changed:
        warnings.warn(
            f"solver is an optimizer object; its own parameters are used and "
            f"{', '.join(changed)} set on the estimator are ignored.",
            UserWarning,
            stacklevel=4,
        )
    return clone(spec)


def carry_state(new: Any, old: Any) -> Any:
    """Give ``new`` the moments and step count of ``old`` (same class only)."""
    if type(new) is type(old) and getattr(old, "state_", None) is not None:
        new.state_, new.t_ = old.state_, old.t_
    return new


def build_schedule(est: Any) -> schedules.Schedule:
    """Build the learning-rate schedule (sklearn's ``power_t`` feeds invscaling)."""
    return schedules.build(est.learning_rate, power_t=est.power_t)


def hidden_activations(est: Any, n_hidden: int) -> list[activations.Activation]:
    """One activation object per hidden layer."""
    return [activations.get(est.activation)] * n_hidden


def layer_initializers(est: Any, n_layers: int) -> list[initializers.Initializer]:
    """One initializer per weight layer, adapted to the hidden activation."""
    init = initializers.build(est.init)
    name = est.activation if isinstance(est.activation, str) else ""
    return [init.for_activation(name)] * n_layers


def _differs(a: Any, b: Any) -> bool:
    try:
        return bool(a != b)
    except (TypeError, ValueError):
        return True
