"""Validation sets: a given ``validation_data`` or the early-stopping hold-out."""

from __future__ import annotations

import warnings

from sklearn_adamlp._estimators import _split, _weights


class ValidationSetMixin:
    """Build ``(X_val, Y_val, sw_val)`` and the function scoring it each epoch."""

    def _validation_arrays(self, validation_data):
        """Check ``validation_data = (X_val, y_val[, sample_weight_val])``."""
        if not isinstance(validation_data, tuple | list) or len(
            validation_data
        ) not in (2, 3):
            raise ValueError(
                "validation_data must be a tuple (X_val, y_val) or "
                f"(X_val, y_val, sample_weight_val); got {type(validation_data)}."
            )
        X_val, y_val, *rest = validation_data
        X_val = self._validated_X(X_val).astype(self._network.dtype, copy=False)
        Y_val = self._encode_target(y_val).astype(self._network.dtype, copy=False)
        if Y_val.shape[0] != X_val.shape[0]:
            raise ValueError(
                f"validation_data: X_val has {X_val.shape[0]} samples but y_val "
                f"has {Y_val.shape[0]}."
            )
        sw_val = None
        if rest and rest[0] is not None:
            sw_val = _weights.check_sample_weight(
                rest[0], X_val, X_val.dtype, name="sample_weight_val"
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
