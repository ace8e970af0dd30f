"""Classification losses: log loss (softmax/sigmoid) and hinge (multiclass/binary)."""

from __future__ import annotations

import numpy as np

from sklearn_adamlp.activations import ACTIVATIONS, SOFTMAX, softmax_lse
from sklearn_adamlp.losses._base import Loss, _weighted_mean


class SoftmaxCrossEntropy(Loss):
    """Softmax cross-entropy for one-hot targets (the course notes).

    ::

        p = softmax(raw)
        L_i = -sum_k y_ik * log(p_ik) = logsumexp(raw_i) - sum_k y_ik * raw_ik
        dL_i/d raw_i = p_i - y_i
    """

    name = "log_loss"
    task = "classification"
    out_activation = SOFTMAX

    def per_sample(self, y, raw, out):
        # logsumexp written out: scipy's costs 4x more on mini-batches (benchmarks/)
        mx = raw.max(axis=1, keepdims=True)
        lse = np.log(np.exp(raw - mx).sum(axis=1)) + mx[:, 0]
        return lse - np.einsum("ij,ij->i", y, raw)

    def output_value(self, y, raw, out, sample_weight=None):
        # one pass: the softmax's row sums give logsumexp(raw_i) for free
        lse = softmax_lse(raw, out)
        if sample_weight is None:  # mean(lse_i) - sum_ik y_ik raw_ik / n
            return float((np.add.reduce(lse) - np.vdot(y, raw)) / raw.shape[0])
        lse -= np.einsum("ij,ij->i", y, raw)
        return _weighted_mean(lse, sample_weight)


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

    def per_sample(self, y, raw, out):
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

    def specialize(self, y_type: str) -> Loss:
        if y_type == "multiclass":
            return SoftmaxCrossEntropy()
        return SigmoidCrossEntropy()

    def per_sample(self, y, raw, out):
        return self.specialize("multiclass").per_sample(y, raw, out)


class MulticlassHinge(Loss):
    """Multiclass SVM (Weston-Watkins) hinge loss on raw scores (the course notes).

    With one-hot ``y_i`` of true class ``c`` and scores ``s = raw_i``::

        L_i = sum_{j != c} max(0, s_j - s_c + 1)
        dL_i/ds_j = 1[s_j - s_c + 1 > 0]              for j != c
        dL_i/ds_c = -sum_{j != c} 1[s_j - s_c + 1 > 0]

    (a subgradient: 0 is taken where a margin is exactly 0).

    References
    ----------
    Weston & Watkins (1999), "Support vector machines for multi-class pattern
    recognition", ESANN; CS231n lecture 3 (the course notes).
    """

    name = "hinge"
    task = "classification"
    out_activation = ACTIVATIONS.get("identity")
    threshold = 0.0

    @staticmethod
    def _margins(y, raw):
        m = raw - np.einsum("ij,ij->i", y, raw)[:, None] + 1
        m *= 1 - y  # the true class contributes no margin
        return m

    def per_sample(self, y, raw, out):
        return np.maximum(self._margins(y, raw), 0).sum(axis=1)

    def gradient(self, y, raw, out, grad):
        np.greater(self._margins(y, raw), 0, out=grad)
        grad -= y * grad.sum(axis=1, keepdims=True)
        return grad


class BinaryHinge(Loss):
    """Binary hinge loss per output (binary and multilabel targets).

    With ``y`` in {0, 1} and ``t = 2 * y - 1`` in {-1, +1}::

        L_i = sum_k max(0, 1 - t_ik * raw_ik)
        dL_i/d raw_ik = -t_ik if t_ik * raw_ik < 1 else 0

    References
    ----------
    Cortes & Vapnik (1995), "Support-vector networks", Machine Learning.
    """

    name = "hinge"
    task = "classification"
    out_activation = ACTIVATIONS.get("identity")
    threshold = 0.0

    def per_sample(self, y, raw, out):
        t = 2 * y - 1
        return np.maximum(1 - t * raw, 0).sum(axis=1)

    def gradient(self, y, raw, out, grad):
        t = 2 * y - 1
        np.negative(t, out=grad)
        grad[t * raw >= 1] = 0
        return grad


class Hinge(Loss):
    """Hinge loss: multiclass SVM loss, or binary hinge per output.

    ``specialize`` picks ``MulticlassHinge`` for a multiclass target and
    ``BinaryHinge`` for binary and multilabel targets. The output activation is
    the identity: outputs are raw scores (``decision_function``), a binary score
    above 0 means the positive class, and there are no probabilities.
    """

    name = "hinge"
    task = "classification"
    out_activation = ACTIVATIONS.get("identity")
    threshold = 0.0

    def specialize(self, y_type: str) -> Loss:
        if y_type == "multiclass":
            return MulticlassHinge()
        return BinaryHinge()

    def per_sample(self, y, raw, out):
        return MulticlassHinge().per_sample(y, raw, out)

    def gradient(self, y, raw, out, grad):
        return MulticlassHinge().gradient(y, raw, out, grad)
