"""Callbacks: small objects whose hooks the training loop calls.

Every hook receives the training context ``ctx`` (network, flat parameter buffer,
optimizer, ...) and ignores what it does not need. ``on_epoch_end`` returns a
true value to stop training; nothing is raised to stop.
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

    def on_epoch_end(self, ctx: Any, record: dict, **kwargs: Any) -> bool | None:
        """Run after every epoch with its history record; return True to stop."""
        return None

    def on_fit_end(self, ctx: Any, **kwargs: Any) -> None:
        """Run once after the last epoch."""


class NoImprovementStopping(Callback):
    """scikit-learn's stopping rule, on the training loss or a validation score.

    After each epoch, with ``best`` the best value so far::

        monitor='loss':      no improvement if loss > best_loss - tol
        monitor='val_score': no improvement if score < best_score + tol

    When more than ``n_iter_no_change`` consecutive epochs show no improvement,
    training stops, or, with ``reduce_lr`` (sklearn's ``learning_rate='adaptive'``)
    the learning rate is divided by ``factor`` and counting starts again, until
    the rate is at most ``min_lr``. With ``restore_best`` the weights of the best
    validation score are put back at the end (sklearn's early stopping).

    Parameters
    ----------
    monitor : {'loss', 'val_score', 'val_loss'}, default='loss'
    tol : float, default=1e-4
    n_iter_no_change : int or inf, default=10
    reduce_lr : bool, default=False
    factor : float, default=5.0
    min_lr : float, default=1e-6
    restore_best : bool, default=False
    """

    def __init__(
        self,
        monitor: str = "loss",
        tol: float = 1e-4,
        n_iter_no_change: float = 10,
        reduce_lr: bool = False,
        factor: float = 5.0,
        min_lr: float = 1e-6,
        restore_best: bool = False,
    ) -> None:
        self.monitor = monitor
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.reduce_lr = reduce_lr
        self.factor = factor
        self.min_lr = min_lr
        self.restore_best = restore_best

    @property
    def _higher_is_better(self) -> bool:
        return self.monitor == "val_score"

    def on_fit_begin(self, ctx, **kwargs):  # noqa: D102
        if not hasattr(self, "best_"):
            self.best_ = -np.inf if self._higher_is_better else np.inf
            self.count_ = 0
            # sklearn starts from the initial weights as the "best" ones.
            self.best_params_ = ctx.flat.copy() if self.restore_best else None

    def _improved(self, value: float) -> tuple[bool, bool]:
        """Return (counts as an improvement by tol, is a new best)."""
        tol = float(self.tol)
        if self._higher_is_better:
            return not value < self.best_ + tol, value > self.best_
        return not value > self.best_ - tol, value < self.best_

    def on_epoch_end(self, ctx, record, **kwargs):  # noqa: D102
        value = float(record[self.monitor])
        improved, is_best = self._improved(value)
        self.count_ = 0 if improved else self.count_ + 1
        if is_best:
            self.best_ = value
            if self.best_params_ is not None:
                np.copyto(self.best_params_, ctx.flat)
        if self.count_ <= self.n_iter_no_change:
            return False
        what = (
            "Validation score"
            if self.monitor == "val_score"
            else ("Validation loss" if self.monitor == "val_loss" else "Training loss")
        )
        msg = (
            f"{what} did not improve more than tol={float(self.tol):f} "
            f"for {self.n_iter_no_change} consecutive epochs."
        )
        lr = ctx.optimizer.current_lr()
        if self.reduce_lr and lr > float(self.min_lr):
            ctx.state.lr_multiplier /= float(self.factor)
            self.count_ = 0
            if ctx.verbose:
                print(f"{msg} Setting learning rate to {lr / float(self.factor):f}")
            return False
        ctx.stop_reason = msg
        if ctx.verbose:
            print(msg + " Stopping.")
        return True

    def on_fit_end(self, ctx, **kwargs):  # noqa: D102
        if self.restore_best and self.best_params_ is not None:
            np.copyto(ctx.flat, self.best_params_)


class ProgressBar(Callback):
    """A tqdm progress bar over epochs, showing the loss and validation score.

    Used by the estimators for ``verbose >= 2`` when tqdm is installed (the
    ``progress`` extra); can also be passed in ``callbacks``.

    Parameters
    ----------
    total : int or None, default=None
        Expected number of epochs (the estimator's ``max_iter``).
    """

    def __init__(self, total: int | None = None) -> None:
        self.total = total

    def on_fit_begin(self, ctx, **kwargs):  # noqa: D102
        try:
            from tqdm.auto import tqdm
        except ImportError as exc:  # pragma: no cover - depends on the extra
            raise ImportError(
                "ProgressBar needs tqdm: pip install 'sklearn-adamlp[progress]'"
            ) from exc
        self.bar_ = tqdm(total=self.total, unit="epoch", leave=False)

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
