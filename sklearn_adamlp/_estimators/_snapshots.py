"""Which snapshots a snapshot ensemble averages with the final weights.

Huang et al. (2017), "Snapshot Ensembles: Train 1, get M for free" (ICLR),
average the outputs of the last ``m`` snapshots and show (their figure 4) that
the early, weaker ones can make the average worse. The rule here:

1. the final weights are always a member, so an unfinished last cycle is not
   lost (when training ends on a cycle end they are the last snapshot, counted
   once);
2. the candidates are the final weights followed by the snapshots from the
   latest back, and ``m`` (1, 2, ...) is the number of them averaged;
3. ``m`` maximizes the estimator's score (accuracy, R^2) of the averaged
   outputs on the validation set when one is held out (``early_stopping`` or
   ``validation_data``), on the training data otherwise; on a tie the larger
   ``m`` wins (more averaging, the point of the method).

So the ensemble's score on that set is never below the final weights'
(``m = 1``). The cost: one inference pass per snapshot over that set, once at
the end of each fit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from sklearn_adamlp._typing import FloatArray


def candidates(
    flat: FloatArray, running: FloatArray, snapshots: Sequence, snap_running: Sequence
) -> list[int]:
    """Return the indices of ``snapshots``, latest first, but the final weights."""
    out = list(range(len(snapshots)))[::-1]
    if out and _same(snapshots[out[0]], flat) and _same(snap_running[out[0]], running):
        out.pop(0)
    return out


def select(
    predict: Callable[..., FloatArray],
    score: Callable[[FloatArray], float],
    flat: FloatArray,
    running: FloatArray,
    snapshots: Sequence,
    snap_running: Sequence,
) -> list[int]:
    """Return the indices of the snapshots averaged with the final weights.

    ``predict(flat, running)`` gives a weight set's outputs on the selection
    set and ``score(out)`` their score (higher is better; NaN is worst). The
    result is ``candidates(...)[: m - 1]`` for the best ``m`` (module docstring).
    """
    order = candidates(flat, running, snapshots, snap_running)
    total = np.array(predict(flat, None), dtype=np.float64)
    best_m, best = 1, _finite(score(total))
    for m, i in enumerate(order, start=2):
        total += predict(snapshots[i], snap_running[i])
        value = _finite(score(total / m))
        if value >= best:
            best_m, best = m, value
    return order[: best_m - 1]


def _finite(value: float) -> float:
    return float(value) if np.isfinite(value) else -np.inf


def _same(a: FloatArray, b: FloatArray) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a, b))
