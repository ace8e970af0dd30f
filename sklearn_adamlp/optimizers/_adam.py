"""Adam and its variants: AMSGrad, AdamW, AdaMax, NAdam."""

from __future__ import annotations

import math

import numpy as np

from sklearn_adamlp.optimizers._base import Optimizer
from sklearn_adamlp.regularizers import axpy


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015, Algorithm 1), optionally AMSGrad.

    Update, at step t = 1, 2, ... with gradient g::

        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g**2
        v_max = max(v_max, v)              (if amsgrad; then v_max replaces v below)
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
    amsgrad : bool, default=False
        Divide by the running maximum ``v_max`` of ``v`` (torch's ``amsgrad``).

    References
    ----------
    Kingma & Ba (2015), "Adam: A Method for Stochastic Optimization", ICLR.
    Reddi, Kale & Kumar (2018), "On the Convergence of Adam and Beyond", ICLR.
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        self.learning_rate = learning_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.weight_decay = weight_decay
        self.amsgrad = amsgrad

    def _init_state(self, p):
        s = {"m": np.zeros_like(p), "v": np.zeros_like(p), "tmp": np.empty_like(p)}
        if self.amsgrad:
            s["v_max"] = np.zeros_like(p)
        return s

    def _update(self, p, g, s, lr, t):
        b1, b2, eps = float(self.beta_1), float(self.beta_2), float(self.epsilon)
        m, v, tmp = s["m"], s["v"], s["tmp"]
        m *= b1
        axpy(1.0 - b1, g, m)  # m = beta_1 * m + (1 - beta_1) * g
        v *= b2
        np.square(g, out=tmp)
        axpy(1.0 - b2, tmp, v)  # v = beta_2 * v + (1 - beta_2) * g**2
        if self.amsgrad:
            if "v_max" not in s:  # amsgrad switched on after the first step
                s["v_max"] = np.zeros_like(p)
            v = s["v_max"]
            np.maximum(v, s["v"], out=v)  # v_max = max(v_max, v)
        # sqrt(v_hat) + eps = (sqrt(v) + eps * sqrt(c2)) / sqrt(c2), c2 = 1 - b2**t:
        # the same denominator with one pass less; m_hat's 1 / c1 joins the step.
        c2 = math.sqrt(1.0 - b2**t)
        np.sqrt(v, out=tmp)
        tmp += eps * c2
        np.divide(m, tmp, out=tmp)
        axpy(-lr * c2 / (1.0 - b1**t), tmp, p)  # p = p - lr * m_hat / (...)


class AMSGrad(Adam):
    """AMSGrad: ``Adam`` with ``amsgrad=True`` (torch.optim.Adam(amsgrad=True)).

    ::

        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g**2
        v_max = max(v_max, v)
        p = p - lr / (1 - beta_1**t) * m / (sqrt(v_max / (1 - beta_2**t)) + epsilon)

    The denominator never shrinks, which fixes Adam's non-convergence example.

    Parameters
    ----------
    learning_rate : float, default=0.001
    beta_1 : float, default=0.9
    beta_2 : float, default=0.999
    epsilon : float, default=1e-8
    weight_decay : float, default=0.0
        L2-coupled decay ``g = g + weight_decay * p``.
    amsgrad : bool, default=True
        ``False`` gives plain Adam.

    References
    ----------
    Reddi, Kale & Kumar (2018), "On the Convergence of Adam and Beyond", ICLR.
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = True,
    ) -> None:
        super().__init__(learning_rate, beta_1, beta_2, epsilon, weight_decay, amsgrad)


class AdamW(Adam):
    """Adam with decoupled weight decay (torch.optim.AdamW).

    Before the Adam step of ``Adam`` (also with ``amsgrad``)::

        p = p * (1 - lr * weight_decay)
        p = adam_step(p, g)

    The decay is not added to the gradient, so it is not rescaled by the
    adaptive denominator: every weight shrinks at the same relative rate.

    Parameters
    ----------
    learning_rate : float, default=0.001
    beta_1 : float, default=0.9
    beta_2 : float, default=0.999
    epsilon : float, default=1e-8
    weight_decay : float, default=0.01
        Decoupled decay (multiplied by the current ``lr``, as torch does).
    amsgrad : bool, default=False

    References
    ----------
    Loshchilov & Hutter (2019), "Decoupled Weight Decay Regularization", ICLR.
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        weight_decay: float = 0.01,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(learning_rate, beta_1, beta_2, epsilon, weight_decay, amsgrad)

    def _weight_decay(self, p, g, lr, wd):
        """Decoupled decay ``p *= 1 - lr * weight_decay``."""
        p *= 1.0 - lr * wd


class Adamax(Optimizer):
    """AdaMax, Adam with the infinity norm (torch.optim.Adamax).

    ::

        m = beta_1 * m + (1 - beta_1) * g
        u = max(beta_2 * u, abs(g) + epsilon)
        p = p - lr / (1 - beta_1**t) * m / u

    ``u`` needs no bias correction; epsilon sits inside the max, as in torch.

    Parameters
    ----------
    learning_rate : float, default=0.002
    beta_1 : float, default=0.9
    beta_2 : float, default=0.999
        Decay of the infinity norm ``u``.
    epsilon : float, default=1e-8
    weight_decay : float, default=0.0
        L2-coupled decay ``g = g + weight_decay * p``.

    References
    ----------
    Kingma & Ba (2015), "Adam: A Method for Stochastic Optimization", ICLR,
    section 7.1.
    """

    def __init__(
        self,
        learning_rate: float = 0.002,
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
        return {"m": np.zeros_like(p), "u": np.zeros_like(p), "tmp": np.empty_like(p)}

    def _update(self, p, g, s, lr, t):
        b1, b2, eps = float(self.beta_1), float(self.beta_2), float(self.epsilon)
        m, u, tmp = s["m"], s["u"], s["tmp"]
        m *= b1
        axpy(1.0 - b1, g, m)  # m = beta_1 * m + (1 - beta_1) * g
        u *= b2
        np.abs(g, out=tmp)
        tmp += eps
        np.maximum(u, tmp, out=u)  # u = max(beta_2 * u, abs(g) + epsilon)
        np.divide(m, u, out=tmp)
        axpy(-lr / (1.0 - b1**t), tmp, p)  # p = p - lr / (1 - beta_1**t) * m / u


class NAdam(Optimizer):
    """Adam with Nesterov momentum (torch.optim.NAdam).

    With ``psi = momentum_decay`` and ``mu_prod`` the product of the ``mu_i``
    up to step t::

        mu_t = beta_1 * (1 - 0.5 * 0.96**(t * psi))
        mu_next = beta_1 * (1 - 0.5 * 0.96**((t + 1) * psi))
        mu_prod = mu_prod * mu_t
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g**2
        denom = sqrt(v / (1 - beta_2**t)) + epsilon
        p = p - lr * (1 - mu_t) / (1 - mu_prod) * g / denom
        p = p - lr * mu_next / (1 - mu_prod * mu_next) * m / denom

    Parameters
    ----------
    learning_rate : float, default=0.002
    beta_1 : float, default=0.9
    beta_2 : float, default=0.999
    epsilon : float, default=1e-8
    weight_decay : float, default=0.0
        L2-coupled decay ``g = g + weight_decay * p``.
    momentum_decay : float, default=0.004
        ``psi``, the schedule of the momentum coefficients ``mu_t``.

    References
    ----------
    Dozat (2016), "Incorporating Nesterov Momentum into Adam", ICLR Workshop.
    """

    def __init__(
        self,
        learning_rate: float = 0.002,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        weight_decay: float = 0.0,
        momentum_decay: float = 0.004,
    ) -> None:
        self.learning_rate = learning_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.weight_decay = weight_decay
        self.momentum_decay = momentum_decay

    def _init_state(self, p):
        return {
            "m": np.zeros_like(p),
            "v": np.zeros_like(p),
            "tmp": np.empty_like(p),
            "mu_prod": 1.0,
        }

    def _update(self, p, g, s, lr, t):
        b1, b2, eps = float(self.beta_1), float(self.beta_2), float(self.epsilon)
        psi = float(self.momentum_decay)
        m, v, tmp = s["m"], s["v"], s["tmp"]
        mu_t = b1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        s["mu_prod"] = mu_prod = s["mu_prod"] * mu_t
        m *= b1
        axpy(1.0 - b1, g, m)  # m = beta_1 * m + (1 - beta_1) * g
        v *= b2
        np.square(g, out=tmp)
        axpy(1.0 - b2, tmp, v)  # v = beta_2 * v + (1 - beta_2) * g**2
        c2 = math.sqrt(1.0 - b2**t)  # denom = (sqrt(v) + eps * c2) / c2, see Adam
        np.sqrt(v, out=tmp)
        tmp += eps * c2
        g /= tmp
        axpy(-lr * c2 * (1.0 - mu_t) / (1.0 - mu_prod), g, p)
        np.divide(m, tmp, out=tmp)
        axpy(-lr * c2 * mu_next / (1.0 - mu_prod * mu_next), tmp, p)
