"""Growing the batch size instead of decaying the learning rate."""

from __future__ import annotations

import itertools
from numbers import Integral, Real
from typing import ClassVar

from sklearn_adamlp._params import invalid_parameter
from sklearn_adamlp._validation import Interval
from sklearn_adamlp.schedules._base import POSITIVE, SCHEDULES, Schedule


@SCHEDULES.register("increase_batch")
class IncreaseBatch(Schedule):
    """Multiply the mini-batch size where a step schedule would divide the rate.

    Smith, Kindermans, Ying & Le (2018): the noise scale of SGD is about
    ``g = lr * N / B`` (``N`` training samples, batch size ``B``), so dividing
    the learning rate by ``factor`` and multiplying the batch size by
    ``factor`` train alike, and the second takes ``factor`` times fewer steps.
    Once the batch size reaches its cap, the rate decays instead, keeping
    ``g`` on the step schedule's path (their "hybrid" schedule).

    With ``e`` the number of completed epochs, ``k`` the number of milestones
    reached (``k = floor(e / every)``, or the number of ``milestones`` at most
    ``e``), ``B_0`` the estimator's ``batch_size``, ``B_max`` the cap
    (``min(max_batch_size, N)``; ``N`` when None) and ``lr_0`` the base rate::

        B_e  = min(round(B_0 * factor**k), B_max)
        lr_e = lr_0 * min(1, B_max / (B_0 * factor**k))

    so that ``lr_e / B_e`` equals the step schedule's ``lr_0 / factor**k / B_0``
    while the batch can still grow, and the rate takes over the decay when
    it cannot. An epoch of ``N`` rows then takes ``ceil(N / B_e)`` steps.

    Parameters
    ----------
    factor : float, default=5.0
        The batch-size multiplier ``factor >= 1`` at each milestone (the
        paper's ``B``; 5 in its experiments).
    every : int, default=10
        Epochs between milestones, when ``milestones`` is None.
    milestones : tuple of int or None, default=None
        The epochs (completed-epoch counts, increasing) at which the step
        schedule would divide the rate.
    max_batch_size : int or None, default=None
        The cap ``B_max`` on the batch size (None: the number of training
        samples, full batch).

    References
    ----------
    Smith, S. L., Kindermans, P.-J., Ying, C. and Le, Q. V. (2018). Don't
    decay the learning rate, increase the batch size. ICLR 2018.
    """

    _parameter_constraints: ClassVar[dict] = {
        "factor": [Interval(Real, 1, None, closed="left")],
        "every": [POSITIVE],
        "milestones": [tuple, list, None],
        "max_batch_size": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        factor: float = 5.0,
        every: int = 10,
        milestones: tuple[int, ...] | None = None,
        max_batch_size: int | None = None,
    ) -> None:
        self.factor = factor
        self.every = every
        self.milestones = milestones
        self.max_batch_size = max_batch_size

    def _k(self, e: int) -> int:
        if self.milestones is None:
            return int(e) // int(self.every)
        return sum(1 for m in self.milestones if int(m) <= e)

    def _wanted(self, e: int) -> float:
        """``B_0 * factor**k``: the batch size the step schedule implies."""
        return self.batch_size_ * float(self.factor) ** self._k(e)

    def bind(self, batch_size: int, n_samples: int) -> None:
        """Learn ``B_0`` and ``B_max`` from the fit's data (called at fit)."""
        cap = n_samples if self.max_batch_size is None else self.max_batch_size
        if int(cap) < batch_size:
            raise ValueError(
                f"IncreaseBatch: max_batch_size={self.max_batch_size!r} is below "
                f"the starting batch size {batch_size}."
            )
        self.batch_size_ = int(batch_size)
        self.max_batch_size_ = min(int(cap), int(n_samples))

    def batch_size(self, e: int) -> int:
        """Return the mini-batch size ``B_e`` of epoch ``e``."""
        return min(round(self._wanted(e)), self.max_batch_size_)

    def __call__(self, t: int) -> float:
        if not hasattr(self, "batch_size_"):  # not fitted: no cap known
            return 1.0
        return min(1.0, self.max_batch_size_ / self._wanted(t))

    def _validate_params(self) -> None:
        """Check the constraints, then that ``milestones`` increase."""
        super()._validate_params()
        if self.milestones is None:
            return
        ms = list(self.milestones)
        if not all(isinstance(m, Integral) and m > 0 for m in ms) or any(
            b <= a for a, b in itertools.pairwise(ms)
        ):
            invalid_parameter(
                self,
                "milestones",
                "increasing positive integers or None",
                self.milestones,
            )
