"""A Dask worker's share of ``X`` as blocks, streamed one at a time.

A dask ``X`` is persisted on the workers in row blocks (its chunks). A
worker's share is several blocks; it never concatenates them:

- on the client, ``block_major`` puts each worker's rows of the epoch's
  order block by block: the blocks in a shuffled order, the rows of a block
  in the fit's shuffled order (both drawn from the fit's order, so seeded by
  its ``random_state``; one block per worker gives the fit's order itself);
- on the worker, ``BlockBatches`` yields the mini-batches of that order,
  loading a block (from the Dask worker's memory, or from disk where Dask
  spilled it) when its turn comes and dropping it when its rows are done.
  A batch may span the end of a block and the start of the next, so the
  batches are those of the share's rows in that order: ``ceil(rows / b)``
  of them.

The memory a worker needs beyond Dask's store is then one block (two, for a
batch that spans a boundary) plus the batch buffers and the model, whatever
its share.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from sklearn_adamlp.parallel._guard import POLL


@dataclass(frozen=True)
class BlockSpec:
    """What a ``Trainer`` needs to stream its blocks: keys, sizes, dtype.

    Keys, not futures: Dask would resolve futures in a task's arguments,
    which would bring the whole share into the task at once.
    """

    keys: tuple[Any, ...]
    sizes: tuple[int, ...]
    n_features: int
    dtype: np.dtype


def deal_blocks(
    client: Any,
    X: Any,
    addresses: list[str],
    block: np.ndarray,
    stand_in: Any,
    check: Callable[[], None],
) -> tuple[list[np.ndarray], list[BlockSpec | None], list[Any]]:
    """Deal the persisted row blocks of ``X`` to the workers that hold them.

    Waits (every ``POLL`` seconds calling ``check``, which raises if a worker
    was lost) until ``X`` is in the workers' memory, without gathering it.
    Returns each worker's rows (in the data's numbering, its blocks top to
    bottom), its ``BlockSpec``, and the futures of the copies made of blocks
    that no worker of the fit held (each copied once to the worker with the
    fewest rows so far). Writes each row's block number in its worker's
    share into ``block``.
    """
    from distributed import futures_of

    by_key = {f.key: f for f in futures_of(X)}
    settle(list(by_key.values()), check)
    holders = client.who_has(list(by_key.values()))
    starts = np.concatenate([[0], np.cumsum(X.chunks[0])]).astype(np.intp)
    rows: list[list[np.ndarray]] = [[] for _ in addresses]
    keys: list[list[Any]] = [[] for _ in addresses]
    copies: list[Any] = []
    for i, [key] in enumerate(X.__dask_keys__()):  # one chunk of columns
        held = [a for a in holders.get(key, ()) if a in addresses]
        sizes = [sum(len(r) for r in rs) for rs in rows]
        w = addresses.index(held[0]) if held else int(np.argmin(sizes))
        if not held:  # copied once to its worker, not fetched every epoch
            copy = client.submit(_same, by_key[key], workers=[addresses[w]], pure=False)
            copies.append(copy)
            key = copy.key
        block[starts[i] : starts[i + 1]] = len(rows[w])
        rows[w].append(np.arange(starts[i], starts[i + 1]))
        keys[w].append(key)
    settle(copies, check)
    d, dtype = stand_in.shape[1], stand_in.dtype
    specs: list[BlockSpec | None] = [
        BlockSpec(tuple(ks), tuple(len(r) for r in rs), d, dtype)
        for ks, rs in zip(keys, rows, strict=True)
    ]
    blocks = [np.concatenate(r) if r else np.empty(0, np.intp) for r in rows]
    return blocks, specs, copies


def settle(futures: list[Any], check: Callable[[], None]) -> None:
    """Wait until ``futures`` are done, without gathering; raise a task's error."""
    from distributed import wait

    while futures:
        try:
            wait(futures, timeout=POLL)
            break
        except TimeoutError:
            check()
    for future in futures:
        if future.status == "error":
            future.result()  # raises the task's exception


def _same(block: np.ndarray) -> np.ndarray:
    return block


#: seconds a trainer waits for a block held by another worker (a transfer of a
#: block takes well under a second); then it raises, and the fit names the
#: lost worker, instead of waiting on a worker that is gone
FETCH_TIMEOUT = 120.0


def load_block(key: Any) -> np.ndarray:
    """Return the block ``key`` from the current Dask worker (or the cluster).

    Reads the worker's own store (``Worker.data``: in memory, or read back
    from disk where Dask spilled it). A block the worker no longer holds
    (Dask kept another of its copies) is fetched from the worker that holds it.
    """
    from distributed import Future, get_client, get_worker

    with contextlib.suppress(KeyError):
        return np.asarray(get_worker().data[key])
    client = get_client()
    future: Any = Future(key, client)
    # a Future made from a key is not known to the scheduler until asked for
    client._send_to_scheduler(
        {"op": "client-desires-keys", "keys": [key], "client": client.id}
    )
    try:
        return np.asarray(future.result(timeout=FETCH_TIMEOUT))
    finally:
        future.release()


class BlockBatches:
    """Mini-batches of a worker's share, one block of ``X`` loaded at a time.

    Parameters
    ----------
    load : callable
        ``load(b)`` returns block ``b`` of the share (rows ``starts[b]`` to
        ``starts[b + 1]`` in the share's numbering).
    sizes : sequence of int
        Rows of each block.
    Y, sample_weight, keys : arrays or None
        The share's targets, weights and row keys (small: held whole).
    batch_size : int
    n_features : int
    dtype : dtype
        The network's dtype; a block of another dtype is cast when loaded.
    """

    def __init__(
        self,
        load: Callable[[int], np.ndarray],
        sizes: Any,
        Y: np.ndarray,
        sample_weight: np.ndarray | None,
        keys: np.ndarray | None,
        batch_size: int,
        n_features: int,
        dtype: Any,
    ) -> None:
        self.load = load
        sizes = np.asarray(sizes, dtype=np.intp)
        self.starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.intp)
        self.block_of = np.repeat(np.arange(len(sizes)), sizes)
        self.n = int(self.starts[-1])
        self.Y, self.sw, self.keys = Y, sample_weight, keys
        self.batch_size = int(batch_size)
        self.n_features, self.dtype = int(n_features), np.dtype(dtype)
        self._block: tuple[int, np.ndarray] | None = None
        self._bufs: dict[int, np.ndarray] = {}  # X batch buffers, by size
        #: blocks loaded since the fit started (each load reads Dask's store)
        self.loads = 0

    def resize(self, batch_size: int | None) -> int | None:
        """Set the batch size (None: keep it); return the new size or None."""
        if batch_size is None or batch_size == self.batch_size:
            return batch_size
        self.batch_size = int(batch_size)
        self._bufs.clear()
        return self.batch_size

    def _get(self, b: int) -> np.ndarray:
        """Return block ``b``, dropping the one held before it.

        The block is cast to the network's dtype and copied if it is not
        C-contiguous and aligned (a block read back from Dask's spill can
        start at any byte, and numpy's unaligned row gather is about 1,500x
        slower: ``training.Batches`` does the same for whole arrays).
        """
        if self._block is None or self._block[0] != b:
            self._block = None  # the previous block can go before the next loads
            block = np.require(self.load(b), self.dtype, ["C", "A"])
            self._block = (b, block)
            self.loads += 1
        return self._block[1]

    def release(self) -> None:
        """Drop the block held (at the end of an epoch)."""
        self._block = None

    def __call__(
        self, order: np.ndarray | None, part: tuple[int, int] = (0, 1)
    ) -> Iterator[tuple[Any, Any, Any, Any]]:
        """Yield ``(xb, yb, swb, kb)`` for the batches of ``order`` (None: in place).

        ``part=(w, k)`` yields batches ``w, w + k, ...`` as ``_Batches`` does.
        """
        n = self.n if order is None else len(order)
        first, stride = part
        size = self.batch_size
        try:
            for start in range(first * size, n, stride * size):
                stop = min(start + size, n)
                if order is None:
                    idx = np.arange(start, stop)
                else:
                    idx = np.asarray(order[start:stop], dtype=np.intp)
                yield self._batch(idx, order is None)
        finally:
            self.release()

    def _batch(self, idx: np.ndarray, in_place: bool) -> tuple[Any, Any, Any, Any]:
        blocks = self.block_of[idx]
        cuts = np.flatnonzero(np.diff(blocks)) + 1
        bounds = [0, *cuts.tolist(), len(idx)]
        if in_place and len(bounds) == 2:  # rows of one block in place: a view
            b = int(blocks[0])
            lo = int(idx[0] - self.starts[b])
            xb = self._get(b)[lo : lo + len(idx)]
        else:
            if len(idx) not in self._bufs:
                shape = (len(idx), self.n_features)
                self._bufs[len(idx)] = np.empty(shape, dtype=self.dtype)
            xb = self._bufs[len(idx)]
            for lo, hi in itertools.pairwise(bounds):
                b = int(blocks[lo])
                rows = idx[lo:hi] - self.starts[b]
                np.take(self._get(b), rows, axis=0, out=xb[lo:hi], mode="clip")
        rows = slice(int(idx[0]), int(idx[-1]) + 1) if in_place else idx
        yb = self.Y[rows]
        swb = None if self.sw is None else self.sw[rows]
        kb = None if self.keys is None else self.keys[rows]
        return xb, yb, swb, kb


def block_major(
    order: np.ndarray, owner: np.ndarray, local: np.ndarray, block: np.ndarray, k: int
) -> list[np.ndarray]:
    """Return each worker's rows of ``order``, block by block.

    ``owner``, ``local`` and ``block`` give, for each row of the data, its
    worker, its row number in that worker's share and its block there. A
    worker's blocks come in the order in which the epoch's order first meets
    them (a uniformly shuffled order of the blocks when they are of equal
    size), and the rows of a block in the epoch's order. With one block per
    worker this is the epoch's order restricted to the worker's rows.
    """
    mine = owner[order]
    out = []
    for w in range(k):
        rows = order[mine == w]
        blocks = block[rows]
        present, first = np.unique(blocks, return_index=True)
        rank = np.empty(int(present.max()) + 1 if len(present) else 0, np.intp)
        rank[present] = np.argsort(np.argsort(first))
        out.append(local[rows[np.argsort(rank[blocks], kind="stable")]])
    return out
