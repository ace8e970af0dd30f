"""backend='dask' with a dask X: blocks streamed, X generated once.

A worker trains on its row blocks one at a time (never concatenating its
share), and a ``y`` computed from a lazy ``X`` does not make the workers
generate ``X`` a second time. The cluster (2 worker processes, 1 thread
each) is started once for the module.
"""

import gc
import tracemalloc
import warnings
import weakref
from pathlib import Path

import numpy as np
import pytest
from _dask_cluster import local_client

from sklearn_adamlp import MLPClassifier
from sklearn_adamlp.parallel import EASGD, ModelAveraging
from sklearn_adamlp.parallel._dask_blocks import BlockBatches, block_major

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def client():
    with local_client() as client:
        yield client


def _fit(strategy, X, y, **kw):
    params = dict(hidden_layer_sizes=(16,), max_iter=1, random_state=0)
    params.update(kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MLPClassifier(parallel=strategy, **params).fit(X, y)


# ---- the worker's side: batches of a share, one block at a time -------------


def _blocks(sizes, d=3, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((s, d)) for s in sizes]


def _streamed(blocks, order, batch_size):
    """Run BlockBatches; return its batches and the most blocks alive at once."""
    alive, most = [0], [0]

    def load(b):
        block = blocks[b].copy()  # a new array per load, to watch its lifetime
        alive[0] += 1
        most[0] = max(most[0], alive[0])
        weakref.finalize(block, lambda: alive.__setitem__(0, alive[0] - 1))
        return block

    n = sum(len(b) for b in blocks)
    Y = np.arange(n, dtype=float)[:, None]
    batches = BlockBatches(load, [len(b) for b in blocks], Y, None, None, 4, 3, float)
    out = []
    for xb, yb, _, _ in batches(order):
        out.append((xb.copy(), yb.copy()))
        gc.collect()
    return out, most[0], batches.loads


@pytest.mark.parametrize("shuffled", [False, True])
def test_block_batches_are_the_shares_batches_one_block_at_a_time(shuffled):
    sizes = [5, 7, 3, 6]
    blocks = _blocks(sizes)
    whole = np.concatenate(blocks)  # the share, as the old trainer built it
    n = len(whole)
    order = None
    if shuffled:  # block by block, as block_major sends it
        starts = np.cumsum([0, *sizes])
        rng = np.random.default_rng(1)
        order = np.concatenate(
            [rng.permutation(np.arange(starts[b], starts[b + 1])) for b in (2, 0, 3, 1)]
        )
    got, most, loads = _streamed(blocks, order, 4)
    rows = np.arange(n) if order is None else order
    # batches of 4 rows of the share in that order, spanning block boundaries
    expected = [rows[i : i + 4] for i in range(0, n, 4)]
    assert len(got) == len(expected) == -(-n // 4)
    for (xb, yb), idx in zip(got, expected, strict=True):
        np.testing.assert_array_equal(xb, whole[idx])
        np.testing.assert_array_equal(yb[:, 0], idx)
    assert loads == len(sizes)  # each block loaded once per epoch
    assert most <= 2  # at most the block ending and the one starting


def test_block_major_groups_rows_by_block_in_the_epochs_order():
    # 2 workers: rows 0-3 (blocks 0, 1 of worker 0), rows 4-9 (worker 1's one)
    owner = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
    local = np.array([0, 1, 2, 3, 0, 1, 2, 3, 4, 5])
    block = np.array([0, 0, 1, 1, 0, 0, 0, 0, 0, 0])
    order = np.array([7, 3, 0, 9, 2, 4, 1, 8, 5, 6])
    w0, w1 = block_major(order, owner, local, block, 2)
    # worker 0 meets block 1 first (row 3), then block 0 (row 0); inside a
    # block, the epoch's order: block 1 -> rows 3, 2; block 0 -> rows 0, 1
    np.testing.assert_array_equal(w0, [3, 2, 0, 1])
    # one block: the epoch's order restricted to the worker's rows
    np.testing.assert_array_equal(w1, [7 - 4, 9 - 4, 4 - 4, 8 - 4, 5 - 4, 6 - 4])


# ---- on the cluster --------------------------------------------------------


def _traced_peak_start():
    tracemalloc.start()
    tracemalloc.reset_peak()


def _traced_peak():
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def _import_package():
    import sklearn_adamlp.parallel._dask_actors  # noqa: F401


def test_a_worker_never_holds_its_share_at_once(client):
    # 8 blocks of 4 MB on 2 workers: one of them holds 4 or more (16 MB or
    # more); training on them allocates less than 3.5 blocks, where
    # concatenating them allocates the whole share (24 MB measured)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((8000, 512))
    y = (X[:, 0] > 0).astype(int)
    Xd = da.from_array(X, chunks=(1000, 512)).persist()
    distributed.wait(Xd)
    holders = client.who_has(Xd)
    counts = {}
    for [key] in Xd.__dask_keys__():
        for address in holders[key]:
            counts[address] = counts.get(address, 0) + 1
    busiest = max(counts, key=counts.get)
    block = 1000 * 512 * 8
    assert counts[busiest] * block >= 16e6  # a share of 16 MB or more
    client.run(_import_package)  # the code's import is not the data's memory
    client.run(_traced_peak_start)
    est = _fit(EASGD(backend="dask"), Xd, y, batch_size=200)
    peaks = client.run(_traced_peak)
    assert est.t_ == 8000
    # below the share (4 or more blocks, which concatenating allocates on
    # top of Dask's copy): one block loaded (copied when Dask's copy is not
    # aligned), a block in transit, batches, the model, messages
    assert peaks[busiest] < 3.5 * block, peaks


def _generate(block_info=None, path=None):
    """Block ``i`` of a lazy X: 200 rows from seed ``i``; records each call."""
    i = block_info[None]["chunk-location"][0]
    with open(path, "a") as f:
        f.write(f"{i}\n")
    return np.random.default_rng(i).standard_normal((200, 8))


def _labels(block):
    return (block[:, 0] + block[:, 1] > 0).astype(np.int64)


def test_a_y_computed_from_a_lazy_X_generates_X_once(client, tmp_path):
    calls = tmp_path / "calls.txt"
    X = da.map_blocks(
        _generate, path=str(calls), chunks=((200,) * 4, (8,)), dtype=float
    )
    y = X.map_blocks(_labels, drop_axis=1, dtype=np.int64)
    est = _fit(EASGD(backend="dask"), X, y, max_iter=2)
    assert sorted(Path(calls).read_text().split()) == ["0", "1", "2", "3"]
    assert est.t_ == 2 * 800


def test_dask_input_in_one_block_per_worker_is_the_numpy_fit(client, tmp_path):
    # ModelAveraging is deterministic: X in 2 blocks on 2 workers gives each
    # worker the rows numpy input gives it, in the same order, so the same model
    calls = tmp_path / "calls.txt"
    X = da.map_blocks(
        _generate, path=str(calls), chunks=((200,) * 2, (8,)), dtype=float
    )
    y = X.map_blocks(_labels, drop_axis=1, dtype=np.int64)
    X_np = np.concatenate(
        [np.random.default_rng(i).standard_normal((200, 8)) for i in (0, 1)]
    )
    y_np = _labels(X_np)
    kw = dict(max_iter=3, batch_size=32, learning_rate_init=0.01)
    dask_fit = _fit(ModelAveraging(backend="dask", tau=4), X, y, **kw)
    numpy_fit = _fit(ModelAveraging(backend="dask", tau=4), X_np, y_np, **kw)
    np.testing.assert_array_equal(dask_fit._flat, numpy_fit._flat)
