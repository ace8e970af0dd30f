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
"""

from sklearn_adamlp._registry import Registry
from sklearn_adamlp.optimizers._adam import Adam
from sklearn_adamlp.optimizers._base import Optimizer
from sklearn_adamlp.optimizers._lbfgs import LBFGS
from sklearn_adamlp.optimizers._sgd import SGD

OPTIMIZERS = Registry("optimizer")
register = OPTIMIZERS.register
get = OPTIMIZERS.get
available = OPTIMIZERS.available

register("sgd")(SGD)
register("adam")(Adam)
register("lbfgs")(LBFGS)

__all__ = [
    "LBFGS",
    "OPTIMIZERS",
    "SGD",
    "Adam",
    "Optimizer",
    "available",
    "get",
    "register",
]
