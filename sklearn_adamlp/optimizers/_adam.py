"""Adam and its variants."""

from __future__ import annotations

import numpy as np

from sklearn_adamlp.optimizers._base import Optimizer
from sklearn_adamlp.regularizers import axpy


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015, Algorithm 1).

    Update, at step t = 1, 2, ... with gradient g::

        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g**2
        m_hat = m / (1 - beta_1**t)
        v_hat = v / (1 - beta_2**t)
        p = p - lr * m_hat / (sqrt(v_hat) + epsilon)

    epsilon lies outside the square root, as in Algorithm 1 and torch.optim.Adam
    (scikit-learn's Adam uses the paper's "efficient" form with epsilon-hat).

    Parameters
    ----------
    learning_rate : float, default=0.001
    beta_1 : float, default=0.9
        Decay of the first moment ``m``.
    beta_2 : float, default=0.999
        Decay of the second moment ``v``.
    epsilon : float, default=1e-8
    weight_decay : float, default=0.0
        L2-coupled decay ``g = g + weight_decay * p`` (see ``AdamW`` for the
        decoupled form).

    References
    ----------
    Kingma & Ba (2015), "Adam: A Method for Stochastic Optimization", ICLR.
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        self.learning_rate = learning_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.weight_decay = weight_decay

    def _init_state(self, p):
        return {"m": np.zeros_like(p), "v": np.zeros_like(p), "tmp": np.empty_like(p)}

    def _update(self, p, g, s, lr, t):
        b1, b2, eps = float(self.beta_1), float(self.beta_2), float(self.epsilon)
        m, v, tmp = s["m"], s["v"], s["tmp"]
        m *= b1
        axpy(1.0 - b1, g, m)  # m = b1 * m + (1 - b1) * g
        np.square(g, out=tmp)
        tmp *= 1.0 - b2
        v *= b2
        v += tmp  # v = b2 * v + (1 - b2) * g**2
        np.divide(v, 1.0 - b2**t, out=tmp)  # v_hat
        np.sqrt(tmp, out=tmp)
        tmp += eps
        np.divide(m, tmp, out=tmp)  # m / (sqrt(v_hat) + eps)
        tmp *= lr / (1.0 - b1**t)  # bias correction of m folded into the step
        p -= tmp
