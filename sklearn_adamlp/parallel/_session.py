"""A parallel fit's workers, from its first epoch to its last.

``ParallelSession`` is what ``ParallelStrategy.session`` returns to the training
loop: entering it builds the workers (and starts the worker processes), and
its ``run_epoch`` replaces the serial epoch:

1. the fit's weights ``ctx.flat`` become the center ``x~`` (shared memory), and
   the epoch's row order is written beside it;
2. every worker runs its share of the batches (worker 0 in this process);
3. the center becomes ``ctx.flat`` again, and the epoch's loss is the mean of
   the workers' batch losses, weighted by rows, as in a serial epoch.

Between epochs the fitting process alone runs the callbacks, the validation
score and the stopping rule, on the center. With the 'processes' backend each
process gets ``usable CPUs // n_workers`` BLAS threads (at least one).
"""

from __future__ import annotations

import contextlib
import copy
import multiprocessing
import os
import warnings
from collections.abc import Callable
from dataclasses import replace
from multiprocessing.connection import wait
from types import TracebackType
from typing import Any

import numpy as np
import scipy.sparse as sp

from sklearn_adamlp.parallel._cpus import usable_cpus
from sklearn_adamlp.parallel._guard import POLL, fork_safely
from sklearn_adamlp.parallel._shared import SharedArray, SharedRow, unwrap
from sklearn_adamlp.parallel._strategies import ParallelStrategy, averaging
from sklearn_adamlp.parallel._worker import EpochOrder, EpochResult, Worker, child_main


class ParallelSession:
    """Workers of one fit; ``with session as run_epoch: ...``."""

    def __init__(self, strategy: ParallelStrategy, ctx: Any, batches: Any) -> None:
        self.strategy, self.ctx, self.batches = strategy, ctx, batches
        self.n_workers = strategy.workers()
        self.use_processes = strategy.backend == "processes" and self.n_workers > 1
        if self.use_processes and multiprocessing.current_process().daemon:
            warnings.warn(
                f"{type(strategy).__name__}: a daemonic process (e.g. a "
                "multiprocessing.Pool worker) cannot start worker processes; "
                f"the {self.n_workers} workers take turns in this process "
                "(backend='sequential').",
                UserWarning,
                stacklevel=5,
            )
            self.use_processes = False
        self.processes: list = []
        self.conns: list = []
        self._limits = None

    def __enter__(self) -> Callable[[Any, Any, Any, float], tuple[float, int]]:
        ctx, batches, k = self.ctx, self.batches, self.n_workers
        mp = None
        if self.use_processes:
            mp = multiprocessing.get_context(_start_method(self.strategy))
        self.center = _new(mp, ctx.flat.shape, ctx.flat.dtype)
        self.order = _new(mp, (batches.n,), np.intp)
        lock = mp.Lock() if mp is not None else None
        data = (batches.X, batches.Y, batches.sw, batches.keys)
        if mp is not None and mp.get_start_method() != "fork":
            data = tuple(_shared_copy(mp, a) for a in data)  # else inherited
        self.workers = [self._worker(w, k, lock, data) for w in range(k)]
        self.workers[0].watch = self._check_workers
        if self.strategy.synchronous:  # the replicas, for the averaging
            self.locals = _new(mp, (k, *ctx.flat.shape), ctx.flat.dtype)
            for w, worker in enumerate(self.workers):
                worker.local_buf = SharedRow(self.locals, w)
        try:
            if self.use_processes:
                self._start_processes(mp)
                self.workers[0].setup()
            else:
                for worker in self.workers:
                    worker.setup()
        except BaseException:
            self._stop()
            raise
        return self.run_epoch

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop(failed=exc_type is not None)

    def _worker(self, index: int, k: int, lock: Any, data: tuple[Any, ...]) -> Worker:
        """Worker 0 uses the fit's own objects; the others get their copies."""
        ctx = self.ctx
        network, optimizer, transforms = ctx.network, ctx.optimizer, ctx.transforms
        if index:
            network = copy.deepcopy(network)
            if network.rng is not None:  # its own dropout stream
                network.rng = np.random.default_rng(ctx.network.rng.integers(2**63))
            optimizer = copy.deepcopy(optimizer)
            transforms = [t.for_worker(index) for t in transforms]
        return Worker(
            index,
            k,
            self.strategy,
            network=network,
            optimizer=optimizer,
            transforms=transforms,
            schedule=ctx.schedule,
            center=self.center,
            order=self.order,
            lock=lock,
            data=data,
            batch_size=self.batches.batch_size,
        )

    def _start_processes(self, mp: Any) -> None:
        from threadpoolctl import threadpool_limits

        blas = max(1, usable_cpus() // self.n_workers)
        self._limits = threadpool_limits(limits=blas, user_api="blas")
        method = mp.get_start_method()
        fork = method == "fork"
        with fork_safely(method):
            for worker in self.workers[1:]:
                parent, child = mp.Pipe()
                proc = mp.Process(
                    target=child_main,
                    # a forked child inherits the limit set above
                    args=(child, worker, None if fork else blas, os.getpid(), fork),
                    name=f"sklearn_adamlp-worker-{worker.index}",
                    daemon=True,
                )
                proc.start()
                child.close()
                self.processes.append(proc)
                self.conns.append(parent)

    def run_epoch(
        self, ctx: Any, batches: Any, order: np.ndarray | None, lr: float
    ) -> tuple[float, int]:
        """One epoch over the workers at rate ``lr``: ``(mean loss, steps)``."""
        center = unwrap(self.center)
        np.copyto(center, ctx.flat)
        n_rows = -1 if order is None else len(order)
        if order is not None:
            unwrap(self.order)[:n_rows] = order
        epoch = EpochOrder(replace(ctx.state), lr, n_rows)
        if self.strategy.synchronous:
            results = self._rounds(epoch)
        elif self.conns:
            results = self._at_once(epoch)
        else:
            results = self._in_turns(epoch)
        np.copyto(ctx.flat, center)
        return epoch_outcome(ctx, results)

    def _in_turns(self, epoch: EpochOrder) -> list[EpochResult]:
        """Sequential backend: one step of each worker in turn (deterministic).

        Every worker begins the epoch before any steps, as processes would.
        """
        for worker in self.workers:
            worker.begin(epoch)
        running = [w.steps() for w in self.workers]
        while running:
            running = [g for g in running if next(g, StopIteration) is None]
            if any(w.result.bad_loss is not None for w in self.workers):
                break
        return [w.result for w in self.workers]

    def _rounds(self, epoch: EpochOrder) -> list[EpochResult]:
        """Run a synchronous epoch: rounds of ``tau`` steps, then the average.

        Every round is a barrier: the center is averaged once every worker
        has answered (each wait bounded as in ``_gather``).
        """
        strategy = averaging(self.strategy)
        tau = int(strategy.tau)
        for i, conn in enumerate(self.conns, start=1):
            self._send(conn, ("begin", epoch), i)
        self.workers[0].begin(epoch)
        n_children = len(self.conns)
        others = self.workers[1:] if not n_children else []
        for worker in others:
            worker.begin(epoch)
        results: list[EpochResult] = []
        done = False
        while not done:
            for i, conn in enumerate(self.conns, start=1):
                self._send(conn, ("round", tau), i)
            answers: list[tuple[int, bool, EpochResult]] = [
                (*self.workers[0].advance(tau), self.workers[0].result)
            ]
            answers += [(*w.advance(tau), w.result) for w in others]
            answers += _gather(self.conns, self.processes)
            results = [a[2] for a in answers]
            if any(r.bad_loss is not None for r in results):
                break
            steps = [a[0] for a in answers]
            local = unwrap(self.locals)
            center = unwrap(self.center)
            done = not strategy.average(center, list(local), steps)
            done = done or all(a[1] for a in answers)
        return results

    def _send(self, conn: Any, message: Any, index: int) -> None:
        try:
            conn.send(message)
        except OSError:  # the worker died since its last answer
            raise _died(self.processes[index - 1], index) from None

    def _at_once(self, epoch: EpochOrder) -> list[EpochResult]:
        """Run an epoch on the processes backend (this process is worker 0)."""
        for i, conn in enumerate(self.conns, start=1):
            self._send(conn, epoch, i)
        results = [self.workers[0].run(epoch)]
        return results + _gather(self.conns, self.processes)

    def _check_workers(self) -> None:
        """Raise ``RuntimeError`` if a worker process has died (while waiting)."""
        for i, proc in enumerate(self.processes, start=1):
            if proc.exitcode is not None:
                raise _died(proc, i)

    def _stop(self, failed: bool = False) -> None:
        """Stop the workers: ask them (after a good fit), or terminate them.

        Every wait is bounded: a worker that does not stop within its time is
        terminated, then killed.
        """
        if not failed:
            for conn in self.conns:
                with contextlib.suppress(OSError):  # the worker is gone already
                    conn.send(None)
        for proc in self.processes:
            proc.join(timeout=1 if failed else 10)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=5)
        for conn in self.conns:
            conn.close()
        self.processes, self.conns = [], []
        if self._limits is not None:
            self._limits.restore_original_limits()
            self._limits = None


def epoch_outcome(ctx: Any, results: list[EpochResult]) -> tuple[float, int]:
    """Return ``(mean batch loss weighted by rows, steps)``; count the steps.

    The loss is the first non-finite one a worker met, if any (the fit's
    divergence guard then restores the last good center).
    """
    steps = sum(r.steps for r in results)
    ctx.state.steps += steps
    for r in results:
        if r.bad_loss is not None:
            return r.bad_loss, steps
    rows = sum(r.rows for r in results)
    return sum(r.total for r in results) / max(rows, 1), steps


def _gather(conns: list[Any], processes: list[Any]) -> list[Any]:
    """Every worker process's answer; ``RuntimeError`` as soon as one fails.

    An answer is an ``EpochResult``, or ``(steps, finished, EpochResult)``
    for a round of a synchronous epoch.

    Waits on all the workers at once, so a worker that died is noticed within
    ``POLL`` seconds even while the others are blocked (on a lock it held).
    """
    results: dict[int, Any] = {}
    waiting = set(range(len(conns)))
    while waiting:
        handles = [conns[i] for i in waiting] + [processes[i].sentinel for i in waiting]
        wait(handles, timeout=POLL)
        for i in sorted(waiting):
            if conns[i].poll():
                results[i] = _receive(conns[i], processes[i], i + 1)
                waiting.discard(i)
            elif processes[i].exitcode is not None:
                raise _died(processes[i], i + 1)
    return [results[i] for i in range(len(conns))]


def _receive(conn: Any, proc: Any, index: int) -> Any:
    """Worker ``index``'s answer, ready on ``conn``; a clear error if it failed."""
    try:
        status, payload = conn.recv()
    except (EOFError, OSError):  # the worker closed its end without an answer
        status = payload = None
    if status == "ok":
        return payload
    if status == "error":
        raise RuntimeError(f"Parallel worker {index} failed:\n{payload}")
    proc.join(timeout=5)
    raise _died(proc, index)


def _died(proc: Any, index: int) -> RuntimeError:
    """Return the error for worker ``index``, which died without an answer."""
    proc.join(timeout=POLL)
    return RuntimeError(
        f"Parallel worker {index} exited with code {proc.exitcode} without an "
        "answer; its error output, if any, is above (out of memory or killed "
        "otherwise). With start_method 'spawn' or 'forkserver', a script must "
        "fit under `if __name__ == '__main__':`."
    )


def _start_method(strategy: ParallelStrategy) -> str:
    """Return the strategy's start method, or the standard library's default.

    A process pool may have installed its own default (joblib's 'loky' in
    GridSearchCV's workers), which cannot share memory: the platform's first
    standard method is used instead.
    """
    if strategy.start_method is not None:
        return strategy.start_method
    standard = multiprocessing.get_all_start_methods()
    current = multiprocessing.get_start_method(allow_none=True)
    return current if current in standard else standard[0]


def _new(mp: Any, shape: tuple[int, ...], dtype: Any) -> Any:
    """Return a shared array for worker processes, a plain one otherwise."""
    if mp is None:
        return np.empty(shape, dtype=dtype)
    return SharedArray(mp, shape, dtype)


def _shared_copy(mp: Any, array: Any) -> Any:
    """Return a shared copy of a dense array (sparse and None are pickled)."""
    if array is None or sp.issparse(array):
        return array
    return SharedArray.copy_of(mp, np.ascontiguousarray(array))
