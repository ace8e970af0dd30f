"""What the fit loops share: notifying callbacks, stopping on divergence."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from sklearn_adamlp._typing import FloatArray
from sklearn_adamlp.divergence import DIVERGENCE_ADVICE, DivergenceWarning
from sklearn_adamlp.training._context import TrainContext

INTERRUPTED = (
    "Training interrupted by user. The model keeps the weights of the last "
    "completed epoch; {n} epoch(s) of this fit completed."
)


def notify(ctx: TrainContext, hook: str, *args: Any) -> bool:
    """Call ``hook`` on every callback that has it; True if any asks to stop.

    Callbacks need not derive from ``Callback``: a missing hook is skipped.
    Every callback is called even after one asks to stop. A hook asks to stop
    with a true value; a string is the reason, kept as ``ctx.stop_reason``
    (the first one given).
    """
    stop = False
    for cb in ctx.callbacks:
        method = getattr(cb, hook, None)
        if method is None:
            continue
        answer = method(ctx, *args)
        if answer:
            stop = True
            if isinstance(answer, str) and ctx.stop_reason is None:
                ctx.stop_reason = answer
    return stop


def diverged(
    ctx: TrainContext, last_good: FloatArray, what: str, epoch: int, best: bool = True
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


def loss_word(loss: float) -> str:
    """Return "the loss became NaN" or "... infinite" for a non-finite ``loss``."""
    return "the loss became " + ("NaN" if np.isnan(loss) else "infinite")
