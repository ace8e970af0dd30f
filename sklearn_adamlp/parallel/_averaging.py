"""Synchronous model averaging (local SGD), the baseline of the parallel strategies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np

from sklearn_adamlp.parallel._strategies import (
    COUNT,
    PARALLEL,
    ParallelStrategy,
    Replica,
)


@PARALLEL.register("averaging")
class ModelAveraging(ParallelStrategy):
    """Synchronous model averaging: local SGD, averaged every ``tau`` steps.

    Every worker starts a round from the center ``x~``, steps its replica
    ``x_w`` ``tau`` times with the optimizer on its share of the batches, and
    the center becomes the average of the replicas, weighted by the steps
    ``s_w`` each took in the round (all equal but in an epoch's last round)::

        x_w = x~;   (tau steps of worker w: x_w)
        x~  = sum_w s_w x_w / sum_w s_w

    This is local SGD with periodic averaging: parameter mixing (Zinkevich et
    al. 2010) with ``tau`` = a whole share, federated averaging (McMahan et
    al. 2017) with all workers taking part in every round. It is the
    synchronous baseline the asynchronous strategies are measured against:
    deterministic (on every backend: the rounds meet at a barrier), and with
    ``tau=1`` and plain SGD it is serial SGD with ``k`` times the batch.

    Parameters
    ----------
    n_workers : int or None, default=None
    tau : int, default=8
        Steps of each worker between two averagings.
    backend : {'processes', 'sequential', 'dask'}, default='processes'
    start_method : str or None, default=None

    References
    ----------
    .. [1] Zinkevich, M., Weimer, M., Smola, A. J. and Li, L. (2010).
       Parallelized stochastic gradient descent. NIPS.
    .. [2] McMahan, B., Moore, E., Ramage, D., Hampson, S. and Aguera y Arcas,
       B. (2017). Communication-efficient learning of deep networks from
       decentralized data. AISTATS.
    """

    synchronous = True
    _parameter_constraints: ClassVar[dict] = {
        **ParallelStrategy._parameter_constraints,
        "tau": [COUNT],
    }

    def __init__(
        self,
        n_workers: int | None = None,
        tau: int = 8,
        backend: str = "processes",
        start_method: str | None = None,
    ) -> None:
        self.n_workers = n_workers
        self.tau = tau
        self.backend = backend
        self.start_method = start_method

    def after_step(self, replica: Replica) -> None:
        replica.steps += 1

    @staticmethod
    def average(
        center: np.ndarray,
        replicas: Sequence[np.ndarray | float],
        steps: Sequence[int],
    ) -> bool:
        """``x~ = sum_w s_w x_w / sum_w s_w``; False if no worker stepped."""
        total = sum(steps)
        if not total:
            return False
        center[...] = 0.0
        for local, s in zip(replicas, steps, strict=True):
            if s:
                center += (s / total) * local
        return True
