"""``MLPRegressor``: single- and multi-output regression."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_array, column_or_1d

from sklearn_adamlp import losses, parallel
from sklearn_adamlp._estimators._base import BaseMLP, is_stepper
from sklearn_adamlp._estimators._dtype import cast_input
from sklearn_adamlp._validation import fit_context


class MLPRegressor(RegressorMixin, BaseMLP):
    """Multilayer perceptron regressor, a drop-in for scikit-learn's.

    Takes every parameter of ``sklearn.neural_network.MLPRegressor`` with the same
    default and meaning, plus the parameters of ``MLPClassifier`` that go further
    (``init``, ``callbacks``, ``monitor``, ``l1``, ``weight_decay``, ``max_norm``,
    ``clip_norm``, ``gradient_noise``, ``snapshot_ensemble``, ``curriculum``,
    ``curriculum_epochs``, ``dropout``, ``batch_norm``, ``parallel``), with the
    meanings given there, and ``fit(validation_data=)``.

    Parameters
    ----------
    loss : str or Loss, default='squared_error'
        'squared_error' (half squared error, summed over outputs), 'poisson'
        (half Poisson deviance with a log link: targets must be non-negative),
        'absolute_error' or 'huber' (or a ``losses.Huber(delta=...)`` object).
    learning_rate : str or Schedule, default='constant'
        A name of ``sklearn_adamlp.schedules.available()`` or a schedule object;
        see ``MLPClassifier`` and docs/schedules.md.
    callbacks : list of Callback or None, default=None
        As in ``MLPClassifier``.
    snapshot_ensemble : bool, default=False
        Keep the weights at the end of every cycle of a restarts schedule and
        average the predictions of the final weights and of the last snapshots
        that score best (Huang et al. 2017); see ``MLPClassifier``.
    curriculum : {'easy_first'} or None, default=None
        Easiest samples first, widening to all (Bengio et al. 2009).
    curriculum_epochs : int, default=10
        Epochs, after the first, until the curriculum admits every sample.
    dropout : float or list of float, default=0.0
        Inverted dropout on hidden activations during training.
    batch_norm : bool, default=False
        Batch normalization of hidden pre-activations.
    parallel : str, ParallelStrategy or None, default=None
        Parallel SGD over worker processes, as in ``MLPClassifier``.

    Attributes
    ----------
    loss_, best_loss_, loss_curve_, validation_scores_, best_validation_score_,
    t_, coefs_, intercepts_, n_features_in_, feature_names_in_, n_iter_,
    n_layers_, n_outputs_, out_activation_, history_, optimizer_, snapshots_,
    n_snapshots_, ensemble_size_
        As in ``MLPClassifier``.
    """

    _parameter_constraints: ClassVar[dict] = {**BaseMLP._parameter_constraints}

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        init="sklearn",
        callbacks=None,
        monitor="val_score",
        l1=0.0,
        weight_decay=0.0,
        max_norm=None,
        clip_norm=None,
        gradient_noise=0.0,
        snapshot_ensemble=False,
        curriculum=None,
        curriculum_epochs=10,
        dropout=0.0,
        batch_norm=False,
        parallel=None,
    ):
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.init = init
        self.callbacks = callbacks
        self.monitor = monitor
        self.l1 = l1
        self.weight_decay = weight_decay
        self.max_norm = max_norm
        self.clip_norm = clip_norm
        self.gradient_noise = gradient_noise
        self.snapshot_ensemble = snapshot_ensemble
        self.curriculum = curriculum
        self.curriculum_epochs = curriculum_epochs
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.parallel = parallel

    def _validate_input(self, X, y, incremental, reset):
        X, y = self._validate_X_y(X, y, reset, y_numeric=True)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        loss = losses.LOSSES.build(self.loss)
        if loss.task != "regression":
            raise ValueError(
                f"loss={self.loss!r} is a classification loss; MLPRegressor takes "
                f"one of the regression losses: 'squared_error', 'poisson', ..."
            )
        _check_target_domain(loss, y, "y")
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        return X, cast_input(Y, X.dtype, "y"), loss

    def _encode_target(self, y):
        """2-D float targets (validation targets)."""
        y = check_array(y, ensure_2d=False, dtype="numeric", input_name="y_val")
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        if Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y_val has {Y.shape[1]} outputs, the model {self.n_outputs_}."
            )
        _check_target_domain(self._network.loss, Y, "y_val")
        return Y

    def _score_output(self, out, Y, sample_weight) -> float:
        """R^2 of outputs ``out`` against ``Y``."""
        if not np.isfinite(out).all():
            return np.nan
        return r2_score(Y, out, sample_weight=sample_weight)

    @fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X,
        y,
        sample_weight=None,
        validation_data=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Fit the model to ``X`` and the targets ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative, not all zero; see ``MLPClassifier.fit``.
        validation_data : tuple (X_val, y_val) or (X_val, y_val, sw_val), default=None
            A validation set scored after every epoch; see ``MLPClassifier.fit``.

        X_val, y_val : array-like, default=None
            The validation set as two arguments (with ``sample_weight_val``),
            as ``HistGradientBoostingClassifier.fit`` takes it; the same as
            ``validation_data=(X_val, y_val, sample_weight_val)``. In a
            ``Pipeline``, ``Pipeline(..., transform_input=["X_val"])`` passes
            ``X_val`` through the earlier steps (metadata routing enabled and
            ``set_fit_request(X_val=True, y_val=True)``; see docs/training.md).
        sample_weight_val : array-like of shape (n_val,), default=None

        Returns
        -------
        self : MLPRegressor
        """
        return self._fit(
            X,
            y,
            sample_weight=sample_weight,
            incremental=False,
            validation_data=self._validation_data(
                validation_data, X_val, y_val, sample_weight_val
            ),
        )

    @available_if(is_stepper)
    @fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with one epoch over ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : MLPRegressor
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def predict(self, X):
        """Predict targets for ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            A dask array or DataFrame gives a lazy dask array, one block per
            row chunk (docs/distributed.md).

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        if type(X) is not np.ndarray and parallel.is_dask(X):
            return parallel.lazy_output(self, "predict", X)
        out = self._forward(X)
        return out.ravel() if self.n_outputs_ == 1 else out

    def score(self, X, y, sample_weight=None):
        """R^2 of ``predict(X)`` against ``y``, as scikit-learn's regressors.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
            ``1 - sum_i s_i (y_i - y_pred_i)^2 / sum_i s_i (y_i - ybar)^2`` with
            ``ybar`` the weighted mean (uniform average over outputs). Dask
            arguments are computed into memory, the predictions, ``y`` and the
            weights together, once.
        """
        if any(parallel.is_dask(v) for v in (X, y, sample_weight)):
            return parallel.computed_score(self, r2_score, X, y, sample_weight)
        return super().score(X, y, sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.positive_only = self.loss == "poisson"
        return tags


def _check_target_domain(loss, y, name: str) -> None:
    """Raise ``ValueError`` for targets outside the loss's domain."""
    if loss.name == "poisson" and np.any(y < 0):
        raise ValueError(f"loss='poisson' requires non-negative {name}.")
