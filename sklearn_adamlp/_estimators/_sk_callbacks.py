"""Bridge from the training loop's callbacks to scikit-learn's callback API.

scikit-learn 1.9 added ``sklearn.callback`` (``ProgressBar``, ``ScoringMonitor``,
...), set with ``estimator.set_callbacks(...)``. The fit is the root task and each
epoch a subtask; a callback's ``on_fit_task_end`` returning True stops training,
and its ``fitted_estimator`` is this estimator with the epoch's weights.
"""

from __future__ import annotations

from typing import Any

from sklearn_adamlp.callbacks import Callback


class SklearnCallbackBridge(Callback):
    """Calls scikit-learn callback contexts from the training loop's hooks."""

    def __init__(self, estimator: Any = None, context: Any = None, X=None, y=None):
        self.estimator = estimator
        self.context = context
        self.X = X
        self.y = y

    def _kwargs(self) -> dict:
        return {"estimator": self.estimator, "X": self.X, "y": self.y}

    def on_fit_begin(self, ctx, **kwargs):
        self.context.call_on_fit_task_begin(**self._kwargs())

    def on_epoch_begin(self, ctx, **kwargs):
        self.epoch_ = self.context.subcontext(task_name="epoch")
        self.epoch_.call_on_fit_task_begin(**self._kwargs())

    def _end_epoch(self, ctx) -> bool:
        epoch, self.epoch_ = self.epoch_, None
        n_iter = len(ctx.history)

        def attributes():
            return {"_flat": ctx.flat.copy(), "n_iter_": n_iter}

        return bool(
            epoch.call_on_fit_task_end(
                **self._kwargs(), reconstruction_attributes=attributes
            )
        )

    def on_epoch_end(self, ctx, record, **kwargs):
        return self._end_epoch(ctx)

    def on_fit_end(self, ctx, **kwargs):
        if getattr(self, "epoch_", None) is not None:  # begun, never ran (L-BFGS)
            self._end_epoch(ctx)
        self.context.call_on_fit_task_end(
            **self._kwargs(), reconstruction_attributes=lambda: {}
        )
