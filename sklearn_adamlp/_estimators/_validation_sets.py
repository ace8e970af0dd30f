"""Validation sets: a given ``validation_data`` or the early-stopping hold-out."""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_array

from sklearn_adamlp._estimators import _split, _weights
from sklearn_adamlp._validation import validate_data

#: a feature is "off" when its validation mean lies more than this many training
#: standard deviations from the training mean, or its validation spread is more
#: than this many times the training one
SCALE_RATIO = 10.0
#: rows of each set used for the statistics (evenly spaced), and the fewest
#: validation rows the check needs
SCALE_ROWS, SCALE_MIN_ROWS = 2000, 5


def scale_mismatch(X, X_val) -> tuple[int, int]:
    """Count features whose validation scale is grossly off the training one.

    With ``m, s`` the training mean and standard deviation of a feature and
    ``m_v, s_v`` the validation ones, the feature is off when::

        |m_v - m| > SCALE_RATIO * s   or   s_v > SCALE_RATIO * s

    Returns ``(off, compared)`` over the features that vary in training
    (``s > 0``); ``(0, 0)`` for sparse input or fewer than ``SCALE_MIN_ROWS``
    validation rows. Up to ``SCALE_ROWS`` evenly spaced rows of each set are
    used, so the cost is bounded whatever the data size.
    """
    if sp.issparse(X) or sp.issparse(X_val) or X_val.shape[0] < SCALE_MIN_ROWS:
        return 0, 0

    def stats(A):
        A = np.asarray(A[:: max(1, A.shape[0] // SCALE_ROWS)], dtype=np.float64)
        return A.mean(axis=0), A.std(axis=0)

    (m, s), (m_v, s_v) = stats(X), stats(X_val)
    varies = s > 0
    bound = SCALE_RATIO * s[varies]
    off = (np.abs(m_v - m)[varies] > bound) | (s_v[varies] > bound)
    return int(off.sum()), int(varies.sum())


class ValidationSetMixin:
    """Build ``(X_val, Y_val, sw_val)`` and the function scoring it each epoch."""

    @staticmethod
    def _validation_data(validation_data, X_val, y_val, sample_weight_val):
        """One ``validation_data`` tuple from ``fit``'s two ways of giving it."""
        split = X_val is not None or y_val is not None or sample_weight_val is not None
        if not split:
            return validation_data
        if validation_data is not None:
            raise ValueError(
                "Give the validation set either as validation_data=(X_val, y_val) "
                "or as X_val=, y_val=, not both."
            )
        if X_val is None or y_val is None:
            missing = "X_val" if X_val is None else "y_val"
            raise ValueError(
                f"{missing} is missing: X_val and y_val are given together."
            )
        return (X_val, y_val, sample_weight_val)

    def _validation_arrays(self, validation_data):
        """Check ``validation_data = (X_val, y_val[, sample_weight_val])``.

        As strictly as ``fit`` checks ``(X, y, sample_weight)``: finite values,
        the fitted feature count (and names), the fitted target shape, known
        class labels, the loss's target domain (e.g. non-negative for
        'poisson'), non-negative weights of the right length. Any problem
        raises a ``ValueError`` starting with "validation_data:".
        """
        if not isinstance(validation_data, tuple | list) or len(
            validation_data
        ) not in (2, 3):
            kind = type(validation_data).__name__
            size = (
                f" of length {len(validation_data)}"
                if isinstance(validation_data, tuple | list)
                else ""
            )
            raise ValueError(
                "validation_data must be a tuple (X_val, y_val) or "
                f"(X_val, y_val, sample_weight_val); got a {kind}{size}."
            )
        try:
            return self._checked_validation_set(*validation_data)
        except ValueError as exc:
            raise ValueError(f"validation_data: {exc}") from exc

    def _warn_if_scaled_otherwise(self, X, X_val) -> None:
        """Warn when most features of ``X_val`` are grossly off ``X``'s scale.

        The usual cause: ``validation_data`` given to the last step of a
        ``Pipeline`` (``pipe.fit(X, y, mlp__validation_data=...)``) reaches it
        untransformed while ``X`` went through the scaler. Off for more than
        half of the varying features (see ``scale_mismatch``) is far beyond
        what a shift between honest training and validation sets gives.
        """
        off, compared = scale_mismatch(X, X_val)
        if compared and off > compared / 2:
            warnings.warn(
                f"validation_data looks scaled differently from the training X "
                f"this estimator sees: for {off} of {compared} features its mean "
                f"is more than {SCALE_RATIO:g} training standard deviations off "
                f"or its spread more than {SCALE_RATIO:g} times wider. In a "
                "Pipeline, validation_data given to the last step is not "
                "transformed by the earlier steps: pass X_val=, y_val= with "
                "Pipeline(..., transform_input=['X_val']) and metadata routing "
                "enabled (see the estimator's fit docstring).",
                UserWarning,
                stacklevel=5,
            )

    def _checked_validation_set(self, X_val, y_val, sw_val=None):
        # feature count and names against the fitted ones, then the values
        # (check_array names the input: "Input X_val contains NaN.")
        sparse = ["csr", "csc"]
        X_val = validate_data(
            self,
            X_val,
            accept_sparse=sparse,
            dtype=(np.float64, np.float32),
            reset=False,
            ensure_all_finite=False,
        )
        X_val = check_array(X_val, accept_sparse=sparse, input_name="X_val")
        X_val = X_val.astype(self._network.dtype, copy=False)
        Y_val = self._encode_target(y_val).astype(self._network.dtype, copy=False)
        if Y_val.shape[0] != X_val.shape[0]:
            raise ValueError(
                f"X_val has {X_val.shape[0]} samples but y_val has {Y_val.shape[0]}."
            )
        sw_val = _weights.check_sample_weight(
            sw_val, X_val, X_val.dtype, name="sample_weight_val"
        )
        return X_val, Y_val, sw_val

    def _split_validation(self, X, Y, sample_weight, rng):
        """Hold out ``validation_fraction`` of the data for early stopping.

        Stratified on the classes for single-output classifiers; weights decide
        how many virtual rows each sample is (see ``_split``). Returns the
        training part and the held-out ``(X_val, Y_val, sw_val)``, or the data
        unchanged and None (with a warning) when fewer than 2 rows would be held
        out.
        """
        parts, n_val = _split.holdout(
            self._stratify_labels(Y),
            sample_weight,
            self.validation_fraction,
            rng,
            order=_split.canonical_order(X, Y),
        )
        if parts is None:
            warnings.warn(
                "early_stopping needs at least 2 validation samples and 1 "
                f"training sample, but validation_fraction="
                f"{self.validation_fraction} of {X.shape[0]} samples holds out "
                f"{n_val}; training without a "
                "validation set (stopping on the training loss).",
                UserWarning,
                stacklevel=5,
            )
            return X, Y, sample_weight, None
        tr, sw_tr, va, sw_val = parts
        dtype = self._network.dtype
        sw_tr = None if sw_tr is None else _weights.unit_as_none(sw_tr.astype(dtype))
        sw_val = None if sw_val is None else _weights.unit_as_none(sw_val.astype(dtype))
        return X[tr], Y[tr], sw_tr, (X[va], Y[va], sw_val)

    def _validation_function(self, X_val, Y_val, sw_val):
        """Return ``validate(flat) -> (val_loss, val_score)`` on a fixed set."""
        net = self._network

        def validate(flat):
            raw, out = net.forward(flat, X_val)
            val_loss = net.loss.value(Y_val, raw, out, sw_val)
            return val_loss, self._score_output(out, Y_val, sw_val)

        return validate

    def _stratify_labels(self, Y):
        """Labels to stratify the hold-out on (None: regressors, multilabel)."""
        return None
