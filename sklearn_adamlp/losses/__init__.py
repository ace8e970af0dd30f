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

Losses are registered in ``LOSSES`` by decorating the class
(``@losses.register("mine")``), which stores one instance made with the
defaults; ``LOSSES.build(spec)`` gives a checked object (a copy of a user's).
"""

from sklearn_adamlp.losses._base import LOSSES, Loss
from sklearn_adamlp.losses._classification import (
    BinaryHinge,
    Hinge,
    LogLoss,
    MulticlassHinge,
    SigmoidCrossEntropy,
    SoftmaxCrossEntropy,
)
from sklearn_adamlp.losses._regression import (
    AbsoluteError,
    Huber,
    Poisson,
    SquaredError,
)

register = LOSSES.register
get = LOSSES.get
available = LOSSES.available

__all__ = [
    "LOSSES",
    "AbsoluteError",
    "BinaryHinge",
    "Hinge",
    "Huber",
    "LogLoss",
    "Loss",
    "MulticlassHinge",
    "Poisson",
    "SigmoidCrossEntropy",
    "SoftmaxCrossEntropy",
    "SquaredError",
    "available",
    "get",
    "register",
]
