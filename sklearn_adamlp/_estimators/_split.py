"""The validation hold-out of early stopping.

The hold-out is a function of the data set, not of how it is written:

- Each sample counts as ``c_i`` virtual rows. Integer sample weights are
  frequency weights, divided by their greatest common divisor first:
  ``c_i = w_i / gcd(w)``, so a sample of weight 3 among weights of 1 is three
  virtual rows, each of which lands in the training or the validation part, as
  three repeated rows would (scikit-learn's MLP splits samples and carries their
  weights along instead). Other weights give ``c_i = 1`` for a positive weight.
  Either way a zero weight gives ``c_i = 0``: the row is in neither part, and
  weights that are all equal hold out exactly what no weights do.
- Virtual rows are split in a canonical order (sorted by a fixed random
  projection of ``[X, Y]``), so shuffling the rows does not change which ones
  are held out.
- The split is stratified on the class of each virtual row when labels are given
  and every class can be represented in both parts.

Fitting with integer weights (gcd 1) then holds out exactly what fitting on the
repeated rows would, and zero-weight rows exactly what dropping them would.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import train_test_split

#: frequency expansion is used while sum(sample_weight / gcd) stays below this
_MAX_VIRTUAL_ROWS = 10_000_000


def _can_stratify(labels, n_total: int, fraction: float) -> bool:
    if labels is None:
        return False
    _, counts = np.unique(labels, return_counts=True)
    n_val = int(np.ceil(fraction * n_total))
    n_classes = len(counts)
    return counts.min() >= 2 and n_classes <= n_val <= n_total - n_classes


def virtual_counts(sample_weight, n: int) -> tuple[np.ndarray, float | None]:
    """Virtual rows per sample, and the weight of one virtual row.

    Returns ``(counts, unit)``: ``unit`` is the weights' greatest common divisor
    when they are frequency weights (non-negative integers whose reduced sum is
    below ``_MAX_VIRTUAL_ROWS``), else None (``counts`` is then ``w > 0``).
    """
    if sample_weight is None:
        return np.ones(n, dtype=np.int64), 1.0
    sw = np.asarray(sample_weight, dtype=np.float64)
    positive = sw > 0
    if np.all(sw == np.round(sw)) and 0 < sw.sum() < 2.0**62:
        ints = sw.astype(np.int64)
        unit = int(np.gcd.reduce(ints[positive]))
        if ints.sum() // unit <= _MAX_VIRTUAL_ROWS:
            return ints // unit, float(unit)
    return positive.astype(np.int64), None


def _first_seen(rows: np.ndarray) -> np.ndarray:
    """Return the distinct values of ``rows`` in the order they first appear."""
    _, first = np.unique(rows, return_index=True)
    return rows[np.sort(first)]


def holdout(labels, sample_weight, fraction: float, rng, order):
    """Split samples into training and validation parts (see the module doc).

    Parameters
    ----------
    labels : ndarray of shape (n,) or None
        Class labels to stratify on; None: no
        stratification. Dropped when a class has one member or the parts are too
        small for every class.
    sample_weight : ndarray of shape (n,) or None
    fraction : float
        Fraction of the virtual rows held out (rounded up, as
        ``train_test_split`` does).
    rng : numpy.random.RandomState
        Random state, consumed as ``train_test_split`` consumes it.
    order : ndarray of shape (n,)
        Canonical order of the samples (``canonical_order``).

    Returns
    -------
    (train_idx, train_weight, val_idx, val_weight) or None
        Sample indices of each part, in the order of their first virtual row
        in the shuffled split, and their weights (the number of the sample's
        virtual rows in that part times the unit, or the sample's own weight;
        None when no weights were given). None when fewer than 2 virtual rows
        would be held out or none would be left to train on.
    n_val_rows : int
        Number of virtual rows held out.
    """
    n = len(order)
    counts, unit = virtual_counts(sample_weight, n)
    owner = np.repeat(order, counts[order])
    n_rows = len(owner)
    n_val = int(np.ceil(fraction * n_rows))
    if n_val < 2 or n_rows - n_val < 1:
        return None, n_val
    virtual_labels = None if labels is None else np.asarray(labels)[owner]
    stratify = (
        virtual_labels if _can_stratify(virtual_labels, n_rows, fraction) else None
    )
    tr, va = train_test_split(
        np.arange(n_rows), test_size=fraction, random_state=rng, stratify=stratify
    )
    tr, va = owner[tr], owner[va]
    train_idx, val_idx = _first_seen(tr), _first_seen(va)
    if sample_weight is None:
        return (train_idx, None, val_idx, None), len(va)
    if unit is None:  # one virtual row per sample: it keeps its weight
        sw = np.asarray(sample_weight)
        return (train_idx, sw[train_idx], val_idx, sw[val_idx]), len(va)
    train_w = np.bincount(tr, minlength=n)[train_idx] * unit
    val_w = np.bincount(va, minlength=n)[val_idx] * unit
    return (train_idx, train_w, val_idx, val_w), len(va)


def canonical_order(X, Y) -> np.ndarray:
    """Order of the rows of ``[X, Y]`` sorted by a fixed random projection.

    Identical rows tie and are interchangeable; distinct rows tie with
    probability zero. The projection vector comes from a fixed seed, so the order
    depends on the data only.
    """
    proj = np.random.RandomState(20260101)
    key = X @ proj.normal(size=X.shape[1]) + Y @ proj.normal(size=Y.shape[1])
    return np.argsort(np.asarray(key).ravel(), kind="stable")
