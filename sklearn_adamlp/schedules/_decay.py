"""Decay schedules of the course notes: step, exponential, plateau."""

from __future__ import annotations

import math

from sklearn_adamlp.schedules._base import Schedule, check_positive


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

    def __init__(self, drop: float = 0.5, every: int = 10) -> None:
        self.drop = drop
        self.every = every

    def __call__(self, t: int) -> float:
        return float(self.drop) ** (int(t) // int(self.every))

    def check(self) -> None:
        check_positive(self, "drop")
        check_positive(self, "every")


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

    def __init__(self, k: float = 0.05) -> None:
        self.k = k

    def __call__(self, t: int) -> float:
        return math.exp(-float(self.k) * t)

    def check(self) -> None:
        check_positive(self, "k", strict=False)


class Plateau(Schedule):
    """Reduce the rate when the monitored loss stops improving.

    The rate is constant between reductions. After each epoch, with ``best`` the
    lowest monitored loss so far (the validation loss when ``early_stopping``
    holds a validation set out, the training loss otherwise)::

        improved  <=>  loss < best - min_delta
        count     =    0 if improved else count + 1
        if count == patience:  multiplier /= factor;  count = 0
        lr_e      =    learning_rate_init * multiplier

    The rule runs as a callback the estimator creates (it divides the training
    state's ``lr_multiplier``, as scikit-learn's ``'adaptive'`` does); its state
    carries over ``partial_fit`` and warm-started fits. The estimator's own
    stopping rule (``tol``, ``n_iter_no_change``) still applies: give it a larger
    ``n_iter_no_change`` than ``patience`` so reductions happen before it stops.

    Parameters
    ----------
    factor : float, default=10.0
        The rate is divided by ``factor`` (> 1) at each reduction.
    patience : int, default=5
        Epochs without improvement before a reduction.
    min_delta : float, default=0.0
        Minimum decrease of the loss that counts as an improvement.

    References
    ----------
    The course notes ("plateau decay"); ``torch.optim.lr_scheduler.ReduceLROnPlateau``.
    """

    def __init__(
        self, factor: float = 10.0, patience: int = 5, min_delta: float = 0.0
    ) -> None:
        self.factor = factor
        self.patience = patience
        self.min_delta = min_delta

    def __call__(self, t: int) -> float:
        return 1.0

    def plateau(self) -> Schedule | None:
        return self

    def check(self) -> None:
        check_positive(self, "factor")
        check_positive(self, "patience")
        check_positive(self, "min_delta", strict=False)
