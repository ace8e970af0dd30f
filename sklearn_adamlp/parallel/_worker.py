"""One worker of a parallel fit: its share of each epoch, with its own optimizer.

A ``Worker`` is built in the fitting process and runs there (worker 0, or every
worker with the sequential backend) or in a worker process (``child_main``).
It owns a network (its work buffers and dropout stream), an optimizer (its
moments), the step transforms and a ``TrainContext`` over its ``Replica``;
it shares the data, the epoch's row order and the center.
"""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from sklearn_adamlp.history import History
from sklearn_adamlp.parallel._guard import ParentWatch, TimedLock, after_fork_in_worker
from sklearn_adamlp.parallel._shared import unwrap
from sklearn_adamlp.parallel._strategies import ParallelStrategy, Replica
from sklearn_adamlp.training import Batches, TrainContext, TrainState, steps


@dataclass(frozen=True)
class EpochOrder:
    """What the fitting process tells every worker at the start of an epoch."""

    state: TrainState  # the fit's counters before this epoch
    learning_rate: float  # the epoch's rate (TrainContext.learning_rate)
    n_rows: int  # rows of the order in shared memory; -1: rows in place


@dataclass
class EpochResult:
    """What a worker reports at the end of its share of an epoch."""

    total: float = 0.0  # sum of batch loss * batch rows
    rows: int = 0
    steps: int = 0
    bad_loss: float | None = None  # the non-finite loss that ended the share


class Worker:
    """Worker ``index`` of ``n_workers``; see the module docstring.

    ``center`` and ``order`` are ``SharedArray`` handles (or arrays, in this
    process); ``data`` is ``(X, Y, sample_weight, keys)``, handles or arrays.
    """

    def __init__(
        self,
        index: int,
        n_workers: int,
        strategy: ParallelStrategy,
        *,
        network: Any,
        optimizer: Any,
        transforms: list,
        schedule: Any,
        center: Any,
        order: Any,
        lock: Any,
        data: tuple,
        batch_size: int,
    ) -> None:
        self.index, self.n_workers, self.strategy = index, n_workers, strategy
        self.network, self.optimizer = network, optimizer
        self.transforms, self.schedule = transforms, schedule
        self.center, self.order, self.lock = center, order, lock
        self.data, self.batch_size = data, batch_size
        self.ctx: TrainContext | None = None
        #: called while waiting for the lock; raises when waiting is hopeless
        self.watch: Any = None
        #: the replica's buffer (a synchronous strategy's, shared), or None
        self.local_buf: Any = None
        self._share: Any = None  # the running share of a synchronous epoch
        self.lr = 0.0  # the running epoch's learning rate (set by ``begin``)

    def setup(self) -> None:
        """Build the buffers and the context (in the process that runs it)."""
        center = unwrap(self.center)
        if self.local_buf is not None:
            local = unwrap(self.local_buf)
        elif self.strategy.shares_center:
            local = center
        else:
            local = np.empty_like(center)
        lock = self.lock
        if lock is not None and self.watch is not None:
            lock = TimedLock(lock, self.watch)
        self.replica = Replica(center, local, lock)
        X, Y, sw, keys = (unwrap(a) for a in self.data)
        self.batches = Batches(X, Y, sw, self.batch_size, keys)
        self.ctx = self._new_context(TrainState(), np.empty_like(local))
        self.result = EpochResult()
        self._fitting = False

    def begin(self, epoch: EpochOrder) -> None:
        """Take the epoch's counters and learning rate; run the start hooks.

        The worker's context is built anew with the epoch's counters.

        In a fit's first epoch the strategy starts the worker from the center.

        The fit's step counter is advanced as if the workers took turns (this
        worker's ``j``-th step is the fit's step ``steps + index + j * k``), so
        per-step schedules and gradient noise see the fit's count.
        """
        strategy, replica = self.strategy, self.replica
        state = replace(epoch.state, steps=epoch.state.steps + self.index)
        self.ctx = self._new_context(state, self._context().grad)
        self.lr = epoch.learning_rate
        self._order = None if epoch.n_rows < 0 else unwrap(self.order)[: epoch.n_rows]
        self.result = EpochResult()
        self._share = None
        if not self._fitting:
            strategy.begin_fit(replica)
            self._fitting = True
        strategy.begin_epoch(replica)

    def _new_context(self, state: TrainState, grad: np.ndarray) -> TrainContext:
        """Build this worker's context over its replica, with ``state``."""
        return TrainContext(
            network=self.network,
            flat=self.replica.local,
            grad=grad,
            optimizer=self.optimizer,
            state=state,
            history=History(),
            schedule=self.schedule,
            transforms=self.transforms,
        )

    def _context(self) -> TrainContext:
        """Return the context that ``setup`` built (in this process)."""
        assert self.ctx is not None, "Worker.setup() has not run in this process"
        return self.ctx

    def steps(self) -> Iterator[None]:
        """Run this worker's share of the epoch that ``begin`` set up.

        Yields after every step (the sequential backend interleaves the
        workers' steps).
        """
        ctx, strategy, replica, result = (
            self._context(),
            self.strategy,
            self.replica,
            self.result,
        )
        part = (self.index, self.n_workers)
        for loss, rows in steps(ctx, self.batches, self._order, self.lr, part):
            if not rows:
                result.bad_loss = loss
                return
            result.total += loss * rows
            result.rows += rows
            result.steps += 1
            ctx.state.steps += self.n_workers - 1  # the other workers' turns
            strategy.after_step(replica)
            yield
        strategy.end_epoch(replica)

    def run(self, epoch: EpochOrder) -> EpochResult:
        """Run this worker's share of an epoch at once."""
        self.begin(epoch)
        for _ in self.steps():
            pass
        return self.result

    def advance(self, tau: int) -> tuple[int, bool]:
        """Run a synchronous round: from the center, up to ``tau`` steps.

        Returns ``(steps taken, share finished)``; ``begin`` started the share.
        """
        if self._share is None:
            self._share = self.steps()
        self.replica.reset()
        taken = 0
        while taken < tau:
            if next(self._share, StopIteration) is StopIteration:
                self._share = None
                return taken, True
            taken += 1
        return taken, False

    def __getstate__(self) -> dict:
        # sent to a worker process before ``setup``: handles, not views
        return {**self.__dict__, "ctx": None, "watch": None, "_share": None}


def child_main(
    conn: Any,
    worker: Worker,
    blas_threads: int | None,
    fitting_pid: int,
    forked: bool = False,
) -> None:
    """Run epochs in a worker process as the fitting process orders them.

    Receives an ``EpochOrder`` (or None to stop) and answers ``("ok",
    EpochResult)``, or ``("error", traceback)`` once, then stops. A
    synchronous strategy's epoch is ``("begin", EpochOrder)`` then rounds
    ``("round", tau)``, each answered ``("ok", (steps, finished, result))``. The worker
    ends within ``POLL`` seconds of the fitting process's death
    (``ParentWatch``), wherever it is: computing, waiting for the lock or for
    the next epoch.
    """
    if forked:
        after_fork_in_worker()
    watch = ParentWatch(fitting_pid)
    watch.start()
    worker.watch = watch.check
    if blas_threads is not None:  # None: inherited from the fitting process
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=blas_threads, user_api="blas")
    try:
        worker.setup()
        while True:
            order = conn.recv()
            if order is None:
                break
            if isinstance(order, EpochOrder):  # a whole share, at once
                conn.send(("ok", worker.run(order)))
            elif order[0] == "begin":  # a synchronous epoch: rounds follow
                worker.begin(order[1])
            else:  # ("round", tau)
                taken, done = worker.advance(order[1])
                conn.send(("ok", (taken, done, worker.result)))
    except EOFError:  # the fitting process is gone
        pass
    except BaseException:  # reported to the fitting process, which raises
        with contextlib.suppress(OSError):  # OSError: the fitting process is gone
            conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()
