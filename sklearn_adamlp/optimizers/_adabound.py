"""AdaBound: Adam whose per-coordinate step is clipped into bounds tending to SGD."""

from __future__ import annotations

import math
from numbers import Real
from typing import ClassVar

import numpy as np

from sklearn_adamlp._validation import Interval
from sklearn_adamlp.optimizers._base import (
    DECAY,
    EPSILON,
    LEARNING_RATE,
    OPTIMIZERS,
    WEIGHT_DECAY,
    Optimizer,
    fuses_terms,
    scaled_axpy,
)
from sklearn_adamlp.regularizers import axpy


@OPTIMIZERS.register("adabound")
class AdaBound(Optimizer):
    """AdaBound (Luo et al. 2019), as in the authors' reference implementation.

    With ``c1 = 1 - beta_1**t``, ``c2 = 1 - beta_2**t`` and
    ``final = final_lr * lr / learning_rate``::

        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g**2
        lower = final * (1 - 1 / (gamma * t + 1))
        upper = final * (1 + 1 / (gamma * t))
        eta = clip(lr * sqrt(c2) / c1 / (sqrt(v) + epsilon), lower, upper)
        p = p - eta * m

    Early on the bounds are wide and this is Adam; as t grows both tend to
    ``final``, so it becomes SGD with learning rate ``final``.

    The clip acts on the bias-corrected step, as the reference code does
    (``step_size = lr * sqrt(c2) / c1`` divided by ``sqrt(v) + epsilon``, then
    times ``m``); the paper's Algorithm 2 writes ``clip(lr / sqrt(v))`` with
    ``lr / sqrt(t)`` and no bias correction. When a schedule scales the learning
    rate (the step's ``lr`` differs from the hyper-parameter ``learning_rate``),
    ``final_lr`` is scaled by the same factor, as the reference scales it by
    ``lr / base_lr``.

    Parameters
    ----------
    learning_rate : float, default=0.001
        Adam's step ``lr`` of the early phase.
    final_lr : float, default=0.1
        The SGD learning rate both bounds converge to.
    gamma : float, default=1e-3
        Convergence speed of the bounds.
    beta_1 : float, default=0.9
    beta_2 : float, default=0.999
    epsilon : float, default=1e-8
    weight_decay : float, default=0.0
        L2-coupled decay ``g = g + weight_decay * p`` (as the reference's
        ``AdaBound``; its ``AdaBoundW`` is not provided).

    References
    ----------
    Luo, Xiong, Liu & Sun (2019), "Adaptive Gradient Methods with Dynamic Bound
    of Learning Rate", ICLR. Reference code: github.com/Luolc/AdaBound.
    """

    _parameter_constraints: ClassVar[dict] = {
        "learning_rate": LEARNING_RATE,
        "final_lr": [Interval(Real, 0, None, closed="neither")],
        "gamma": [Interval(Real, 0, None, closed="neither")],
        "beta_1": DECAY,
        "beta_2": DECAY,
        "epsilon": EPSILON,
        "weight_decay": WEIGHT_DECAY,
    }

    def __init__(
        self,
        learning_rate: float = 0.001,
        final_lr: float = 0.1,
        gamma: float = 1e-3,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        self.learning_rate = learning_rate
        self.final_lr = final_lr
        self.gamma = gamma
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.weight_decay = weight_decay

    def _init_state(self, p):
        return {"m": np.zeros_like(p), "v": np.zeros_like(p)}

    @fuses_terms
    def _update(self, p, g, s, lr, t, terms=()):
        b1, b2, eps = float(self.beta_1), float(self.beta_2), float(self.epsilon)
        gamma = float(self.gamma)
        base = float(self.learning_rate)
        final = float(self.final_lr) * (lr / base if base else 1.0)
        m, v = s["m"], s["v"]
        lower = final * (1.0 - 1.0 / (gamma * t + 1.0))
        upper = final * (1.0 + 1.0 / (gamma * t))
        step_size = lr * math.sqrt(1.0 - b2**t) / (1.0 - b1**t)
        for b in self._fused_blocks(p, g, terms):  # g: scratch (g**2, then eta)
            gb, mb, vb = g[b], m[b], v[b]
            mb *= b1
            axpy(1.0 - b1, gb, mb)  # m = beta_1 * m + (1 - beta_1) * g
            np.square(gb, out=gb)
            scaled_axpy(b2, 1.0 - b2, gb, vb)  # v = beta_2 * v + (1 - beta_2) * g**2
            np.sqrt(vb, out=gb)
            gb += eps
            np.divide(step_size, gb, out=gb)
            np.clip(gb, lower, upper, out=gb)  # eta
            gb *= mb
            pb = p[b]
            pb -= gb  # p = p - eta * m
