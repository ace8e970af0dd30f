"""The divergence guard's rule, its warning and the advice it gives.

``training`` stops at a non-finite loss itself; ``GrowthGuard`` catches the
finite explosion (a loss that ends far above where it started) and keeps the
weights to fall back to in both cases.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning


class DivergenceWarning(ConvergenceWarning):
    """Training diverged: a non-finite loss, or a loss that grew far past its start.

    A non-finite loss stops training; a finite loss that ends more than
    ``GROWTH_FACTOR`` times above the first epoch's counts as diverged too. In
    both cases the weights the lowest-loss epoch started from are kept
    (``GrowthGuard``); the last finite weights if that is the first epoch.
    """


ADVICE = (
    "Lower learning_rate_init, scale the input features (e.g. StandardScaler), "
    "or use solver='adam' or 'lbfgs'."
)

DIVERGENCE_ADVICE = (
    "Training diverged ({what}) at epoch {epoch}; stopped and kept {kept}. " + ADVICE
)

GROWTH_ADVICE = (
    "Training diverged: the training loss grew from {first:.4g} in the first "
    "epoch to {last:.4g} in epoch {epoch} (more than {factor:g} times); kept "
    "{kept}. " + ADVICE
)

#: a fit whose last epoch's training loss exceeds this many times the first
#: epoch's has diverged (``GrowthGuard``)
GROWTH_FACTOR = 10.0


class GrowthGuard:
    """Divergence by growth: a finite loss that ends far above where it started.

    The rule, checked when a stochastic fit ends (successive ``partial_fit``
    calls share one record; each ``fit``, warm-started or not, starts anew)::

        diverged  <=>  loss[last epoch] > GROWTH_FACTOR * loss[first epoch]

    over the epochs that saw the whole training set (a curriculum's partial
    epochs are skipped). A healthy fit never ends ten times above its first
    epoch's mean loss; an exploding one (too large a learning rate) does, while
    the no-improvement rule may call it converged. The weights (and batch-norm
    statistics) at the start of the epoch with the lowest training loss, which
    that epoch's first batch evaluated, are kept along the way (one copy per
    improving epoch; the end of that epoch may already be far gone) and
    restored with a ``DivergenceWarning``. With early stopping the stopping
    rule then puts back the weights of the best validation score, as it always
    does.
    """

    def __init__(self) -> None:
        self.first = self.best = math.inf
        self.last = math.nan
        self.best_epoch = 0
        self.flat: Any = None  # FloatArray once an epoch is recorded
        self.running: Any = None

    def record(self, ctx: Any, loss: float, start: Any) -> None:
        """Note an epoch's loss; keep the weights it started from if the best."""
        if ctx.partial_epoch:
            return
        if self.first == math.inf:
            self.first = loss
        self.last = loss
        if loss < self.best:
            self.best, self.best_epoch = loss, ctx.state.epochs  # 1-based
            if self.flat is None:
                self.flat, self.running = start.current.copy(), start.running.copy()
            else:
                np.copyto(self.flat, start.current)
                np.copyto(self.running, start.running)

    def restore(self, ctx: Any) -> str:
        """Put the kept weights back; return a phrase saying which they are."""
        np.copyto(ctx.flat, self.flat)
        np.copyto(ctx.network.running, self.running)
        return (
            f"the weights epoch {self.best_epoch} started from (the epoch with "
            f"the lowest training loss, {self.best:.4g})"
        )

    def check(self, ctx: Any) -> str | None:
        """If the loss grew past the bound, restore the best weights.

        Returns the reason (the advice the fit warns with), or None when the
        fit did not diverge by growth.
        """
        if not self.last > GROWTH_FACTOR * self.first:
            return None
        kept = self.restore(ctx)
        return GROWTH_ADVICE.format(
            first=self.first,
            last=self.last,
            epoch=ctx.state.epochs,
            factor=GROWTH_FACTOR,
            kept=kept,
        )


__all__ = [
    "ADVICE",
    "DIVERGENCE_ADVICE",
    "GROWTH_ADVICE",
    "GROWTH_FACTOR",
    "DivergenceWarning",
    "GrowthGuard",
]
