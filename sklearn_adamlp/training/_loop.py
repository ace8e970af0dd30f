"""The stochastic fit loop: epochs of shuffled mini-batches.

The loop knows no optimizer, activation or loss by name: it computes each
step's learning rate (``TrainContext.learning_rate``) and passes it to
``optimizer.step``, calls ``network.loss_grad`` for the objective, and the
callbacks' hooks, one of which (scikit-learn's stopping rule) decides when to
stop.
"""

from __future__ import annotations

import time
import warnings
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_adamlp._typing import FloatArray
from sklearn_adamlp.divergence import DivergenceWarning, GrowthGuard
from sklearn_adamlp.schedules import Constant
from sklearn_adamlp.training._batches import Batches, run_epoch
from sklearn_adamlp.training._context import EpochRunner, TrainContext
from sklearn_adamlp.training._events import (
    INTERRUPTED,
    diverged,
    loss_word,
    notify,
)


def _end_epoch(ctx: TrainContext, loss: float, lr: float, t0: float) -> bool:
    """Record the epoch, notify callbacks; return True to stop."""
    val_loss = val_score = np.nan
    if ctx.validate is not None:
        val_loss, val_score = ctx.validate(ctx.flat)
    record = {
        "epoch": ctx.state.epochs,
        "loss": loss,
        "val_loss": val_loss,
        "val_score": val_score,
        "learning_rate": lr,
        "seconds": time.perf_counter() - t0,
        "partial_data": ctx.partial_epoch,
    }
    if ctx.batch_size is not None:
        record["batch_size"] = ctx.batch_size
    ctx.history.append(record)
    if ctx.verbose:
        print(f"Iteration {ctx.state.epochs}, loss = {loss:.8f}")
        if ctx.validate is not None:
            print(f"Validation score: {val_score:f}")
    return notify(ctx, "on_epoch_end", record)


def _final_outputs_finite(ctx: TrainContext, batches: Batches) -> bool:
    """Whether the weights the last step left give finite outputs (one batch).

    Each step's result is evaluated by the next batch, except the last one's:
    an inference pass over the first batch checks it (no random draws, no
    batch-norm updates).
    """
    xb = next(batches(None))[0]
    with np.errstate(over="ignore", invalid="ignore"):
        _, out = ctx.network.forward(ctx.flat, xb)
    return bool(np.isfinite(out).all())


class _Snapshots:
    """The weights at the start of this epoch and of the one before.

    A non-finite loss at the first batch of an epoch condemns the weights the
    previous epoch ended with, so the start of the previous epoch (whose first
    batch evaluated them to a finite loss) is restored; later in an epoch, the
    start of this epoch is. Two copies per epoch, none per step. ``running``
    holds the batch-norm statistics at the start of this epoch.
    """

    def __init__(self, flat: FloatArray, running: FloatArray) -> None:
        self.current = flat.copy()
        self.previous = flat.copy()
        self.running = running.copy()

    def begin_epoch(self, flat: FloatArray, running: FloatArray) -> None:
        self.previous, self.current = self.current, self.previous
        np.copyto(self.current, flat)
        np.copyto(self.running, running)

    def last_good(self, steps_taken: int) -> FloatArray:
        return self.current if steps_taken else self.previous


def _epoch_order(
    ctx: TrainContext, batches: Batches, order: np.ndarray | None, epoch: int
) -> np.ndarray | None:
    """Return the row order of this fit's ``epoch``-th epoch (None: in place)."""
    sampler = ctx.sampler
    chosen = (
        None
        if sampler is None
        else sampler.order(ctx, batches, epoch, order is not None)
    )
    ctx.partial_epoch = chosen is not None and len(chosen) < batches.n
    if chosen is not None:
        return chosen
    if order is not None and ctx.rng is not None:
        ctx.rng.shuffle(order)
    return order


class _Checkpoint:
    """Context manager ending the epochs cleanly on ``KeyboardInterrupt``.

    ``mark()`` runs once an epoch has begun (after its weight snapshot). An
    epoch counts as completed once its history record is appended. On a
    ``KeyboardInterrupt`` the counters and the weights (the snapshot of the
    epoch's start) of an epoch without a record are put back, a warning says
    "Training interrupted by user." as scikit-learn's MLP does, the exception
    is suppressed, and ``interrupted``/``completed`` tell the loop.
    """

    def __init__(self, ctx: TrainContext, snapshots: _Snapshots) -> None:
        self.ctx, self.snapshots = ctx, snapshots
        self.first_record = len(ctx.history)
        self.interrupted, self.completed = False, 0
        self.mark()

    def mark(self) -> None:
        state = self.ctx.state
        self.epochs, self.samples = state.epochs, state.samples
        self.records = len(self.ctx.history)

    def __enter__(self) -> _Checkpoint:
        return self

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> bool:
        if kind is None or not issubclass(kind, KeyboardInterrupt):
            return False
        ctx = self.ctx
        if len(ctx.history) == self.records:  # the epoch has no record
            ctx.state.epochs, ctx.state.samples = self.epochs, self.samples
            np.copyto(ctx.flat, self.snapshots.current)
        self.interrupted = True
        self.completed = len(ctx.history) - self.first_record
        ctx.stop_reason = ctx.stop_reason or INTERRUPTED.format(n=self.completed)
        warnings.warn(INTERRUPTED.format(n=self.completed), UserWarning, stacklevel=4)
        return True  # suppressed: the fit ends on the completed epochs


def fit_stochastic(
    ctx: TrainContext,
    X: Any,
    Y: FloatArray,
    sample_weight: FloatArray | None,
    *,
    batch_size: int,
    max_iter: int,
    shuffle: bool,
    incremental: bool = False,
) -> int:
    """Run up to ``max_iter`` epochs (one if ``incremental``); return the count."""
    _warn_if_unscheduled(ctx)
    # dropout's per-row keys are hashed once per fit, then gathered per batch
    batches = Batches(X, Y, sample_weight, batch_size, ctx.network.row_keys(X))
    ctx.schedule.bind(batch_size, X.shape[0])
    order = ctx.state.row_order(X.shape[0]) if shuffle else None
    snapshots = _Snapshots(ctx.flat, ctx.network.running)
    if ctx.state.guard is None or not incremental:  # partial_fit calls share one
        ctx.state.guard = GrowthGuard()
    guard = ctx.state.guard
    notify(ctx, "on_fit_begin")
    n_iter = 0
    session: AbstractContextManager[EpochRunner] = (
        nullcontext(run_epoch)
        if ctx.parallel is None
        else ctx.parallel.session(ctx, batches)
    )
    checkpoint = _Checkpoint(ctx, snapshots)
    with checkpoint, session as run:
        for epoch in range(1 if incremental else max_iter):
            t0 = time.perf_counter()
            notify(ctx, "on_epoch_begin")
            rows = _epoch_order(ctx, batches, order, epoch)
            lr = ctx.learning_rate()
            ctx.batch_size = batches.resize(ctx.schedule.batch_size(ctx.state.epochs))
            snapshots.begin_epoch(ctx.flat, ctx.network.running)
            checkpoint.mark()
            with np.errstate(over="ignore", invalid="ignore"):
                loss, steps = run(ctx, batches, rows, lr)
            if not np.isfinite(loss):
                diverged(
                    ctx,
                    snapshots.last_good(steps),
                    loss_word(loss),
                    ctx.state.epochs + 1,
                )
                break
            n_iter += 1
            ctx.state.epochs += 1
            ctx.state.samples += X.shape[0] if rows is None else len(rows)
            stop = _end_epoch(ctx, loss, lr, t0)
            guard.record(ctx, loss, snapshots)
            if stop:
                break
        else:
            if not incremental and ctx.stop_reason is None:
                warnings.warn(
                    f"Stochastic Optimizer: Maximum iterations ({max_iter}) reached "
                    "and the optimization hasn't converged yet.",
                    ConvergenceWarning,
                    stacklevel=3,
                )
    if checkpoint.interrupted:
        n_iter = checkpoint.completed
    if n_iter and not ctx.diverged and not _final_outputs_finite(ctx, batches):
        diverged(
            ctx, snapshots.current, "the outputs became non-finite", ctx.state.epochs
        )
    _check_growth(ctx, guard)
    notify(ctx, "on_fit_end")
    return n_iter


def _check_growth(ctx: TrainContext, guard: GrowthGuard) -> None:
    """Apply the divergence-by-growth rule at the end of a fit (``GrowthGuard``)."""
    if ctx.diverged:
        return
    reason = guard.check(ctx)
    if reason is not None:
        ctx.diverged = True
        ctx.stop_reason = reason
        warnings.warn(reason, DivergenceWarning, stacklevel=4)


def _warn_if_unscheduled(ctx: TrainContext) -> None:
    """Warn when the schedule cannot reach an optimizer's own ``step``.

    A ``step`` that takes no ``learning_rate`` (a subclass overriding it
    without the keyword: ``accepts_learning_rate`` is False) steps at its
    hyper-parameter; a schedule or plateau rule would silently do nothing.
    """
    opt = ctx.optimizer
    # the flag's absence means no rate, as ``_step_call`` reads it
    if getattr(opt, "accepts_learning_rate", False) or type(ctx.schedule) is Constant:
        return
    warnings.warn(
        f"{type(opt).__name__}.step takes no learning_rate argument, so the "
        f"learning-rate schedule {ctx.schedule!r} cannot change its rate: every "
        "step uses its learning_rate hyper-parameter. Give step a keyword "
        "argument learning_rate=None and pass it on to Optimizer.step.",
        UserWarning,
        stacklevel=4,
    )
