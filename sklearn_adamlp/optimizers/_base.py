"""The optimizer template: ``step(params, grads)`` over flat buffers."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from numbers import Real
from typing import Any, ClassVar

import numpy as np

from sklearn_adamlp._params import Parametrized
from sklearn_adamlp._registry import Registry
from sklearn_adamlp._typing import FloatArray
from sklearn_adamlp._validation import Interval
from sklearn_adamlp.regularizers import (
    DecoupledWeightDecay,
    L2GradientTerm,
    add_scaled,
)

OPTIMIZERS = Registry("optimizer")

#: constraints shared by the optimizers' hyper-parameters (``_parameter_constraints``)
# lr >= 0: a rate of 0 leaves the weights as drawn (a network at initialization)
LEARNING_RATE = [Interval(Real, 0, None, closed="left")]
DECAY = [Interval(Real, 0, 1, closed="left")]  # a moving average's 0 <= beta < 1
EPSILON = [Interval(Real, 0, None, closed="neither")]  # eps > 0
WEIGHT_DECAY = [Interval(Real, 0, None, closed="left")]  # weight_decay >= 0
BOOLEAN = ["boolean"]


class Optimizer(Parametrized):
    """Base class of the first-order optimizers.

    ``step(params, grads, terms, learning_rate)`` updates every array of
    ``params`` in place from the same-shaped ``grads``. On the first call it
    creates the state (``state_``, one dict of arrays per parameter array) and
    the step counter ``t_``; then, for t = 1, 2, ...::

        lr = learning_rate argument        (the hyper-parameter when not given)
        g  = g + weight_decay * p        (weight_decay_mode 'l2', when weight_decay > 0)
        p  = p * (1 - lr * weight_decay) (weight_decay_mode 'decoupled', e.g. AdamW)
        g  = g + terms(p)                (the gradient terms passed to ``step``)
        p  = update(p, g, state, lr, t)  (the subclass's ``_update``)

    ``weight_decay`` is L2-coupled by default (``weight_decay_mode = 'l2'``:
    an ``L2GradientTerm`` over the whole buffer, biases included, added to the
    gradient as torch.optim does); a class with ``weight_decay_mode =
    'decoupled'`` (``AdamW``) shrinks the parameters with
    ``regularizers.DecoupledWeightDecay`` instead, before its update (torch's
    order), the same decay the estimator's ``weight_decay`` applies. Contiguous
    arrays reach ``_update`` as flat 1-D views.

    The step's rate is an argument, as Keras 3's ``update_step(gradient,
    variable, learning_rate)``: the training loop computes it in one place
    (``TrainContext.learning_rate``: the hyper-parameter ``learning_rate``
    times the schedule's factor and the plateau reductions) and passes it;
    nothing outside the optimizer writes its attributes during a fit. Called
    without it (a standalone step), the rate is the hyper-parameter.
    On the estimator's fast path ``params`` is ``[flat]``, one contiguous buffer,
    so the loop below runs once and ``_update`` is a handful of vectorized
    operations over every weight and bias.

    Hyper-parameters are stored verbatim by ``__init__`` and read with ``float()``
    at step time, so a numpy scalar from a parameter grid never changes the dtype
    of float32 training. Fitted state ends with ``_`` and is not copied by
    ``clone``.
    """

    #: how ``weight_decay`` acts: 'l2' (added to the gradient) or 'decoupled'
    weight_decay_mode: ClassVar[str] = "l2"

    #: capability flags: ``step`` takes the gradient terms (third argument) and
    #: the keyword ``learning_rate``. A subclass that overrides ``step`` gets
    #: False for a flag it does not set itself: the training loop then adds the
    #: L2 gradient to the whole gradient first, and its ``step`` is called
    #: without a rate (a schedule cannot reach it; the fit warns).
    accepts_gradient_terms: ClassVar[bool] = True
    accepts_learning_rate: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__:
            for flag in ("accepts_gradient_terms", "accepts_learning_rate"):
                if flag not in cls.__dict__:
                    setattr(cls, flag, False)

    def step(
        self,
        params: Sequence[FloatArray],
        grads: Sequence[FloatArray],
        terms: Sequence[GradientTerm] = (),
        learning_rate: float | None = None,
    ) -> None:
        """Update ``params`` in place from ``grads`` (``grads`` may be modified).

        ``learning_rate`` is this step's rate (the training loop passes the
        scheduled rate); None takes the hyper-parameter ``learning_rate``.

        ``terms`` (with a single, flat parameter array only) are gradient terms
        still to be added: ``term(p, g, block)`` adds its part to ``g[block]``,
        e.g. the L2 penalty's ``L2GradientTerm``, ``g[block] += c * p[block]``
        on the weight slice. An update marked with ``fuses_terms`` receives them
        as its ``terms`` argument and adds them block by block inside its own
        pass over the buffers (``_fused_blocks``), while each block is in cache;
        any other update gets them added to the whole arrays first.
        """
        if terms and (len(params) != 1 or params[0].ndim != 1):
            raise ValueError("gradient terms need a single flat parameter array.")
        if getattr(self, "state_", None) is None:
            self.state_ = [self._init_state(_flat(p)) for p in params]
            self.t_ = 0
        self.t_ += 1
        lr = self.base_learning_rate() if learning_rate is None else learning_rate
        wd = float(getattr(self, "weight_decay", 0.0) or 0.0)
        fused = getattr(self._update, "fuses_terms", False)
        fuses_decay = getattr(self._update, "fuses_decay", False)
        decoupled = self.weight_decay_mode == "decoupled"
        for p, g, s in zip(params, grads, self.state_, strict=True):
            p1 = _flat(p)
            g1 = g.reshape(p1.shape)  # a view, or a scratch copy if g is strided
            if wd and not decoupled:
                L2GradientTerm(wd)(p1, g1, slice(None))
            elif wd and not fuses_decay:
                DecoupledWeightDecay(wd).apply(p1, lr)
            if fused:
                self._update(p1, g1, s, lr, self.t_, terms)
                continue
            for term in terms:
                term(p1, g1, slice(None))
            self._update(p1, g1, s, lr, self.t_)

    def _fused_blocks(
        self, p: FloatArray, g: FloatArray, terms: Sequence[GradientTerm] = ()
    ):
        """Yield the blocks of ``p``, adding the gradient ``terms`` to ``g``.

        Each block of ``g`` receives the terms just before it is yielded, so an
        update that reads ``g[b]`` only inside its loop sees the full gradient.
        """
        for b in _blocks(p):
            for term in terms:
                term(p, g, b)
            yield b

    def _compiled(
        self,
        step: Callable[..., bool],
        *args: Any,
        terms: Sequence[GradientTerm] = (),
    ) -> bool:
        """Try a compiled step: ``step(*args, l2)``, one of ``_jit``'s.

        ``l2`` is ``terms`` as one L2 term (``_fused_l2``). False when the terms
        are something else or the step declines (no numba, not switched on yet,
        a strided buffer): the caller then runs its numpy blocks.
        """
        l2 = _fused_l2(terms)
        return l2 is not None and step(*args, l2)

    def base_learning_rate(self) -> float:
        """Return the hyper-parameter ``learning_rate`` (1.0 for a class without).

        Schedules and plateau reductions multiply it; the training loop passes
        the product to ``step``.
        """
        return float(getattr(self, "learning_rate", 1.0))

    def decay_factor(self, lr: float) -> float:
        """Return the factor decoupled weight decay multiplies ``p`` by at ``lr``.

        ``1 - lr * weight_decay`` in decoupled mode (``AdamW``;
        ``DecoupledWeightDecay.factor``), else 1.0 (L2-coupled decay goes
        through the gradient). An update marked ``fuses_decay`` multiplies ``p``
        by it in its own pass; the estimator rejects a fit in which it would
        reach 0 or below.
        """
        wd = float(getattr(self, "weight_decay", 0.0) or 0.0)
        if self.weight_decay_mode != "decoupled" or not wd:
            return 1.0
        return DecoupledWeightDecay(wd).factor(lr)

    def continue_from(self, other: Optimizer) -> None:
        """Take the moments and step count of ``other``, of the same class.

        A warm-started fit or ``partial_fit`` builds a fresh optimizer from
        the estimator's parameters and continues the previous one's state;
        another class (the solver changed) starts anew.
        """
        if type(other) is type(self) and getattr(other, "state_", None) is not None:
            self.state_, self.t_ = other.state_, other.t_

    def reset(self) -> None:
        """Forget the state (moments and step counter)."""
        for name in ("state_", "t_", "lr_scale_"):  # lr_scale_: older pickles
            self.__dict__.pop(name, None)

    def _init_state(self, p: FloatArray) -> dict[str, Any]:
        """State arrays for one parameter array (same dtype and shape)."""
        return {}

    def _update(
        self,
        p: FloatArray,
        g: FloatArray,
        s: dict[str, Any],
        lr: float,
        t: int,
        terms: Sequence[GradientTerm] = (),
    ) -> None:
        """Update ``p`` in place from ``g`` (scratch), state ``s``, rate and step.

        An update marked ``fuses_terms`` takes a sixth argument, ``terms``.
        """
        raise NotImplementedError


def _fused_l2(terms: Sequence[GradientTerm]) -> tuple[float, int] | None:
    """Return ``terms`` as one L2 term ``(c, stop)`` for a compiled step, or None.

    ``(0.0, 0)`` when there is no term, None when the terms are not one
    ``L2GradientTerm``. A compiled step (``_jit``) fuses only this term;
    anything else takes the numpy blocks.
    """
    if not terms:
        return (0.0, 0)
    if len(terms) == 1 and type(terms[0]) is L2GradientTerm:
        stop = terms[0].stop
        return (terms[0].c, sys.maxsize if stop is None else stop)
    return None


#: elements per block of a cache-blocked update (512 KiB of float64)
BLOCK_SIZE = 1 << 16

#: ``term(p, g, block)``: adds a gradient term to ``g[block]`` in place
GradientTerm = Callable[[FloatArray, FloatArray, slice], None]


def fuses_terms(update):
    """Mark an ``_update`` that adds the gradient terms itself.

    Such an update takes ``terms`` as its sixth argument, iterates
    ``self._fused_blocks(p, g, terms)`` and touches ``g[b]`` only inside the
    loop (or hands ``terms`` to ``self._compiled``). A subclass that overrides
    ``_update`` without this mark gets the terms added to the whole gradient
    before its update, so a custom optimizer never misses a penalty.
    """
    update.fuses_terms = True
    return update


def fuses_decay(update):
    """Mark an ``_update`` that applies the decoupled weight decay itself.

    Such an update multiplies ``p`` by ``self.decay_factor(lr)`` before its
    own step, inside its pass over the buffers; ``step`` then does not apply
    ``DecoupledWeightDecay`` in a pass of its own.
    """
    update.fuses_decay = True
    return update


def _blocks(p: FloatArray) -> Sequence[slice]:
    """Slices that cut a flat buffer into blocks of ``BLOCK_SIZE`` elements.

    The element-wise updates run their passes block by block: the few arrays of
    one block stay in the L2 cache from one pass to the next, so each large
    buffer crosses the memory bus about once per step instead of once per pass
    (the benchmark table in docs/optimizers.md).
    A small or non-flat (strided) array is one block.
    """
    if p.ndim != 1 or p.shape[0] <= BLOCK_SIZE:
        return (slice(None),)
    return [slice(i, i + BLOCK_SIZE) for i in range(0, p.shape[0], BLOCK_SIZE)]


def block_scratch(p: FloatArray) -> FloatArray:
    """Work array for one block of ``p`` (use ``tmp[: len(block)]``)."""
    if p.ndim != 1 or p.shape[0] <= BLOCK_SIZE:
        return np.empty_like(p)
    return np.empty(BLOCK_SIZE, dtype=p.dtype)


def scaled_axpy(c: float, a: float, x: FloatArray, y: FloatArray) -> None:
    """``y = c * y + a * x`` in place (``x`` is scratch: overwritten).

    A moving average ``y *= c; y += a * x``, or AdamW's decay and step, with
    ``x`` as the work array: three in-place passes, no allocation.
    """
    if c != 1.0:
        y *= c
    add_scaled(a, x, y)


def _flat(a: FloatArray) -> FloatArray:
    """Return a 1-D view of a C-contiguous array (blocks are 1-D slices)."""
    return a.reshape(-1) if a.flags.c_contiguous else a
