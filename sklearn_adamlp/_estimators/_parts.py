"""Read access to an estimator's working parts for the package's other modules.

``inspection``, ``export`` and ``plotting`` need what a fitted MLP has no
public attribute for: the ``Network``, the flat parameter buffer that
``coefs_`` and ``intercepts_`` are views of, batch norm's running statistics,
the label encoder. They read it through ``fitted_parts`` and ``checked_X``
rather than the estimator's private attributes, so a change of the
estimator's internal storage is adapted here, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sklearn.preprocessing import LabelBinarizer

from sklearn_adamlp._typing import FloatArray
from sklearn_adamlp._validation import check_is_fitted
from sklearn_adamlp.network import Network


@dataclass(frozen=True)
class FittedParts:
    """The working parts of a fitted estimator (the estimator's own objects).

    The arrays are not copies: read them, never write them.

    Attributes
    ----------
    network : Network
        The network: layout, activations, loss, dtype, batch-norm settings.
    flat : ndarray
        The parameter buffer (``coefs_`` and ``intercepts_`` are views of it).
    running : ndarray of shape (2, total hidden units)
        Batch norm's running means and variances of the final weights
        (``network.running``).
    snapshot_running : tuple of ndarray
        The running statistics of each ``snapshots_`` entry (empty without a
        snapshot ensemble).
    label_binarizer : LabelBinarizer or None
        A classifier's target encoder (None for a regressor).
    """

    network: Network
    flat: FloatArray
    running: FloatArray
    snapshot_running: tuple[FloatArray, ...]
    label_binarizer: LabelBinarizer | None


def fitted_parts(est: Any) -> FittedParts:
    """Return the ``FittedParts`` of ``est``, an ``MLPClassifier``/``MLPRegressor``.

    Available from the start of a fit (a callback's ``on_fit_begin`` sees the
    initial weights) on.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        When ``est`` holds no network yet.
    """
    check_is_fitted(est, "_flat")
    net = est._network
    return FittedParts(
        network=net,
        flat=est._flat,
        running=net.running,
        snapshot_running=tuple(getattr(est, "_snapshot_running", ())),
        label_binarizer=getattr(est, "_label_binarizer", None),
    )


def checked_X(est: Any, X: Any) -> Any:
    """Return ``X`` validated against the fitted ``est`` (scikit-learn's errors).

    Width, feature names, NaN and inf are checked as ``predict`` checks them;
    the result is a float64 or float32 array or a CSR/CSC matrix.
    """
    return est._checked_X(X)


__all__ = ["FittedParts", "checked_X", "fitted_parts"]
