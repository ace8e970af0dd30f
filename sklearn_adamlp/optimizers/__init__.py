"""Optimizers: a registry of update rules over flat parameter buffers.

``get(name)`` returns the optimizer class, ``available()`` lists the names and
``register(name)`` adds a user's class::

    from numbers import Real

    from sklearn.utils._param_validation import Interval

    from sklearn_adamlp import optimizers

    @optimizers.register("mine")
    class Mine(optimizers.Optimizer):
        _parameter_constraints = {
            "learning_rate": [Interval(Real, 0, None, closed="neither")]
        }

        def __init__(self, learning_rate=0.01):
            self.learning_rate = learning_rate

        def _update(self, p, g, s, lr, t):
            p -= lr * g

``_parameter_constraints`` (scikit-learn's constraint objects) declares the
allowed hyper-parameter values; the fit checks them when it builds the
optimizer (``OPTIMIZERS.build``). Every class's docstring states its update
equations; docs/optimizers.md compares them.
"""

from sklearn_adamlp.optimizers._adabound import AdaBound
from sklearn_adamlp.optimizers._adam import Adam, Adamax, AdamW, AMSGrad, NAdam
from sklearn_adamlp.optimizers._adaptive import Adadelta, Adagrad, RMSprop, Rprop
from sklearn_adamlp.optimizers._base import OPTIMIZERS, Optimizer
from sklearn_adamlp.optimizers._lbfgs import LBFGS
from sklearn_adamlp.optimizers._newton import NewtonCG
from sklearn_adamlp.optimizers._quickprop import Quickprop
from sklearn_adamlp.optimizers._sgd import SGD, Momentum, Nesterov

register = OPTIMIZERS.register
get = OPTIMIZERS.get
available = OPTIMIZERS.available

__all__ = [
    "LBFGS",
    "OPTIMIZERS",
    "SGD",
    "AMSGrad",
    "AdaBound",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Momentum",
    "NAdam",
    "Nesterov",
    "NewtonCG",
    "Optimizer",
    "Quickprop",
    "RMSprop",
    "Rprop",
    "available",
    "get",
    "register",
]
