"""What an export reads from a fitted estimator: the weight sets ``predict`` uses.

The converter depends on the public fitted attributes (``coefs_``,
``intercepts_``, ``classes_``, ``n_outputs_``, ``out_activation_``,
``snapshots_``, ``ensemble_size_``) and parameters (``activation``,
``snapshot_ensemble``, ``loss``). What has no public attribute (batch-norm
scales, shifts and running statistics, the flat layout of a snapshot, the target
type of a classifier) comes from ``_estimators.fitted_parts``, read in
``_internals`` alone.

Batch normalization is folded into the weights: the inference pass computes,
per hidden layer (``batchnorm``)::

    y = gamma * (a @ W + b - mean) / sqrt(var + eps) + beta

which is ``a @ W' + b'`` with ``s = gamma / sqrt(var + eps)``::

    W' = W * s          (each column scaled)
    b' = (b - mean) * s + beta
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np

from sklearn_adamlp import activations
from sklearn_adamlp._estimators import fitted_parts
from sklearn_adamlp._typing import FloatArray


@dataclass(frozen=True)
class WeightSet:
    """One member of the averaged ensemble: per-layer weights and biases."""

    coefs: list[np.ndarray]
    intercepts: list[np.ndarray]


def _internals(est: Any) -> SimpleNamespace:
    """Return the private state an export needs (read here and nowhere else).

    Returns
    -------
    SimpleNamespace with
        ``unpack(flat) -> (coefs, intercepts, gammas, betas)`` views of a flat
        parameter buffer (the final weights' or a snapshot's);
        ``flat``, the final weights' buffer; ``running(r) -> (means, variances)``
        per hidden layer of a running-statistics array; ``running_final`` and
        ``running_snapshots`` (one per ``snapshots_`` entry); ``eps``, batch
        norm's variance offset; ``batch_norm``; ``y_type``, the classifier's
        target type (``LabelBinarizer.y_type_``; None for a regressor).
    """
    parts = fitted_parts(est)
    net = parts.network
    layout = net.layout

    def unpack(flat: FloatArray) -> tuple[list[FloatArray], ...]:
        return (*layout.views(flat), *layout.norm_views(flat))

    def running(r: FloatArray) -> tuple[list[FloatArray], list[FloatArray]]:
        o = layout.norm_offsets - layout.n_biases_end
        idx = range(len(o) - 1)
        return [r[0, o[i] : o[i + 1]] for i in idx], [
            r[1, o[i] : o[i + 1]] for i in idx
        ]

    lb = parts.label_binarizer
    return SimpleNamespace(
        unpack=unpack,
        flat=parts.flat,
        running=running,
        running_final=parts.running,
        running_snapshots=list(parts.snapshot_running),
        eps=float(net.bn_eps),
        batch_norm=bool(net.batch_norm),
        y_type=None if lb is None else lb.y_type_,
    )


def target_type(est: Any) -> str | None:
    """Return the target type: 'binary', 'multiclass', 'multilabel-indicator'."""
    return _internals(est).y_type


def hidden_activations(est: Any) -> list[activations.Activation]:
    """One activation object per hidden layer, from the ``activation`` parameter."""
    n_hidden = len(est.coefs_) - 1
    spec = est.activation
    specs = list(spec) if isinstance(spec, list | tuple) else [spec] * n_hidden
    if len(specs) != n_hidden:
        raise ValueError(
            f"activation={spec!r} has {len(specs)} entries for {n_hidden} hidden "
            "layers; the estimator was changed after fit: fit it again."
        )
    return [activations.get(s) for s in specs]


def _fold(
    coefs: Sequence[FloatArray],
    intercepts: Sequence[FloatArray],
    gammas: Sequence[FloatArray],
    betas: Sequence[FloatArray],
    means: Sequence[FloatArray],
    variances: Sequence[FloatArray],
    eps: float,
) -> tuple[list[FloatArray], list[FloatArray]]:
    """Return copies of the weights with batch norm folded in (module docstring)."""
    W = [np.array(w) for w in coefs]
    b = [np.array(v) for v in intercepts]
    for l, (g, be, m, v) in enumerate(
        zip(gammas, betas, means, variances, strict=True)
    ):
        scale = g / np.sqrt(v + eps)
        W[l] *= scale
        b[l] = (b[l] - m) * scale + be
    return W, b


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a, b))


def ensemble_members(est: Any) -> list[int]:
    """Return the ``snapshots_`` indices ``predict`` averages with the final weights.

    The final weights and the last ``ensemble_size_ - 1`` snapshots, latest
    first; a last snapshot equal to the final weights (and to their running
    statistics) is the final weights, counted once.
    """
    snaps = list(getattr(est, "snapshots_", None) or [])
    size = int(getattr(est, "ensemble_size_", 1) or 1)
    if not (est.snapshot_ensemble and snaps and size > 1):
        return []
    st = _internals(est)
    order = list(range(len(snaps)))[::-1]
    last = order[0]
    if _same(snaps[last], st.flat) and _same(
        st.running_snapshots[last], st.running_final
    ):
        order.pop(0)
    return order[: size - 1]


def weight_sets(est: Any) -> list[WeightSet]:
    """Return the weight sets ``predict`` averages (final first), batch norm folded."""
    st = _internals(est)
    sets = [(st.flat, st.running_final)]
    sets += [
        (est.snapshots_[i], st.running_snapshots[i]) for i in ensemble_members(est)
    ]
    out = []
    for flat, running in sets:
        coefs, intercepts, gammas, betas = st.unpack(flat)
        if st.batch_norm:
            means, variances = st.running(running)
            coefs, intercepts = _fold(
                coefs, intercepts, gammas, betas, means, variances, st.eps
            )
        out.append(
            WeightSet([np.array(w) for w in coefs], [np.array(v) for v in intercepts])
        )
    return out
