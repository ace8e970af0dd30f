"""Decay schedules: step, exponential, plateau (course notes), sklearn's adaptive."""

from __future__ import annotations

import math
from numbers import Real
from typing import ClassVar

import numpy as np

from sklearn_adamlp._validation import Interval, Options
from sklearn_adamlp.schedules._base import (
    NON_NEGATIVE,
    POSITIVE,
    SCHEDULES,
    Schedule,
)


@SCHEDULES.register("step")
class Step(Schedule):
    """Step decay: multiply the rate by ``drop`` every ``every`` epochs.

    With ``e`` the number of completed epochs (0 during the first)::

        lr_e = learning_rate_init * drop ** floor(e / every)

    Parameters
    ----------
    drop : float, default=0.5
        The factor ``d`` applied at each drop (``0 < drop``; below 1 decays).
    every : int, default=10
        The number of epochs ``e_d`` between drops.

    References
    ----------
    The course notes ("learning rate adaptation", ``eta_e = eta_0 d^floor(e/e_d)``)
    and 004 ("step decay").
    """

    _parameter_constraints: ClassVar[dict] = {"drop": [POSITIVE], "every": [POSITIVE]}

    def __init__(self, drop: float = 0.5, every: int = 10) -> None:
        self.drop = drop
        self.every = every

    def __call__(self, t: int) -> float:
        return float(self.drop) ** (int(t) // int(self.every))


@SCHEDULES.register("exponential")
class Exponential(Schedule):
    """Exponential decay.

    With ``e`` the number of completed epochs::

        lr_e = learning_rate_init * exp(-k * e)

    Parameters
    ----------
    k : float, default=0.05
        Decay rate per epoch (the rate halves every ``ln(2) / k`` epochs).

    References
    ----------
    The course notes ("exponential decay", ``eta = eta_0 exp(-k t)``).
    """

    _parameter_constraints: ClassVar[dict] = {"k": [NON_NEGATIVE]}

    def __init__(self, k: float = 0.05) -> None:
        self.k = k

    def __call__(self, t: int) -> float:
        return math.exp(-float(self.k) * t)


@SCHEDULES.register("plateau")
class Plateau(Schedule):
    """Reduce the rate when the monitored loss stops improving.

    The rate is constant between reductions. After each epoch, with ``best`` the
    lowest monitored loss that counted as an improvement (the validation loss
    when ``early_stopping`` holds a validation set out, the training loss
    otherwise)::

        improved  <=>  loss < best - min_delta      (then best = loss)
        count     =    0 if improved else count + 1
        if count == patience and lr > min_lr:  multiplier /= factor;  count = 0
        lr_e      =    learning_rate_init * multiplier

    The schedule holds the rule's numbers; ``callbacks.ReduceLROnPlateau``, the
    one plateau callback (scikit-learn's ``'adaptive'`` is ``Adaptive``, the same
    callback with scikit-learn's numbers), applies it: the estimator creates it
    and it divides the training state's ``lr_multiplier``; its state carries
    over ``partial_fit`` and warm-started fits. The estimator's own stopping
    rule (``tol``, ``n_iter_no_change``) still applies: give it a larger
    ``n_iter_no_change`` than ``patience`` so reductions happen before it stops.

    Parameters
    ----------
    factor : float, default=10.0
        The rate is divided by ``factor`` (> 1) at each reduction.
    patience : int, default=5
        Epochs without improvement before a reduction.
    min_delta : float, default=0.0
        Minimum decrease of the loss that counts as an improvement.
    min_lr : float, default=0.0
        No reduction once the rate is at most ``min_lr``.

    References
    ----------
    The course notes ("plateau decay"); Keras's ``ReduceLROnPlateau`` and
    ``torch.optim.lr_scheduler.ReduceLROnPlateau`` (``threshold_mode='abs'``).
    """

    #: the count of ``callbacks.ReduceLROnPlateau`` ('keras' or 'sklearn')
    rule = "keras"
    #: whether training stops when a reduction is due at ``min_lr``
    stop_at_min_lr = False

    _parameter_constraints: ClassVar[dict] = {
        "factor": [Interval(Real, 1, None, closed="neither")],
        "patience": [POSITIVE],
        "min_delta": [NON_NEGATIVE],
        "min_lr": [NON_NEGATIVE],
    }

    def __init__(
        self,
        factor: float = 10.0,
        patience: int = 5,
        min_delta: float = 0.0,
        min_lr: float = 0.0,
    ) -> None:
        self.factor = factor
        self.patience = patience
        self.min_delta = min_delta
        self.min_lr = min_lr

    def __call__(self, t: int) -> float:
        return 1.0  # constant between reductions: the callback divides the rate

    def plateau(self) -> Schedule | None:
        return self


@SCHEDULES.register("adaptive")
class Adaptive(Plateau):
    """scikit-learn's ``learning_rate='adaptive'``: a plateau rule with its numbers.

    With ``best`` the lowest training loss so far (the best validation score
    when ``early_stopping``)::

        count = 0 if loss <= best - tol else count + 1
        if count > n_iter_no_change:
            if lr > 1e-6:  lr = lr / 5;  count = 0
            else:          stop training

    That is ``Plateau(factor=5, patience=n_iter_no_change + 1, min_delta=tol,
    min_lr=1e-6)`` with scikit-learn's count (``best`` follows every new
    lowest value, a tie counts as an improvement: ``rule='sklearn'``) and a stop
    when a reduction is due at ``min_lr``, applied by the same
    ``callbacks.ReduceLROnPlateau``. The estimator passes its
    ``n_iter_no_change`` and ``tol``.

    Parameters
    ----------
    n_iter_no_change : int, default=10
    tol : float, default=1e-4

    References
    ----------
    scikit-learn, ``MLPClassifier(learning_rate='adaptive')``
    (``_update_no_improvement_count``, ``SGDOptimizer.trigger_stopping``).
    """

    rule = "sklearn"
    stop_at_min_lr = True
    factor = 5.0
    min_lr = 1e-6
    # the estimator's n_iter_no_change may be inf (never reduce)
    _parameter_constraints: ClassVar[dict] = {
        "n_iter_no_change": [POSITIVE, Options(Real, {np.inf})],
        "tol": [NON_NEGATIVE],
    }

    def __init__(self, n_iter_no_change: float = 10, tol: float = 1e-4) -> None:
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol

    # scikit-learn's numbers derive from its parameters: read-only here, where
    # Plateau stores them (hence the overrides)
    @property
    def patience(self) -> float:  # type: ignore[override]
        """``n_iter_no_change + 1``: a reduction when the count exceeds it."""
        return float(self.n_iter_no_change) + 1

    @property
    def min_delta(self) -> float:  # type: ignore[override]
        """``tol``."""
        return float(self.tol)
