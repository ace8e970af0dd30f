"""Training history: one record per epoch, exposed as a pandas DataFrame.

The records are kept in columns of numpy arrays, not as one dict per epoch:
a ``partial_fit`` stream of ten million calls keeps about 32 bytes per call
(epoch, loss, learning rate and seconds, 8 bytes each; a column whose values
are all missing so far, such as the validation score under ``partial_fit``,
takes no memory), where dicts took about 400.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

COLUMNS = ("epoch", "loss", "val_loss", "val_score", "learning_rate", "seconds")
#: shown in ``history_`` when recorded (a batch-size schedule)
OPTIONAL_COLUMNS = ("batch_size",)

#: rows per storage block: a column grows by doubling up to this size, then by
#: whole blocks, so that growing never copies more than one block
BLOCK = 1024


def _missing(value: Any) -> bool:
    """Whether ``value`` is the column default (NaN, None or False)."""
    if value is None or value is False:
        return True
    return isinstance(value, float) and math.isnan(value)


class _Column:
    """One column of values in blocks of ``BLOCK`` rows (the last one growing)."""

    def __init__(self, dtype: npt.DTypeLike, n_before: int) -> None:
        self.dtype = np.dtype(dtype)
        self.fill = False if self.dtype == bool else np.nan
        self.full: list[np.ndarray] = []
        self.tail = np.empty(16, dtype=self.dtype)
        self.n_tail = 0
        self.n = 0
        for _ in range(n_before):  # rows recorded before the column existed
            self.append(self.fill)

    def append(self, value: Any) -> None:
        if self.n_tail == len(self.tail):
            if len(self.tail) < BLOCK:
                grown = np.empty(min(2 * len(self.tail), BLOCK), dtype=self.dtype)
                grown[: self.n_tail] = self.tail
                self.tail = grown
            else:
                self.full.append(self.tail)
                self.tail, self.n_tail = np.empty(BLOCK, dtype=self.dtype), 0
        self.tail[self.n_tail] = value
        self.n_tail += 1
        self.n += 1

    def values(self, start: int = 0) -> np.ndarray:
        """Return the values from row ``start`` on (a new array)."""
        first = start // BLOCK
        parts = [*self.full[first:], self.tail[: self.n_tail]]
        out = np.concatenate(parts) if len(parts) > 1 else parts[0].copy()
        return out[start - first * BLOCK :]

    def last(self) -> Any:
        return self.tail[self.n_tail - 1].item()

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["tail"] = self.tail[: self.n_tail].copy()  # no spare capacity
        return state


def _dtype(name: str, value: Any) -> type:
    if name == "epoch":
        return np.int64
    return bool if isinstance(value, bool | np.bool_) else np.float64


class History:
    """Accumulates one record per epoch; ``to_frame`` gives ``history_``.

    Columns: ``epoch`` (1-based, counted over every fit of a warm-started or
    partially fitted estimator), ``loss`` (training loss, penalty included),
    ``val_loss`` and ``val_score`` (NaN without a validation set),
    ``learning_rate`` (the rate used during the epoch) and ``seconds``
    (wall time of the epoch, validation included), and ``batch_size`` when a
    batch-size schedule set it (``schedules.IncreaseBatch``). Other numeric keys of a
    record (``partial_data``, ...) are stored too, as columns of their own.

    Storage is columnar (see the module docstring); ``losses`` and
    ``val_scores`` (the estimators' ``loss_curve_`` and
    ``validation_scores_``) are Python lists built on first access and
    extended in place on later ones.
    """

    def __init__(self) -> None:
        self._n = 0
        self._cols: dict[str, _Column] = {}
        self._lists: dict[str, tuple[list, list[int]]] = {}
        self.max_val_score = -math.inf  # the best validation score so far

    def append(self, record: dict[str, Any]) -> None:
        """Add one epoch's record."""
        for name, value in record.items():
            col = self._cols.get(name)
            if col is None:
                if _missing(value):
                    continue  # all missing so far: no storage yet
                col = self._cols[name] = _Column(_dtype(name, value), self._n)
            col.append(value)
        self._n += 1
        score = record.get("val_score")
        if score is not None and score > self.max_val_score:  # False for NaN
            self.max_val_score = float(score)
        for col in self._cols.values():  # keys this record lacks
            if col.n < self._n:
                col.append(col.fill)

    def __len__(self) -> int:
        return self._n

    def has(self, name: str) -> bool:
        """Whether some record has a (non-missing) value in column ``name``."""
        return name in self._cols

    def column(self, name: str) -> np.ndarray:
        """Return the values of column ``name``, one per record (NaN: missing)."""
        col = self._cols.get(name)
        if col is None:
            return np.full(self._n, np.nan)
        return col.values()

    def last(self) -> dict[str, Any]:
        """Return the last record (NaN for the columns it lacks)."""
        out = {name: np.nan for name in COLUMNS}
        out.update({name: col.last() for name, col in self._cols.items()})
        return out

    @property
    def records(self) -> list[dict[str, Any]]:
        """The records as a list of dicts (built on each access)."""
        names = list(dict.fromkeys([*COLUMNS, *self._cols]))
        cols = [self.column(name).tolist() for name in names]
        return [dict(zip(names, row, strict=True)) for row in zip(*cols, strict=True)]

    def _list(self, name: str, keep_nan: bool) -> list:
        """Return the cached list of column ``name``, extended to every record."""
        out, seen = self._lists.setdefault(name, ([], [0]))
        if seen[0] < self._n:
            new = self.column(name)[seen[0] :]
            out.extend((new if keep_nan else new[~np.isnan(new)]).tolist())
            seen[0] = self._n
        return out

    @property
    def losses(self) -> list[float]:
        """The training losses, one per record (``loss_curve_``)."""
        return self._list("loss", keep_nan=True)

    @property
    def val_scores(self) -> list[float]:
        """The validation scores of the records that have one."""
        return self._list("val_score", keep_nan=False)

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_lists"] = {}  # rebuilt on access
        return state

    def __setstate__(self, state: dict) -> None:
        if "records" in state:  # pickled as a list of dicts
            self._n, self._cols, self._lists = 0, {}, {}
            self.max_val_score = -math.inf
            for record in state["records"]:
                self.append(record)
            return
        self.__dict__.update(state)

    def to_frame(self) -> pd.DataFrame:
        """Return the records as a DataFrame, one row per epoch."""
        names = [*COLUMNS, *(c for c in OPTIONAL_COLUMNS if c in self._cols)]
        frame = pd.DataFrame({name: self.column(name) for name in names})
        if not len(frame):
            return frame
        ints = {"epoch": "int64", "batch_size": "int64"}
        return frame.astype({k: v for k, v in ints.items() if k in names})
