"""Per-coordinate adaptive step sizes: Adagrad, Adadelta, RMSprop, Rprop."""

from __future__ import annotations

from numbers import Real
from typing import ClassVar

import numpy as np

from sklearn_adamlp import _jit
from sklearn_adamlp._params import invalid_parameter
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
    fuses_terms,
    scaled_axpy,
)
from sklearn_adamlp.regularizers import add_scaled


@OPTIMIZERS.register("adagrad")
class Adagrad(Optimizer):
    """Adagrad (torch.optim.Adagrad without learning-rate decay).

    ``G`` is the running sum of squared gradients (0 at first)::

        G = G + g**2
        p = p - lr * g / (sqrt(G) + epsilon)

    ``G`` only grows, so the effective step ``lr / sqrt(G)`` shrinks towards 0:
    good for sparse features, but training can stall on long runs.

    Parameters
    ----------
    learning_rate : float, default=0.01
    epsilon : float, default=1e-10
    weight_decay : float, default=0.0
        L2-coupled decay ``g = g + weight_decay * p``.

    References
    ----------
    Duchi, Hazan & Singer (2011), "Adaptive Subgradient Methods for Online
    Learning and Stochastic Optimization", JMLR 12.
    """

    _parameter_constraints: ClassVar[dict] = {
        "learning_rate": LEARNING_RATE,
        "epsilon": EPSILON,
        "weight_decay": WEIGHT_DECAY,
    }

    def __init__(
        self,
        learning_rate: float = 0.01,
        epsilon: float = 1e-10,
        weight_decay: float = 0.0,
    ) -> None:
        self.learning_rate = learning_rate
        self.epsilon = epsilon
        self.weight_decay = weight_decay

    def _init_state(self, p):
        return {"G": np.zeros_like(p), "tmp": block_scratch(p)}

    @fuses_terms
    def _update(self, p, g, s, lr, t, terms=()):
        G, tmp, eps = s["G"], s["tmp"], float(self.epsilon)
        if self._compiled(_jit.adagrad, p, g, G, lr, eps, terms=terms):
            return  # one compiled pass, the same bits as the loop below
        for b in self._fused_blocks(p, g, terms):  # g is scratch
            gb, Gb = g[b], G[b]
            tb = tmp[: len(gb)]
            np.square(gb, out=tb)
            Gb += tb  # G = G + g**2
            np.sqrt(Gb, out=tb)
            tb += eps
            gb /= tb
            add_scaled(-lr, gb, p[b])  # p = p - lr * g / (sqrt(G) + epsilon)


@OPTIMIZERS.register("adadelta")
class Adadelta(Optimizer):
    """Adadelta (torch.optim.Adadelta, which keeps a learning rate).

    Running averages ``Eg2`` of g**2 and ``Edx2`` of the squared updates::

        Eg2 = rho * Eg2 + (1 - rho) * g**2
        dx = sqrt(Edx2 + epsilon) / sqrt(Eg2 + epsilon) * g
        Edx2 = rho * Edx2 + (1 - rho) * dx**2
        p = p - lr * dx

    The ratio of the two RMS values gives the update the units of ``p``
    (Zeiler's "unit correction"), so ``lr=1.0`` needs no tuning.

    Parameters
    ----------
    learning_rate : float, default=1.0
        Scales ``dx`` (Zeiler's method is ``learning_rate=1``).
    rho : float, default=0.9
        Decay of both running averages.
    epsilon : float, default=1e-6
    weight_decay : float, default=0.0
        L2-coupled decay ``g = g + weight_decay * p``.

    References
    ----------
    Zeiler (2012), "ADADELTA: An Adaptive Learning Rate Method",
    arXiv:1212.5701.
    """

    _parameter_constraints: ClassVar[dict] = {
        "learning_rate": LEARNING_RATE,
        "rho": DECAY,
        "epsilon": EPSILON,
        "weight_decay": WEIGHT_DECAY,
    }

    def __init__(
        self,
        learning_rate: float = 1.0,
        rho: float = 0.9,
        epsilon: float = 1e-6,
        weight_decay: float = 0.0,
    ) -> None:
        self.learning_rate = learning_rate
        self.rho = rho
        self.epsilon = epsilon
        self.weight_decay = weight_decay

    def _init_state(self, p):
        return {
            "Eg2": np.zeros_like(p),
            "Edx2": np.zeros_like(p),
            "tmp": block_scratch(p),
            "tmp2": block_scratch(p),
        }

    @fuses_terms
    def _update(self, p, g, s, lr, t, terms=()):
        rho, eps = float(self.rho), float(self.epsilon)
        Eg2, Edx2, tmp = s["Eg2"], s["Edx2"], s["tmp"]
        if "tmp2" not in s:  # state from an older version
            s["tmp2"] = np.empty_like(tmp)
        tmp2 = s["tmp2"]
        for b in self._fused_blocks(p, g, terms):  # g is scratch: it becomes dx
            gb, Eg2b, Edx2b = g[b], Eg2[b], Edx2[b]
            tb, ub = tmp[: len(gb)], tmp2[: len(gb)]
            np.square(gb, out=tb)
            scaled_axpy(rho, 1.0 - rho, tb, Eg2b)  # Eg2 = rho * Eg2 + (1 - rho) * g**2
            # sqrt(Edx2 + eps) / sqrt(Eg2 + eps) with one square root
            np.add(Eg2b, eps, out=tb)
            np.add(Edx2b, eps, out=ub)
            np.divide(ub, tb, out=ub)
            np.sqrt(ub, out=ub)
            gb *= ub  # g now holds dx
            np.square(gb, out=tb)
            scaled_axpy(
                rho, 1.0 - rho, tb, Edx2b
            )  # Edx2 = rho * Edx2 + (1 - rho) * dx**2
            add_scaled(-lr, gb, p[b])  # p = p - lr * dx


@OPTIMIZERS.register("rmsprop")
class RMSprop(Optimizer):
    """RMSprop, optionally centered and with momentum (torch.optim.RMSprop).

    ``Eg2`` is the running average of g**2, ``g_avg`` that of g and ``buf``
    the momentum buffer (all 0 at first)::

        Eg2 = rho * Eg2 + (1 - rho) * g**2
        v = Eg2                                    (centered=False)
        g_avg = rho * g_avg + (1 - rho) * g        (centered=True)
        v = max(Eg2 - g_avg**2, 0)                 (centered=True)
        buf = momentum * buf + g / (sqrt(v) + epsilon)       (momentum > 0)
        p = p - lr * buf                                     (momentum > 0)
        p = p - lr * g / (sqrt(v) + epsilon)                 (momentum = 0)

    Adagrad with a forgetting average, so the step does not vanish. Centered,
    ``v`` estimates the variance of g instead of its second moment (Graves
    2013). ``rho`` is torch's ``alpha``. The ``max(..., 0)`` is ours: in
    floating point ``Eg2 - g_avg**2`` can round below 0 for a nearly constant
    gradient, where torch's square root gives NaN.

    Parameters
    ----------
    learning_rate : float, default=0.01
    rho : float, default=0.99
    epsilon : float, default=1e-8
    weight_decay : float, default=0.0
        L2-coupled decay ``g = g + weight_decay * p``.
    momentum : float, default=0.0
        Momentum of the scaled step (torch's ``momentum``); 0 turns it off.
    centered : bool, default=False
        Divide by the root of the variance estimate ``Eg2 - g_avg**2``.

    References
    ----------
    Tieleman & Hinton (2012), "Lecture 6.5 - rmsprop: Divide the gradient by a
    running average of its recent magnitude", COURSERA: Neural Networks for
    Machine Learning.
    Graves (2013), "Generating Sequences With Recurrent Neural Networks",
    arXiv:1308.0850 (the centered form, section 4).
    """

    #: scikit-learn's ``momentum`` is SGD's: by name, RMSprop keeps momentum=0
    _not_from_estimator = frozenset({"momentum"})

    _parameter_constraints: ClassVar[dict] = {
        "learning_rate": LEARNING_RATE,
        "rho": DECAY,
        "epsilon": EPSILON,
        "weight_decay": WEIGHT_DECAY,
        "momentum": DECAY,
        "centered": BOOLEAN,
    }

    def __init__(
        self,
        learning_rate: float = 0.01,
        rho: float = 0.99,
        epsilon: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        self.learning_rate = learning_rate
        self.rho = rho
        self.epsilon = epsilon
        self.weight_decay = weight_decay
        self.momentum = momentum
        self.centered = centered

    def _init_state(self, p):
        return {"Eg2": np.zeros_like(p), "tmp": block_scratch(p)}

    def _variant_state(self, p, s, mu: float):
        """``(g_avg, buf)``: created on first use, None when switched off."""
        if self.centered and "g_avg" not in s:
            s["g_avg"] = np.zeros_like(p)
        if mu > 0.0 and "buf" not in s:
            s["buf"] = np.zeros_like(p)
        return (
            s["g_avg"] if self.centered else None,
            s["buf"] if mu > 0.0 else None,
        )

    @fuses_terms
    def _update(self, p, g, s, lr, t, terms=()):
        rho, eps, mu = float(self.rho), float(self.epsilon), float(self.momentum)
        Eg2, tmp = s["Eg2"], s["tmp"]
        g_avg, buf = self._variant_state(p, s, mu)
        if self._compiled(
            _jit.rmsprop, p, g, Eg2, g_avg, buf, lr, rho, eps, mu, terms=terms
        ):
            return  # one compiled pass, the same bits as the loop below
        for b in self._fused_blocks(p, g, terms):  # g is scratch
            gb, Eg2b = g[b], Eg2[b]
            tb = tmp[: len(gb)]
            np.square(gb, out=tb)
            scaled_axpy(rho, 1.0 - rho, tb, Eg2b)  # Eg2 = rho * Eg2 + (1 - rho) * g**2
            if g_avg is None:
                np.sqrt(Eg2b, out=tb)
            else:
                self._centered_root(gb, Eg2b, g_avg[b], tb, rho)
            tb += eps
            gb /= tb  # g now holds g / (sqrt(v) + epsilon)
            if buf is None:
                add_scaled(-lr, gb, p[b])  # p = p - lr * g / (sqrt(v) + epsilon)
            else:
                bb = buf[b]
                bb *= mu
                bb += gb  # buf = momentum * buf + g / (sqrt(v) + epsilon)
                np.multiply(bb, -lr, out=gb)
                p[b] += gb  # p = p - lr * buf

    @staticmethod
    def _centered_root(g, Eg2, g_avg, out, rho: float) -> None:
        """``out = sqrt(max(Eg2 - g_avg**2, 0))`` after updating ``g_avg``."""
        np.multiply(g, 1.0 - rho, out=out)
        g_avg *= rho
        g_avg += out  # g_avg = rho * g_avg + (1 - rho) * g
        np.square(g_avg, out=out)
        np.subtract(Eg2, out, out=out)
        np.maximum(out, 0.0, out=out)  # v = max(Eg2 - g_avg**2, 0)
        np.sqrt(out, out=out)


@OPTIMIZERS.register("rprop")
class Rprop(Optimizer):
    """Resilient backpropagation (torch.optim.Rprop), for full batches.

    Per-coordinate step sizes ``step`` (``lr`` at the first step) and the last
    gradient ``prev`` (0 at first); only the sign of g is used::

        s = sign(g * prev)
        step = clip(step * eta_plus,  step_min, step_max)   where s > 0
        step = clip(step * eta_minus, step_min, step_max)   where s < 0
        g = 0                                               where s < 0
        p = p - sign(g) * step
        prev = sign(g)

    torch keeps ``prev = g``; only its sign matters, and keeping the sign saves
    a pass (the two differ only if ``g * prev`` underflows to 0).
    ``lr`` only sets the initial step: later schedules have no effect. Noisy
    mini-batch gradients flip signs at random, so use ``batch_size`` equal to
    the number of samples.

    Parameters
    ----------
    learning_rate : float, default=0.01
        Initial step size.
    eta_minus : float, default=0.5
        Step shrink factor after a sign change.
    eta_plus : float, default=1.2
        Step growth factor while the sign is kept.
    step_min : float, default=1e-6
    step_max : float, default=50.0
    weight_decay : float, default=0.0
        L2-coupled decay ``g = g + weight_decay * p``.

    References
    ----------
    Riedmiller & Braun (1993), "A direct adaptive method for faster
    backpropagation learning: the RPROP algorithm", IEEE ICNN.
    """

    _parameter_constraints: ClassVar[dict] = {
        "learning_rate": LEARNING_RATE,
        "eta_minus": [Interval(Real, 0, 1, closed="neither")],
        "eta_plus": [Interval(Real, 1, None, closed="neither")],
        "step_min": [Interval(Real, 0, None, closed="left")],
        "step_max": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": WEIGHT_DECAY,
    }

    def __init__(
        self,
        learning_rate: float = 0.01,
        eta_minus: float = 0.5,
        eta_plus: float = 1.2,
        step_min: float = 1e-6,
        step_max: float = 50.0,
        weight_decay: float = 0.0,
    ) -> None:
        self.learning_rate = learning_rate
        self.eta_minus = eta_minus
        self.eta_plus = eta_plus
        self.step_min = step_min
        self.step_max = step_max
        self.weight_decay = weight_decay

    def _validate_params(self) -> None:
        """Check the constraints, then ``step_min <= step_max``."""
        super()._validate_params()
        if float(self.step_min) > float(self.step_max):
            invalid_parameter(
                self, "step_min", f"at most step_max={self.step_max!r}", self.step_min
            )

    def _init_state(self, p):
        tmp = block_scratch(p)
        return {
            "prev": np.zeros_like(p),
            "step": np.empty_like(p),
            "tmp": tmp,
            "mask": np.empty(tmp.shape, dtype=bool),
            "mask2": np.empty(tmp.shape, dtype=bool),
        }

    @fuses_terms
    def _update(self, p, g, s, lr, t, terms=()):
        prev, step, tmp, pos = s["prev"], s["step"], s["tmp"], s["mask"]
        if "mask2" not in s:  # state from an older version
            s["mask2"] = np.empty_like(pos)
        neg = s["mask2"]
        eta_plus, eta_minus = float(self.eta_plus), float(self.eta_minus)
        step_min, step_max = float(self.step_min), float(self.step_max)
        if t == 1:
            step.fill(lr)
        for b in self._fused_blocks(p, g, terms):  # g is scratch
            gb, prevb, stepb = g[b], prev[b], step[b]
            n = len(gb)
            tb, posb, negb = tmp[:n], pos[:n], neg[:n]
            np.multiply(gb, prevb, out=tb)  # sign(g * prev) is the sign of tmp
            np.greater(tb, 0.0, out=posb)
            np.less(tb, 0.0, out=negb)
            np.multiply(stepb, eta_plus, out=stepb, where=posb)
            np.multiply(stepb, eta_minus, out=stepb, where=negb)
            np.clip(stepb, step_min, step_max, out=stepb)
            np.copyto(gb, 0.0, where=negb)  # g = 0 where s < 0
            np.sign(gb, out=prevb)  # prev = sign(g)
            np.multiply(prevb, stepb, out=tb)
            np.subtract(p[b], tb, out=p[b])  # p = p - sign(g) * step
