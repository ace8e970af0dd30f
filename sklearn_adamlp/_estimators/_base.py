"""``BaseMLP``: scikit-learn's MLP parameters, validation and the fit driver.

The estimator holds no numerics: it validates, encodes the target, builds the
network, optimizer, schedule and stopping rule from the registries and hands them
to the training loop.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state

from sklearn_adamlp import activations, initializers, losses, schedules
from sklearn_adamlp._estimators import _build, _split
from sklearn_adamlp._estimators._views import FlatBufferMixin
from sklearn_adamlp._validation import (
    HasMethods,
    Interval,
    Options,
    StrOptions,
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)
from sklearn_adamlp.callbacks import Callback, NoImprovementStopping
from sklearn_adamlp.history import History
from sklearn_adamlp.network import Network
from sklearn_adamlp.optimizers import OPTIMIZERS
from sklearn_adamlp.regularizers import L2Penalty
from sklearn_adamlp.training import (
    TrainContext,
    TrainState,
    fit_minimizer,
    fit_stochastic,
)


class BaseMLP(FlatBufferMixin, BaseEstimator):
    """Base class of ``MLPClassifier`` and ``MLPRegressor`` (not for direct use)."""

    _parameter_constraints: ClassVar[dict] = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [
            StrOptions(activations.ACTIVATIONS.names()),
            activations.Activation,
            list,
            tuple,
        ],
        "solver": [
            StrOptions(OPTIMIZERS.names()),
            HasMethods(["step"]),
            HasMethods(["minimize"]),
        ],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto", "full"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [StrOptions(schedules.SCHEDULES.names()), schedules.Schedule],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "loss": [StrOptions(losses.LOSSES.names()), losses.Loss],
        "init": [
            StrOptions(initializers.INITIALIZERS.names()),
            initializers.Initializer,
            callable,
        ],
        "callbacks": [list, None],
        "dropout": [Interval(Real, 0, 1, closed="left"), list, tuple],
        "batch_norm": ["boolean"],
    }

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
            penalties=[L2Penalty(self.alpha)],
            dropout=self.dropout,
            batch_norm=self.batch_norm,
        )
        self.out_activation_ = loss.out_activation.name
        inits = _build.layer_initializers(self, len(units) - 1)
        self._flat = self._network.init_params(inits, rng)
        self._network.seed_dropout(rng)  # after the weights: same init as without
        self._grad = np.empty_like(self._flat)
        self._set_views()
        self._history = History()
        self._state = TrainState()
        self._stopper = None
        self.optimizer_ = None

    def _fit(self, X, y, sample_weight=None, incremental=False):
        first_pass = not hasattr(self, "_flat") or (
            not self.warm_start and not incremental
        )
        X, Y, loss = self._validate_input(X, y, incremental, reset=first_pass)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        rng = check_random_state(self.random_state)
        if first_pass:
            self._initialize(X, Y, loss, rng)
        else:
            self._check_continuation(X, Y)
        X = X.astype(self._network.dtype, copy=False)
        Y = Y.astype(self._network.dtype, copy=False)
        self._network.penalties = [L2Penalty(self.alpha)]
        optimizer = _build.carry_state(_build.build_optimizer(self), self.optimizer_)
        self.optimizer_ = optimizer
        if hasattr(optimizer, "minimize"):
            self._fit_minimizer(X, Y, sample_weight)
        else:
            self._fit_stochastic(X, Y, sample_weight, rng, incremental)
        self._set_fitted_attributes()
        return self

    def _check_continuation(self, X, Y) -> None:
        if Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {Y.shape[1]} outputs but the fitted network has "
                f"{self.n_outputs_}; fit again without warm_start to change it."
            )

    def _context(self, optimizer, rng, validate=None) -> TrainContext:
        return TrainContext(
            network=self._network,
            flat=self._flat,
            grad=self._grad,
            optimizer=optimizer,
            state=self._state,
            history=self._history,
            schedule=_build.build_schedule(self),
            callbacks=[self._stopper, *(self.callbacks or [])],
            rng=rng,
            verbose=bool(self.verbose),
            validate=validate,
        )

    def _fit_minimizer(self, X, Y, sample_weight) -> None:
        ctx = self._context(self.optimizer_, None)
        self.n_iter_, self.loss_ = fit_minimizer(
            ctx,
            X,
            Y,
            sample_weight,
            max_iter=self.max_iter,
            max_fun=self.max_fun,
            tol=self.tol,
        )

    def _fit_stochastic(self, X, Y, sample_weight, rng, incremental) -> None:
        validate = None
        if self.early_stopping and not incremental:  # partial_fit: no hold-out
            X, Y, sample_weight, validate = self._split_validation(
                X, Y, sample_weight, rng
            )
        if self._stopper is None:
            self._stopper = NoImprovementStopping(
                monitor="val_score" if validate is not None else "loss",
                tol=self.tol,
                n_iter_no_change=self.n_iter_no_change,
                reduce_lr=self.learning_rate == "adaptive",
                restore_best=validate is not None,
            )
        if self.shuffle and sp.issparse(X):
            X = X.tocsr()  # row gathering needs CSR (one conversion per fit)
        ctx = self._context(self.optimizer_, rng, validate)
        n = X.shape[0]
        batch_size = {"auto": min(200, n), "full": n}.get(
            self.batch_size, self.batch_size
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
        self.loss_ = (
            self._history.records[-1]["loss"] if self._history.records else np.nan
        )

    def _split_validation(self, X, Y, sample_weight, rng):
        """Hold out ``validation_fraction`` of the data for early stopping.

        Stratified for single-output classifiers (see ``_split.holdout``). Returns
        the training part and a function scoring the held-out part, or the data
        unchanged and None (with a warning) when fewer than 2 rows would be held
        out.
        """
        tr, sw_tr, va, sw_val, n_val = _split.holdout(
            X.shape[0],
            self._stratify_labels(Y),
            sample_weight,
            self.validation_fraction,
            rng,
            order=_split.canonical_order(X, Y),
        )
        if n_val < 2:
            warnings.warn(
                f"early_stopping needs at least 2 validation samples but "
                f"validation_fraction={self.validation_fraction} of "
                f"{X.shape[0]} samples holds out {n_val}; training without a "
                "validation set (stopping on the training loss).",
                UserWarning,
                stacklevel=4,
            )
            return X, Y, sample_weight, None
        dtype = self._network.dtype
        sw_tr = None if sw_tr is None else sw_tr.astype(dtype)
        sw_val = None if sw_val is None else sw_val.astype(dtype)
        X_val, Y_val = X[va], Y[va]
        net = self._network

        def validate(flat):
            raw, out = net.forward(flat, X_val)
            val_loss = net.loss.value(Y_val, raw, out, sw_val)
            return val_loss, self._score_output(out, Y_val, sw_val)

        return X[tr], Y[tr], sw_tr, validate

    def _stratify_labels(self, Y):
        """Labels to stratify the hold-out on (None: regressors, multilabel)."""
        return None

    def _set_fitted_attributes(self) -> None:
        frame = self._history.to_frame()
        self.history_ = frame
        self.loss_curve_ = frame["loss"].tolist()
        self.t_ = self._state.samples
        stopper = self._stopper
        if stopper is not None and stopper.monitor == "val_score":
            self.validation_scores_ = frame["val_score"].dropna().tolist()
            self.best_validation_score_ = stopper.best_
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = (
                stopper.best_
                if stopper is not None
                else min(self.loss_curve_, default=self.loss_)
            )

    # --- predict ------------------------------------------------------------------

    def _forward(self, X) -> np.ndarray:
        """Return the output activations for a validated ``X``."""
        check_is_fitted(self, "_flat")
        X = validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            dtype=(np.float64, np.float32),
            reset=False,
        )
        X = X.astype(self._network.dtype, copy=False)
        return self._network.predict(self._flat, X)

    def _validate_X_y(self, X, y, reset, y_numeric=False):
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
