"""Loss functions, each paired with the output activation of its canonical link.

A loss object offers

- ``out_activation``: the output activation it is paired with;
- ``value(y, raw, out, sample_weight)``: the sample-weighted mean loss, computed from
  the raw output ``raw = z_L`` (for numerical stability) and ``out = phi_out(raw)``;
- ``gradient(y, raw, out, grad)``: the per-sample ``dL_i/d raw_i`` written into
  ``grad``, not yet weighted or averaged (the network does that once).

For every canonical pair here ``dL_i/d raw_i = out_i - y_i``, so the softmax or
sigmoid Jacobian is never formed. Values match scikit-learn's, except that the
squared error is summed over outputs (see ``SquaredError``).
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp, xlogy

from sklearn_adamlp._registry import Registry
from sklearn_adamlp._typing import FloatArray
from sklearn_adamlp.activations import ACTIVATIONS, EXP, SOFTMAX, Activation

LOSSES = Registry("loss")
register = LOSSES.register
get = LOSSES.get
available = LOSSES.available


def _weighted_mean(per_sample: FloatArray, sample_weight: FloatArray | None) -> float:
    if sample_weight is None:
        return float(per_sample.mean())
    return float(np.dot(per_sample, sample_weight) / sample_weight.sum())


class Loss:
    """Base class of the losses.

    Attributes
    ----------
    name : str
        Registry name.
    task : {'classification', 'regression'}
        Which estimator the loss belongs to.
    out_activation : Activation
        Output activation paired with the loss.
    """

    name: str = ""
    task: str = "regression"
    out_activation: Activation

    def specialize(self, y_type: str) -> Loss:
        """Return the loss to use for a target of type ``y_type``.

        ``y_type`` is sklearn's ``type_of_target``; most losses return themselves.
        """
        return self

    def value(self, y, raw, out, sample_weight=None) -> float:
        """Sample-weighted mean of the per-sample loss."""
        return _weighted_mean(self.per_sample(y, raw, out), sample_weight)

    def per_sample(self, y, raw, out) -> FloatArray:
        """Loss of each sample (summed over outputs)."""
        raise NotImplementedError

    def gradient(self, y, raw, out, grad: FloatArray) -> FloatArray:
        """Write ``dL_i/d raw_i`` into ``grad``: ``out - y`` for canonical links."""
        return np.subtract(out, y, out=grad)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __reduce__(self) -> tuple:
        return (type(self), ())


class SoftmaxCrossEntropy(Loss):
    """Softmax cross-entropy for one-hot targets (seed 002, 003).

    ::

    p = softmax(raw)
    L_i = -sum_k y_ik * log(p_ik) = logsumexp(raw_i) - sum_k y_ik * raw_ik
    dL_i/d raw_i = p_i - y_i
    """

    name = "log_loss"
    task = "classification"
    out_activation = SOFTMAX

    def per_sample(self, y, raw, out):  # noqa: D102
        return logsumexp(raw, axis=1) - np.einsum("ij,ij->i", y, raw)


class SigmoidCrossEntropy(Loss):
    """Binary cross-entropy per output (binary and multilabel targets).

    ::

    p = 1 / (1 + exp(-raw))
    L_i = sum_k log(1 + exp(raw_ik)) - y_ik * raw_ik
    dL_i/d raw_i = p_i - y_i
    """

    name = "log_loss"
    task = "classification"
    out_activation = ACTIVATIONS.get("logistic")

    def per_sample(self, y, raw, out):  # noqa: D102
        return (np.logaddexp(0.0, raw) - y * raw).sum(axis=1)


class LogLoss(Loss):
    """Log loss (cross-entropy): softmax for multiclass, sigmoid otherwise.

    ``specialize`` picks ``SoftmaxCrossEntropy`` for a multiclass target and
    ``SigmoidCrossEntropy`` for binary and multilabel targets, as scikit-learn's
    MLPClassifier does.
    """

    name = "log_loss"
    task = "classification"
    out_activation = SOFTMAX

    def specialize(self, y_type: str) -> Loss:  # noqa: D102
        if y_type == "multiclass":
            return SoftmaxCrossEntropy()
        return SigmoidCrossEntropy()

    def per_sample(self, y, raw, out):  # noqa: D102
        return self.specialize("multiclass").per_sample(y, raw, out)


class SquaredError(Loss):
    """Half squared error, summed over outputs.

    ::

        L_i = 0.5 * sum_k (out_ik - y_ik)**2,    out = raw
        dL_i/d raw_i = out_i - y_i

    scikit-learn reports the mean over outputs but descends the sum; we report the
    function we descend, so ``loss_`` is ``n_outputs`` times sklearn's for
    multi-output targets (identical for one output) and L-BFGS sees a consistent
    value and gradient.
    """

    name = "squared_error"
    task = "regression"
    out_activation = ACTIVATIONS.get("identity")

    def per_sample(self, y, raw, out):  # noqa: D102
        diff = out - y
        return 0.5 * np.einsum("ij,ij->i", diff, diff)


class Poisson(Loss):
    """Half Poisson deviance with the log link (sklearn's ``loss='poisson'``).

    ::

    out = exp(raw)
    L_i = sum_k y_ik * log(y_ik / out_ik) - y_ik + out_ik
    dL_i/d raw_i = out_i - y_i
    """

    name = "poisson"
    task = "regression"
    out_activation = EXP

    def per_sample(self, y, raw, out):  # noqa: D102
        return (xlogy(y, y) - y * raw - y + out).sum(axis=1)


for _loss in (LogLoss(), SquaredError(), Poisson()):
    register(_loss.name)(_loss)
