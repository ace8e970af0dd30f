"""A user's own registry entries, registered on import (used by the tests)."""

import numpy as np

from sklearn_adamlp import optimizers


@optimizers.register("user_signsgd")
class SignSGD(optimizers.Optimizer):
    """Sign SGD, a user's optimizer::

    p = p - learning_rate * sign(g)
    """

    def __init__(self, learning_rate=0.01):
        self.learning_rate = learning_rate

    def _update(self, p, g, s, lr, t):
        np.sign(g, out=g)
        g *= lr
        p -= g
