"""Callbacks: small objects whose hooks the training loop calls.

Every hook receives the training context ``ctx`` (network, flat parameter buffer,
optimizer, ...) and ignores what it does not need. ``on_epoch_end`` returns a
true value to stop training (a string: the reason, which the fit keeps);
nothing is raised to stop, and no hook assigns the context's fields.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sklearn_adamlp._params import Parametrized


class Callback(Parametrized):
    """No-op base class; override the hooks you need."""

    def on_fit_begin(self, ctx: Any, **kwargs: Any) -> None:
        """Run once before the first epoch of each ``fit``/``partial_fit``."""

    def on_epoch_begin(self, ctx: Any, **kwargs: Any) -> None:
        """Run before every epoch."""

    def on_epoch_end(self, ctx: Any, record: dict, **kwargs: Any) -> bool | str | None:
        """Run after every epoch with its history record.

        Return a true value to stop: True, or a string saying why.
        """
        return None

    def on_fit_end(self, ctx: Any, **kwargs: Any) -> None:
        """Run once after the last epoch."""


class NoImprovementStopping(Callback):
    """scikit-learn's stopping rule, on the training loss or a validation score.

    After each epoch, with ``best`` the best value so far::

        monitor='loss':      no improvement if loss > best_loss - tol
        monitor='val_score': no improvement if score < best_score + tol

    Epochs on part of the data only (a curriculum's, record key
    ``partial_data``) are skipped. When more than ``n_iter_no_change``
    consecutive epochs show no improvement, training stops. (With
    scikit-learn's ``learning_rate='adaptive'`` the estimator gives this rule
    ``n_iter_no_change=inf`` and ``ReduceLROnPlateau`` divides the rate
    instead, stopping once it is at most 1e-6.) With ``restore_best`` the
    weights of the best validation score are put back at the end (sklearn's
    early stopping).

    Parameters
    ----------
    monitor : {'loss', 'val_score', 'val_loss'}, default='loss'
    tol : float, default=1e-4
    n_iter_no_change : int or inf, default=10
    restore_best : bool, default=False
    """

    def __init__(
        self,
        monitor: str = "loss",
        tol: float = 1e-4,
        n_iter_no_change: float = 10,
        restore_best: bool = False,
    ) -> None:
        self.monitor = monitor
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.restore_best = restore_best

    @property
    def _higher_is_better(self) -> bool:
        return self.monitor == "val_score"

    def on_fit_begin(self, ctx, **kwargs):  # noqa: D102
        # restore at the end only what this call measured: a partial_fit after
        # an early-stopping fit has no validation set, and putting back the best
        # weights of an earlier call would undo it
        self.measured_ = False
        if not hasattr(self, "best_"):
            self.best_ = -np.inf if self._higher_is_better else np.inf
            self.count_ = 0
            # sklearn starts from the initial weights as the "best" ones; the
            # batch-norm running statistics belong to them.
            self.best_params_ = ctx.flat.copy() if self.restore_best else None
            self.best_running_ = ctx.network.running.copy()

    def on_epoch_end(self, ctx, record, **kwargs):  # noqa: D102
        if record.get("partial_data"):  # curriculum: not comparable yet
            return False
        value = float(record[self.monitor])
        self.measured_ = self.measured_ or bool(np.isfinite(value))
        improved, is_best = _sklearn_improved(
            value, self.best_, float(self.tol), self._higher_is_better
        )
        self.count_ = 0 if improved else self.count_ + 1
        if is_best:
            self.best_ = value
            if self.best_params_ is not None:
                np.copyto(self.best_params_, ctx.flat)
                np.copyto(self.best_running_, ctx.network.running)
        if self.count_ <= self.n_iter_no_change:
            return False
        msg = _no_improvement_message(self.monitor, self.tol, self.n_iter_no_change)
        if ctx.verbose:
            print(msg + " Stopping.")
        return msg  # true: stop, with this reason

    def on_fit_end(self, ctx, **kwargs):  # noqa: D102
        measured = getattr(self, "measured_", True)
        if self.restore_best and self.best_params_ is not None and measured:
            np.copyto(ctx.flat, self.best_params_)
            np.copyto(ctx.network.running, self.best_running_)


def _sklearn_improved(
    value: float, best: float, tol: float, higher_is_better: bool
) -> tuple[bool, bool]:
    """scikit-learn's test: (counts as an improvement by tol, is a new best).

    A tie with ``best - tol`` counts as an improvement, and so does NaN (as in
    ``_update_no_improvement_count``).
    """
    if higher_is_better:
        return not value < best + tol, value > best
    return not value > best - tol, value < best


def _no_improvement_message(monitor: str, tol: float, n: float) -> str:
    what = {"val_score": "Validation score", "val_loss": "Validation loss"}.get(
        monitor, "Training loss"
    )
    return (
        f"{what} did not improve more than tol={float(tol):f} "
        f"for {n} consecutive epochs."
    )


class ProgressBar(Callback):
    """A tqdm progress bar over epochs, showing the loss and validation score.

    Used by the estimators for ``verbose >= 2`` when tqdm is installed (the
    ``progress`` extra), counting epochs out of ``max_iter`` (L-BFGS:
    iterations out of ``max_iter``); can also be passed in ``callbacks``. The
    finished bar stays on screen (``n/total`` with the last loss) unless
    ``leave=False``.

    Parameters
    ----------
    total : int or None, default=None
        Expected number of epochs (the estimator's ``max_iter``).
    leave : bool, default=True
        Keep the finished bar (tqdm's ``leave``); False clears it at the end.
    unit : str, default='epoch'
        What one step of the bar counts (the estimators use 'iteration' for
        L-BFGS).
    file : file-like or None, default=None
        Where the bar is written (tqdm's ``file``; None: ``sys.stderr``).
    """

    def __init__(
        self,
        total: int | None = None,
        leave: bool = True,
        unit: str = "epoch",
        file: Any = None,
    ) -> None:
        self.total = total
        self.leave = leave
        self.unit = unit
        self.file = file

    def on_fit_begin(self, ctx, **kwargs):  # noqa: D102
        try:
            from tqdm.auto import tqdm
        except ImportError as exc:  # pragma: no cover - depends on the extra
            raise ImportError(
                "ProgressBar needs tqdm: pip install 'sklearn-adamlp[progress]'"
            ) from exc
        self.bar_ = tqdm(
            total=self.total,
            unit=self.unit,
            leave=bool(self.leave),
            file=self.file,
        )

    def on_epoch_end(self, ctx, record, **kwargs):  # noqa: D102
        postfix = {"loss": f"{record['loss']:.4g}"}
        if np.isfinite(record["val_score"]):
            postfix["val_score"] = f"{record['val_score']:.4g}"
        self.bar_.set_postfix(postfix, refresh=False)
        self.bar_.update(1)
        return False

    def on_fit_end(self, ctx, **kwargs):  # noqa: D102
        self.bar_.close()
        del self.bar_


class ReduceLROnPlateau(Callback):
    """Divide the learning rate when the monitored value stops improving.

    The one plateau mechanism: ``learning_rate='plateau'`` (``schedules.Plateau``)
    and scikit-learn's ``learning_rate='adaptive'`` (``schedules.Adaptive``) are
    two parameterisations of it. After each epoch (epochs on part of the data,
    record key ``partial_data``, are skipped), with lower values better
    (``monitor='val_score'``: higher)::

        rule='keras':    improved <=> value < best - min_delta
                         best = value if improved
        rule='sklearn':  improved <=> not value > best - min_delta
                         best = min(best, value)
        count = 0 if improved else count + 1
        if count >= patience:
            if lr > min_lr:        lr_multiplier /= factor;  count = 0
            elif stop_at_min_lr:   stop training

    ``'keras'`` is Keras's and torch's count (``threshold_mode='abs'``): the
    best value moves only on an improvement. ``'sklearn'`` is scikit-learn's
    no-improvement count: every new lowest value becomes the best, and a tie
    (or NaN) counts as an improvement. scikit-learn's ``'adaptive'`` is
    ``ReduceLROnPlateau(factor=5, patience=n_iter_no_change + 1, min_delta=tol,
    min_lr=1e-6, stop_at_min_lr=True, rule='sklearn')``. ``lr`` is the rate
    of the epoch just ended (its record's ``learning_rate``); the reduction
    divides the training state's ``lr_multiplier``, so it multiplies the
    schedule.

    Parameters
    ----------
    monitor : {'loss', 'val_loss', 'val_score'}, default='loss'
    factor : float, default=10.0
    patience : int or float, default=5
    min_delta : float, default=0.0
    min_lr : float, default=0.0
    stop_at_min_lr : bool, default=False
    rule : {'keras', 'sklearn'}, default='keras'

    References
    ----------
    Keras ``ReduceLROnPlateau``; scikit-learn's ``learning_rate='adaptive'``.
    """

    def __init__(
        self,
        monitor: str = "loss",
        factor: float = 10.0,
        patience: float = 5,
        min_delta: float = 0.0,
        min_lr: float = 0.0,
        stop_at_min_lr: bool = False,
        rule: str = "keras",
    ) -> None:
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.min_delta = min_delta
        self.min_lr = min_lr
        self.stop_at_min_lr = stop_at_min_lr
        self.rule = rule

    def on_fit_begin(self, ctx, **kwargs):  # noqa: D102
        if self.rule not in ("keras", "sklearn"):
            raise ValueError(
                "ReduceLROnPlateau: rule must be 'keras' or 'sklearn'; "
                f"got {self.rule!r}."
            )
        if not hasattr(self, "best_"):
            self.best_ = -np.inf if self.monitor == "val_score" else np.inf
            self.count_, self.n_reductions_ = 0, 0

    def _improved(self, value: float) -> bool:
        """Update ``best_``; return whether ``value`` counts as an improvement."""
        delta, higher = float(self.min_delta), self.monitor == "val_score"
        if self.rule == "sklearn":
            improved, is_best = _sklearn_improved(value, self.best_, delta, higher)
            if is_best:
                self.best_ = value
            return improved
        improved = value > self.best_ + delta if higher else value < self.best_ - delta
        if improved:
            self.best_ = value
        return improved

    def on_epoch_end(self, ctx, record, **kwargs):  # noqa: D102
        if record.get("partial_data"):  # curriculum: not comparable yet
            return False
        if self._improved(float(record[self.monitor])):
            self.count_ = 0
            return False
        self.count_ += 1
        if self.count_ < float(self.patience):
            return False
        min_lr, lr = float(self.min_lr), float(record.get("learning_rate", np.nan))
        if min_lr <= 0.0 or lr > min_lr:
            ctx.state.lr_multiplier /= float(self.factor)
            self.count_ = 0
            self.n_reductions_ += 1
            if ctx.verbose:
                print(self._reduced_message(lr))
            return False
        if not self.stop_at_min_lr:
            return False
        reason = self._message()
        if ctx.verbose:
            print(reason + " Stopping.")
        return reason  # true: stop, with this reason

    def _reduced_message(self, lr: float) -> str:
        if self.rule == "sklearn":  # scikit-learn's words
            lr = lr / float(self.factor)
            return f"{self._message()} Setting learning rate to {lr:f}"
        return f"Plateau: learning rate divided by {float(self.factor):g}"

    def _message(self) -> str:
        if self.rule == "sklearn":  # scikit-learn's words (count > patience - 1)
            n = float(self.patience) - 1
            n = int(n) if n.is_integer() else n
            return _no_improvement_message(self.monitor, self.min_delta, n)
        return (
            f"{self.monitor} did not improve by more than "
            f"{float(self.min_delta):g} for {self.count_} epochs."
        )


#: former name of ``ReduceLROnPlateau`` (``learning_rate='plateau'``'s callback)
PlateauReduction = ReduceLROnPlateau


class SnapshotEnsemble(Callback):
    """Keep a copy of the weights at the end of every cycle of the schedule.

    After each epoch ``e`` (0-based, counted over every fit call) for which
    ``ctx.schedule.cycle_end(e)`` is true, a copy of the flat parameter buffer is
    appended to ``snapshots_`` (Huang et al. 2017, "Snapshot Ensembles"), and a
    copy of the network's batch-norm running statistics to ``running_``.
    """

    def on_fit_begin(self, ctx, **kwargs):  # noqa: D102
        if not hasattr(self, "snapshots_"):
            self.snapshots_, self.running_ = [], []

    def on_epoch_end(self, ctx, record, **kwargs):  # noqa: D102
        if ctx.schedule.cycle_end(ctx.state.epochs - 1):
            self.snapshots_.append(ctx.flat.copy())
            self.running_.append(ctx.network.running.copy())
        return False


class EasyFirstCurriculum:
    """Curriculum learning: easiest samples first, widening to all of them.

    The first epoch of a fit is an ordinary pass over every sample. The
    per-sample losses at the weights it ends with rank the samples from easiest
    (lowest loss) to hardest. Epoch ``k`` (``k = 1, 2, ...``) then trains on the
    easiest samples holding a fraction ``min(1, k / epochs)`` of the total
    sample weight (linear pacing; ``ceil(n * k / epochs)`` samples for unit
    weights), shuffled among themselves when ``shuffle``; from epoch ``epochs``
    on, on all of them. Samples of equal loss are admitted together, so integer
    weights and repeated rows admit the same samples. Only index arrays are
    built: ``X`` is never copied.

    Parameters
    ----------
    epochs : int, default=10
        Epochs (after the first pass) until every sample is admitted.
    batch_rows : int, default=4096
        Rows per forward pass when scoring the samples.

    References
    ----------
    Bengio, Y., Louradour, J., Collobert, R. and Weston, J. (2009). Curriculum
    learning. ICML 2009.
    """

    def __init__(self, epochs: int = 10, batch_rows: int = 4096) -> None:
        self.epochs = epochs
        self.batch_rows = batch_rows
        self.ranking_: np.ndarray | None = None

    def order(self, ctx, data, epoch: int, shuffle: bool):
        """Return the row order of the fit's ``epoch``-th epoch, or None (all)."""
        frac = 1.0 if epoch == 0 else min(1.0, epoch / int(self.epochs))
        if frac >= 1.0:
            return None
        if self.ranking_ is None:
            self.ranking_ = self._rank(ctx, data)
        # the weighted frac-quantile of the losses, then every row up to it
        k = np.searchsorted(self.cum_weight_, frac * self.cum_weight_[-1] * (1 - 1e-12))
        k = min(int(k), len(self.ranking_) - 1)
        m = int(np.searchsorted(self.sorted_loss_, self.sorted_loss_[k], "right"))
        admitted = self.ranking_[:m].copy()
        if shuffle:
            ctx.rng.shuffle(admitted)
        return admitted

    def _rank(self, ctx, data) -> np.ndarray:
        """Rank the rows by their loss, easiest first; return the ranking."""
        net, step = ctx.network, int(self.batch_rows)
        losses = np.empty(data.n)
        for start in range(0, data.n, step):
            rows = slice(start, start + step)
            raw, out = net.forward(ctx.flat, data.X[rows])
            losses[rows] = net.loss.per_sample(data.Y[rows], raw, out)
        ranking = np.argsort(losses, kind="stable")
        self.sorted_loss_ = losses[ranking]
        sw = getattr(data, "sw", None)
        weights = np.ones(data.n) if sw is None else np.asarray(sw, float)
        self.cum_weight_ = np.cumsum(weights[ranking])
        return ranking
