"""Optimizers: a registry of update rules over flat parameter buffers.

``get(name)`` returns the optimizer class, ``available()`` lists the names and
``register(name)`` adds a user's class::

    from sklearn_adamlp import optimizers

    @optimizers.register("mine")
    class Mine(optimizers.Optimizer):
        def __init__(self, learning_rate=0.01):
            self.learning_rate = learning_rate

        def _update(self, p, g, s, lr, t):
            p -= lr * g

Every class's docstring states its update equations; docs/optimizers.md compares
them.
"""

from sklearn_adamlp._registry import Registry
from sklearn_adamlp.optimizers._adabound import AdaBound
from sklearn_adamlp.optimizers._adam import Adam, Adamax, AdamW, AMSGrad, NAdam
from sklearn_adamlp.optimizers._adaptive import Adadelta, Adagrad, RMSprop, Rprop
from sklearn_adamlp.optimizers._base import Optimizer
from sklearn_adamlp.optimizers._lbfgs import LBFGS
from sklearn_adamlp.optimizers._newton import NewtonCG
from sklearn_adamlp.optimizers._quickprop import Quickprop
from sklearn_adamlp.optimizers._sgd import SGD, Momentum, Nesterov

OPTIMIZERS = Registry("optimizer")
register = OPTIMIZERS.register
get = OPTIMIZERS.get
available = OPTIMIZERS.available

register("sgd")(SGD)
register("momentum")(Momentum)
register("nesterov")(Nesterov)
register("adagrad")(Adagrad)
register("adadelta")(Adadelta)
register("rmsprop")(RMSprop)
register("adam")(Adam)
register("adamw")(AdamW)
register("adamax")(Adamax)
register("nadam")(NAdam)
register("amsgrad")(AMSGrad)
register("adabound")(AdaBound)
register("rprop")(Rprop)
register("lbfgs")(LBFGS)
register("quickprop")(Quickprop)
register("newton_cg")(NewtonCG)

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
