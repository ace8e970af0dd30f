"""What runs on the Dask workers of a ``backend='dask'`` fit: two kinds of Actor.

- ``Center`` holds the center ``x~``. A Dask Actor runs its methods one at a
  time on its worker, so each exchange is atomic without a lock of ours.
- ``Trainer`` holds one worker's network, optimizer and replica, and the rows
  of the training data that live on its Dask worker; it runs its share of an
  epoch (or a round of a synchronous strategy) and exchanges with the center
  through ``RemoteReplica``, the ``Replica`` whose center is the Actor. The
  row blocks of a dask ``X`` stay in Dask's store (in memory or spilled to
  disk); the trainer holds their keys and streams them (``BlockBatches``).

Every exchange counts the bytes it moves (``RemoteReplica.nbytes``), which
the benchmarks report.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

import numpy as np

from sklearn_adamlp.parallel._dask_blocks import BlockBatches, BlockSpec, load_block
from sklearn_adamlp.parallel._strategies import Replica
from sklearn_adamlp.parallel._worker import EpochOrder, EpochResult, Worker

#: how a trainer calls the center: in the event loop of the center's Dask
#: worker (``actor_execute``'s ``separate_thread=False``), not in its one
#: actor thread, which that worker's own trainer holds for a whole epoch.
#: In the actor thread, the other trainers' exchanges queued behind that
#: epoch, so the trainers took turns instead of running at once (measured:
#: 2.5 s per EASGD epoch on 200,000 rows against 1.15 s for two independent
#: processes). An exchange is a few numpy passes over the weights.
IN_LOOP = {"separate_thread": False}


class Center:
    """The center ``x~`` (Actor); every method is one atomic exchange.

    Each method takes ``separate_thread``, the Dask option a remote call
    passes (``IN_LOOP``); a call from the same worker runs the method
    directly and the option is ignored.
    """

    def __init__(self, flat: np.ndarray) -> None:
        self.x = np.array(flat, copy=True)

    def set(self, flat: np.ndarray, separate_thread: bool = True) -> None:
        """``x~ = flat``."""
        np.copyto(self.x, flat)

    def get(self, separate_thread: bool = True) -> np.ndarray:
        """Return ``x~``."""
        return self.x

    def add(self, delta: np.ndarray, separate_thread: bool = True) -> None:
        """``x~ += delta`` (a Downpour push)."""
        self.x += delta

    def elastic(
        self, local: np.ndarray, alpha: float, separate_thread: bool = True
    ) -> np.ndarray:
        """``d = alpha (x_w - x~); x~ += d``; return ``d`` for ``x_w -= d``."""
        d = local - self.x
        d *= alpha
        self.x += d
        return d


#: seconds a trainer waits for one exchange with the center Actor; an exchange
#: takes milliseconds, so reaching this means the center's worker is gone and the
#: trainer raises (the client then names the lost worker) instead of waiting on
EXCHANGE_TIMEOUT = 120.0


class RemoteReplica(Replica):
    """A ``Replica`` whose center is a ``Center`` Actor (same equations)."""

    def __init__(self, center: Any, local: np.ndarray) -> None:
        super().__init__(np.empty(0, dtype=local.dtype), local, None)
        self.base = np.empty_like(local)
        self.scratch = np.empty_like(local)
        self.remote = center
        self.nbytes = 0

    def _get(self) -> np.ndarray:
        self.nbytes += self.local.nbytes
        return self.remote.get(**IN_LOOP).result(timeout=EXCHANGE_TIMEOUT)

    def reset(self) -> None:
        base, _ = self._work()
        np.copyto(self.local, self._get())
        np.copyto(base, self.local)

    def fetch(self) -> None:
        base, scratch = self._work()
        np.subtract(self.local, base, out=scratch)  # accrued
        np.copyto(self.local, self._get())
        np.subtract(self.local, scratch, out=base)

    def push(self) -> None:
        base, _ = self._work()
        self.nbytes += self.local.nbytes
        self.remote.add(self.local - base, **IN_LOOP).result(timeout=EXCHANGE_TIMEOUT)
        np.copyto(base, self.local)

    def elastic(self, alpha: float) -> None:
        self.nbytes += 2 * self.local.nbytes
        self.local -= self.remote.elastic(self.local.copy(), alpha, **IN_LOOP).result(
            timeout=EXCHANGE_TIMEOUT
        )


class Trainer:
    """One worker of the fit (Actor), on the Dask worker that holds its rows.

    ``worker`` is a ``Worker`` built by the client (its network, optimizer and
    step transforms); ``X, Y, sw, keys`` are this Dask worker's rows. With
    ``blocks`` (a dask ``X``), ``X`` is None and the worker's batches load
    one block at a time (``BlockBatches``): its share is never concatenated.
    """

    def __init__(
        self,
        worker: Worker,
        data: tuple[Any, ...],
        center: Any,
        blocks: BlockSpec | None = None,
    ) -> None:
        if blocks is not None:  # no rows of X here: BlockBatches loads them
            data = (np.empty((0, blocks.n_features), blocks.dtype), *data[1:])
        worker.data = data
        worker.center = np.empty_like(worker.center)  # x_w's shape; x~ is remote
        worker.order = None
        worker.setup()
        if blocks is not None:
            keys = blocks.keys
            _, Y, sw, row_keys = data
            streamed = BlockBatches(
                lambda b: load_block(keys[b]),
                blocks.sizes,
                Y,
                sw,
                row_keys,
                batch_size=worker.batch_size,
                n_features=blocks.n_features,
                dtype=blocks.dtype,
            )
            # what the training steps call: ``batches(order, part)``
            worker.batches = cast(Any, streamed)
        # the replica steps what the worker's context steps (``ctx.flat``)
        self.replica = RemoteReplica(center, worker.replica.local)
        worker.replica = self.replica
        self.worker = worker

    def _begin(self, epoch: EpochOrder, rows: np.ndarray | None) -> None:
        self.worker.order = rows
        n = -1 if rows is None else len(rows)
        self.worker.begin(replace(epoch, n_rows=n))

    def epoch(
        self, epoch: EpochOrder, rows: np.ndarray | None
    ) -> tuple[EpochResult, int]:
        """Run this worker's rows ``rows`` (None: in place); ``(result, bytes)``."""
        self.replica.nbytes = 0
        self._begin(epoch, rows)
        for _ in self.worker.steps():
            pass
        return self.worker.result, self.replica.nbytes

    def begin(self, epoch: EpochOrder, rows: np.ndarray | None) -> None:
        """Begin a synchronous epoch over ``rows``."""
        self.replica.nbytes = 0
        self._begin(epoch, rows)

    def round(self, tau: int) -> tuple[int, bool, EpochResult, np.ndarray | None, int]:
        """Run a round; ``(steps, finished, result, replica or None, bytes)``."""
        before = self.replica.nbytes
        taken, done = self.worker.advance(tau)
        local = self.replica.local.copy() if taken else None
        sent = self.replica.nbytes - before
        sent += 0 if local is None else local.nbytes
        return taken, done, self.worker.result, local, sent

    def result(self) -> EpochResult:
        """Return the result of the running epoch."""
        return self.worker.result
