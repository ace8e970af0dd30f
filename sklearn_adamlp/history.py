"""Training history: one record per epoch, exposed as a pandas DataFrame."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

COLUMNS = ("epoch", "loss", "val_loss", "val_score", "learning_rate", "seconds")


class History:
    """Accumulates one dict per epoch; ``to_frame`` gives ``history_``.

    Columns: ``epoch`` (1-based, counted over every fit of a warm-started or
    partially fitted estimator), ``loss`` (training loss, penalty included),
    ``val_loss`` and ``val_score`` (NaN without a validation set),
    ``learning_rate`` (the rate used during the epoch) and ``seconds``
    (wall time of the epoch, validation included).
    """

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self._columns()

    def _columns(self) -> None:
        # the fitted attributes' lists (loss_curve_, validation_scores_), kept
        # as records arrive: rebuilding them made each partial_fit call cost
        # O(epochs so far)
        self.losses = [r["loss"] for r in self.records]
        self.val_scores = [
            r["val_score"] for r in self.records if not math.isnan(r["val_score"])
        ]

    def append(self, record: dict[str, Any]) -> None:
        """Add one epoch's record."""
        self.records.append(dict(record))
        self.losses.append(record["loss"])
        if not math.isnan(record["val_score"]):
            self.val_scores.append(record["val_score"])

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if "losses" not in state:  # pickled before the lists existed
            self._columns()

    def __len__(self) -> int:
        return len(self.records)

    def to_frame(self) -> pd.DataFrame:
        """Return the records as a DataFrame, one row per epoch."""
        frame = pd.DataFrame.from_records(self.records, columns=list(COLUMNS))
        return frame.astype({"epoch": "int64"}) if len(frame) else frame
