"""The fit loop: epochs of shuffled mini-batches, or one call to a minimizer.

The loop knows no optimizer, activation or loss by name: it calls
``optimizer.step(params, grads)`` for a stepper and ``optimizer.minimize(...)``
for a full-batch minimizer (recognised by that method), ``network.loss_grad`` for
the objective, and the callbacks' hooks, one of which (scikit-learn's stopping
rule) decides when to stop.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from sklearn_adamlp._typing import FloatArray
from sklearn_adamlp._validation import check_optimize_result
from sklearn_adamlp.callbacks import Callback
from sklearn_adamlp.divergence import (
    DIVERGENCE_ADVICE,
    DivergenceWarning,
    GrowthGuard,
)
from sklearn_adamlp.history import History
from sklearn_adamlp.network import Network
from sklearn_adamlp.schedules import Constant, Schedule

INTERRUPTED = (
    "Training interrupted by user. The model keeps the weights of the last "
    "completed epoch; {n} epoch(s) of this fit completed."
)


@dataclass
class TrainState:
    """Counters that carry over between ``partial_fit`` and warm-started fits."""

    epochs: int = 0  # epochs over every call
    samples: int = 0  # training samples seen (sklearn's t_)
    steps: int = 0  # optimizer steps
    lr_multiplier: float = 1.0  # plateau reductions ('adaptive')
    guard: Any = None  # the GrowthGuard of the fit, carried over like the counters
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


@dataclass
class TrainContext:
    """Everything one fit call works with; callbacks read and change it.

    ``transforms`` are objects with ``before_step(ctx)`` (may change ``ctx.grad``:
    clipping, noise) and ``after_step(ctx)`` (may change ``ctx.flat``: max-norm
    projection, decoupled weight decay), run around every optimizer step.

    ``sampler`` (optional, e.g. a curriculum) chooses the rows of each epoch:
    ``sampler.order(ctx, batches, epoch, shuffle)`` returns an index array (a
    subset in training order) or None for the usual pass over every row;
    ``partial_epoch`` is then true while an epoch sees only part of the data
    (stopping rules skip such epochs).

    ``parallel`` (optional, e.g. ``sklearn_adamlp.parallel.Hogwild``) runs the
    epochs over several workers: ``parallel.session(ctx, batches)`` is a context
    manager giving a function with ``_run_epoch``'s signature and result, which
    leaves the epoch's resulting weights in ``ctx.flat``.
    """

    network: Network
    flat: FloatArray
    grad: FloatArray
    optimizer: Any
    state: TrainState
    history: History
    schedule: Schedule = field(default_factory=Constant)
    callbacks: Sequence[Callback] = ()
    rng: Any = None
    verbose: bool = False
    validate: Callable[[FloatArray], tuple[float, float]] | None = None
    transforms: Sequence[Any] = ()
    sampler: Any = None
    parallel: Any = None
    partial_epoch: bool = False
    stop_reason: str | None = None
    diverged: bool = False
    batch_size: int | None = None  # this epoch's, set by a batch-size schedule

    def set_learning_rate(self) -> float:
        """Set the optimizer's ``lr_scale_`` from the schedule and plateau state."""
        unit = self.schedule.unit
        clock = {"step": self.state.steps, "sample": self.state.samples}.get(
            unit, self.state.epochs
        )
        self.optimizer.lr_scale_ = float(self.schedule(clock)) * float(
            self.state.lr_multiplier
        )
        return self.optimizer.current_lr()


class _Batches:
    """Yields mini-batches of (X, Y, sample_weight) in a given order.

    Dense rows are gathered with ``np.take(..., out=)`` into buffers reused across
    epochs; without shuffling, batches are slices (views) of the data.
    """

    def __init__(self, X, Y, sample_weight, batch_size: int, keys=None) -> None:
        if not sp.issparse(X) and not X.flags.c_contiguous:
            # one copy per fit: gathering rows of a strided or Fortran-ordered
            # array is about 10x slower (load_digits' X is a column slice)
            X = np.ascontiguousarray(X)
        self.X, self.Y, self.sw, self.keys = X, Y, sample_weight, keys
        self.n = X.shape[0]
        self.batch_size = batch_size
        self._bufs: dict[int, tuple] = {}

    def resize(self, batch_size: int | None) -> int | None:
        """Set the batch size (None: keep it); return the new size or None."""
        if batch_size is None or batch_size == self.batch_size:
            return batch_size
        self.batch_size = int(batch_size)
        self._bufs.clear()  # buffers of the old sizes are not needed again
        return self.batch_size

    def _buffers(self, m: int) -> tuple:
        if m not in self._bufs:
            X_buf = (
                None
                if sp.issparse(self.X)
                else np.empty((m, self.X.shape[1]), dtype=self.X.dtype)
            )
            Y_buf = np.empty((m, self.Y.shape[1]), dtype=self.Y.dtype)
            sw_buf = None if self.sw is None else np.empty(m, dtype=self.sw.dtype)
            k_buf = None if self.keys is None else np.empty(m, dtype=self.keys.dtype)
            self._bufs[m] = (X_buf, Y_buf, sw_buf, k_buf)
        return self._bufs[m]

    def __call__(self, order: FloatArray | None, part: tuple[int, int] = (0, 1)):
        """Yield ``(xb, yb, swb, kb)`` for the batches of ``order`` (None: in place).

        ``part=(w, k)`` yields only batches ``w, w + k, w + 2k, ...``: worker
        ``w``'s share when ``k`` workers split an epoch (``sklearn_adamlp.parallel``).
        """
        n = self.n if order is None else len(order)
        first, stride = part
        size = self.batch_size
        for start in range(first * size, n, stride * size):
            stop = min(start + size, n)
            if order is None:
                rows = slice(start, stop)
                sw = None if self.sw is None else self.sw[rows]
                kb = None if self.keys is None else self.keys[rows]
                yield self.X[rows], self.Y[rows], sw, kb
                continue
            idx = order[start:stop]
            X_buf, Y_buf, sw_buf, k_buf = self._buffers(stop - start)
            # mode="clip": with the default "raise", numpy gathers into a temporary
            # and copies it to out= (indices are in range by construction)
            if X_buf is None:
                xb = self.X[idx]
            else:
                xb = self.X.take(idx, axis=0, out=X_buf, mode="clip")
            yb = self.Y.take(idx, axis=0, out=Y_buf, mode="clip")
            swb = None if sw_buf is None else self.sw.take(idx, out=sw_buf, mode="clip")
            kb = None if k_buf is None else self.keys.take(idx, out=k_buf, mode="clip")
            yield xb, yb, swb, kb


def _steps(ctx: TrainContext, batches: _Batches, order, part=(0, 1)):
    """Take one optimizer step per batch; yield ``(loss, rows)`` after each.

    A batch whose sample weights are all zero carries no data: it is skipped
    (no step, no yield), leaving the weights and the optimizer's state as they
    are.

    A non-finite batch loss is yielded with ``rows = 0`` and ends the pass (the
    step that would follow is not taken). ``part`` selects a worker's share of
    the batches (see ``_Batches``). A generator, so that parallel workers can
    act between steps (``sklearn_adamlp.parallel``).
    """
    net, flat, grad, opt = ctx.network, ctx.flat, ctx.grad, ctx.optimizer
    per_step = ctx.schedule.unit == "step"
    # the L2 gradient goes into the optimizer's pass, unless a transform must see
    # the whole gradient first or the optimizer is not ours (no terms argument)
    terms: list[Any] | None = [] if _takes_terms(opt) and not ctx.transforms else None
    for xb, yb, swb, kb in batches(order, part):
        if swb is not None and not swb.any():
            continue  # weights all zero: no data, so no step (state unchanged)
        if per_step:
            ctx.set_learning_rate()
        if terms:
            terms.clear()
        loss = net.loss_grad(flat, grad, xb, yb, swb, terms, kb)
        if not math.isfinite(loss):
            yield float(loss), 0
            return
        for transform in ctx.transforms:
            transform.before_step(ctx)
        if terms:
            opt.step([flat], [grad], terms)
        else:
            opt.step([flat], [grad])
        for transform in ctx.transforms:
            transform.after_step(ctx)
        ctx.state.steps += 1
        yield loss, xb.shape[0]


def _run_epoch(ctx: TrainContext, batches: _Batches, order) -> tuple[float, int]:
    """One pass over the rows of ``order``: ``(mean batch loss, steps taken)``.

    Stops at the first non-finite batch loss and returns it (the step that would
    follow is not taken).
    """
    total, steps, seen = 0.0, 0, 0
    for loss, rows in _steps(ctx, batches, order):
        if not rows:
            return loss, steps
        steps += 1
        seen += rows
        total += loss * rows
    return total / max(seen, 1), steps


def _takes_terms(opt) -> bool:
    """Whether ``opt.step(params, grads, terms)`` accepts gradient terms.

    The optimizer's capability flag ``accepts_gradient_terms`` (True for
    ``Optimizer`` and every subclass that keeps its ``step``).
    """
    return bool(getattr(opt, "accepts_gradient_terms", False))


def _notify(ctx: TrainContext, hook: str, *args: Any) -> bool:
    """Call ``hook`` on every callback that has it; True if any asks to stop.

    Callbacks need not derive from ``Callback``: a missing hook is skipped.
    Every callback is called even after one asks to stop.
    """
    stop = False
    for cb in ctx.callbacks:
        method = getattr(cb, hook, None)
        if method is not None:
            stop = bool(method(ctx, *args)) or stop
    return stop


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
    return _notify(ctx, "on_epoch_end", record)


def _diverged(
    ctx: TrainContext, last_good: FloatArray, what: str, epoch: int, best=True
) -> None:
    """Stop at a non-finite loss: restore weights that give a finite one, warn.

    The weights the lowest-loss epoch started from (``GrowthGuard``), when
    an epoch has been recorded, else ``last_good``, the last finite weights:
    a loss that ends in inf has usually grown for a while, so the last
    finite weights can be far gone.
    """
    guard = ctx.state.guard if best else None
    if guard is not None and guard.flat is not None:
        kept = guard.restore(ctx)
    else:
        np.copyto(ctx.flat, last_good)
        kept = "the last finite weights"
    ctx.diverged = True
    ctx.stop_reason = DIVERGENCE_ADVICE.format(what=what, epoch=epoch, kept=kept)
    warnings.warn(ctx.stop_reason, DivergenceWarning, stacklevel=4)


def _loss_word(loss: float) -> str:
    return "the loss became " + ("NaN" if np.isnan(loss) else "infinite")


def _final_outputs_finite(ctx: TrainContext, batches: _Batches) -> bool:
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


def _epoch_order(ctx: TrainContext, batches: _Batches, order, epoch: int):
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
    if order is not None:
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

    def __exit__(self, kind, exc, tb) -> bool:
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
    X,
    Y: FloatArray,
    sample_weight: FloatArray | None,
    *,
    batch_size: int,
    max_iter: int,
    shuffle: bool,
    incremental: bool = False,
) -> int:
    """Run up to ``max_iter`` epochs (one if ``incremental``); return the count."""
    # dropout's per-row keys are hashed once per fit, then gathered per batch
    batches = _Batches(X, Y, sample_weight, batch_size, ctx.network.row_keys(X))
    ctx.schedule.bind(batch_size, X.shape[0])
    order = ctx.state.row_order(X.shape[0]) if shuffle else None
    snapshots = _Snapshots(ctx.flat, ctx.network.running)
    if ctx.state.guard is None or not incremental:  # partial_fit calls share one
        ctx.state.guard = GrowthGuard()
    _notify(ctx, "on_fit_begin")
    n_iter = 0
    session = (
        nullcontext(_run_epoch)
        if ctx.parallel is None
        else ctx.parallel.session(ctx, batches)
    )
    checkpoint = _Checkpoint(ctx, snapshots)
    with checkpoint, session as run_epoch:
        for epoch in range(1 if incremental else max_iter):
            t0 = time.perf_counter()
            _notify(ctx, "on_epoch_begin")
            rows = _epoch_order(ctx, batches, order, epoch)
            lr = ctx.set_learning_rate()
            ctx.batch_size = batches.resize(ctx.schedule.batch_size(ctx.state.epochs))
            snapshots.begin_epoch(ctx.flat, ctx.network.running)
            checkpoint.mark()
            with np.errstate(over="ignore", invalid="ignore"):
                loss, steps = run_epoch(ctx, batches, rows)
            if not np.isfinite(loss):
                _diverged(
                    ctx,
                    snapshots.last_good(steps),
                    _loss_word(loss),
                    ctx.state.epochs + 1,
                )
                break
            n_iter += 1
            ctx.state.epochs += 1
            ctx.state.samples += X.shape[0] if rows is None else len(rows)
            stop = _end_epoch(ctx, loss, lr, t0)
            ctx.state.guard.record(ctx, loss, snapshots)
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
        _diverged(
            ctx, snapshots.current, "the outputs became non-finite", ctx.state.epochs
        )
    ctx.state.guard.check(ctx)
    _notify(ctx, "on_fit_end")
    return n_iter


def _notify_iteration(ctx: TrainContext) -> bool:
    """Tell the callbacks an L-BFGS iteration ended; True if one asks to stop."""
    stop = _notify(ctx, "on_epoch_end", ctx.history.last())
    if not stop:
        _notify(ctx, "on_epoch_begin")
    return stop


def _check_minimizer_result(res, max_iter: int) -> int:
    """Return a minimizer's iteration count; warn (ConvergenceWarning) if it failed.

    scipy's L-BFGS result goes through scikit-learn's check (its message); a
    result that names its ``solver`` gets the same message under that name.
    """
    solver = getattr(res, "solver", "lbfgs")
    if solver == "lbfgs":
        return check_optimize_result("lbfgs", res, max_iter)
    n_iter = min(int(res.nit), max_iter)
    if res.status != 0:
        msg = (
            f"{solver} failed to converge after {n_iter} iteration(s) "
            f"(status={res.status}):\n{res.message}\n"
        )
        if n_iter == max_iter:
            msg += (
                "\nIncrease the number of iterations to improve the "
                f"convergence (max_iter={max_iter})."
            )
        msg += "\nYou might also want to scale the data (e.g. StandardScaler)."
        warnings.warn(msg, ConvergenceWarning, stacklevel=3)
    return n_iter


def fit_minimizer(
    ctx: TrainContext,
    X,
    Y: FloatArray,
    sample_weight: FloatArray | None,
    *,
    max_iter: int,
    max_fun: int,
    tol: float,
) -> tuple[int, float]:
    """Full-batch minimization (L-BFGS); returns ``(n_iter, final loss)``."""
    flat, grad, net = ctx.flat, ctx.grad, ctx.network
    x0 = flat.copy()

    def fun(x):
        flat[...] = x  # cast to the network's dtype (float32 stays float32)
        return net.loss_grad(flat, grad, X, Y, sample_weight), grad

    t0 = [time.perf_counter()]
    _notify(ctx, "on_fit_begin")
    _notify(ctx, "on_epoch_begin")

    last_x, done = x0.copy(), [0]  # the last completed iterate (Ctrl-C)

    def on_iteration(intermediate_result):
        val_loss = val_score = np.nan
        if ctx.validate is not None:
            val_loss, val_score = ctx.validate(
                intermediate_result.x.astype(flat.dtype, copy=False)
            )
        np.copyto(last_x, intermediate_result.x)
        ctx.state.epochs += 1
        done[0] += 1
        ctx.history.append(
            {
                "epoch": ctx.state.epochs,
                "loss": float(intermediate_result.fun),
                "val_loss": val_loss,
                "val_score": val_score,
                "learning_rate": np.nan,
                "seconds": time.perf_counter() - t0[0],
            }
        )
        if _notify_iteration(ctx):
            raise StopIteration  # scipy ends the minimization
        t0[0] = time.perf_counter()

    try:
        with np.errstate(over="ignore", invalid="ignore"):
            res = ctx.optimizer.minimize(
                fun,
                flat,
                max_iter=max_iter,
                max_fun=max_fun,
                tol=tol,
                callback=on_iteration,
            )
    except KeyboardInterrupt:
        return _interrupted_minimizer(ctx, last_x, done[0], (X, Y, sample_weight))
    flat[...] = res.x
    loss, n_iter = float(res.fun), 0
    if np.isfinite(flat).all() and np.isfinite(loss):
        n_iter = _check_minimizer_result(res, max_iter)
    else:
        _diverged(ctx, x0, "the loss became NaN", ctx.state.epochs + 1, best=False)
        loss = float(net.loss_grad(flat, grad, X, Y, sample_weight))
    _notify(ctx, "on_fit_end")
    return int(n_iter), loss


def _interrupted_minimizer(
    ctx: TrainContext, last_x: FloatArray, done: int, data: tuple
) -> tuple[int, float]:
    """End a minimization cut short by Ctrl-C at its last completed iterate."""
    ctx.flat[...] = last_x
    if done:
        loss = float(ctx.history.last()["loss"])
    else:  # not one iteration: the initial weights and their loss
        loss = float(ctx.network.loss_grad(ctx.flat, ctx.grad, *data))
    ctx.stop_reason = INTERRUPTED.format(n=done)
    warnings.warn(ctx.stop_reason, UserWarning, stacklevel=4)
    _notify(ctx, "on_fit_end")
    return done, loss
