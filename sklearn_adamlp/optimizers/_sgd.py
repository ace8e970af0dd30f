"""Stochastic gradient descent, with scikit-learn's momentum and Nesterov forms."""

from __future__ import annotations

import numpy as np

from sklearn_adamlp.optimizers._base import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum.

    scikit-learn's ``solver='sgd'`` update (Sutskever et al. 2013 form), with
    velocity ``v`` (0 at first)::

        v = momentum * v - lr * g
        p = p + momentum * v - lr * g      if nesterov
        p = p + v                          otherwise

    With ``momentum=0`` this is plain ``p = p - lr * g``.

    Parameters
    ----------
    learning_rate : float, default=0.01
        Step size ``lr`` (times ``lr_scale_`` set by schedules).
    momentum : float, default=0.0
        Momentum coefficient in [0, 1].
    nesterov : bool, default=False
        Use Nesterov's accelerated gradient.
    weight_decay : float, default=0.0
        L2-coupled decay: ``g = g + weight_decay * p`` before the update.

    References
    ----------
    Robbins & Monro (1951); Sutskever, Martens, Dahl & Hinton (2013), "On the
    importance of initialization and momentum in deep learning", ICML.
    """

    def __init__(
        self,
        learning_rate: float = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weight_decay = weight_decay

    def _init_state(self, p):
        if float(self.momentum) == 0.0:
            return {}
        return {"v": np.zeros_like(p), "tmp": np.empty_like(p)}

    def _update(self, p, g, s, lr, t):
        mu = float(self.momentum)
        if mu == 0.0:
            g *= lr
            p -= g
            return
        v, tmp = s["v"], s["tmp"]
        g *= lr  # g now holds lr * g
        v *= mu
        v -= g  # v = mu * v - lr * g
        if self.nesterov:
            np.multiply(v, mu, out=tmp)
            tmp -= g
            p += tmp  # p += mu * v - lr * g
        else:
            p += v
