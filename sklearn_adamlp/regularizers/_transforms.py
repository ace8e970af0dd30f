"""Step transforms: run by the training loop around every optimizer step.

A transform has ``before_step(ctx, lr)``, which may change the gradient
``ctx.grad`` (clipping, noise), and ``after_step(ctx, lr)``, which may change
the parameters ``ctx.flat`` (decoupled weight decay, max-norm projection); the
other hook does nothing. ``lr`` is the step's learning rate, passed by the
training loop. They work with any stepping optimizer, since they never look inside it,
and keep the dtype of the buffers (float32 stays float32). Work arrays are
created on first use and reused by every later step.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from sklearn_adamlp._typing import FloatArray
from sklearn_adamlp.regularizers._linalg import add_scaled, nrm2, scratch


class StepTransform:
    """No-op base: subclasses override ``before_step`` and/or ``after_step``."""

    def before_step(self, ctx: Any, lr: float) -> None:
        """Change ``ctx.grad`` before the optimizer step (default: nothing)."""

    def after_step(self, ctx: Any, lr: float) -> None:
        """Change ``ctx.flat`` after the optimizer step (default: nothing)."""

    def for_worker(self, index: int) -> StepTransform:
        """Return a copy for parallel worker ``index`` >= 1 (``parallel``)."""
        return copy.deepcopy(self)

    def __getstate__(self) -> dict:
        # scratch arrays (names starting with "_") are rebuilt on demand
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}


class DecoupledWeightDecay(StepTransform):
    """Weight decay decoupled from the gradient (Loshchilov & Hutter 2019).

    ::

        p = p * (1 - lr * weight_decay)       (i.e. p = p - lr * weight_decay * p)

    with ``lr`` the learning rate of the step (schedules included). The decay
    does not pass through the optimizer's adaptive scaling, so every weight
    shrinks by the same factor; unlike the L2 penalty ``alpha`` and an
    optimizer's L2-coupled ``weight_decay``, which are gradient terms
    (``L2GradientTerm``).

    The package's one decoupled decay, used in two places:

    - as the estimator's ``weight_decay``, a step transform: ``after_step``
      shrinks every weight (biases exempt) after the step of any optimizer,
      like optax's ``add_decayed_weights`` chained after the update;
    - by ``AdamW`` (``weight_decay_mode = 'decoupled'``), which applies
      ``factor(lr)`` to every parameter before its Adam update, exactly
      torch.optim.AdamW's ``p = p * (1 - lr * weight_decay)``.

    The two orders differ by ``lr**2 * weight_decay * update`` per step.

    Parameters
    ----------
    weight_decay : float
        Decay per unit of learning rate.

    References
    ----------
    .. [1] Loshchilov, I. and Hutter, F. (2019). Decoupled weight decay
       regularization. ICLR.
    """

    def __init__(self, weight_decay: float) -> None:
        self.weight_decay = weight_decay

    def factor(self, lr: float) -> float:
        """Return the factor ``1 - lr * weight_decay`` of one step."""
        return 1.0 - float(lr) * float(self.weight_decay)

    def apply(self, p: FloatArray, lr: float) -> None:
        """Shrink ``p`` in place: ``p *= 1 - lr * weight_decay``."""
        p *= self.factor(lr)  # a Python float keeps the dtype

    def after_step(self, ctx: Any, lr: float) -> None:
        """Shrink the weights (not the biases) in place."""
        self.apply(ctx.flat[ctx.network.layout.weights], lr)


class MaxNorm(StepTransform):
    """Max-norm constraint: project each unit's incoming weights into a ball.

    After every step, for each layer ``l`` and each column ``j`` of ``W[l]``
    (the weights into unit ``j`` of the next layer)::

        n_j = sqrt(sum_i W[l][i, j]**2)
        W[l][:, j] = W[l][:, j] * min(1, max_norm / n_j)

    so every column norm is at most ``max_norm``. Biases are not constrained.

    Parameters
    ----------
    max_norm : float
        Largest allowed norm ``c`` of an incoming weight vector.

    References
    ----------
    .. [1] Srebro, N. and Shraibman, A. (2005). Rank, trace-norm and max-norm.
       COLT.
    .. [2] Srivastava, N., Hinton, G., Krizhevsky, A., Sutskever, I. and
       Salakhutdinov, R. (2014). Dropout: a simple way to prevent neural
       networks from overfitting. JMLR 15, 1929-1958 (section 5.1).
    """

    def __init__(self, max_norm: float) -> None:
        self.max_norm = max_norm

    def after_step(self, ctx: Any, lr: float) -> None:
        """Rescale the columns whose norm exceeds ``max_norm``, in place."""
        c = float(self.max_norm)
        W, _ = ctx.network.layout.views(ctx.flat)
        factors = self._factors(W)
        for w, f in zip(W, factors, strict=True):
            np.einsum("ij,ij->j", w, w, out=f)  # squared column norms, no temporary
            np.sqrt(f, out=f)
            np.maximum(f, c, out=f)
            np.divide(c, f, out=f)  # min(1, c / n_j)
            w *= f  # broadcast over rows

    def _factors(self, W: list[FloatArray]) -> list[FloatArray]:
        shapes = [(w.shape[1], w.dtype) for w in W]
        if getattr(self, "_shapes", None) != shapes:
            self._shapes = shapes
            self._bufs = [np.empty(n, dtype=dt) for n, dt in shapes]
        return self._bufs


class GradientClipping(StepTransform):
    """Clip the gradient by its global norm before every step.

    ::

        n = sqrt(sum(g**2))                 (over every weight and bias)
        g = g * min(1, clip_norm / n)

    Parameters
    ----------
    clip_norm : float
        Largest allowed norm ``c`` of the flat gradient.

    References
    ----------
    .. [1] Pascanu, R., Mikolov, T. and Bengio, Y. (2013). On the difficulty of
       training recurrent neural networks. ICML (Algorithm 1).
    """

    def __init__(self, clip_norm: float) -> None:
        self.clip_norm = clip_norm

    def before_step(self, ctx: Any, lr: float) -> None:
        """Rescale ``ctx.grad`` in place when its norm exceeds ``clip_norm``."""
        c = float(self.clip_norm)
        n = nrm2(ctx.grad)
        if n > c:
            ctx.grad *= c / n


class GradientNoise(StepTransform):
    """Annealed Gaussian gradient noise before every step.

    ::

        sigma_t**2 = eta / (1 + t)**gamma
        g = g + sigma_t * N(0, I)

    with ``t`` the number of optimizer steps taken before this one (0 for the
    first step of a fit; it carries on with ``warm_start`` and ``partial_fit``)
    and ``gamma = 0.55``. The noise is drawn, into one reused buffer, from a
    ``numpy.random.Generator`` seeded with ``seed``; the estimator draws that
    seed from its ``random_state`` when the fit starts (without a seed, it is
    drawn from ``ctx.rng`` at the first step).

    Parameters
    ----------
    eta : float
        Noise variance at ``t = 0``.
    gamma : float, default=0.55
        Annealing exponent.
    seed : int or None, default=None
        Seed of the noise generator.

    References
    ----------
    .. [1] Neelakantan, A., Vilnis, L., Le, Q. V., Sutskever, I., Kaiser, L.,
       Kurach, K. and Martens, J. (2015). Adding gradient noise improves
       learning for very deep networks. arXiv:1511.06807.
    """

    def __init__(self, eta: float, gamma: float = 0.55, seed: int | None = None):
        self.eta = eta
        self.gamma = gamma
        self.seed = seed

    def for_worker(self, index: int) -> GradientNoise:
        """Return a copy with its own noise, seeded ``SeedSequence([seed, index])``."""
        seq = np.random.SeedSequence(None if self.seed is None else [self.seed, index])
        return GradientNoise(self.eta, self.gamma, seed=int(seq.generate_state(1)[0]))

    def sigma(self, t: int) -> float:
        """Noise standard deviation at step ``t``."""
        return float(np.sqrt(float(self.eta) / (1.0 + t) ** float(self.gamma)))

    def before_step(self, ctx: Any, lr: float) -> None:
        """Add the noise to ``ctx.grad`` in place."""
        if getattr(self, "_gen", None) is None:  # a Generator fills in place
            seed = self.seed if self.seed is not None else _draw_seed(ctx.rng)
            self._gen = np.random.default_rng(seed)
        noise = scratch(self, ctx.grad)
        self._gen.standard_normal(out=noise, dtype=noise.dtype)
        add_scaled(self.sigma(ctx.state.steps), noise, ctx.grad)  # noise: scratch


def _draw_seed(rng: np.random.RandomState) -> int:
    return int(rng.randint(np.iinfo(np.int32).max))


#: estimator parameter -> (value that turns it off, transform class)
STEP_PARAMS = {
    "clip_norm": (None, GradientClipping),
    "gradient_noise": (0.0, GradientNoise),
    "weight_decay": (0.0, DecoupledWeightDecay),
    "max_norm": (None, MaxNorm),
}


def active_step_params(params: dict[str, Any]) -> list[str]:
    """Names among ``STEP_PARAMS`` whose value in ``params`` is not 'off'."""
    active = []
    for name, (off, _) in STEP_PARAMS.items():
        value = params.get(name, off)
        on = value is not None and (off is None or float(value) != float(off))
        if on:
            active.append(name)
    return active


def step_transforms(
    params: dict[str, Any], rng: np.random.RandomState | None = None
) -> list[StepTransform]:
    """Return the transforms of the active step parameters, in running order.

    Before the step: clipping, then noise (so the noise keeps its stated
    variance). After the step: decay, then the max-norm projection (so the
    constraint holds when the step is done). ``rng`` (the estimator's
    ``RandomState``) seeds the noise here, before the fit draws anything that
    depends on the data's size, so weighted and repeated samples see the same
    noise.
    """
    transforms: list[StepTransform] = []
    for name in active_step_params(params):
        cls = STEP_PARAMS[name][1]
        if cls is GradientNoise and rng is not None:
            transforms.append(GradientNoise(params[name], seed=_draw_seed(rng)))
        else:
            transforms.append(cls(params[name]))
    return transforms
