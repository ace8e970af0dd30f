"""Sample and class weights: their checks, and the weights the loss sees.

Weights enter the objective as a weighted mean, ``sum_i s_i L_i / sum_i s_i``,
with the penalties divided by ``sum_i s_i`` (scikit-learn's convention). Unit
weights are the same objective as no weights and are handled as no weights
(``None``), so the two give bit-identical fits.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sklearn_adamlp._validation import _check_sample_weight

#: ``f(Y) -> per-row class weights`` of an encoded target ``Y``
ClassWeights = Callable[[np.ndarray], np.ndarray]


def check_sample_weight(sample_weight, X, dtype, name: str = "sample_weight"):
    """Return the checked weights of the rows of ``X``, or None for unit weights.

    Raises a ValueError for a wrong shape, NaN or inf (scikit-learn's
    ``_check_sample_weight``), a negative weight (which makes the weighted loss
    unbounded below) and weights that are all zero (no data).
    """
    if sample_weight is None:
        return None
    sw = _check_sample_weight(sample_weight, X, dtype=dtype)
    negative = sw < 0
    if negative.any():
        raise ValueError(
            f"{name} has {int(negative.sum())} negative value(s) (smallest "
            f"{float(sw.min())!r}); weights must be >= 0: a negative weight makes "
            "the loss unbounded below. Give a row weight 0 to leave it out."
        )
    if not sw.any():
        raise ValueError(
            f"{name}: Sample weights must contain at least one non-zero number."
        )
    return unit_as_none(sw)


def unit_as_none(sample_weight):
    """None for weights that are all one (the same objective), else the weights."""
    if sample_weight is None or np.all(sample_weight == 1):
        return None
    return sample_weight


def weigh(sample_weight, class_weights: ClassWeights | None, Y, dtype):
    """Sample weights times the class weights of the rows of ``Y`` (None: unit)."""
    if class_weights is None:
        return sample_weight
    factors = class_weights(Y).astype(dtype, copy=False)
    return unit_as_none(factors if sample_weight is None else sample_weight * factors)


def class_index(Y) -> np.ndarray:
    """Index into ``classes_`` of each row of a single-output encoded ``Y``."""
    if Y.shape[1] == 1:  # binary: one column, 1 for classes_[1]
        return (Y[:, 0] > 0.5).astype(np.intp)
    return Y.argmax(axis=1)
