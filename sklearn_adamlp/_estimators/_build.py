"""Turn the estimator's parameters into working objects from the registries.

One place maps scikit-learn's parameter names onto the optimizers' keyword
hyper-parameters. Every object comes from its registry's ``build`` (a name or
class instantiated, a user's object copied, never mutated; hyper-parameters
checked against the class's ``_parameter_constraints``).
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Sequence
from typing import Any, Protocol, cast

import numpy as np

from sklearn_adamlp import activations, initializers, losses, schedules
from sklearn_adamlp.callbacks import (
    Callback,
    EasyFirstCurriculum,
    NoImprovementStopping,
    ReduceLROnPlateau,
    SnapshotEnsemble,
)
from sklearn_adamlp.optimizers import OPTIMIZERS


class PlateauRule(Protocol):
    """What ``Schedule.plateau()`` returns: the reduce-on-plateau settings."""

    factor: float
    patience: int
    min_delta: float
    min_lr: float
    stop_at_min_lr: bool
    rule: str


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


def _changed_params(est: Any) -> list[str]:
    """Estimator-level optimizer parameters set away from sklearn's defaults."""
    defaults = _defaults(type(est).__init__)
    return [n for n in OPTIMIZER_PARAMS if _differs(getattr(est, n), defaults[n])]


@functools.cache
def _defaults(init: Any) -> dict[str, Any]:
    """Return the constructor defaults of ``OPTIMIZER_PARAMS`` (once per class).

    Every fit and ``partial_fit`` call asks; building an estimator to read them
    cost ~65 us a call.
    """
    parameters = inspect.signature(init).parameters
    return {n: parameters[n].default for n in OPTIMIZER_PARAMS}


def optimizer_kwargs(est: Any, spec: type) -> dict[str, Any]:
    """Keyword arguments a named optimizer class takes from the estimator.

    Every optimizer, scikit-learn's own ('sgd', 'adam') and the others alike,
    takes every mapped parameter it accepts, at the value ``get_params`` shows:
    a value the user passes (or scikit-learn's default, 0.001 for
    ``learning_rate_init``) is always the value used. The optimizer classes'
    own defaults (Adagrad's rate 0.01, Adadelta's 1.0) apply to objects only;
    docs/optimizers.md lists them as the values to pass with a name.

    Exceptions, declared by the class in ``_not_from_estimator``: a name that
    fixes a parameter ('momentum' is classical momentum and 'nesterov' is
    Nesterov's, whatever ``nesterovs_momentum`` says), and a parameter that only
    shares a name (scikit-learn's ``momentum`` is SGD's; RMSprop's momentum is
    another method, torch's, and stays 0 unless given on an RMSprop object).
    """
    return {OPTIMIZER_PARAMS[n]: getattr(est, n) for n in _taken_params(est, spec)}


def _taken_params(est: Any, spec: type) -> list[str]:
    """List the estimator parameters (scikit-learn's names) ``spec`` takes by name."""
    accepted = set(getattr(spec, "_get_param_names", list)())
    refused = set(getattr(spec, "_not_from_estimator", ()))
    return [
        n
        for n in OPTIMIZER_PARAMS
        if OPTIMIZER_PARAMS[n] in accepted and n not in refused
    ]


def _warn_unused(est: Any, spec: type) -> None:
    """Warn about estimator parameters set by the user that ``spec`` ignores."""
    taken = set(_taken_params(est, spec))
    unused = [n for n in _changed_params(est) if n not in taken]
    if unused:
        given = ", ".join(f"{n}={getattr(est, n)!r}" for n in unused)
        warnings.warn(
            f"{given} not used by solver={est.solver!r}, which does not take "
            f"{'it' if len(unused) == 1 else 'them'} from the estimator; pass an "
            "optimizer object with the parameter instead (docs/optimizers.md).",
            UserWarning,
            stacklevel=5,
        )


def build_optimizer(est: Any) -> Any:
    """Build a fresh optimizer for ``est.solver``.

    A name or class gets the estimator's sklearn-named parameters it accepts
    (``learning_rate_init`` becomes ``learning_rate``, ``nesterovs_momentum``
    becomes ``nesterov``, ...; see ``optimizer_kwargs``). An object is cloned;
    estimator-level optimizer parameters changed from their defaults are then
    ignored, with a warning. Either way ``OPTIMIZERS.build`` makes it and checks
    its hyper-parameters (``Adam(beta_1=1.5)`` raises, naming ``beta_1``).
    """
    spec = OPTIMIZERS.get(est.solver)
    if isinstance(spec, type):
        _warn_unused(est, spec)
        return OPTIMIZERS.build(spec, **optimizer_kwargs(est, spec))
    changed = _changed_params(est)
    if changed:
        warnings.warn(
            f"solver is an optimizer object; its own parameters are used and "
            f"{', '.join(changed)} set on the estimator are ignored.",
            UserWarning,
            stacklevel=4,
        )
    return OPTIMIZERS.build(spec)


def carry_state(new: Any, old: Any) -> Any:
    """Let ``new`` continue from the moments and step count of ``old``.

    The optimizer takes them itself (``Optimizer.continue_from``); an
    optimizer without that method (a minimizer, a user's object) starts anew.
    """
    continue_from = getattr(new, "continue_from", None)
    if continue_from is not None and old is not None:
        continue_from(old)
    return new


def build_schedule(est: Any) -> schedules.Schedule:
    """Build the learning-rate schedule.

    By name, sklearn's ``power_t`` feeds 'invscaling', ``max_iter`` is the
    annealing length ``T_max`` of 'cosine', and ``n_iter_no_change`` and
    ``tol`` are the numbers of 'adaptive''s plateau rule.
    """
    return schedules.build(
        est.learning_rate,
        power_t=est.power_t,
        T_max=est.max_iter,
        n_iter_no_change=est.n_iter_no_change,
        tol=est.tol,
    )


def check_schedule_options(
    est: Any, optimizer: Any, schedule: schedules.Schedule
) -> None:
    """Raise ``ValueError`` for snapshot/curriculum options that cannot apply."""
    wanted = [
        name for name in ("snapshot_ensemble", "curriculum") if getattr(est, name)
    ]
    if wanted and hasattr(optimizer, "minimize"):
        raise ValueError(
            f"{' and '.join(wanted)} need a stochastic solver (one with epochs); "
            f"solver={est.solver!r} minimizes in one call."
        )
    if est.snapshot_ensemble and not schedule.has_cycles:
        raise ValueError(
            "snapshot_ensemble=True needs a schedule with restarts, e.g. "
            "learning_rate='cosine_restarts' or CosineRestarts(T_0=10); got "
            f"learning_rate={est.learning_rate!r}."
        )


#: at most this many times of a step-counted schedule are evaluated per fit
PEAK_POINTS = 10_000


def fit_clocks(
    unit: str, state: Any, n_epochs: int, n: int, batch: int
) -> Sequence[int]:
    """Return the times (in the schedule's ``unit``) at which a fit sets rates.

    Epochs and samples are read at the start of each epoch (samples advance
    by ``n`` per epoch); steps at every batch, of which at most
    ``PEAK_POINTS`` evenly spaced ones are returned.
    """
    if unit == "sample":
        return range(state.samples, state.samples + n * n_epochs, max(n, 1))
    if unit == "step":
        steps = n_epochs * -(-n // max(batch, 1))
        if steps <= PEAK_POINTS:
            return range(state.steps, state.steps + steps)
        grid = np.linspace(state.steps, state.steps + steps - 1, PEAK_POINTS)
        return grid.astype(np.int64).tolist()
    return range(state.epochs, state.epochs + n_epochs)


def check_weight_decay(
    est: Any,
    optimizer: Any,
    schedule: schedules.Schedule,
    state: Any,
    n: int,
    incremental: bool,
) -> None:
    """Raise ``ValueError`` if a decoupled decay would flip the weights' sign.

    Decoupled weight decay multiplies the weights by ``1 - lr * weight_decay``
    at every step (the estimator's ``weight_decay``, and an optimizer's own
    decoupled decay such as AdamW's, ``optimizer.decay_factor(lr)``). With
    ``lr * weight_decay >= 1`` the factor is 0 or negative: the weights are
    wiped out or flip sign and grow every step. ``lr`` is the largest rate of
    the fit: the optimizer's rate times the schedule's ``peak`` over the fit's
    times (``fit_clocks``; warm-ups, growing steps and restarts included).
    """
    if hasattr(optimizer, "minimize"):
        return
    decay_factor = getattr(optimizer, "decay_factor", None)
    own_decay = decay_factor is not None and decay_factor(1.0) != 1.0
    if not float(est.weight_decay) and not own_decay:
        return  # no decoupled decay: nothing to check, no schedule to evaluate
    batch = {"auto": min(200, n), "full": n}.get(est.batch_size, est.batch_size)
    clocks = fit_clocks(
        schedule.unit, state, 1 if incremental else est.max_iter, n, batch
    )
    rate = float(getattr(optimizer, "learning_rate", 1.0))
    rate *= float(state.lr_multiplier)
    factor = schedule.peak(clocks)
    peak = rate * factor
    found = []
    if float(est.weight_decay) * peak >= 1.0:
        found.append(f"weight_decay={est.weight_decay!r}")
    if own_decay and decay_factor is not None and decay_factor(peak) <= 0.0:
        found.append(f"the solver's own weight_decay={optimizer.weight_decay!r}")
    if found:
        raise ValueError(
            f"{' and '.join(found)} with a learning rate reaching {peak:.6g} in "
            f"this fit (the solver's learning rate {rate:g} times the "
            f"schedule's largest factor {factor:.6g}): decoupled weight decay "
            "multiplies the weights by 1 - learning_rate * weight_decay at every "
            "step, which must stay above 0. Choose weight_decay * learning rate "
            "< 1 (weight_decay is typically 1e-4 to 1e-1)."
        )


def stopping_callbacks(
    est: Any, validate: Any, schedule: schedules.Schedule
) -> tuple[NoImprovementStopping, list[Callback]]:
    """Build the stopping rule and the callbacks the schedule options need.

    The stopping rule is scikit-learn's (``tol``, ``n_iter_no_change``, on the
    training loss or, with ``early_stopping``, on ``monitor``). A plateau rule
    of the schedule (``schedule.plateau()``: 'plateau', 'adaptive') becomes one
    ``ReduceLROnPlateau``; one whose reductions end in a stop (scikit-learn's
    'adaptive') watches what the stopping rule watches and replaces its stop,
    which then never fires (``n_iter_no_change=inf``) but still keeps the best
    value and weights. A snapshot ensemble adds its keeper.
    """
    on_validation = validate is not None and est.early_stopping
    monitor = est.monitor if on_validation else "loss"
    # plateau() is annotated ``Schedule | None``; what it promises is an object
    # with the plateau rule's settings (a Plateau or the like)
    rule = cast("PlateauRule | None", schedule.plateau())
    stops = rule is not None and bool(rule.stop_at_min_lr)
    stopper = NoImprovementStopping(
        monitor=monitor,
        tol=est.tol,
        n_iter_no_change=float("inf") if stops else est.n_iter_no_change,
        restore_best=on_validation,
    )
    out: list[Callback] = []
    if rule is not None:
        out.append(
            ReduceLROnPlateau(
                monitor=monitor
                if stops
                else ("loss" if validate is None else "val_loss"),
                factor=rule.factor,
                patience=rule.patience,
                min_delta=rule.min_delta,
                min_lr=rule.min_lr,
                stop_at_min_lr=rule.stop_at_min_lr,
                rule=rule.rule,
            )
        )
    if est.snapshot_ensemble:
        out.append(SnapshotEnsemble())
    return stopper, out


def snapshots(callbacks: list[Callback]) -> tuple[list, list]:
    """Return the ``(weights, running statistics)`` a ``SnapshotEnsemble`` kept."""
    for cb in callbacks:
        if isinstance(cb, SnapshotEnsemble):
            return cb.snapshots_, cb.running_
    return [], []


def build_curriculum(est: Any) -> EasyFirstCurriculum | None:
    """Build the sample curriculum of one fit (None when ``curriculum`` is off)."""
    if est.curriculum is None:
        return None
    return EasyFirstCurriculum(epochs=est.curriculum_epochs)


def hidden_activations(est: Any, n_hidden: int) -> list[activations.Activation]:
    """One activation object per hidden layer.

    ``est.activation`` is one name or ``Activation`` for every hidden layer, or a
    list/tuple of them with exactly one entry per hidden layer.
    """
    specs = _activation_specs(est, n_hidden)
    for spec in specs:
        if not isinstance(activations.get(spec), activations.Activation):
            raise ValueError(
                f"activation entries must be names of "
                f"{activations.available()} or Activation objects; got {spec!r}."
            )
    return [activations.ACTIVATIONS.build(spec) for spec in specs]


def _activation_specs(est: Any, n_hidden: int) -> list[Any]:
    spec = est.activation
    if not isinstance(spec, list | tuple):
        return [spec] * n_hidden
    if len(spec) != n_hidden:
        raise ValueError(
            f"activation has {len(spec)} entries but hidden_layer_sizes has "
            f"{n_hidden} hidden layers; give one activation per hidden layer "
            "or a single one for all."
        )
    return list(spec)


def _activation_name(spec: Any) -> str:
    return spec if isinstance(spec, str) else getattr(spec, "name", "")


def layer_initializers(est: Any, n_layers: int) -> list[initializers.Initializer]:
    """One initializer per weight layer, adapted to the activation it feeds.

    Weight layer ``l`` feeds hidden layer ``l`` and is initialized for that
    layer's activation (``init.for_activation(name)``, e.g. the row of the course notes'
    table for ``init='auto'``); the output layer follows the last hidden
    activation, as scikit-learn's initialization does.
    """
    init = initializers.build(est.init)
    names = [_activation_name(s) for s in _activation_specs(est, n_layers - 1)]
    if not names and not isinstance(est.activation, list | tuple):
        names = [_activation_name(est.activation)]  # no hidden layer
    names.append(names[-1] if names else "")
    return [init.for_activation(name) for name in names[:n_layers]]


def check_finite_init(est: Any, flat: Any, layout: Any) -> None:
    """Raise ``ValueError`` naming ``est.init`` if it gave a NaN or an inf.

    Training from such weights gives NaN outputs from the first batch on, and
    there are no finite weights to fall back to.
    """
    W, b = layout.views(flat)
    for l, (w, bias) in enumerate(zip(W, b, strict=True)):
        if np.isfinite(w).all() and np.isfinite(bias).all():
            continue
        spec = est.init
        name = spec if isinstance(spec, str) else getattr(spec, "__name__", None)
        raise ValueError(
            f"The initializer init={name or spec!r} returned non-finite values "
            f"(NaN or inf) for weight layer {l} of shape {w.shape}. An "
            "initializer must return finite weights and biases."
        )


#: estimator parameter -> the registry its names come from
PARAM_REGISTRIES = {
    "solver": OPTIMIZERS,
    "activation": activations.ACTIVATIONS,
    "learning_rate": schedules.SCHEDULES,
    "init": initializers.INITIALIZERS,
    "loss": losses.LOSSES,
}


def user_registrations(est: Any) -> list[tuple[str, str, Any]]:
    """``(param, name, entry)`` for every user-registered name ``est`` uses.

    Stored in the estimator's pickle, so that an estimator naming a user's
    optimizer (or activation, loss, ...) can be loaded, e.g. in a GridSearchCV
    worker process, without first importing the module that registered it.
    """
    found = []
    for param, registry in PARAM_REGISTRIES.items():
        value = getattr(est, param, None)
        for name in value if isinstance(value, list | tuple) else [value]:
            if isinstance(name, str) and name in registry:
                entry = registry.get(name)
                owner = entry if isinstance(entry, type) else type(entry)
                if not owner.__module__.startswith("sklearn_adamlp."):
                    found.append((param, name, entry))
    return found


def restore_registrations(entries: list[tuple[str, str, Any]]) -> None:
    """Register the entries of ``user_registrations`` that are missing here.

    The one way loading a model changes the process's registries: a name the
    model's parameters use and this process lacks is added (so the loaded
    model can go on fitting), never replaced. A name registered here to
    another entry is left alone, with a warning.
    """
    for param, name, entry in entries:
        registry = PARAM_REGISTRIES[param]
        if name not in registry:
            registry.register(name)(entry)
        elif registry.get(name) is not entry:
            warnings.warn(
                f"The loaded model was trained with {entry!r} registered as "
                f"{registry.kind} {name!r}; here that name is {registry.get(name)!r}, "
                f"which further fitting with {param}={name!r} will use.",
                UserWarning,
                stacklevel=4,
            )


def _differs(a: Any, b: Any) -> bool:
    try:
        return bool(a != b)
    except (TypeError, ValueError):
        return True
