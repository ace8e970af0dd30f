"""Validation sets: a given ``validation_data`` or the early-stopping hold-out."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.utils import check_array

from sklearn_adamlp._estimators import _split
from sklearn_adamlp._validation import _check_sample_weight, validate_data


class ValidationSetMixin:
    """Build ``(X_val, Y_val, sw_val)`` and the function scoring it each epoch."""

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
        if sw_val is not None:
            sw_val = _check_sample_weight(
                sw_val, X_val, dtype=X_val.dtype, ensure_non_negative=True
            )
        return X_val, Y_val, sw_val

    def _split_validation(self, X, Y, sample_weight, rng):
        """Hold out ``validation_fraction`` of the data for early stopping.

        Stratified for single-output classifiers (see ``_split.holdout``). Returns
        the training part and the held-out ``(X_val, Y_val, sw_val)``, or the data
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
                stacklevel=5,
            )
            return X, Y, sample_weight, None
        dtype = self._network.dtype
        sw_tr = None if sw_tr is None else sw_tr.astype(dtype)
        sw_val = None if sw_val is None else sw_val.astype(dtype)
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
