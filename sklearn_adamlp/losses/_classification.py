"""Classification losses: log loss (softmax/sigmoid) and hinge (multiclass/binary)."""

from __future__ import annotations

import numpy as np

from sklearn_adamlp.activations import ACTIVATIONS, SOFTMAX
from sklearn_adamlp.losses._base import LOSSES, Loss, weighted_mean, wide


class SoftmaxCrossEntropy(Loss):
    """Softmax cross-entropy for one-hot targets (the course notes).

    ::

        p = softmax(raw)
        L_i = -sum_k y_ik * log(p_ik) = logsumexp(raw_i) - sum_k y_ik * raw_ik
        dL_i/d raw_i = p_i - y_i

    For one-hot ``y`` (true class ``c``) the value is ``L_i = -log(p_ic)``,
    which is >= 0 in floating point (a probability is <= 1) and accurate to
    the last bit of ``p_ic``. Where ``p_ic`` is too small to carry full
    precision (below ``sqrt(tiny)``), the row is computed as
    ``(m_i - raw_ic) + log(sum_k exp(raw_ik - m_i))`` with ``m_i = max_k
    raw_ik``, two terms >= 0. The form ``sum_i logsumexp(raw_i) -
    sum_ik y_ik raw_ik`` subtracts two sums of the size of ``raw`` and came out
    negative for raw outputs near 1e11. Values are accumulated in float64.
    """

    name = "log_loss"
    task = "classification"
    out_activation = SOFTMAX

    def per_sample(self, y, raw, out):
        return _softmax_ce(y, raw, SOFTMAX.forward(raw, out=np.empty_like(raw)))

    def output_value(self, y, raw, out, sample_weight=None):
        SOFTMAX.forward(raw, out=out)
        return weighted_mean(_softmax_ce(y, raw, out), sample_weight)


_FLOOR: dict = {}


def _softmax_ce(y, raw, p):
    """Per-sample ``-log(p_ic)`` in float64; see ``SoftmaxCrossEntropy``."""
    p_c = wide(np.einsum("ij,ij->i", y, p))
    floor = _FLOOR.get(p.dtype.char)
    if floor is None:
        floor = _FLOOR[p.dtype.char] = float(np.sqrt(np.finfo(p.dtype).tiny))
    small = p_c < floor  # False for NaN: a NaN output gives a NaN loss
    fix = small.any()
    loss = np.log(np.maximum(p_c, floor) if fix else p_c)
    np.negative(loss, out=loss)
    if fix:  # the log-sum-exp form, shifted by each row's maximum
        r = wide(raw[small])
        m = r.max(axis=1)
        gap = m - np.einsum("ij,ij->i", wide(y[small]), r)
        loss[small] = gap + np.log(np.exp(r - m[:, None]).sum(axis=1))
    return loss


class SigmoidCrossEntropy(Loss):
    """Binary cross-entropy per output (binary and multilabel targets).

    ::

        p = 1 / (1 + exp(-raw))
        L_i = sum_k log(1 + exp(raw_ik)) - y_ik * raw_ik
            = sum_k (max(raw_ik, 0) - y_ik * raw_ik) + log1p(exp(-|raw_ik|))
        dL_i/d raw_i = p_i - y_i

    The value is computed in the last form (in float64): for ``y`` in {0, 1}
    the first term is exactly 0 or ``|raw|``, and the second keeps the small
    loss of a confident, correct output that ``logaddexp(0, raw) - raw``
    rounds to 0.
    """

    name = "log_loss"
    task = "classification"
    out_activation = ACTIVATIONS.get("logistic")

    def per_sample(self, y, raw, out):
        margin = np.maximum(raw, 0.0) - y * raw
        margin += np.log1p(np.exp(-np.abs(raw)))
        return margin.sum(axis=1)


@LOSSES.register("log_loss")
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


@LOSSES.register("hinge")
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
