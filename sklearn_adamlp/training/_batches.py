"""Mini-batches and the optimizer steps over them.

``Batches`` yields the mini-batches of an epoch; ``steps`` takes one optimizer
step per batch (a generator, so that parallel workers can act between steps);
``run_epoch`` is one serial epoch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any, cast

import numpy as np
import scipy.sparse as sp

from sklearn_adamlp._typing import FloatArray
from sklearn_adamlp.training._context import Stepper, TrainContext


class Batches:
    """Yields mini-batches of (X, Y, sample_weight) in a given order.

    Dense rows are gathered with ``np.take(..., out=)`` into buffers reused across
    epochs; without shuffling, batches are slices (views) of the data.
    """

    def __init__(
        self,
        X: Any,
        Y: FloatArray,
        sample_weight: FloatArray | None,
        batch_size: int,
        keys: np.ndarray | None = None,
    ) -> None:
        if not sp.issparse(X):
            X = _gatherable(X)
        self.X, self.Y = X, _gatherable(Y)
        # Any: the gathers below run only when the array is there
        self.sw: Any = None if sample_weight is None else _gatherable(sample_weight)
        self.keys: Any = None if keys is None else _gatherable(keys)
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

    def _buffers(self, m: int) -> tuple[Any, ...]:
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

    def __call__(
        self, order: np.ndarray | None, part: tuple[int, int] = (0, 1)
    ) -> Iterator[tuple[Any, FloatArray, FloatArray | None, np.ndarray | None]]:
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


def _gatherable(a: np.ndarray) -> np.ndarray:
    """Return ``a`` C-contiguous and aligned, copying it (once per fit) if not.

    Gathering rows of a strided or Fortran-ordered array is about 10x slower
    (load_digits' X is a column slice). An array whose data does not start
    at a multiple of its item size (as Dask can hand a worker a scattered
    array, inside a message buffer) takes numpy's unaligned path: measured
    1,500x slower per batch of 256 x 784 float32 rows (0.76 s against
    0.5 ms for an aligned copy), which made a Dask fit 30x slower than the
    serial one.
    """
    return np.require(a, requirements=["C", "A"])


def steps(
    ctx: TrainContext,
    batches: Batches,
    order: np.ndarray | None,
    lr: float,
    part: tuple[int, int] = (0, 1),
) -> Iterator[tuple[float, int]]:
    """Take one optimizer step per batch; yield ``(loss, rows)`` after each.

    ``lr`` is the epoch's learning rate (``TrainContext.learning_rate`` at its
    start); a schedule counting steps is read again before every step. The
    rate reaches the optimizer as ``step``'s ``learning_rate`` argument.

    A batch whose sample weights are all zero carries no data: it is skipped
    (no step, no yield), leaving the weights and the optimizer's state as they
    are.

    A non-finite batch loss is yielded with ``rows = 0`` and ends the pass (the
    step that would follow is not taken). ``part`` selects a worker's share of
    the batches (see ``Batches``). A generator, so that parallel workers can
    act between steps (``sklearn_adamlp.parallel``).
    """
    net, flat, grad = ctx.network, ctx.flat, ctx.grad
    opt = cast(Stepper, ctx.optimizer)
    per_step = ctx.schedule.unit == "step"
    # the L2 gradient goes into the optimizer's pass, unless a transform must see
    # the whole gradient first or the optimizer is not ours (no terms argument)
    terms: list[Any] | None = [] if takes_terms(opt) and not ctx.transforms else None
    step = _step_call(opt)
    for xb, yb, swb, kb in batches(order, part):
        if swb is not None and not swb.any():
            continue  # weights all zero: no data, so no step (state unchanged)
        if per_step:
            lr = ctx.learning_rate()
        if terms:
            terms.clear()
        loss = net.loss_grad(flat, grad, xb, yb, swb, terms, kb)
        if not math.isfinite(loss):
            yield float(loss), 0
            return
        for transform in ctx.transforms:
            transform.before_step(ctx, lr)
        step(flat, grad, terms, lr)
        for transform in ctx.transforms:
            transform.after_step(ctx, lr)
        ctx.state.steps += 1
        yield loss, xb.shape[0]


def _step_call(opt: Stepper) -> Callable[[FloatArray, FloatArray, Any, float], None]:
    """Return ``step(flat, grad, terms, lr)`` calling ``opt.step`` as it accepts.

    The rate goes as the keyword ``learning_rate`` and non-empty terms as the
    third argument, each only to a ``step`` whose capability flag
    (``accepts_learning_rate``, ``accepts_gradient_terms``) says it takes them.
    """
    rated = bool(getattr(opt, "accepts_learning_rate", False))

    def step(flat: FloatArray, grad: FloatArray, terms: Any, lr: float) -> None:
        if rated and terms:
            opt.step([flat], [grad], terms, learning_rate=lr)
        elif rated:
            opt.step([flat], [grad], learning_rate=lr)
        elif terms:
            opt.step([flat], [grad], terms)
        else:
            opt.step([flat], [grad])

    return step


def run_epoch(
    ctx: TrainContext, batches: Batches, order: np.ndarray | None, lr: float
) -> tuple[float, int]:
    """One pass over the rows of ``order``: ``(mean batch loss, steps taken)``.

    Stops at the first non-finite batch loss and returns it (the step that would
    follow is not taken).
    """
    total, taken, seen = 0.0, 0, 0
    for loss, rows in steps(ctx, batches, order, lr):
        if not rows:
            return loss, taken
        taken += 1
        seen += rows
        total += loss * rows
    return total / max(seen, 1), taken


def takes_terms(opt: Any) -> bool:
    """Whether ``opt.step(params, grads, terms)`` accepts gradient terms.

    The optimizer's capability flag ``accepts_gradient_terms`` (True for
    ``Optimizer`` and every subclass that keeps its ``step``).
    """
    return bool(getattr(opt, "accepts_gradient_terms", False))
