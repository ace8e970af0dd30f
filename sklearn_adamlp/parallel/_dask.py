"""``backend='dask'``: one model trained across the workers of a Dask cluster.

``DaskSession`` is the ``ParallelSession`` of a fit whose strategy (EASGD,
Downpour or ModelAveraging) has ``backend='dask'``. It uses the current
``distributed.Client`` (``distributed.get_client()``, as dask-ml and joblib's
dask backend do):

1. entering it scatters the training rows once, one contiguous block per
   Dask worker (a dask ``X`` stays in the row blocks the workers hold), and
   starts a ``Center`` Actor (the center ``x~``) and one ``Trainer`` Actor
   per worker, beside its rows;
2. each epoch, the client sets the center to the fit's weights, tells every
   trainer which of its rows to visit in which order (the fit's shuffled
   order restricted to its rows, block by block: ``block_major``), waits for
   them, and takes the center back;
3. between epochs the client alone runs the callbacks, the validation score,
   early stopping and the divergence guard, as with the local backends.

Waits are bounded: every ``POLL`` seconds the client asks the scheduler
whether the fit's workers are still there. A lost worker ends the fit with a
``RuntimeError`` naming it; the estimator keeps the center of the last
completed epoch (the training loop restores it), the Actors and the scattered
rows are released, and nothing of the fit stays on the cluster.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from sklearn_adamlp.parallel._dask_blocks import BlockSpec, block_major, deal_blocks
from sklearn_adamlp.parallel._dask_input import current
from sklearn_adamlp.parallel._guard import POLL
from sklearn_adamlp.parallel._session import ParallelSession, epoch_outcome
from sklearn_adamlp.parallel._strategies import averaging
from sklearn_adamlp.parallel._worker import EpochOrder, EpochResult

#: after a failed task, how long (seconds) the scheduler is given to notice that
#: the worker behind it is gone, so that the error can name it
LOST_GRACE = 5.0

NO_CLIENT = (
    "backend='dask' trains on the workers of the current dask.distributed "
    "Client, and there is none: start a distributed.Client (e.g. "
    "Client(LocalCluster())) before fitting."
)


def current_client() -> Any:
    """Return the current ``distributed.Client``; a clear error if there is none."""
    try:
        from distributed import get_client
    except ImportError:
        raise ImportError(
            "backend='dask' needs dask.distributed: pip install "
            "'sklearn-adamlp[dask]' (or 'dask[distributed]')."
        ) from None
    try:
        return get_client()
    except ValueError:
        raise ValueError(NO_CLIENT) from None


class DaskSession(ParallelSession):
    """Workers of one fit on a Dask cluster; ``with session as run_epoch``."""

    def __enter__(self) -> Callable[[Any, Any, Any, float], tuple[float, int]]:
        from sklearn_adamlp.parallel._dask_actors import Center, Trainer

        self.client = client = current_client()
        alive = _workers(client)
        if not alive:
            raise RuntimeError("The Dask cluster has no worker.")
        wanted = self.strategy.n_workers
        k = len(alive) if wanted is None else min(int(wanted), len(alive))
        self.addresses = alive[:k]
        self.strategy.n_workers = k  # the fit's own copy (EASGD's alpha uses k)
        self.futures: list = []
        self.trainers: list = []
        self.center_actor: Any = None  # the ``Center`` Actor's handle
        # bytes moved per epoch, also on the fit's strategy copy (ctx.parallel)
        self.bytes_per_epoch: list[int] = []
        self.strategy.bytes_per_epoch_ = self.bytes_per_epoch
        ctx, batches = self.ctx, self.batches
        self.center = self.order = None  # on the cluster (the Actors)
        remote = current(batches.X)
        # each row's block in its worker's share (numpy rows: one block each)
        self.block = np.zeros(batches.n, dtype=np.intp)
        specs: list[BlockSpec | None] = [None] * k
        try:
            if remote is None:  # numpy rows: one contiguous block per worker
                self.blocks = np.array_split(np.arange(batches.n), k)
            else:  # dask rows: the chunks each worker already holds, streamed
                self.blocks, specs, copies = deal_blocks(
                    client,
                    remote,
                    self.addresses,
                    self.block,
                    batches.X,
                    self._check_workers,
                )
                self.futures += copies
            self.owner, self.local = _owners(self.blocks, batches.n)
            center = client.submit(
                Center, ctx.flat, actor=True, workers=[self.addresses[0]]
            )
            self.futures.append(center)
            self.center_actor = self._wait([center])[0]
            self.trainers = []
            for w, (address, rows) in enumerate(
                zip(self.addresses, self.blocks, strict=True)
            ):
                worker = self._worker(w, k, None, (None,) * 4)
                worker.index, worker.n_workers = 0, 1  # its own rows only
                worker.center = np.empty_like(ctx.flat)
                arrays = _data(batches)
                if specs[w] is not None:  # X: the blocks the worker holds
                    arrays = (None, *arrays[1:])
                data = tuple(_rows(a, rows) for a in arrays)
                [scattered] = client.scatter([data], workers=[address])
                trainer = client.submit(
                    Trainer,
                    worker,
                    scattered,
                    self.center_actor,
                    specs[w],
                    actor=True,
                    workers=[address],
                )
                self.futures += [scattered, trainer]
                self.trainers.append(trainer)
            self.trainers = self._wait(self.trainers)
        except BaseException:
            self._release()
            raise
        return self.run_epoch

    def __exit__(self, *exc_info: object) -> None:
        self._release()

    def _release(self) -> None:
        """Release the Actors and the scattered rows (the cluster forgets them)."""
        handles = [*self.trainers, self.center_actor]
        # an Actor handle holds a future of its own on the client
        futures = [getattr(a, "_future", None) for a in handles] + self.futures
        for future in futures:
            if future is not None:
                future.release()
        self.futures, self.trainers, self.center_actor = [], [], None

    def run_epoch(
        self, ctx: Any, batches: Any, order: np.ndarray | None, lr: float
    ) -> tuple[float, int]:
        """One epoch over the Dask workers at rate ``lr``: ``(mean loss, steps)``."""
        try:
            return self._epoch(ctx, order, lr)
        except _LostWorker:
            raise
        except Exception as exc:  # e.g. "Worker holding Actor was lost"
            # the task may fail before the scheduler drops the dead worker:
            # look for up to LOST_GRACE seconds, so the error names it
            deadline = time.monotonic() + LOST_GRACE
            while True:
                self._check_workers()
                if time.monotonic() >= deadline:
                    break
                time.sleep(POLL)
            raise RuntimeError(f"A Dask worker of the fit failed: {exc!r}") from exc

    def _epoch(
        self, ctx: Any, order: np.ndarray | None, lr: float
    ) -> tuple[float, int]:
        self._wait([self.center_actor.set(ctx.flat)])
        sent = ctx.flat.nbytes * (1 + len(self.trainers))
        epoch = EpochOrder(replace(ctx.state), lr, -1)
        rows: list[np.ndarray | None] = [None] * len(self.blocks)
        if order is not None:  # each worker's rows, block by block
            k = len(self.blocks)
            rows = list(block_major(order, self.owner, self.local, self.block, k))
        if self.strategy.synchronous:
            results, moved = self._cluster_rounds(epoch, rows)
        else:
            calls = [
                t.epoch(epoch, r) for t, r in zip(self.trainers, rows, strict=True)
            ]
            answers = self._wait(calls)
            results, moved = [a[0] for a in answers], sum(a[1] for a in answers)
        np.copyto(ctx.flat, self._wait([self.center_actor.get()])[0])
        self.bytes_per_epoch.append(sent + moved)
        return epoch_outcome(ctx, results)

    def _cluster_rounds(
        self, epoch: EpochOrder, rows: list[np.ndarray | None]
    ) -> tuple[list[EpochResult], int]:
        """Run a synchronous epoch: rounds of ``tau`` steps, averaged on the client.

        Returns the workers' results and the bytes moved (``ParallelSession``
        runs its rounds in ``_rounds``; here the trainers are Actors).
        """
        strategy = averaging(self.strategy)
        tau = int(strategy.tau)
        pairs = zip(self.trainers, rows, strict=True)
        self._wait([t.begin(epoch, r) for t, r in pairs])
        moved, done = 0, False
        while not done:
            answers = self._wait([t.round(tau) for t in self.trainers])
            results = [a[2] for a in answers]
            moved += sum(a[4] for a in answers)
            if any(r.bad_loss is not None for r in results):
                break
            steps = [a[0] for a in answers]
            replicas = [a[3] if a[3] is not None else 0.0 for a in answers]
            center = np.empty_like(self.ctx.flat)
            averaged = strategy.average(center, replicas, steps)
            if averaged:
                self._wait([self.center_actor.set(center)])
                moved += center.nbytes
            done = not averaged or all(a[1] for a in answers)
        return results, moved

    def _wait(self, futures: list[Any]) -> list[Any]:
        """Return the futures' results; ``RuntimeError`` if a worker was lost.

        Looks every ``POLL`` seconds whether the fit's workers are still in
        the cluster, so a lost worker ends the wait within about a second
        (the scheduler's notice of the death, then one poll).
        """
        out = []
        for future in futures:
            while True:
                try:
                    out.append(future.result(timeout=POLL))
                    break
                except TimeoutError:
                    self._check_workers()
        return out

    def _check_workers(self) -> None:
        """Raise ``RuntimeError`` naming a worker of the fit that left the cluster."""
        gone = set(self.addresses) - set(_workers(self.client))
        if gone:
            raise _LostWorker(
                f"Dask worker {sorted(gone)[0]} was lost during the fit "
                f"(workers of this fit: {self.addresses}); the estimator "
                "keeps the center of the last completed epoch. Fit again "
                "(or partial_fit) to continue on the remaining workers."
            )


class _LostWorker(RuntimeError):
    """A worker of the fit left the cluster (killed, out of memory, ...)."""


def _workers_on(dask_scheduler: Any) -> list[str]:
    return sorted(dask_scheduler.workers)


def _workers(client: Any) -> list[str]:
    """Return the addresses of the cluster's workers (asked of the scheduler)."""
    return client.run_on_scheduler(_workers_on)


def _data(batches: Any) -> tuple[Any, Any, Any, Any]:
    return batches.X, batches.Y, batches.sw, batches.keys


def _rows(array: Any, rows: np.ndarray) -> Any:
    """Return ``array[rows]``; None stays None (a slice for contiguous rows)."""
    if array is None:
        return None
    if len(rows) and rows[-1] - rows[0] + 1 == len(rows):
        return array[rows[0] : rows[-1] + 1]
    return array[rows]


def _owners(blocks: list[np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return, for each row of the data, its worker and its row number there."""
    owner = np.empty(n, dtype=np.intp)
    local = np.empty(n, dtype=np.intp)
    for w, rows in enumerate(blocks):
        owner[rows] = w
        local[rows] = np.arange(len(rows))
    return owner, local
