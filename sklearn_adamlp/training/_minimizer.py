"""The full-batch fit: one call to a minimizer (L-BFGS, Newton-CG)."""

from __future__ import annotations

import time
import warnings
from typing import Any, cast

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_adamlp._typing import FloatArray
from sklearn_adamlp._validation import check_optimize_result
from sklearn_adamlp.training._context import Minimizer, TrainContext
from sklearn_adamlp.training._events import INTERRUPTED, diverged, notify


def _notify_iteration(ctx: TrainContext) -> bool:
    """Tell the callbacks an L-BFGS iteration ended; True if one asks to stop."""
    stop = notify(ctx, "on_epoch_end", ctx.history.last())
    if not stop:
        notify(ctx, "on_epoch_begin")
    return stop


def _check_minimizer_result(res: Any, max_iter: int) -> int:
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
    X: Any,
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

    def fun(x: FloatArray) -> tuple[float, FloatArray]:
        flat[...] = x  # cast to the network's dtype (float32 stays float32)
        return net.loss_grad(flat, grad, X, Y, sample_weight), grad

    t0 = [time.perf_counter()]
    notify(ctx, "on_fit_begin")
    notify(ctx, "on_epoch_begin")

    last_x, done = x0.copy(), [0]  # the last completed iterate (Ctrl-C)

    def on_iteration(intermediate_result: Any) -> None:
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
            res = cast(Minimizer, ctx.optimizer).minimize(
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
        diverged(ctx, x0, "the loss became NaN", ctx.state.epochs + 1, best=False)
        loss = float(net.loss_grad(flat, grad, X, Y, sample_weight))
    notify(ctx, "on_fit_end")
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
    notify(ctx, "on_fit_end")
    return done, loss
