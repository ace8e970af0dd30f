"""What a warm-started fit or ``partial_fit`` continues from, in one object.

A fitted estimator keeps its model (the network and the flat parameter
buffer) and, beside it, one ``Progress``: the counters, the history, the
stopping rule's and the schedule callbacks' state, the random stream and the
early-stopping split. A first fit builds it whole; later fits continue it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sklearn_adamlp.callbacks import Callback, NoImprovementStopping
from sklearn_adamlp.history import History
from sklearn_adamlp.training import TrainState

#: the estimator attributes that held these parts before they were grouped:
#: attribute -> field (a model saved by an earlier release is read from them)
LEGACY_ATTRIBUTES = {
    "_state": "state",
    "_history": "history",
    "_stopper": "stopper",
    "_schedule_callbacks": "schedule_callbacks",
    "_rng": "rng",
    "_split_state": "split_state",
}


@dataclass
class Progress:
    """A fit's continuing state.

    Attributes
    ----------
    rng : numpy.random.RandomState
        The random stream every fit of the estimator draws from (weights,
        shuffling, dropout seeds), continued by warm starts and ``partial_fit``.
    state : TrainState
        Epochs, samples and steps so far, the plateau multiplier, the row order.
    history : History
        One record per epoch (``history_``, ``loss_curve_``).
    stopper : NoImprovementStopping or None
        scikit-learn's stopping rule, with its best value and count; built by
        the first stochastic fit.
    schedule_callbacks : list of Callback
        The plateau rule and the snapshot keeper the schedule options need.
    split_state : dict or None
        The random state the first early-stopping split started from, so later
        warm-started fits hold out the same rows.
    """

    rng: np.random.RandomState
    state: TrainState = field(default_factory=TrainState)
    history: History = field(default_factory=History)
    stopper: NoImprovementStopping | None = None
    schedule_callbacks: list[Callback] = field(default_factory=list)
    split_state: dict[str, Any] | None = None

    def fit_callbacks(self) -> list[Any]:
        """Return the stopping rule and the schedule callbacks (stochastic fits)."""
        return [self.stopper, *self.schedule_callbacks]

    @classmethod
    def from_attributes(cls, attrs: dict[str, Any]) -> Progress | None:
        """Build one from the separate attributes of an earlier release.

        Pops ``LEGACY_ATTRIBUTES`` from ``attrs`` (an estimator's ``__dict__``);
        None when there is none (not fitted). A model saved without its random
        stream continues with a fresh one.
        """
        found = {f: attrs.pop(a) for a, f in LEGACY_ATTRIBUTES.items() if a in attrs}
        found = {k: v for k, v in found.items() if v is not None}
        if not found:
            return None
        found.setdefault("rng", np.random.RandomState())
        return cls(**found)
