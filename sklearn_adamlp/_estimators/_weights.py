"""Sample and class weights: their checks, and the weights the loss sees.

Weights enter the objective as a weighted mean, ``sum_i s_i L_i / sum_i s_i``,
with the penalties divided by ``sum_i s_i`` (scikit-learn's convention). Unit
weights are the same objective as no weights and are handled as no weights
(``None``), so the two give bit-identical fits.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.utils.class_weight import compute_class_weight

from sklearn_adamlp import _validation

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
    sw = _validation.check_sample_weight(sample_weight, X, dtype=dtype)
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


def class_weight_vector(class_weight, classes, idx, sample_weight) -> np.ndarray:
    """Weight of each class of ``classes``, given the class index of every row.

    ``'balanced'``: ``w_c = sum_i s_i / (k * sum_{i: y_i = c} s_i)`` over the
    ``k`` classes present (scikit-learn's ``compute_class_weight`` formula,
    with weighted counts as in its ``LogisticRegression``); a class with no
    weight gets 1 (it has no rows to weigh). A dict: ``compute_class_weight``
    (classes it omits weigh 1).
    """
    if class_weight != "balanced":
        out = compute_class_weight(class_weight, classes=classes, y=classes[idx])
        bad = ~(np.isfinite(out) & (out >= 0))
        if bad.any():
            raise ValueError(
                f"class_weight={class_weight!r}: class weights must be finite and "
                f">= 0 (a negative weight makes the loss unbounded below), got "
                f"{dict(zip(classes[bad].tolist(), out[bad].tolist(), strict=True))}."
            )
        return out
    counts = np.bincount(idx, weights=sample_weight, minlength=len(classes))
    present = counts > 0
    out = np.ones(len(classes))
    out[present] = counts.sum() / (present.sum() * counts[present])
    return out


def class_index(Y) -> np.ndarray:
    """Index into ``classes_`` of each row of a single-output encoded ``Y``."""
    if Y.shape[1] == 1:  # binary: one column, 1 for classes_[1]
        return (Y[:, 0] > 0.5).astype(np.intp)
    return Y.argmax(axis=1)


def class_weights(
    class_weight, classes, Y, multilabel: bool, sample_weight
) -> ClassWeights | None:
    """Return ``f(Y) -> per-row class weights`` for an encoded target ``Y``.

    ``class_weight`` is the classifier's parameter, ``Y`` this fit's encoded
    target (0/1 columns). Multilabel: each label is a binary output and a row's
    weight is the product of its labels' weights, as in scikit-learn's
    ``compute_sample_weight`` for multi-output targets.
    """
    if class_weight is None:
        return None
    if not multilabel:
        if isinstance(class_weight, list):
            raise ValueError(
                "class_weight as a list of dicts is for multilabel targets; "
                "give a dict {label: weight} or 'balanced' for this target."
            )
        vec = class_weight_vector(class_weight, classes, class_index(Y), sample_weight)
        return lambda Y_: vec[class_index(Y_)]
    n_labels = Y.shape[1]
    if not (
        class_weight == "balanced"
        or (isinstance(class_weight, list) and len(class_weight) == n_labels)
    ):
        raise ValueError(
            f"For a multilabel target class_weight must be 'balanced' or a list of "
            f"{n_labels} dicts (one per label, keys 0 and 1), got {class_weight!r}."
        )
    per_label = [
        class_weight if class_weight == "balanced" else class_weight[j]
        for j in range(n_labels)
    ]
    binary = np.array([0, 1])
    vecs = [
        class_weight_vector(cw, binary, (Y[:, j] > 0.5).astype(np.intp), sample_weight)
        for j, cw in enumerate(per_label)
    ]

    def per_row(Y_):
        out = np.ones(Y_.shape[0])
        for j, vec in enumerate(vecs):
            out *= vec[(Y_[:, j] > 0.5).astype(np.intp)]
        return out

    return per_row
