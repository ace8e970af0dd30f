"""Stochastic gradient descent: scikit-learn's velocity form and torch's buffer form.

``SGD`` keeps scikit-learn's ``solver='sgd'`` semantics (the velocity holds
learning-rate-scaled steps); ``Momentum`` and ``Nesterov`` are thin subclasses
that change the defaults and use torch.optim.SGD's buffer of raw gradients.
"""

from __future__ import annotations

from numbers import Real
from typing import ClassVar

import numpy as np

from sklearn_adamlp import _jit
from sklearn_adamlp._validation import Interval
from sklearn_adamlp.optimizers._base import (
    BOOLEAN,
    DECAY,
    LEARNING_RATE,
    OPTIMIZERS,
    WEIGHT_DECAY,
    Optimizer,
    fuses_terms,
)
from sklearn_adamlp.regularizers import add_scaled, axpy


@OPTIMIZERS.register("sgd")
class SGD(Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum.

    scikit-learn's ``solver='sgd'`` update (Sutskever et al. 2013 form), with
    velocity ``v`` (0 at first)::

        v = momentum * v - lr * g
        p = p + momentum * v - lr * g      if nesterov
        p = p + v                          otherwise

    With ``momentum=0`` this is plain ``p = p - lr * g``.

    With a constant ``lr`` this equals torch's form used by ``Momentum`` and
    ``Nesterov`` (``v = -lr * buf``). They differ when ``lr`` changes: here the
    velocity keeps the old learning rates of past steps, while torch's buffer
    holds raw gradients, so a new ``lr`` rescales the whole momentum at once.

    Parameters
    ----------
    learning_rate : float, default=0.01
        Step size ``lr`` (the rate ``step`` receives; schedules scale it).
    momentum : float, default=0.0
        Momentum coefficient in [0, 1].
    nesterov : bool, default=False
        Use Nesterov's accelerated gradient.
    weight_decay : float, default=0.0
        L2-coupled decay: ``g = g + weight_decay * p`` before the update.

    References
    ----------
    Robbins & Monro (1951), "A stochastic approximation method", Annals of
    Mathematical Statistics 22; Sutskever, Martens, Dahl & Hinton (2013), "On the
    importance of initialization and momentum in deep learning", ICML.
    """

    _parameter_constraints: ClassVar[dict] = {
        "learning_rate": LEARNING_RATE,
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterov": BOOLEAN,
        "weight_decay": WEIGHT_DECAY,
    }

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
        return {"v": np.zeros_like(p)}

    @fuses_terms
    def _update(self, p, g, s, lr, t, terms=()):
        mu = float(self.momentum)
        if mu != 0.0 and "v" not in s:  # momentum switched on after the first step
            s["v"] = np.zeros_like(p)
        v = s["v"] if mu != 0.0 else None
        if self._compiled(self._compiled_step, p, g, v, lr, mu, terms=terms):
            return  # one compiled pass, the same bits as the loop below
        # block by block: the few passes of a block stay in cache (see _blocks)
        for b in self._fused_blocks(p, g, terms):
            if v is None:
                add_scaled(-lr, g[b], p[b])  # p = p - lr * g
            else:
                self._momentum_step(p[b], g[b], v[b], lr, mu)

    def _compiled_step(self, p, g, v, lr, mu, l2) -> bool:
        """Run the step as one compiled pass (``_jit``), if this class allows it.

        Only while ``_momentum_step`` is this class's own: a subclass that
        changes the rule keeps the numpy blocks.
        """
        if v is not None and type(self)._momentum_step is not SGD._momentum_step:
            return False
        return _jit.sgd(p, g, v, lr, mu, self.nesterov, l2)

    def _momentum_step(self, p, g, v, lr, mu):
        g *= -lr  # g now holds -lr * g
        v *= mu
        v += g  # v = momentum * v - lr * g
        if self.nesterov:
            axpy(mu, v, p)
            p += g  # p = p + momentum * v - lr * g
        else:
            p += v  # p = p + v


@OPTIMIZERS.register("momentum")
class Momentum(SGD):
    """SGD with classical (heavy-ball) momentum, torch.optim.SGD's form.

    Buffer ``buf`` of raw gradients (0 at first)::

        buf = momentum * buf + g
        g = g + momentum * buf             if nesterov
        g = buf                            otherwise
        p = p - lr * g

    Unlike ``SGD`` (scikit-learn's velocity form), a change of ``lr`` by a
    schedule applies at once to the whole accumulated momentum.

    Parameters
    ----------
    learning_rate : float, default=0.01
        Step size ``lr``.
    momentum : float, default=0.9
        Momentum coefficient ``momentum`` in [0, 1).
    nesterov : bool, default=False
        Use the Nesterov form (see ``Nesterov``).
    weight_decay : float, default=0.0
        L2-coupled decay: ``g = g + weight_decay * p`` before the update.

    References
    ----------
    Polyak (1964), "Some methods of speeding up the convergence of iteration
    methods", USSR Computational Mathematics and Mathematical Physics 4;
    Qian (1999), "On the momentum term in gradient descent learning algorithms",
    Neural Networks 12.
    """

    #: the name fixes the form: a solver given as 'momentum' or 'nesterov' does
    #: not take the estimator's ``nesterovs_momentum``
    _not_from_estimator = frozenset({"nesterovs_momentum"})

    _parameter_constraints: ClassVar[dict] = {
        **SGD._parameter_constraints,
        "momentum": DECAY,
    }

    def __init__(
        self,
        learning_rate: float = 0.01,
        momentum: float = 0.9,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(learning_rate, momentum, nesterov, weight_decay)

    def _compiled_step(self, p, g, buf, lr, mu, l2) -> bool:
        """Torch's momentum step as one compiled pass (``_jit``), if allowed."""
        if buf is None:  # no momentum: the plain step, shared with SGD
            return _jit.sgd(p, g, None, lr, mu, self.nesterov, l2)
        if type(self)._momentum_step is not Momentum._momentum_step:
            return False
        return _jit.momentum(p, g, buf, lr, mu, self.nesterov, l2)

    def _momentum_step(self, p, g, buf, lr, mu):
        buf *= mu
        buf += g  # buf = momentum * buf + g
        if self.nesterov:
            axpy(mu, buf, g)  # g = g + momentum * buf
            add_scaled(-lr, g, p)  # p = p - lr * g
        else:
            axpy(-lr, buf, p)  # p = p - lr * buf


@OPTIMIZERS.register("nesterov")
class Nesterov(Momentum):
    """Nesterov's accelerated gradient (NAG), torch.optim.SGD's nesterov form.

    ``Momentum`` with ``nesterov=True``; buffer ``buf`` (0 at first)::

        buf = momentum * buf + g
        g = g + momentum * buf
        p = p - lr * g

    This is the look-ahead ``v = momentum * v + lr * grad(p - momentum * v)``
    of the lecture notes rewritten at the look-ahead point (Sutskever et al.).

    Parameters
    ----------
    learning_rate : float, default=0.01
        Step size ``lr``.
    momentum : float, default=0.9
        Momentum coefficient ``momentum`` in [0, 1).
    nesterov : bool, default=True
        ``False`` gives classical momentum.
    weight_decay : float, default=0.0
        L2-coupled decay: ``g = g + weight_decay * p`` before the update.

    References
    ----------
    Nesterov (1983), "A method for unconstrained convex minimization problem with
    the rate of convergence O(1/k^2)", Doklady ANSSSR 269; Sutskever, Martens,
    Dahl & Hinton (2013), ICML.
    """

    def __init__(
        self,
        learning_rate: float = 0.01,
        momentum: float = 0.9,
        nesterov: bool = True,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(learning_rate, momentum, nesterov, weight_decay)
