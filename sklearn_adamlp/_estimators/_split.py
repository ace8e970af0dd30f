"""The validation hold-out of early stopping.

Two rules make the hold-out a function of the data set, not of how it is written:

- Integer sample weights are frequency weights: a sample of weight 3 is three
  virtual rows, each of which lands in the training or the validation part
  (scikit-learn's MLP splits samples and carries their weights along instead).
  Other weights are split per sample.
- Rows are split in a canonical order (sorted by a fixed random projection of
  ``[X, Y]``), so shuffling the rows does not change which ones are held out.

Together they make fitting with integer weights hold out exactly what fitting
on the repeated rows would: sample weights then mean repetitions, with early
stopping too.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import train_test_split

#: frequency expansion is used while sum(sample_weight) stays below this
_MAX_VIRTUAL_ROWS = 10_000_000


def _can_stratify(labels, n_total: int, fraction: float) -> bool:
    if labels is None:
        return False
    _, counts = np.unique(labels, return_counts=True)
    n_val = int(np.ceil(fraction * n_total))
    n_classes = len(counts)
    return counts.min() >= 2 and n_classes <= n_val <= n_total - n_classes


def _is_frequency(sample_weight) -> bool:
    if sample_weight is None:
        return False
    sw = np.asarray(sample_weight)
    return bool(
        np.all(sw >= 0)
        and np.all(sw == np.round(sw))
        and 0 < sw.sum() <= _MAX_VIRTUAL_ROWS
    )


def canonical_order(X, Y) -> np.ndarray:
    """Order of the rows of ``[X, Y]`` sorted by a fixed random projection.

    Identical rows tie and are interchangeable; distinct rows tie with
    probability zero. The projection vector comes from a fixed seed, so the order
    depends on the data only.
    """
    proj = np.random.RandomState(20260101)
    key = X @ proj.normal(size=X.shape[1]) + Y @ proj.normal(size=Y.shape[1])
    return np.argsort(np.asarray(key).ravel(), kind="stable")


def holdout(n: int, labels, sample_weight, fraction: float, rng, order=None):
    """Split ``n`` samples into training and validation parts.

    Parameters
    ----------
    n : int
        Number of samples.
    labels : ndarray of shape (n,) or None
        Class labels to stratify on (None: no stratification). Stratification is
        dropped when a class has one member or the parts are too small for it.
    sample_weight : ndarray of shape (n,) or None
    fraction : float
        Fraction of the (virtual) rows held out.
    rng : numpy.random.RandomState
        Random state, consumed as ``train_test_split`` would.
    order : ndarray of shape (n,), default=None
        Canonical order of the samples (``canonical_order``); None: as given.

    Returns
    -------
    train_idx, train_weight, val_idx, val_weight : ndarrays
        Sample indices of each part and their weights (None when no weights were
        given).
    n_val_rows : int
        Number of (virtual) validation rows.
    """
    frequency = _is_frequency(sample_weight)
    order = np.arange(n) if order is None else order
    if frequency:
        counts = np.asarray(sample_weight).astype(np.int64)[order]
        owner = np.repeat(order, counts)
    else:
        owner = order
    virtual_labels = None if labels is None else np.asarray(labels)[owner]
    stratify = (
        virtual_labels if _can_stratify(virtual_labels, len(owner), fraction) else None
    )
    tr, va = train_test_split(
        np.arange(len(owner)), test_size=fraction, random_state=rng, stratify=stratify
    )
    if not frequency:  # no weights, or non-integer ones carried along
        tr, va = owner[tr], owner[va]
        if sample_weight is None:
            return tr, None, va, None, len(va)
        sw = np.asarray(sample_weight)
        return tr, sw[tr], va, sw[va], len(va)
    train_w = np.bincount(owner[tr], minlength=n)
    val_w = np.bincount(owner[va], minlength=n)
    train_idx, val_idx = np.flatnonzero(train_w), np.flatnonzero(val_w)
    return train_idx, train_w[train_idx], val_idx, val_w[val_idx], len(va)
