"""The ``Loss`` base class and the losses' registry."""

from __future__ import annotations

import numpy as np

from sklearn_adamlp._params import Parametrized
from sklearn_adamlp._registry import Registry
from sklearn_adamlp._typing import FloatArray
from sklearn_adamlp.activations import Activation

#: the losses the estimators' ``loss`` names, one stateless instance per name
LOSSES = Registry("loss", instances=True)


def weighted_mean(per_sample: FloatArray, sample_weight: FloatArray | None) -> float:
    """Sample-weighted mean, accumulated in float64 whatever the input dtype."""
    per_sample = wide(per_sample)
    if sample_weight is None:  # add.reduce: np.mean's Python layer costs more here
        return float(np.add.reduce(per_sample) / per_sample.shape[0])
    sample_weight = wide(sample_weight)
    return float(np.dot(per_sample, sample_weight) / sample_weight.sum())


def wide(a: FloatArray) -> FloatArray:
    """Return ``a`` in float64 (a copy only when narrower, e.g. float32).

    Loss values are computed in float64 from the network's float32 outputs: a
    float32 sum of per-sample losses, or a float32 residual ``out - y`` next to
    targets of 1e7, rounds away the changes a line search (L-BFGS) must see.
    The products stay float32; only these ``(batch, outputs)`` arrays widen.
    """
    return a if a.dtype == np.float64 else a.astype(np.float64)


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

    def output_value(self, y, raw, out, sample_weight=None) -> float:
        """Write the output activation of ``raw`` into ``out``; return the loss.

        The training pass's last step: ``out = out_activation(raw)``, then
        ``value(y, raw, out, sample_weight)``. A loss whose value reuses what the
        activation computed overrides it (softmax cross-entropy takes each row's
        log-sum-exp from the softmax).
        """
        self.out_activation.forward(raw, out=out)
        return self.value(y, raw, out, sample_weight)

    def value(self, y, raw, out, sample_weight=None) -> float:
        """Sample-weighted mean of the per-sample loss, computed in float64.

        float32 arrays are widened first (``wide``), so the residuals and the
        sum keep the precision L-BFGS's stopping rule relies on.
        """
        per_sample = self.per_sample(wide(y), wide(raw), wide(out))
        return weighted_mean(per_sample, sample_weight)

    def per_sample(self, y, raw, out) -> FloatArray:
        """Loss of each sample (summed over outputs)."""
        raise NotImplementedError

    def gradient(self, y, raw, out, grad: FloatArray) -> FloatArray:
        """Write ``dL_i/d raw_i`` into ``grad``: ``out - y`` for canonical links."""
        return np.subtract(out, y, out=grad)

    def __reduce__(self) -> tuple:
        return (type(self), (), self.__dict__.copy() or None)
