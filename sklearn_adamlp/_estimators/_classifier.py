"""``MLPClassifier``: label encoding, output choice and probabilities."""

from __future__ import annotations

import functools
from typing import ClassVar

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import check_array, column_or_1d

from sklearn_adamlp import losses, parallel
from sklearn_adamlp._estimators import _weights
from sklearn_adamlp._estimators._base import BaseMLP, is_stepper
from sklearn_adamlp._validation import (
    StrOptions,
    check_is_fitted,
    check_partial_fit_first_call,
    fit_context,
)


class BalancedPartialFitError(AttributeError, ValueError):
    """``partial_fit`` with ``class_weight='balanced'``.

    An AttributeError, so that ``hasattr(clf, 'partial_fit')`` is False (as for
    ``solver='lbfgs'``), and a ValueError, as ``SGDClassifier`` raises.
    """


BALANCED_PARTIAL_FIT = (
    "class_weight 'balanced' is not supported for partial_fit. In order to use "
    "'balanced' weights, use compute_class_weight('balanced', classes=classes, "
    "y=y). In place of y you can use a large enough sample of the full training "
    "set target to properly estimate the class frequency distributions. Pass "
    "the resulting weights as the class_weight parameter."
)


class _PartialFit:
    """Descriptor of ``partial_fit``: hidden for 'balanced' and for minimizers.

    With ``class_weight='balanced'`` accessing it raises
    ``BalancedPartialFitError`` (scikit-learn's ``available_if`` would replace
    the message with "has no attribute"); otherwise ``available_if(is_stepper)``
    decides.
    """

    def __init__(self, method):
        self._inner = available_if(is_stepper)(method)
        functools.update_wrapper(self, method)

    def __get__(self, obj, owner=None):
        if obj is not None and obj.class_weight == "balanced":
            raise BalancedPartialFitError(BALANCED_PARTIAL_FIT)
        return self._inner.__get__(obj, owner)


class MLPClassifier(ClassifierMixin, BaseMLP):
    """Multilayer perceptron classifier, a drop-in for scikit-learn's.

    Every parameter of ``sklearn.neural_network.MLPClassifier`` exists here with the
    same default and meaning (see that class for the full text); the differences
    and additions are listed below.

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        Units of each hidden layer.
    activation : str or Activation, default='relu'
        Hidden activation: any name of ``sklearn_adamlp.activations.available()``.
    solver : str or optimizer object, default='adam'
        A name of ``sklearn_adamlp.optimizers.available()`` ('sgd', 'adam',
        'lbfgs', ...) or an optimizer object. A name takes ``learning_rate_init``,
        ``momentum``, ``nesterovs_momentum``, ``beta_1``, ``beta_2`` and
        ``epsilon`` from the estimator, at the values ``get_params`` shows (for
        every name: 'adadelta' runs at 0.001 unless you pass its 1.0; see
        docs/optimizers.md); an object (e.g. ``Adam(beta_1=0.8)``) is
        cloned at fit and keeps its own parameters, which GridSearchCV can tune
        as ``solver__beta_1``.
    alpha : float, default=0.0001
        L2 penalty ``0.5 * alpha * ||W||**2 / sum(sample_weight)`` (biases exempt).
    batch_size : int, 'auto' or 'full', default='auto'
        Mini-batch size; 'auto' is ``min(200, n_samples)``, 'full' the whole
        training set (batch gradient descent); 1 is stochastic gradient descent.
        Values above the number of samples are clipped to it.
    learning_rate : str or Schedule, default='constant'
        'constant', 'invscaling', 'adaptive' with sklearn's meanings, applied to
        every stepping solver (sklearn applies them to 'sgd' only), 'step',
        'exponential', 'plateau', 'cosine' (over ``max_iter`` epochs),
        'cosine_restarts', 'warmup', or a schedule object from
        ``sklearn_adamlp.schedules`` (e.g. ``Warmup(Cosine(T_max=50), epochs=5)``),
        tunable as ``learning_rate__T_max``. See docs/schedules.md.
    learning_rate_init : float, default=0.001
    power_t : float, default=0.5
    max_iter : int, default=200
    shuffle : bool, default=True
    random_state : int, RandomState instance or None, default=None
    tol : float, default=1e-4
    verbose : bool, default=False
    warm_start : bool, default=False
        Continue from the previous fit. Unlike scikit-learn, the optimizer's
        state (e.g. Adam's moments) carries on too.
    momentum : float, default=0.9
    nesterovs_momentum : bool, default=True
    early_stopping : bool, default=False
    validation_fraction : float, default=0.1
    beta_1 : float, default=0.9
    beta_2 : float, default=0.999
    epsilon : float, default=1e-8
    n_iter_no_change : int, default=10
    max_fun : int, default=15000
    loss : str or Loss, default='log_loss'
        Softmax cross-entropy for multiclass targets, sigmoid cross-entropy for
        binary and multilabel ones.
    init : str, Initializer or callable, default='sklearn'
        Weight initializer: a name of ``sklearn_adamlp.initializers.available()``,
        an initializer object, or ``f(shape, rng, dtype) -> ndarray``. 'sklearn'
        reproduces scikit-learn's starting weights for a given ``random_state``.
    callbacks : list of Callback or None, default=None
        Objects whose hooks run at fit begin, each epoch's end and fit end; an
        ``on_epoch_end`` returning True stops training.
    monitor : {'val_score', 'val_loss'}, default='val_score'
        What early stopping watches on the validation set: the score (accuracy,
        sklearn's behaviour) or the loss.
    l1 : float, default=0.0
        L1 penalty ``l1 * sum(|W|) / sum(sample_weight)`` (biases exempt),
        scaled like ``alpha``; with ``alpha`` it is the elastic net. Works with
        every solver.
    weight_decay : float, default=0.0
        Decoupled weight decay ``W *= 1 - lr * weight_decay`` after every step,
        for any stepping solver (biases exempt). Not the same as an optimizer
        object's own ``weight_decay``, which is L2-coupled (added to the
        gradient) except in ``AdamW``; see docs/regularization.md.
    max_norm : float or None, default=None
        After every step, rescale each unit's incoming weight vector (each
        column of each ``coefs_[l]``) to norm at most ``max_norm``.
    clip_norm : float or None, default=None
        Before every step, scale the whole gradient (weights and biases) down to
        norm at most ``clip_norm``.
    gradient_noise : float, default=0.0
        Add Gaussian noise of variance ``gradient_noise / (1 + t)**0.55`` to the
        gradient before step ``t`` (0, 1, ...), drawn from ``random_state``.

        ``weight_decay``, ``max_norm``, ``clip_norm`` and ``gradient_noise`` act
        around each optimizer step: with ``solver='lbfgs'`` fit raises a
        ValueError (``alpha`` and ``l1`` work there).
    snapshot_ensemble : bool, default=False
        Keep the weights at the end of every cycle of a restarts schedule
        ('cosine_restarts') and average, in ``predict``, ``predict_proba`` and
        ``decision_function``, the outputs of the final weights and of the
        last ``ensemble_size_ - 1`` snapshots (Huang et al. 2017), the number
        that scores best on the validation set (training data without one),
        so the ensemble never scores below the final weights there. Needs a
        schedule with restarts (ValueError otherwise).
    curriculum : {'easy_first'} or None, default=None
        'easy_first' (Bengio et al. 2009): after a first epoch over all
        samples, rank them by their loss and train on the easiest
        ``k / curriculum_epochs`` of them in the ``k``-th following epoch,
        widening to all. Ignored by ``partial_fit``.
    curriculum_epochs : int, default=10
        Epochs, after the first, until the curriculum admits every sample.
    dropout : float or list of float, default=0.0
        Inverted dropout rate in [0, 1) of the hidden-layer activations, one
        value for all hidden layers or one per hidden layer. Training passes only:
        kept units are scaled by ``1 / (1 - p)``, prediction is deterministic and
        unscaled. Masks hash each row's values with a salt from a generator
        seeded from ``random_state`` (equal rows share a mask, so integer
        ``sample_weight`` equals repeating rows). See ``docs/layers.md``.
    batch_norm : bool, default=False
        Batch-normalize every hidden layer's pre-activations (Ioffe & Szegedy
        2015) with learnable ``gamma``/``beta`` (stored after the biases in the
        flat buffer, exempt from ``alpha``). Batch statistics are weighted by
        ``sample_weight``; prediction and validation scores use running
        statistics (momentum 0.1). A batch of one row uses the running statistics.
    parallel : str, ParallelStrategy or None, default=None
        Run the epochs of a stepping solver over several workers:
        'hogwild' (lock-free updates of shared weights), 'downpour' (replicas
        pushing updates to a parameter server) or 'easgd' (replicas held to a
        center by an elastic force), or a strategy object from
        ``sklearn_adamlp.parallel`` (tunable as ``parallel__n_workers``).
        Worker processes share the weights in memory; results depend on their
        timing, so they are not reproducible run to run. See docs/parallel.md.
    class_weight : dict, list of dict, 'balanced' or None, default=None
        Weights of the classes, as in scikit-learn's other classifiers: row
        ``i`` of class ``c`` weighs ``sample_weight[i] * class_weight[c]`` in
        the loss and in the early-stopping hold-out's score and loss (the
        hold-out itself is drawn without them). A dict ``{label: weight}``
        (missing classes weigh 1); 'balanced': ``w_c = sum(s) / (k *
        sum_{y_i = c} s_i)`` over the ``k`` classes of ``y`` (with ``s`` the
        sample weights, or ones: ``n_samples / (k * np.bincount(y))``), computed
        at each ``fit``. Multilabel: 'balanced' or a list of dicts, one per label
        with keys 0 and 1; the weights of the labels multiply, as in
        ``sklearn.utils.class_weight.compute_sample_weight``. ``partial_fit``
        raises for 'balanced' (as ``SGDClassifier``). Given ``validation_data``
        is weighed too.

    Attributes
    ----------
    classes_, loss_, best_loss_, loss_curve_, validation_scores_,
    best_validation_score_, t_, coefs_, intercepts_, n_features_in_,
    feature_names_in_, n_iter_, n_layers_, n_outputs_, out_activation_
        As in scikit-learn. ``coefs_`` and ``intercepts_`` are views into one
        flat parameter buffer.
    history_ : pandas.DataFrame
        One row per epoch: epoch, loss, val_loss, val_score, learning_rate,
        seconds.
    optimizer_ : optimizer object
        The fitted optimizer, with its state (moments, step count).
    snapshots_ : list of ndarray
        Flat parameter copies kept by ``snapshot_ensemble`` (empty when off).
    n_snapshots_ : int
        ``len(snapshots_)``.
    ensemble_size_ : int
        Number of weight sets ``predict`` averages with ``snapshot_ensemble``:
        the final weights and the last ``ensemble_size_ - 1`` snapshots (one
        equal to the final weights counted once). See docs/schedules.md.
    """

    _parameter_constraints: ClassVar[dict] = {
        **BaseMLP._parameter_constraints,
        "class_weight": [StrOptions({"balanced"}), dict, list, None],
    }

    def __init__(
        self,
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
        loss="log_loss",
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
        class_weight=None,
    ):
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
        self.loss = loss
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
        self.class_weight = class_weight

    def _validate_input(self, X, y, incremental, reset):
        X, y = self._validate_X_y(X, y, reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        Y = None
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            Y = self._one_hot_known(y, X.dtype)
            if Y is None:
                self._check_known_classes(y)
        loss = losses.LOSSES.build(self.loss)
        if loss.task != "classification":
            raise ValueError(
                f"loss={self.loss!r} is a regression loss; MLPClassifier takes "
                "'log_loss' or another classification loss."
            )
        loss = loss.specialize(self._label_binarizer.y_type_)
        if Y is None:
            Y = self._label_binarizer.transform(y).astype(X.dtype)
        return X, Y, loss

    def _one_hot_known(self, y, dtype):
        """``LabelBinarizer.transform(y)`` for labels already known, fast.

        scikit-learn's ``transform`` re-derives the target type on every call
        (about 1 ms, several times a ``partial_fit`` step on a small batch). For
        a binary or multiclass target whose labels are all in ``classes_`` (and
        all present, under ``warm_start``), a sorted search gives the same
        matrix: row ``i`` has a one in column ``searchsorted(classes_, y_i)``
        (binary: one column, one for ``classes_[1]``). Returns None when that
        does not apply, so the checked path runs and raises its usual errors.
        """
        classes = self.classes_
        lb = self._label_binarizer
        if (
            y.ndim != 1
            or len(classes) < 2
            or lb.y_type_ not in ("binary", "multiclass")
        ):
            return None
        try:
            idx = np.searchsorted(classes, y)
            found = classes[np.minimum(idx, len(classes) - 1)] == y
        except TypeError:  # labels that do not order against the classes
            return None
        if not (isinstance(found, np.ndarray) and found.all()):
            return None
        if self.warm_start and len(np.unique(idx)) != len(classes):
            return None  # a class is missing: warm_start raises
        if lb.y_type_ == "binary":
            return (idx == 1).astype(dtype).reshape(-1, 1)
        Y = np.zeros((len(idx), len(classes)), dtype=dtype)
        Y[np.arange(len(idx)), idx] = 1
        return Y

    def _encode_target(self, y):
        """Label-indicator matrix of ``y`` (validation targets: known classes)."""
        y = check_array(y, ensure_2d=False, dtype=None, input_name="y_val")
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        fitted = self._label_binarizer.y_type_
        kind = type_of_target(y, input_name="y_val")
        if kind.startswith("multilabel") != fitted.startswith("multilabel"):
            raise ValueError(
                f"y_val is a {kind} target but the model was fitted on a "
                f"{fitted} target."
            )
        unknown = np.setdiff1d(unique_labels(y), self.classes_)
        if len(unknown):
            raise ValueError(
                f"y_val has classes not in `self.classes_`: {unknown}. "
                f"`self.classes_` has {self.classes_}."
            )
        return self._label_binarizer.transform(y)

    def _check_known_classes(self, y) -> None:
        classes = unique_labels(y)
        if self.warm_start and not _same_classes(classes, self.classes_):
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as in "
                f"the previous call to fit. Previously got {self.classes_}, "
                f"`y` has {classes}"
            )
        unknown = np.setdiff1d(classes, self.classes_, assume_unique=True)
        if len(unknown):
            raise ValueError(
                f"`y` has classes not in `self.classes_`: {unknown}. "
                f"`self.classes_` has {self.classes_}."
            )

    def _multilabel(self) -> bool:
        return self._label_binarizer.y_type_.startswith("multilabel")

    def _stratify_labels(self, Y):
        """Class of each row; None for multilabel targets (as scikit-learn)."""
        return None if self._multilabel() else _weights.class_index(Y)

    def _class_weights(self, Y, sample_weight) -> _weights.ClassWeights | None:
        """``f(Y) -> per-row class weights`` from ``class_weight`` and this fit."""
        return _weights.class_weights(
            self.class_weight, self.classes_, Y, self._multilabel(), sample_weight
        )

    def _score_output(self, out, Y, sample_weight) -> float:
        """Accuracy of outputs ``out`` against the encoded target ``Y``."""
        if not np.isfinite(out).all():
            return np.nan
        y_pred = self._decode(out)
        y_true = self._labels(Y, 0.5)  # the encoded target: ones and zeros
        # accuracy_score's rule (exact match per row, weighted mean) without
        # its per-call target checks, ~1 ms: a quarter of a digits epoch
        correct = y_true == y_pred
        if correct.ndim == 2:
            correct = correct.all(axis=1)
        if sample_weight is None:
            return float(np.average(correct))
        if np.sum(sample_weight) > 0:
            return float(np.average(correct, weights=sample_weight))
        return accuracy_score(y_true, y_pred, sample_weight=sample_weight)

    def _decode(self, out):
        """Class labels of the network's outputs ``out``."""
        # 0.5 for probabilities, 0 for raw scores (hinge)
        threshold = getattr(self._network.loss, "threshold", None)
        return self._labels(out, 0.5 if threshold is None else threshold)

    def _labels(self, out, threshold: float):
        """``LabelBinarizer.inverse_transform(out, threshold)``, lean.

        Its rule: multiclass, ``classes_[argmax(out, axis=1)]``; binary,
        ``classes_[out > threshold]``. scikit-learn's version re-checks types
        through its array API layer on every call, about 130 us, twice a
        one-row forward pass; other targets (multilabel) still go through it.
        """
        classes = self.classes_
        kind = self._label_binarizer.y_type_
        if kind == "multiclass":
            return classes[out.argmax(axis=1)]
        if kind == "binary" and len(classes) == 2:
            return classes[(out.reshape(-1) > threshold).astype(np.intp)]
        if self.n_outputs_ == 1:
            out = out.ravel()
        return self._label_binarizer.inverse_transform(out, threshold=threshold)

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
        """Fit the model to ``X`` and the class labels ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            Labels, or a label indicator matrix for multilabel.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the per-sample losses: the loss is
            ``sum_i s_i L_i / sum_i s_i``. Non-negative and not all zero
            (ValueError otherwise); 0 masks a row, and with early stopping
            integer weights count as repeated rows (docs/training.md).
        validation_data : tuple (X_val, y_val) or (X_val, y_val, sw_val), default=None
            A validation set, scored after every epoch (``history_`` columns
            ``val_loss`` and ``val_score``, ``validation_scores_``). With
            ``early_stopping=True`` it replaces the ``validation_fraction``
            hold-out: training stops on its ``monitor`` and restores the best
            weights.

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
        self : MLPClassifier
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

    @_PartialFit
    @fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the model with one epoch over ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_classes)
        sample_weight : array-like of shape (n_samples,), default=None
        classes : array of shape (n_classes,), default=None
            All the classes; required on the first call.

        Returns
        -------
        self : MLPClassifier
        """
        if check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def predict(self, X):
        """Predict class labels for ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            A dask array or DataFrame gives a lazy dask array, one block per
            row chunk (docs/distributed.md).

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        if type(X) is not np.ndarray and parallel.is_dask(X):
            return parallel.lazy_output(self, "predict", X)
        return self._decode(self._forward(X))

    def _has_proba(self):
        if not _probabilistic(self.loss):
            raise AttributeError(
                f"probability estimates are not available for loss={self.loss!r}"
            )
        return True

    def _has_scores(self):
        if _probabilistic(self.loss):
            raise AttributeError(
                f"decision_function is not available for loss={self.loss!r}; "
                "use predict_proba"
            )
        return True

    @available_if(_has_scores)
    def decision_function(self, X):
        """Raw output scores for ``X`` (losses without probabilities, e.g. hinge).

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            A dask array or DataFrame gives a lazy dask array, one block per
            row chunk (docs/distributed.md).

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For a binary target, the score of ``classes_[1]`` (positive means
            that class), as scikit-learn's linear classifiers.
        """
        if type(X) is not np.ndarray and parallel.is_dask(X):
            return parallel.lazy_output(self, "decision_function", X)
        out = self._forward(X)
        return out.ravel() if self.n_outputs_ == 1 else out

    @available_if(_has_proba)
    def predict_proba(self, X):
        """Probability of each class for each sample of ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            A dask array or DataFrame gives a lazy dask array, one block per
            row chunk (docs/distributed.md).

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            In the order of ``classes_``.
        """
        if type(X) is not np.ndarray and parallel.is_dask(X):
            return parallel.lazy_output(self, "predict_proba", X)
        out = self._forward(X)
        if self.n_outputs_ == 1:
            out = out.ravel()
            return np.vstack([1 - out, out]).T
        return out

    @available_if(_has_proba)
    def predict_log_proba(self, X):
        """Log of ``predict_proba(X)``.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            A dask array or DataFrame gives a lazy dask array, one block per
            row chunk (docs/distributed.md).

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        if type(X) is not np.ndarray and parallel.is_dask(X):
            return parallel.lazy_output(self, "predict_log_proba", X)
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(proba, out=proba)

    def score(self, X, y, sample_weight=None):
        """Accuracy of ``predict(X)`` against ``y``, as scikit-learn's classifiers.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_classes)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
            ``sum_i s_i [y_pred_i = y_i] / sum_i s_i`` (a multilabel row counts
            when all its labels match). Dask arguments are computed into memory,
            the predictions, ``y`` and the weights together, once.
        """
        if any(parallel.is_dask(v) for v in (X, y, sample_weight)):
            return parallel.computed_score(self, accuracy_score, X, y, sample_weight)
        return super().score(X, y, sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


def _probabilistic(loss) -> bool:
    try:
        return bool(losses.get(loss).probabilistic)
    except (ValueError, AttributeError):  # invalid loss: fit will say so
        return True


def _same_classes(a, b) -> bool:
    return set(a.tolist()) == set(np.asarray(b).tolist())


__all__ = ["MLPClassifier", "check_is_fitted"]
