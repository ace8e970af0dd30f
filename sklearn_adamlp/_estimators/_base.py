"""``BaseMLP``: scikit-learn's MLP parameters, validation and the fit driver.

The estimator holds no numerics: it validates, encodes the target, builds the
network, optimizer, schedule and stopping rule from the registries and hands them
to the training loop.
"""

from __future__ import annotations

import warnings
from functools import partial
from numbers import Integral
from typing import ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator

from sklearn_adamlp import dropout, parallel, regularizers, schedules
from sklearn_adamlp._estimators import _build, _snapshots, _weights
from sklearn_adamlp._estimators._constraints import (
    PARAMETER_CONSTRAINTS,
    check_callbacks,
)
from sklearn_adamlp._estimators._dtype import cast_input
from sklearn_adamlp._estimators._persist import PersistMixin, bind_callbacks
from sklearn_adamlp._estimators._progress import Progress
from sklearn_adamlp._estimators._sk_callbacks import SklearnCallbackBridge
from sklearn_adamlp._estimators._validation_sets import ValidationSetMixin
from sklearn_adamlp._estimators._views import FlatBufferMixin
from sklearn_adamlp._validation import (
    CallbackSupportMixin,
    check_is_fitted,
    validate_data,
)
from sklearn_adamlp.callbacks import Callback, ProgressBar
from sklearn_adamlp.layout import aligned_empty
from sklearn_adamlp.network import Network, products_propagate_nonfinite
from sklearn_adamlp.training import (
    TrainContext,
    fit_minimizer,
    fit_stochastic,
)

#: up to this many values (a dozen rows of 784), predict checks a plain ``X``
#: for NaN and inf by its sum rather than in the first layer (see ``_forward``)
SUM_CHECK_SIZE = 10_000


def is_stepper(est) -> bool:
    """``available_if`` check of ``partial_fit``: a stepping optimizer is needed."""
    if _build.is_minimizer(est.solver):
        raise AttributeError(
            f"partial_fit is only available for stochastic optimizers. "
            f"{est.solver!r} is not stochastic."
        )
    return True


def _weighed(X, Y, sample_weight, class_weights, what="training data"):
    """``(X, Y, sample_weight * class weights of Y)``, the weights the loss sees.

    ``class_weights`` maps ``Y`` to per-row class weights (None: none). Raises
    a ValueError when the product is zero for every row of ``what``.
    """
    sw = _weights.weigh(sample_weight, class_weights, Y, X.dtype)
    if sw is not None and not sw.any():
        raise ValueError(
            f"sample_weight times the class weights is zero for every row of "
            f"the {what}: it carries no data. Give some class a positive "
            "class_weight."
        )
    return X, Y, sw


class BaseMLP(
    ValidationSetMixin,
    CallbackSupportMixin,
    PersistMixin,
    FlatBufferMixin,
    BaseEstimator,
):
    """Base class of ``MLPClassifier`` and ``MLPRegressor`` (not for direct use)."""

    _parameter_constraints: ClassVar[dict] = PARAMETER_CONSTRAINTS

    # fitted state whose type a first assignment (None) would not tell
    _progress: Progress
    best_loss_: float | None
    best_validation_score_: float | None

    # --- fit --------------------------------------------------------------------

    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        if any(not isinstance(s, Integral | np.integer) or s <= 0 for s in sizes):
            raise ValueError(
                f"hidden_layer_sizes must be positive integers, got {sizes}."
            )
        return [int(s) for s in sizes]

    def _initialize(self, X, Y, loss, rng) -> None:
        """Build the network and a fresh flat buffer (first fit only)."""
        hidden = self._hidden_sizes()
        units = [X.shape[1], *hidden, Y.shape[1]]
        self.n_outputs_ = Y.shape[1]
        self.n_layers_ = len(units)
        self._network = Network(
            units,
            _build.hidden_activations(self, len(hidden)),
            loss,
            dtype=X.dtype,
            penalties=regularizers.penalties(self.alpha, self.l1),
            dropout=self.dropout,
            batch_norm=self.batch_norm,
        )
        self.out_activation_ = loss.out_activation.name
        inits = _build.layer_initializers(self, len(units) - 1)
        self._flat = self._network.init_params(inits, rng)
        _build.check_finite_init(self, self._flat, self._network.layout)
        self._network.seed_dropout(rng)  # after the weights: same init as without
        self._set_views()
        self._progress = Progress(rng=rng)  # what later fits continue
        self.optimizer_ = None

    def _fit(self, X, y, sample_weight=None, incremental=False, validation_data=None):
        # dask input stays on the cluster (sklearn_adamlp.parallel)
        with parallel.remote_input(self, X, y, sample_weight, validation_data) as (
            X,
            y,
            sample_weight,
            validation_data,
        ):
            return self._run_fit(X, y, sample_weight, incremental, validation_data)

    def _run_fit(self, X, y, sample_weight, incremental, validation_data):
        first_pass = not hasattr(self, "_flat") or (
            not self.warm_start and not incremental
        )
        check_callbacks(self.callbacks)
        self._check_step_regularizers()
        self._check_parallel()
        X, Y, loss = self._validate_input(X, y, incremental, reset=first_pass)
        data = (X, y)  # what scikit-learn's callbacks see
        sample_weight = _weights.check_sample_weight(sample_weight, X, X.dtype)
        class_weights = self._class_weights(Y, sample_weight)
        rng = self._fit_rng(first_pass)
        if first_pass:
            self._initialize(X, Y, loss, rng)
        else:
            self._check_continuation(X, Y)
        X = cast_input(X, self._network.dtype)
        Y = cast_input(Y, self._network.dtype, "y")
        self._network.penalties = regularizers.penalties(self.alpha, self.l1)
        optimizer = _build.carry_state(_build.build_optimizer(self), self.optimizer_)
        self.optimizer_ = optimizer
        val = None
        if validation_data is not None:
            X_val, Y_val, sw_val = self._validation_arrays(validation_data)
            self._warn_if_scaled_otherwise(X, X_val)
            val = _weighed(X_val, Y_val, sw_val, class_weights, "validation data")
        schedule = _build.build_schedule(self)  # the one schedule of this fit
        _build.check_schedule_options(self, optimizer, schedule)
        if hasattr(optimizer, "minimize"):
            X, Y, sample_weight = _weighed(X, Y, sample_weight, class_weights)
            self._fit_minimizer(X, Y, sample_weight, val, data)
        else:
            _build.check_weight_decay(
                self, optimizer, schedule, self._progress.state, X.shape[0], incremental
            )
            self._fit_stochastic(
                (X, Y, sample_weight),
                rng,
                incremental,
                val,
                class_weights,
                schedule,
                data,
            )
        self._set_fitted_attributes()
        return self

    def _class_weights(self, Y, sample_weight) -> _weights.ClassWeights | None:
        """``f(Y) -> per-row class weights`` for this fit (None: no class weights)."""
        return None

    def _step_params(self) -> dict:
        return {name: getattr(self, name) for name in regularizers.STEP_PARAMS}

    def _check_parallel(self) -> None:
        """Parallel SGD splits mini-batches: it needs a stepping solver."""
        if self.parallel is not None and _build.is_minimizer(self.solver):
            raise ValueError(
                f"parallel={self.parallel!r} splits the mini-batches of a stepping "
                f"solver ('sgd', 'adam', ...) over workers, but solver="
                f"{self.solver!r} is a full-batch minimizer. Choose a stepping "
                "solver or parallel=None."
            )

    def _check_step_regularizers(self) -> None:
        """Step transforms need a stepping solver; L-BFGS takes penalties only."""
        active = regularizers.active_step_params(self._step_params())
        if active and _build.is_minimizer(self.solver):
            given = ", ".join(f"{n}={getattr(self, n)!r}" for n in active)
            raise ValueError(
                f"{given}: applied around each step of a stepping optimizer "
                f"('sgd', 'adam', ...), but solver={self.solver!r} is a full-batch "
                f"minimizer. Turn {' and '.join(active)} off or choose a stepping "
                "solver; alpha and l1 (penalties in the objective) work with any."
            )

    def _check_continuation(self, X, Y) -> None:
        """Refuse what would change the network a warm start continues.

        A warm-started fit or partial_fit continues the network the first fit
        built; a changed output count, ``batch_norm`` or ``dropout`` raises
        instead of being silently ignored.
        """
        net = self._network
        changed = []
        if Y.shape[1] != self.n_outputs_:
            changed.append(f"y has {Y.shape[1]} outputs, not {self.n_outputs_}")
        if bool(self.batch_norm) != net.batch_norm:
            changed.append(f"batch_norm={self.batch_norm!r}")
        n_hidden = len(net.activations)
        if dropout.layer_rates(self.dropout, n_hidden) != net.dropout_rates:
            changed.append(f"dropout={self.dropout!r}")
        if changed:
            raise ValueError(
                f"{'; '.join(changed)}: the fitted network was built otherwise; "
                "fit again without warm_start (or a new estimator) to change it."
            )

    def _context(
        self,
        optimizer,
        rng,
        schedule,
        callbacks,
        validate=None,
        sampler=None,
        parallel_strategy=None,
    ) -> TrainContext:
        """Build this fit's ``TrainContext``, complete."""
        return TrainContext(
            network=self._network,
            flat=self._flat,
            grad=aligned_empty(self._flat.size, self._flat.dtype),  # work buffer
            optimizer=optimizer,
            state=self._progress.state,
            history=self._progress.history,
            schedule=schedule,
            callbacks=callbacks,
            rng=rng,
            verbose=bool(self.verbose) and not self._progress_bar(),
            validate=validate,
            transforms=regularizers.step_transforms(self._step_params(), rng),
            sampler=sampler,
            parallel=parallel_strategy,
        )

    def _progress_bar(self) -> bool:
        """Whether ``verbose >= 2`` shows a tqdm bar (tqdm installed)."""
        if int(self.verbose) < 2:
            return False
        try:
            import tqdm  # noqa: F401
        except ImportError:
            return False
        return True

    def _callback_list(self, stochastic: bool, data: tuple) -> list:
        """List the stopping rule, user callbacks, progress bar, sklearn's.

        ``data`` is the fit's ``(X, y)`` as given, for scikit-learn's callbacks.
        """
        found = self._progress.fit_callbacks() if stochastic else []
        found += bind_callbacks(self, self.callbacks)
        if self._progress_bar():
            unit = "epoch" if stochastic else "iteration"
            found.append(ProgressBar(total=self.max_iter, leave=True, unit=unit))
        if getattr(self, "_skl_callbacks", None):
            context = self._init_callback_context(
                max_subtasks=self.max_iter if stochastic else None
            )
            found.append(SklearnCallbackBridge(self, context, *data))
        return found

    def _fit_minimizer(self, X, Y, sample_weight, val, data) -> None:
        validate = None if val is None else self._validation_function(*val)
        schedule = schedules.Constant()  # a minimizer has no learning rate
        ctx = self._context(
            self.optimizer_, None, schedule, self._callback_list(False, data), validate
        )
        self.n_iter_, self.loss_ = fit_minimizer(
            ctx,
            X,
            Y,
            sample_weight,
            max_iter=self.max_iter,
            max_fun=self.max_fun,
            tol=self.tol,
        )

    def _fit_stochastic(
        self, train, rng, incremental, val, class_weights, schedule, data
    ) -> None:
        X, Y, sample_weight = train
        if val is None and self.early_stopping and not incremental:
            # partial_fit holds nothing out
            X, Y, sample_weight, val = self._split_validation(
                X, Y, sample_weight, self._split_rng(rng)
            )
            # class weights weigh both parts; they do not decide the hold-out
            if val is not None:
                X_val, Y_val, sw_val = val
                val = _weighed(X_val, Y_val, sw_val, class_weights, "hold-out")
        X, Y, sample_weight = _weighed(X, Y, sample_weight, class_weights)
        validate = None if val is None else self._validation_function(*val)
        progress = self._progress
        if progress.stopper is None:
            progress.stopper, progress.schedule_callbacks = _build.stopping_callbacks(
                self, validate, schedule
            )
        if self.shuffle and sp.issparse(X):
            X = X.tocsr()  # row gathering needs CSR (one conversion per fit)
        ctx = self._context(
            self.optimizer_,
            rng,
            schedule,
            self._callback_list(True, data),
            validate,
            sampler=None if incremental else _build.build_curriculum(self),
            parallel_strategy=parallel.build(self.parallel),
        )
        n = X.shape[0]
        batch_size: int = (
            {"auto": min(200, n), "full": n}[self.batch_size]
            if isinstance(self.batch_size, str)  # validated: 'auto' or 'full'
            else self.batch_size
        )
        if batch_size > n:
            warnings.warn(
                f"Got `batch_size`={batch_size} larger than the {n} training "
                "samples. It is going to be clipped.",
                UserWarning,
                stacklevel=4,
            )
        self.n_iter_ = fit_stochastic(
            ctx,
            X,
            Y,
            sample_weight,
            batch_size=int(np.clip(batch_size, 1, n)),
            max_iter=self.max_iter,
            shuffle=self.shuffle,
            incremental=incremental,
        )
        hist = progress.history
        self.loss_ = hist.last()["loss"] if len(hist) else np.nan
        self.snapshots_, self._snapshot_running = _build.snapshots(
            progress.schedule_callbacks
        )
        self.n_snapshots_ = len(self.snapshots_)
        self._select_snapshots(*((X, Y, sample_weight) if val is None else val))

    def _select_snapshots(self, X, Y, sample_weight) -> None:
        """Choose the snapshots ``predict`` averages with the final weights.

        The last ``m - 1`` snapshots, with ``m`` maximizing the score of the
        averaged outputs on ``(X, Y)`` (``_snapshots``); ``ensemble_size_`` is
        ``m``.
        """
        net = self._network
        self._ensemble = (
            _snapshots.select(
                lambda flat, running: net.predict(flat, X, running),
                lambda out: self._score_output(out, Y, sample_weight),
                self._flat,
                net.running,
                self.snapshots_,
                self._snapshot_running,
            )
            if self.snapshots_
            else []
        )
        self.ensemble_size_ = 1 + len(self._ensemble)

    def _set_fitted_attributes(self) -> None:
        self.__dict__.pop("_history_frame", None)  # history_ is rebuilt on access
        progress = self._progress
        hist = progress.history
        self.t_ = progress.state.samples
        stopper = progress.stopper
        # O(1) without validation scores: a partial_fit stream reads no column
        scored = hist.has("val_score")
        if stopper is not None and stopper.monitor != "loss":
            self.best_loss_ = None
            if stopper.monitor == "val_score":
                self.best_validation_score_ = stopper.best_
            else:  # the score of the epoch with the lowest validation loss
                val_loss = hist.column("val_loss")
                val_loss[~np.isfinite(val_loss)] = np.inf
                best = int(np.argmin(val_loss)) if np.isfinite(val_loss).any() else None
                self.best_validation_score_ = (
                    None if best is None else float(hist.column("val_score")[best])
                )
            return
        self.best_validation_score_ = hist.max_val_score if scored else None
        if stopper is not None:
            self.best_loss_ = stopper.best_
        else:
            losses = hist.column("loss")
            self.best_loss_ = float(losses.min()) if len(losses) else self.loss_

    def _fitted_history(self, name: str):
        progress = self.__dict__.get("_progress")
        if progress is None or "n_iter_" not in self.__dict__:
            raise AttributeError(
                f"This {type(self).__name__} instance is not fitted yet: "
                f"{name} is set by fit."
            )
        return progress.history

    @property
    def loss_curve_(self) -> list:
        """List: the training loss of every epoch (``history_['loss']``).

        As in scikit-learn, one list that later epochs (``partial_fit``,
        warm starts) extend in place. The history stores the values in a
        numpy column; the list is built on first access.
        """
        return self._fitted_history("loss_curve_").losses

    @property
    def validation_scores_(self) -> list | None:
        """List or None: the validation score of every scored epoch."""
        return self._fitted_history("validation_scores_").val_scores or None

    @property
    def history_(self):
        """pandas.DataFrame: one row per epoch (see ``sklearn_adamlp.history``).

        Built from the training records on first access (a DataFrame costs more
        to build than a small fit's epochs), and again after further fitting.
        """
        hist = self._fitted_history("history_")
        frame = self.__dict__.get("_history_frame")
        if frame is None or len(frame) != len(hist):
            frame = self._history_frame = hist.to_frame()
        return frame

    # --- predict ------------------------------------------------------------------

    def _forward(self, X) -> np.ndarray:
        """Return the output activations for ``X`` (validated here).

        With a snapshot ensemble, the average of the outputs of the final
        weights and the snapshots ``_select_snapshots`` chose. A plain
        array (``_is_plain``) skips ``validate_data``. A large one is checked for
        NaN and inf in the first layer of the pass (``Network.forward``'s
        ``on_nonfinite``, which then runs the full validation and so raises
        scikit-learn's error), a fraction of the cost of a pass over ``X``; a
        small one by its sum (``_validated_X``), cheaper than that check's
        fixed ~4 us.
        """
        if (
            self._is_plain(X)
            and X.size > SUM_CHECK_SIZE
            and products_propagate_nonfinite(X.dtype)
        ):
            on_nonfinite = partial(self._checked_X, X)
        else:
            X, on_nonfinite = self._validated_X(X), None
        if X.dtype != self._network.dtype:  # float64 -> float32: range checked
            X = cast_input(X, self._network.dtype)
        net = self._network
        out = net.predict(self._flat, X, on_nonfinite=on_nonfinite)
        members = getattr(self, "_ensemble", None)
        if not (self.snapshot_ensemble and members):
            return out
        for i in members:  # average with the chosen snapshots' outputs
            out += net.predict(self.snapshots_[i], X, self._snapshot_running[i])
        out /= 1 + len(members)
        return out

    def _is_plain(self, X) -> bool:
        """Whether ``X`` needs no ``validate_data`` beyond a NaN/inf check.

        sklearn's ``validate_data`` costs ~100 us, more than a one-row forward
        pass. Plain: a C-contiguous float ndarray of the fitted width, with at
        least one row, for a fitted estimator without feature names.
        """
        return (
            type(X) is np.ndarray
            and X.ndim == 2
            and X.dtype in (np.float64, np.float32)
            and X.shape[0] > 0
            and X.shape[1] == getattr(self, "n_features_in_", -1)
            and X.flags.c_contiguous
            and not hasattr(self, "feature_names_in_")
            and hasattr(self, "_flat")
        )

    def _validated_X(self, X):
        """``X`` checked for a forward pass (e.g. validation data).

        A plain array (``_is_plain``) whose sum is finite (so it holds no NaN
        or inf) is used as is; anything else goes through ``_checked_X``.
        """
        if self._is_plain(X) and np.isfinite(X.sum()):
            return X
        return self._checked_X(X)

    def _checked_X(self, X):
        """``X`` through sklearn's ``validate_data`` (raises its errors)."""
        check_is_fitted(self, "_flat")
        return validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            dtype=(np.float64, np.float32),
            reset=False,
        )

    def _validate_X_y(self, X, y, reset, y_numeric=False):
        """``(X, y)`` checked for fitting; a lean path for continuing a fit.

        ``validate_data`` costs ~0.4 ms, more than a ``partial_fit`` step on a
        small batch. When a fit continues (``reset=False``), a plain ``X``
        (``_is_plain``) with a finite sum and a 1-D numeric or boolean ndarray
        ``y`` of the same length, finite, are used as they are; anything else
        goes through ``validate_data`` and its errors.
        """
        if (
            not reset
            and self._is_plain(X)
            and type(y) is np.ndarray
            and y.ndim == 1
            and y.shape[0] == X.shape[0]
            and y.dtype.kind in "biuf"
            and np.isfinite(X.sum())
            and (y.dtype.kind != "f" or np.isfinite(y.sum()))
        ):
            return X, y
        return validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            dtype=(np.float64, np.float32),
            y_numeric=y_numeric,
            reset=reset,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


__all__ = ["BaseMLP", "Callback"]
