"""Casting input to the dtype a model was fitted in, with a range check."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp


def cast_input(X: Any, dtype: npt.DTypeLike, name: str = "X") -> Any:
    """Return ``X`` in ``dtype``; raise if a narrowing cast overflows.

    A model fitted on float32 data computes in float32, so float64 input is
    cast down. A finite float64 value beyond float32's range (``|x| >
    3.4e38``) would become inf and every output of its row NaN; that raises a
    ``ValueError`` naming the problem. NaN and inf already in ``X`` are left to
    the input checks that report them. ``X`` may be a scipy.sparse matrix.
    Only the narrowing path does any checking: same or wider dtypes return the
    cast (or ``X`` itself) directly.
    """
    dtype = np.dtype(dtype)
    if X.dtype == dtype:
        return X
    if X.dtype.itemsize <= dtype.itemsize:
        return X.astype(dtype)
    with np.errstate(over="ignore"):
        out = X.astype(dtype)
    src, data = (X.data, out.data) if sp.issparse(X) else (X, out)
    if data.size == 0 or (np.isfinite(data.min()) and np.isfinite(data.max())):
        return out
    beyond = np.isinf(data) & np.isfinite(src)
    if beyond.any():
        largest = float(np.max(np.abs(src[beyond])))
        limit = float(np.finfo(dtype).max)
        raise ValueError(
            f"{name} has values beyond the range of {dtype.name} (largest "
            f"magnitude {largest:.3g} > {limit:.3g}), the dtype this model "
            f"computes in (it was fitted on {dtype.name} data): they would "
            f"become inf and the outputs NaN. Scale {name} (e.g. StandardScaler), "
            "or fit the model on float64 data."
        )
    return out
