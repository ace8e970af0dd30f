"""The estimators' parameter constraints, checked once per fit by scikit-learn.

Registry names are checked against the registries' live key views, so a name a
user registers after import passes; an unknown name gets scikit-learn's error
listing the valid ones. scikit-learn checks a list parameter's type only:
``check_callbacks`` checks the entries of ``callbacks`` (those of ``dropout``
are checked where the rates are read, ``dropout.layer_rates``).
"""

from collections.abc import Iterable
from numbers import Integral, Real
from typing import Any

import numpy as np

from sklearn_adamlp import activations, initializers, losses, parallel, schedules
from sklearn_adamlp._validation import HasMethods, Interval, Options, StrOptions
from sklearn_adamlp.optimizers import OPTIMIZERS

PARAMETER_CONSTRAINTS: dict = {
    "hidden_layer_sizes": [
        "array-like",
        Interval(Integral, 1, None, closed="left"),
    ],
    "activation": [
        StrOptions(activations.ACTIVATIONS.names()),
        activations.Activation,
        list,
        tuple,
    ],
    "solver": [
        StrOptions(OPTIMIZERS.names()),
        HasMethods(["step"]),
        HasMethods(["minimize"]),
    ],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "batch_size": [
        StrOptions({"auto", "full"}),
        Interval(Integral, 1, None, closed="left"),
    ],
    "learning_rate": [StrOptions(schedules.SCHEDULES.names()), schedules.Schedule],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    "power_t": [Interval(Real, 0, None, closed="left")],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "shuffle": ["boolean"],
    "random_state": ["random_state"],
    "tol": [Interval(Real, 0, None, closed="left")],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
    "momentum": [Interval(Real, 0, 1, closed="both")],
    "nesterovs_momentum": ["boolean"],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="left")],
    "beta_1": [Interval(Real, 0, 1, closed="left")],
    "beta_2": [Interval(Real, 0, 1, closed="left")],
    "epsilon": [Interval(Real, 0, None, closed="neither")],
    "n_iter_no_change": [
        Interval(Integral, 1, None, closed="left"),
        Options(Real, {np.inf}),
    ],
    "max_fun": [Interval(Integral, 1, None, closed="left")],
    "loss": [StrOptions(losses.LOSSES.names()), losses.Loss],
    "init": [
        StrOptions(initializers.INITIALIZERS.names()),
        initializers.Initializer,
        callable,
    ],
    "callbacks": [list, None],
    "monitor": [StrOptions({"val_score", "val_loss"})],
    "l1": [Interval(Real, 0, None, closed="left")],
    "weight_decay": [Interval(Real, 0, None, closed="left")],
    "max_norm": [Interval(Real, 0, None, closed="neither"), None],
    "clip_norm": [Interval(Real, 0, None, closed="neither"), None],
    "gradient_noise": [Interval(Real, 0, None, closed="left")],
    "snapshot_ensemble": ["boolean"],
    "curriculum": [StrOptions({"easy_first"}), None],
    "curriculum_epochs": [Interval(Integral, 1, None, closed="left")],
    "dropout": [Interval(Real, 0, 1, closed="left"), list, tuple],
    "batch_norm": ["boolean"],
    "parallel": [
        StrOptions(parallel.PARALLEL.names()),
        parallel.ParallelStrategy,
        None,
    ],
}

#: the hooks the training loop calls; a callback needs at least one
CALLBACK_HOOKS = ("on_fit_begin", "on_epoch_begin", "on_epoch_end", "on_fit_end")


def check_callbacks(callbacks: Iterable[Any] | None) -> None:
    """Raise a TypeError naming the first entry that is not a callback.

    A callback is an object (not a class) with at least one callable hook of
    ``CALLBACK_HOOKS``; missing hooks are skipped by the loop.
    """
    for i, cb in enumerate(callbacks or ()):
        if isinstance(cb, type):
            raise TypeError(
                f"callbacks[{i}]={cb!r} is a class; pass an instance, e.g. "
                f"{cb.__name__}()."
            )
        if not any(callable(getattr(cb, hook, None)) for hook in CALLBACK_HOOKS):
            raise TypeError(
                f"callbacks[{i}]={cb!r} has none of the hooks "
                f"{', '.join(CALLBACK_HOOKS)}; pass sklearn_adamlp.callbacks."
                "Callback objects or objects with any of these methods."
            )
