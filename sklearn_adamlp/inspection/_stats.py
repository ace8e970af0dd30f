"""Per-layer summary statistics of a trace: the rules for saturated and dead.

For layer ``l`` with activations ``h`` (rows x units), weights ``W`` and weight
gradient ``dW``::

    mean, std      = mean(h), std(h)               over every row and unit
    saturated      = mean(h <= lo + 0.05 * (hi - lo)  or  h >= hi - 0.05 * (hi - lo))
                     for a bounded activation with range (lo, hi):
                     logistic (0, 1): h < 0.05 or h > 0.95
                     tanh (-1, 1):    |h| > 0.9
                     NaN for an unbounded activation (relu, identity, softmax, ...)
    zero_fraction  = mean(h == 0)                  fraction of exact zeros
    dead           = mean over units of all_i(h[i, unit] == 0)
                     units that output 0 for every row of X
    grad_norm      = ||dW||_F                       (NaN without targets)
    weight_norm    = ||W||_F

Saturation follows Glorot & Bengio (2010), whose Fig. 2 and 6 show sigmoid and
tanh units stuck at their asymptotes, where ``phi'`` nearly vanishes and little
gradient flows. ``dead`` and ``zero_fraction`` are computed for every layer,
but only the ReLU family outputs exact zeros in practice: a ReLU unit that is
dead on the whole of ``X`` gets no gradient from it (Lu et al. 2020, "Dying
ReLU and Initialization").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: range (lo, hi) of the bounded activations, by name
BOUNDS = {"logistic": (0.0, 1.0), "tanh": (-1.0, 1.0)}

#: the band near each bound that counts as saturated, a fraction of the range
SATURATION_BAND = 0.05

#: the columns of ``LayerTrace.to_frame``, in order
COLUMNS = [
    "mean",
    "std",
    "saturated",
    "dead",
    "zero_fraction",
    "grad_norm",
    "weight_norm",
]


def saturated_fraction(h: np.ndarray, activation: str) -> float:
    """Fraction of ``h`` within 5 % of the range from a bound; NaN if unbounded."""
    if activation not in BOUNDS:
        return float("nan")
    lo, hi = BOUNDS[activation]
    band = SATURATION_BAND * (hi - lo)
    return float(np.mean((h < lo + band) | (h > hi - band)))


def dead_fraction(h: np.ndarray) -> float:
    """Fraction of units (columns of ``h``) equal to zero on every row."""
    if h.shape[0] == 0:
        return float("nan")
    return float(np.mean(np.all(h == 0, axis=0)))


def layer_frame(
    layer_names: Sequence[str],
    activation_names: Sequence[str],
    activations: Sequence[np.ndarray],
    weights: Sequence[np.ndarray],
    grad_weights: Sequence[np.ndarray] | None,
) -> pd.DataFrame:
    """One row per layer, the ``COLUMNS``, from a trace's per-layer lists.

    The arguments are the fields of a ``LayerTrace`` of the same names
    (``grad_weights`` None without targets: ``grad_norm`` is then NaN).
    """
    rows = []
    pairs = zip(activations, activation_names, strict=True)
    for l, (h, name) in enumerate(pairs):
        h = np.asarray(h, dtype=float)
        rows.append(
            [
                float(h.mean()),
                float(h.std()),
                saturated_fraction(h, name),
                dead_fraction(h),
                float(np.mean(h == 0)),
                (
                    float("nan")
                    if grad_weights is None
                    else float(np.linalg.norm(grad_weights[l]))
                ),
                float(np.linalg.norm(weights[l])),
            ]
        )
    frame = pd.DataFrame(rows, index=pd.Index(layer_names, name="layer"))
    frame.columns = COLUMNS
    return frame
