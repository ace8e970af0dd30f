"""Adam and its variants: AMSGrad, AdamW, AdaMax, NAdam."""

from __future__ import annotations

import math
from numbers import Real
from typing import ClassVar

import numpy as np

from sklearn_adamlp import _jit
from sklearn_adamlp._validation import Interval
from sklearn_adamlp.optimizers._base import (
    BOOLEAN,
    DECAY,
    EPSILON,
    LEARNING_RATE,
    OPTIMIZERS,
    WEIGHT_DECAY,
    Optimizer,
    block_scratch,
    fuses_decay,
    fuses_terms,
    scaled_axpy,
)
from sklearn_adamlp.regularizers import add_scaled, axpy


@OPTIMIZERS.register("adam")
class Adam(Optimizer):
    """Adam (Kingma & Ba 2015, Algorithm 1), optionally AMSGrad.

    Update, at step t = 1, 2, ... with gradient g::

        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g**2
        v_max = max(v_max, v)              (if amsgrad; then v_max replaces v below)
        m_hat = m / (1 - beta_1**t)        (m_hat = m if not bias_correction)
        v_hat = v / (1 - beta_2**t)        (v_hat = v if not bias_correction)
        p = p - lr * m_hat / (sqrt(v_hat) + epsilon)

    epsilon lies outside the square root, as in Algorithm 1 and torch.optim.Adam.
    The step evaluates the last three lines in the form the paper gives at the
    end of its section 2, with the corrections in two scalars::

        lr_t = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)
        eps_hat = epsilon * sqrt(1 - beta_2**t)
        p = p - lr_t * m / (sqrt(v) + eps_hat)

    (scikit-learn's Adam uses this form with a constant epsilon-hat, so the two
    differ slightly for tiny ``v``.)

    Why the correction (Kingma & Ba, section 3): ``m`` and ``v`` start at 0, so
    for a steady gradient ``m = (1 - beta_1**t) * g`` and
    ``v = (1 - beta_2**t) * g**2``: both are biased towards zero in the first
    steps. Uncorrected, the step ``lr * m / sqrt(v)`` is scaled by
    ``(1 - beta_1**t) / sqrt(1 - beta_2**t)``, about 3.16 at t = 1 with the
    default betas and still above 1 for hundreds of steps: the first steps are
    too large (their section 6.4), the more so the closer ``beta_2`` is to 1.
    ``bias_correction=False`` shows it.

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
    bias_correction : bool, default=True
        Divide ``m`` and ``v`` by ``1 - beta**t`` (Algorithm 1). False gives
        the uncorrected update, for teaching and comparison.

    References
    ----------
    Kingma & Ba (2015), "Adam: A Method for Stochastic Optimization", ICLR.
    Reddi, Kale & Kumar (2018), "On the Convergence of Adam and Beyond", ICLR.
    """

    _parameter_constraints: ClassVar[dict] = {
        "learning_rate": LEARNING_RATE,
        "beta_1": DECAY,
        "beta_2": DECAY,
        "epsilon": EPSILON,
        "weight_decay": WEIGHT_DECAY,
        "amsgrad": BOOLEAN,
        "bias_correction": BOOLEAN,
    }

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        bias_correction: bool = True,
    ) -> None:
        self.learning_rate = learning_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.weight_decay = weight_decay
        self.amsgrad = amsgrad
        self.bias_correction = bias_correction

    def _init_state(self, p):
        s = {"m": np.zeros_like(p), "v": np.zeros_like(p)}
        if self.amsgrad:
            s["v_max"] = np.zeros_like(p)
        return s

    def _corrected(self) -> bool:
        """Whether the bias correction is on (subclasses without it: always)."""
        return bool(getattr(self, "bias_correction", True))

    @fuses_decay
    @fuses_terms
    def _update(self, p, g, s, lr, t, terms=()):
        b1, b2, eps = float(self.beta_1), float(self.beta_2), float(self.epsilon)
        if self.amsgrad and "v_max" not in s:  # amsgrad switched on after step 1
            s["v_max"] = np.zeros_like(p)
        _unfold_moments(s)
        m, v = s["m"], s["v"]
        v_max = s["v_max"] if self.amsgrad else None
        c1, c2 = (1.0 - b1**t, 1.0 - b2**t) if self._corrected() else (1.0, 1.0)
        # Kingma & Ba, end of section 2: the last three lines of Algorithm 1 are
        # p = p - lr_t * m / (sqrt(v) + eps_hat), lr_t = lr sqrt(c2) / c1 and
        # eps_hat = eps sqrt(c2), the same update (m_hat, v_hat in the scalars)
        root_c2 = math.sqrt(c2)
        eps_hat, step = eps * root_c2, -lr * root_c2 / c1
        decay = self.decay_factor(lr)  # AdamW: 1 - lr * weight_decay, else 1
        args = (p, g, m, v, v_max, b1, b2, eps_hat, step, decay)
        if self._compiled(_jit.adam, *args, terms=terms):
            return  # one compiled pass, the same bits as the loop below
        for b in self._fused_blocks(p, g, terms):  # g is scratch: g**2, then the step
            gb, mb, vb = g[b], m[b], v[b]
            _moving_average(b1, gb, mb)  # m = beta_1 * m + (1 - beta_1) * g
            np.square(gb, out=gb)
            gb *= 1.0 - b2
            vb *= b2
            vb += gb  # v = beta_2 * v + (1 - beta_2) * g**2
            if v_max is not None:
                vb = v_max[b]
                np.maximum(vb, v[b], out=vb)  # v_max = max(v_max, v)
            np.sqrt(vb, out=gb)
            gb += eps_hat
            np.divide(mb, gb, out=gb)  # m / (sqrt(v) + eps_hat)
            # p = decay * p - lr_t * m / (sqrt(v) + eps_hat)
            #   = decay * p - lr * m_hat / (sqrt(v_hat) + eps)
            scaled_axpy(decay, step, gb, p[b])


def _moving_average(beta: float, x, avg) -> None:
    """``avg = beta * avg + (1 - beta) * x`` in place, as ``x + beta * (avg - x)``.

    The same equation (torch's ``lerp``) in three in-place passes with no work
    array, so a block's arrays stay in the L2 cache; ``x`` is left intact.
    """
    avg -= x
    avg *= beta
    avg += x


def _unfold_moments(s) -> None:
    """Convert a state saved with moments divided by ``1 - beta`` (older versions).

    Such a state holds ``m / (1 - beta_1)`` and ``v / (1 - beta_2)`` with the
    divisors under ``m_scale`` and ``v_scale``; multiplying back gives the
    ``m`` and ``v`` of the equations, which a warm start then continues.
    """
    for key, names in (("m_scale", ("m",)), ("v_scale", ("v", "v_max"))):
        c = s.pop(key, None)
        if c is not None:
            for name in names:
                if name in s:
                    s[name] *= c


@OPTIMIZERS.register("amsgrad")
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


@OPTIMIZERS.register("adamw")
class AdamW(Adam):
    """Adam with decoupled weight decay (torch.optim.AdamW).

    Before the Adam step of ``Adam`` (also with ``amsgrad``)::

        p = p * (1 - lr * weight_decay)
        p = adam_step(p, g)

    The decay is not added to the gradient, so it is not rescaled by the
    adaptive denominator: every weight shrinks at the same relative rate. It is
    ``regularizers.DecoupledWeightDecay`` (``weight_decay_mode =
    'decoupled'``), the decay the estimator's ``weight_decay`` applies, here in
    torch's order (before the update, biases included) and fused into the
    step's pass.

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

    weight_decay_mode = "decoupled"


@OPTIMIZERS.register("adamax")
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

    _parameter_constraints: ClassVar[dict] = {
        "learning_rate": LEARNING_RATE,
        "beta_1": DECAY,
        "beta_2": DECAY,
        "epsilon": EPSILON,
        "weight_decay": WEIGHT_DECAY,
    }

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
        return {"m": np.zeros_like(p), "u": np.zeros_like(p)}

    @fuses_terms
    def _update(self, p, g, s, lr, t, terms=()):
        b1, b2, eps = float(self.beta_1), float(self.beta_2), float(self.epsilon)
        m, u = s["m"], s["u"]
        step = -lr / (1.0 - b1**t)
        if self._compiled(_jit.adamax, p, g, m, u, b1, b2, eps, step, terms=terms):
            return  # one compiled pass, the same bits as the loop below
        for b in self._fused_blocks(p, g, terms):  # g is scratch
            gb, mb, ub = g[b], m[b], u[b]
            mb *= b1
            axpy(1.0 - b1, gb, mb)  # m = beta_1 * m + (1 - beta_1) * g
            np.abs(gb, out=gb)
            gb += eps
            ub *= b2
            np.maximum(ub, gb, out=ub)  # u = max(beta_2 * u, abs(g) + epsilon)
            np.divide(mb, ub, out=gb)
            add_scaled(step, gb, p[b])  # p = p - lr / (1 - beta_1**t) * m / u


@OPTIMIZERS.register("nadam")
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

    _parameter_constraints: ClassVar[dict] = {
        "learning_rate": LEARNING_RATE,
        "beta_1": DECAY,
        "beta_2": DECAY,
        "epsilon": EPSILON,
        "weight_decay": WEIGHT_DECAY,
        "momentum_decay": [Interval(Real, 0, None, closed="left")],
    }

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
            "tmp": block_scratch(p),
            "mu_prod": 1.0,
        }

    @fuses_terms
    def _update(self, p, g, s, lr, t, terms=()):
        b1, b2, eps = float(self.beta_1), float(self.beta_2), float(self.epsilon)
        psi = float(self.momentum_decay)
        m, v, tmp = s["m"], s["v"], s["tmp"]
        mu_t = b1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        s["mu_prod"] = mu_prod = s["mu_prod"] * mu_t
        c2 = 1.0 - b2**t
        step_g = -lr * (1.0 - mu_t) / (1.0 - mu_prod)
        step_m = -lr * mu_next / (1.0 - mu_prod * mu_next)
        for b in self._fused_blocks(p, g, terms):  # g is scratch
            gb, mb, vb = g[b], m[b], v[b]
            tb = tmp[: len(gb)]
            _moving_average(b1, gb, mb)  # m = beta_1 * m + (1 - beta_1) * g
            np.square(gb, out=tb)
            scaled_axpy(b2, 1.0 - b2, tb, vb)  # v = beta_2 * v + (1 - beta_2) * g**2
            np.divide(vb, c2, out=tb)
            np.sqrt(tb, out=tb)
            tb += eps  # denom = sqrt(v / (1 - beta_2**t)) + epsilon
            np.divide(gb, tb, out=gb)
            add_scaled(step_g, gb, p[b])  # p -= lr (1 - mu_t) / (1 - mu_prod) g / denom
            np.divide(mb, tb, out=tb)
            # p -= lr mu_next / (1 - mu_prod mu_next) m / denom
            add_scaled(step_m, tb, p[b])
