"""Loss functions, each paired with the output activation of its canonical link.

A loss object offers

- ``out_activation``: the output activation it is paired with;
- ``value(y, raw, out, sample_weight)``: the sample-weighted mean loss, computed from
  the raw output ``raw = z_L`` (for numerical stability) and ``out = phi_out(raw)``;
- ``gradient(y, raw, out, grad)``: the per-sample ``dL_i/d raw_i`` written into
  ``grad``, not yet weighted or averaged (the network does that once).

For every canonical pair here ``dL_i/d raw_i = out_i - y_i``, so the softmax or
sigmoid Jacobian is never formed. Values match scikit-learn's, except that the
squared error is summed over outputs (see ``SquaredError``). Non-smooth losses
(hinge, absolute error, Huber's outer part) write a subgradient.

Classification losses also say how outputs become labels: ``threshold`` is the
cut on ``out`` for binary and multilabel targets (0.5 for probabilities, 0 for
the hinge's raw scores) and ``probabilistic`` whether ``out`` are probabilities
(``predict_proba`` exists only then).
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp, xlogy

from sklearn_adamlp._params import Parametrized
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


class Loss(Parametrized):
    """Base class of the losses.

    Hyper-parameters (e.g. Huber's ``delta``) follow the estimator constructor
    rules, so ``loss=Huber(delta=2.0)`` is cloned and tuned as ``loss__delta``.

    Attributes
    ----------
    name : str
        Registry name.
    task : {'classification', 'regression'}
        Which estimator the loss belongs to.
    out_activation : Activation
        Output activation paired with the loss.
    threshold : float
        Classification only: a binary or multilabel output ``out > threshold``
        means the positive class.
    """

    name: str = ""
    task: str = "regression"
    out_activation: Activation
    threshold: float = 0.5

    @property
    def probabilistic(self) -> bool:
        """Whether the outputs are class probabilities (softmax or sigmoid)."""
        return self.out_activation.name in ("softmax", "logistic")

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

    def __reduce__(self) -> tuple:
        return (type(self), (), self.__dict__.copy() or None)


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


class MulticlassHinge(Loss):
    """Multiclass SVM (Weston-Watkins) hinge loss on raw scores (seed 002).

    With one-hot ``y_i`` of true class ``c`` and scores ``s = raw_i``::

        L_i = sum_{j != c} max(0, s_j - s_c + 1)
        dL_i/ds_j = 1[s_j - s_c + 1 > 0]              for j != c
        dL_i/ds_c = -sum_{j != c} 1[s_j - s_c + 1 > 0]

    (a subgradient: 0 is taken where a margin is exactly 0).

    References
    ----------
    Weston & Watkins (1999), "Support vector machines for multi-class pattern
    recognition", ESANN; CS231n lecture 3 (seed 002).
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

    def per_sample(self, y, raw, out):  # noqa: D102
        return np.maximum(self._margins(y, raw), 0).sum(axis=1)

    def gradient(self, y, raw, out, grad):  # noqa: D102
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

    def per_sample(self, y, raw, out):  # noqa: D102
        t = 2 * y - 1
        return np.maximum(1 - t * raw, 0).sum(axis=1)

    def gradient(self, y, raw, out, grad):  # noqa: D102
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

    def specialize(self, y_type: str) -> Loss:  # noqa: D102
        if y_type == "multiclass":
            return MulticlassHinge()
        return BinaryHinge()

    def per_sample(self, y, raw, out):  # noqa: D102
        return MulticlassHinge().per_sample(y, raw, out)

    def gradient(self, y, raw, out, grad):  # noqa: D102
        return MulticlassHinge().gradient(y, raw, out, grad)


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


class AbsoluteError(Loss):
    """Absolute error, summed over outputs (its minimizer is the median).

    ::

        L_i = sum_k |out_ik - y_ik|,    out = raw
        dL_i/d raw_i = sign(out_i - y_i)        (subgradient 0 at out = y)
    """

    name = "absolute_error"
    task = "regression"
    out_activation = ACTIVATIONS.get("identity")

    def per_sample(self, y, raw, out):  # noqa: D102
        return np.abs(out - y).sum(axis=1)

    def gradient(self, y, raw, out, grad):  # noqa: D102
        np.subtract(out, y, out=grad)
        return np.sign(grad, out=grad)


class Huber(Loss):
    """Huber loss, summed over outputs: quadratic near 0, linear beyond ``delta``.

    With ``r = out - y`` (``out = raw``)::

        L_i = sum_k 0.5 * r_ik**2                      if |r_ik| <= delta
                    delta * (|r_ik| - 0.5 * delta)     otherwise
        dL_i/d raw_i = clip(r_i, -delta, delta)

    Parameters
    ----------
    delta : float, default=1.0
        Residual size where the loss turns from quadratic to linear (> 0).

    References
    ----------
    Huber (1964), "Robust estimation of a location parameter", Ann. Math. Stat.
    """

    name = "huber"
    task = "regression"
    out_activation = ACTIVATIONS.get("identity")

    def __init__(self, delta: float = 1.0) -> None:
        self.delta = delta

    def per_sample(self, y, raw, out):  # noqa: D102
        delta = float(self.delta)
        r = np.abs(out - y)
        quad = np.minimum(r, delta)
        # 0.5 * q**2 + delta * (r - q) equals both branches of the definition.
        return (0.5 * quad * quad + delta * (r - quad)).sum(axis=1)

    def gradient(self, y, raw, out, grad):  # noqa: D102
        delta = float(self.delta)
        np.subtract(out, y, out=grad)
        return np.clip(grad, -delta, delta, out=grad)


for _loss in (LogLoss(), Hinge(), SquaredError(), Poisson(), AbsoluteError(), Huber()):
    register(_loss.name)(_loss)
