"""The fit loops: epochs of shuffled mini-batches, or one call to a minimizer.

``TrainContext`` (built whole by the estimator) is what a fit works with;
``fit_stochastic`` runs the epochs, computing each step's learning rate in one
place (``TrainContext.learning_rate``) and passing it to ``optimizer.step``;
``fit_minimizer`` hands the objective to a full-batch minimizer. ``Batches``
and ``steps`` are the pieces parallel workers reuse.
"""

from sklearn_adamlp.divergence import DivergenceWarning
from sklearn_adamlp.training._batches import Batches, run_epoch, steps, takes_terms
from sklearn_adamlp.training._context import (
    EpochRunner,
    Minimizer,
    Parallel,
    Sampler,
    Stepper,
    StepTransform,
    TrainContext,
    TrainState,
)
from sklearn_adamlp.training._events import INTERRUPTED
from sklearn_adamlp.training._loop import fit_stochastic
from sklearn_adamlp.training._minimizer import fit_minimizer

__all__ = [
    "INTERRUPTED",
    "Batches",
    "DivergenceWarning",
    "EpochRunner",
    "Minimizer",
    "Parallel",
    "Sampler",
    "StepTransform",
    "Stepper",
    "TrainContext",
    "TrainState",
    "fit_minimizer",
    "fit_stochastic",
    "run_epoch",
    "steps",
    "takes_terms",
]
