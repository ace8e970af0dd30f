"""``history_`` under a long ``partial_fit`` stream stays compact.

The history keeps numpy columns, not a dict per epoch: a ``partial_fit`` call
adds the epoch number, loss, learning rate and seconds (4 x 8 bytes); the
validation columns, all NaN under ``partial_fit``, take nothing.
"""

import gc
import pickle
import tracemalloc

import numpy as np
import pandas as pd

from sklearn_adamlp import MLPClassifier
from sklearn_adamlp.history import BLOCK, History

#: bytes kept per partial_fit call: 32 for the four stored columns, plus the
#: blocks' array headers spread over BLOCK rows; dicts took about 390
BYTES_PER_CALL = 48


def test_partial_fit_keeps_under_48_bytes_per_call():
    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    y = np.array([0, 1, 1, 0])
    clf = MLPClassifier(hidden_layer_sizes=(2,), random_state=0)
    clf.partial_fit(X, y, classes=[0, 1])
    for _ in range(2 * BLOCK):  # past the doubling phase: whole blocks
        clf.partial_fit(X, y)
    n = 10_000
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(n):
            clf.partial_fit(X, y)
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept / n < BYTES_PER_CALL
    assert len(clf.history_) == n + 2 * BLOCK + 1
    assert len(clf.loss_curve_) == n + 2 * BLOCK + 1


def _records(n, seed=0):
    """Records with gaps: val_score from row 700 on, partial_data now and then."""
    rng = np.random.RandomState(seed)
    out = []
    for i in range(n):
        rec = {
            "epoch": i + 1,
            "loss": float(rng.uniform()),
            "val_loss": np.nan,
            "val_score": float(rng.uniform()) if i >= 700 else np.nan,
            "learning_rate": 0.1,
            "seconds": 0.01,
        }
        if i % 500 == 3:
            rec["partial_data"] = True
        out.append(rec)
    return out


def test_columns_across_blocks_equal_the_records():
    records = _records(3 * BLOCK + 17)
    hist = History()
    for rec in records:
        hist.append(rec)
    assert len(hist) == len(records)
    frame = hist.to_frame()
    for name in ("epoch", "loss", "val_score", "learning_rate", "seconds"):
        expected = np.array([r[name] for r in records], dtype=float)
        np.testing.assert_array_equal(frame[name].to_numpy(dtype=float), expected)
    assert frame["val_loss"].isna().all()
    assert frame["epoch"].dtype == np.int64
    partial = hist.column("partial_data")
    assert partial.dtype == bool
    assert np.flatnonzero(partial).tolist() == [
        i for i, r in enumerate(records) if r.get("partial_data")
    ]
    assert hist.losses == [r["loss"] for r in records]
    assert hist.val_scores == [r["val_score"] for r in records[700:]]
    assert hist.last()["loss"] == records[-1]["loss"]


def test_loss_curve_is_one_list_extended_in_place():
    hist = History()
    for rec in _records(10):
        hist.append(rec)
    curve = hist.losses
    for rec in _records(5, seed=1):
        hist.append(rec)
    assert hist.losses is curve
    assert len(curve) == 15


def test_pickled_history_has_no_spare_capacity_and_round_trips():
    hist = History()
    for rec in _records(BLOCK + 3):
        hist.append(rec)
    again = pickle.loads(pickle.dumps(hist))
    pd.testing.assert_frame_equal(again.to_frame(), hist.to_frame())
    assert again.losses == hist.losses
    again.append(_records(1)[0])
    assert len(again) == len(hist) + 1
    # the growing block is stored trimmed (3 rows, not BLOCK): the pickle is
    # the data (6 columns of BLOCK + 3 values, 8 bytes or 1) plus a little
    assert len(pickle.dumps(hist)) < (BLOCK + 3) * 8 * 6 + 4000
