"""``LayerStatsRecorder``: per-layer statistics on a probe set during training."""

from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd

from sklearn_adamlp.callbacks import Callback
from sklearn_adamlp.inspection._input import encode_target, probe_X
from sklearn_adamlp.inspection._trace import trace_network

#: the columns of ``LayerStatsRecorder.stats_``
STATS_COLUMNS = ["epoch", "layer", "statistic", "value"]


class LayerStatsRecorder(Callback):
    """Record per-layer statistics of a probe set every ``every`` epochs.

    At the start of a fit (epoch ``t = 0``: the initial weights; a warm start
    or ``partial_fit`` continuing the records adds none) and at the end of
    epoch ``t`` (counted over every fit call, 1, 2, ...) with
    ``t % every == 0``, the statistics of
    ``trace_layers(estimator, X_probe, y_probe).to_frame()`` (an inference
    pass) are recorded for every layer, with the update-to-weight ratio::

        update_ratio_l = ||W_l(t) - W_l(t - every)||_F / ||W_l(t)||_F

    where ``W_l(t - every)`` is the weight matrix at the previous record
    (NaN for the record of the starting weights). The CS231n notes' rule of
    thumb for a healthy learning rate is a ratio around 1e-3 for a single
    update; a record spans ``every`` epochs of updates, so expect more.

    Parameters
    ----------
    X_probe : {array-like, sparse matrix} of shape (n_samples, n_features)
        Rows on which the statistics are computed, in the estimator's input
        space (inside a Pipeline: already transformed by the earlier steps).
    y_probe : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
        Their targets; without them ``grad_norm`` is NaN.
    every : int, default=1
        Record every ``every`` epochs.

    Attributes
    ----------
    stats_ : pandas.DataFrame
        Tidy records with columns ``epoch``, ``layer``, ``statistic``,
        ``value``; the statistics are the columns of ``LayerTrace.to_frame``
        plus ``update_ratio``. A new fit (not a warm start or ``partial_fit``
        continuing one) starts the records again.

    Notes
    -----
    The recorder keeps only arrays (the records, one copy of the weights and,
    during a fit, the checked probe set), never the estimator or the network,
    so the estimator holding it pickles and clones as usual. With early
    stopping's restored weights (``early_stopping=True``) or a snapshot
    ensemble, the last record describes the weights of the last epoch, not
    the ones the fit ends with. With a full-batch minimizer (``solver='lbfgs'``), an
    "epoch" is an iteration and a record describes the last point the
    minimizer evaluated (a line-search point may follow the iterate).
    """

    #: hooks receive the estimator being fitted as ``estimator=`` (to check the
    #: probe set against its features and encode ``y_probe`` with its classes)
    needs_estimator = True

    def __init__(self, X_probe, y_probe=None, every: int = 1) -> None:
        self.X_probe = X_probe
        self.y_probe = y_probe
        self.every = every

    @property
    def stats_(self) -> pd.DataFrame:
        """The records as a tidy DataFrame (see the class docstring)."""
        records = self.__dict__.get("records_")
        if records is None:
            raise AttributeError("stats_ exists only after a fit with the recorder")
        return pd.DataFrame(records, columns=STATS_COLUMNS)

    def on_fit_begin(self, ctx, estimator=None, **kwargs):
        est = estimator
        if est is None:
            raise ValueError(
                "LayerStatsRecorder must be given to an estimator (callbacks=[...])."
            )
        every = self.every
        if not isinstance(every, Integral) or isinstance(every, bool) or every < 1:
            raise ValueError(f"every must be a positive integer, got {every!r}.")
        self._X = probe_X(est, self.X_probe)
        self._Y = (
            None
            if self.y_probe is None
            else encode_target(est, self.y_probe, self._X.shape[0])
        )
        if ctx.state.epochs == 0 or self.__dict__.get("records_") is None:
            self.records_ = []
            self.previous_weights_ = None
            self._record(ctx)  # the starting weights: no update ratio

    def on_epoch_end(self, ctx, record, **kwargs):
        if ctx.state.epochs % int(self.every) == 0:
            self._record(ctx)
        return False

    def _record(self, ctx) -> None:
        """Append the current weights' statistics as epoch ``ctx.state.epochs``."""
        trace = trace_network(ctx.network, ctx.flat, self._X, self._Y)
        frame = trace.to_frame()
        previous = self.previous_weights_
        frame["update_ratio"] = [
            np.nan if previous is None else np.linalg.norm(w - w0) / np.linalg.norm(w)
            for w, w0 in zip(trace.weights, previous or trace.weights, strict=True)
        ]
        self.previous_weights_ = trace.weights
        epoch = int(ctx.state.epochs)
        for layer, row in frame.iterrows():
            self.records_.extend(
                (epoch, layer, stat, float(value)) for stat, value in row.items()
            )

    def on_fit_end(self, ctx, **kwargs):
        self.__dict__.pop("_X", None)  # the checked copy of the probe set
        self.__dict__.pop("_Y", None)
