"""The state of one fit: counters that carry over, and the context built whole.

``TrainState`` holds what continues from one ``partial_fit`` (or warm-started
fit) to the next; ``TrainContext`` is everything one fit call works with. The
estimator builds the context complete, before the first epoch; during the fit
only the training loop (this package) assigns its fields. Callbacks read it
and answer through their return values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from sklearn_adamlp._typing import FloatArray
from sklearn_adamlp.divergence import GrowthGuard
from sklearn_adamlp.history import History
from sklearn_adamlp.network import Network
from sklearn_adamlp.schedules import Constant, Schedule


@runtime_checkable
class Stepper(Protocol):
    """A first-order optimizer: ``step`` updates ``params`` in place.

    ``sklearn_adamlp.optimizers.Optimizer`` and its subclasses; the capability
    flags say which of ``terms`` and ``learning_rate`` its ``step`` takes.
    """

    def step(
        self,
        params: Sequence[FloatArray],
        grads: Sequence[FloatArray],
        terms: Sequence[Any] = (),
        learning_rate: float | None = None,
    ) -> None:
        """Update ``params`` from ``grads`` (and ``terms``) at ``learning_rate``."""


@runtime_checkable
class Minimizer(Protocol):
    """A full-batch minimizer (L-BFGS, Newton-CG): one ``minimize`` call."""

    def minimize(self, fun: Callable[..., Any], x0: FloatArray, **kwargs: Any) -> Any:
        """Minimize ``fun`` (returning loss and gradient) from ``x0``."""


class StepTransform(Protocol):
    """Runs around every optimizer step (``regularizers.step_transforms``).

    ``before_step`` may change ``ctx.grad`` (clipping, noise), ``after_step``
    may change ``ctx.flat`` (max-norm projection, decoupled weight decay);
    ``lr`` is the step's learning rate.
    """

    def before_step(self, ctx: TrainContext, lr: float) -> None:
        """Act on the gradient before the step."""

    def after_step(self, ctx: TrainContext, lr: float) -> None:
        """Act on the weights after the step."""


class Sampler(Protocol):
    """Chooses the rows of each epoch (e.g. ``callbacks.EasyFirstCurriculum``)."""

    def order(
        self, ctx: TrainContext, data: Any, epoch: int, shuffle: bool
    ) -> np.ndarray | None:
        """Return a row order (a subset in training order) or None for all rows."""


class EpochRunner(Protocol):
    """``run(ctx, batches, order, lr) -> (mean batch loss, steps taken)``."""

    def __call__(
        self, ctx: TrainContext, batches: Any, order: np.ndarray | None, lr: float
    ) -> tuple[float, int]:
        """Run one epoch at rate ``lr``; leave its weights in ``ctx.flat``."""


class Parallel(Protocol):
    """Runs the epochs over several workers (``sklearn_adamlp.parallel``)."""

    def session(
        self, ctx: TrainContext, batches: Any
    ) -> AbstractContextManager[EpochRunner]:
        """Return a context manager giving the epoch runner of this fit."""


@dataclass
class TrainState:
    """Counters that carry over between ``partial_fit`` and warm-started fits."""

    epochs: int = 0  # epochs over every call
    samples: int = 0  # training samples seen (sklearn's t_)
    steps: int = 0  # optimizer steps
    lr_multiplier: float = 1.0  # plateau reductions ('adaptive', 'plateau')
    guard: GrowthGuard | None = None  # the fit's GrowthGuard, carried over too
    order: np.ndarray | None = None  # the row order shuffling permutes in place

    def row_order(self, n: int) -> np.ndarray:
        """Return the row order epochs shuffle in place, kept across fits of ``n`` rows.

        Shuffling permutes the previous epoch's order (as scikit-learn does), so
        a fit continued from a saved state shuffles like the uninterrupted fit
        only if the order continues too.
        """
        if self.order is None or len(self.order) != n:
            self.order = np.arange(n)
        return self.order

    def clock(self, unit: str) -> int:
        """Return the time a schedule counting in ``unit`` reads now.

        ``'step'``: optimizer steps; ``'sample'``: training rows seen; anything
        else (``'epoch'``): completed epochs.
        """
        if unit == "step":
            return self.steps
        if unit == "sample":
            return self.samples
        return self.epochs


@dataclass
class TrainContext:
    """Everything one fit call works with, built complete by the estimator.

    ``optimizer`` steps (``Stepper``) or minimizes (``Minimizer``).
    ``transforms`` run around every optimizer step (``StepTransform``).
    ``sampler`` (optional, e.g. a curriculum) chooses the rows of each epoch;
    ``partial_epoch`` is then true while an epoch sees only part of the data
    (stopping rules skip such epochs). ``parallel`` (optional, e.g.
    ``sklearn_adamlp.parallel.EASGD``) runs the epochs over several workers.

    The fields after ``parallel`` are the fit's outcome so far; the training
    loop alone assigns them (callbacks ask to stop through their return value).
    """

    network: Network
    flat: FloatArray
    grad: FloatArray
    optimizer: Stepper | Minimizer
    state: TrainState
    history: History
    schedule: Schedule = field(default_factory=Constant)
    callbacks: Sequence[object] = ()  # any object; the hooks it has are called
    rng: np.random.RandomState | None = None
    verbose: bool = False
    validate: Callable[[FloatArray], tuple[float, float]] | None = None
    transforms: Sequence[StepTransform] = ()
    sampler: Sampler | None = None
    parallel: Parallel | None = None
    partial_epoch: bool = False
    stop_reason: str | None = None
    diverged: bool = False
    batch_size: int | None = None  # this epoch's, set by a batch-size schedule

    def learning_rate(self) -> float:
        """Return the next step's learning rate; the one place it is computed.

        ::

            lr = optimizer.learning_rate * schedule(clock) * state.lr_multiplier

        ``clock`` is the state's count in the schedule's unit (epochs, steps
        or samples); ``lr_multiplier`` holds the plateau reductions. The loop
        passes it to ``optimizer.step`` as an argument.
        """
        base = float(getattr(self.optimizer, "learning_rate", 1.0))
        clock = self.state.clock(self.schedule.unit)
        return base * (float(self.schedule(clock)) * float(self.state.lr_multiplier))
