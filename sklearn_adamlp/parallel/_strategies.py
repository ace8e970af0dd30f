"""Parallel SGD strategies: how workers share the parameters.

``k`` workers split every epoch's mini-batches (worker ``w`` takes batches
``w, w + k, w + 2k, ...`` of the shuffled order) and each runs the estimator's
optimizer on its share. They differ in what they step and how they talk to the
**center** ``x~``, the parameters in shared memory that the estimator ends with:

- ``Hogwild``: every worker steps ``x~`` itself, without a lock.
- ``Downpour``: every worker steps a replica ``x_w`` and sends its accumulated
  update to ``x~`` every ``n_push`` steps, fetching ``x~`` every ``n_fetch``.
- ``EASGD``: every worker steps a replica ``x_w`` held to ``x~`` by an elastic
  force every ``tau`` steps.

A strategy holds hyper-parameters only (clone-able and tunable as
``parallel__n_workers``); the hooks act on a worker's ``Replica``.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from numbers import Integral, Real
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np

from sklearn_adamlp._params import Parametrized, invalid_parameter
from sklearn_adamlp._registry import Registry
from sklearn_adamlp._validation import Interval, StrOptions
from sklearn_adamlp.parallel._cpus import usable_cpus

BACKENDS = ("processes", "sequential", "dask")

#: backend -> the session class that runs a fit's epochs on it, called as
#: ``session(strategy, ctx, batches)``. The sessions import this module (for
#: ``Replica`` and the strategies' hooks), so ``sklearn_adamlp.parallel``
#: fills the table in when the package is imported, instead of this module
#: importing them.
SESSIONS: dict[str, Callable[[ParallelStrategy, Any, Any], Any]] = {}

PARALLEL = Registry("parallel strategy")

#: a count of steps or workers: an int >= 1 (a bool is refused)
COUNT = Interval(Integral, 1, None, closed="left")


class Replica:
    """A worker's parameters and its line to the center.

    ``local`` is what the worker's optimizer steps: the center itself for a
    strategy that ``shares_center`` (Hogwild), else the worker's own copy.
    ``lock`` guards the center's read-modify-write exchanges (a
    ``sklearn_adamlp.parallel.TimedLock`` in worker processes, so that a worker
    that died holding it is noticed); ``steps`` counts the worker's steps in
    this fit. A replica that is the center (Hogwild) has no exchanges and no
    work arrays.

    ``local - base`` is always the update accrued since the last push: a
    fetch keeps it (Dean et al. 2012 accrue the updates across fetches and
    push them all).
    """

    def __init__(self, center: np.ndarray, local: np.ndarray, lock: Any) -> None:
        self.center, self.local = center, local
        self.lock = lock if lock is not None else nullcontext()
        own = local is not center
        # ``local - base``: the update not pushed yet; scratch: the work array
        self.base: np.ndarray | None = np.empty_like(local) if own else None
        self.scratch: np.ndarray | None = np.empty_like(local) if own else None
        self.steps = 0

    def _work(self) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(base, scratch)``; only a replica that is the center has none.

        The exchanges are called by the strategies that keep replicas, never
        for a replica that is the center (Hogwild).
        """
        base, scratch = self.base, self.scratch
        assert base is not None, "a replica that is the center has no base"
        assert scratch is not None, "a replica that is the center has no scratch"
        return base, scratch

    def reset(self) -> None:
        """``x_w = x~``, with nothing accrued (the start of a fit)."""
        base, _ = self._work()
        with self.lock:
            np.copyto(self.local, self.center)
        np.copyto(base, self.local)

    def fetch(self) -> None:
        """``x_w = x~``, keeping the accrued update ``a = x_w - base`` to push.

        ``base = x~ - a`` afterwards, so the next push still sends ``a`` plus
        the steps taken after the fetch.
        """
        base, scratch = self._work()
        np.subtract(self.local, base, out=scratch)  # a
        with self.lock:
            np.copyto(self.local, self.center)
        np.subtract(self.local, scratch, out=base)

    def push(self) -> None:
        """``x~ += x_w - base``: send the update accrued since the last push."""
        base, scratch = self._work()
        np.subtract(self.local, base, out=scratch)
        with self.lock:
            self.center += scratch
        np.copyto(base, self.local)

    def elastic(self, alpha: float) -> None:
        """``d = alpha (x_w - x~);  x_w -= d;  x~ += d`` (one locked exchange)."""
        _, d = self._work()
        with self.lock:
            np.subtract(self.local, self.center, out=d)
            d *= alpha  # a Python float keeps float32 in float32
            self.local -= d
            self.center += d


class ParallelStrategy(Parametrized):
    """Base of the parallel strategies (hyper-parameters and worker hooks).

    Parameters shared by every strategy: ``n_workers`` (None: one per usable
    CPU, see ``usable_cpus``; inside a joblib worker, that worker's share),
    ``backend`` ('processes': worker processes over shared memory, the fitting
    process being worker 0; 'sequential': the workers take turns step by step
    in this process, deterministic, for testing and teaching) and
    ``start_method`` of the worker processes (None: ``multiprocessing``'s
    default for the platform).
    """

    #: workers step the center itself (no replica)
    shares_center: ClassVar[bool] = False
    #: workers run in rounds of ``tau`` steps, the center averaging them
    synchronous: ClassVar[bool] = False

    n_workers: int | None
    backend: str
    start_method: str | None

    _parameter_constraints: ClassVar[dict] = {
        "n_workers": [COUNT, None],
        "backend": [StrOptions(set(BACKENDS))],
        "start_method": [
            StrOptions(set(multiprocessing.get_all_start_methods())),
            None,
        ],
    }
    #: bytes moved in each epoch of a ``backend='dask'`` fit, set by its
    #: session on the fit's copy of the strategy (absent otherwise)
    bytes_per_epoch_: list[int]

    def workers(self) -> int:
        """Return the number of workers (``n_workers``, or one per usable CPU)."""
        if self.n_workers is None:
            return usable_cpus()
        return int(self.n_workers)

    def session(self, ctx: Any, batches: Any) -> Any:
        """Return the context manager that runs the fit's epochs in parallel.

        It is ``SESSIONS[backend](self, ctx, batches)``.
        """
        self._validate_params()
        return SESSIONS[self.backend](self, ctx, batches)

    # --- worker hooks (run in the worker) ---------------------------------------

    def begin_fit(self, replica: Replica) -> None:
        """Before the worker's first step of a fit: start from the center."""
        if not self.shares_center:
            replica.reset()

    def begin_epoch(self, replica: Replica) -> None:
        """Before the worker's first step of an epoch (default: nothing)."""

    def after_step(self, replica: Replica) -> None:
        """After every step of the worker (default: nothing)."""

    def end_epoch(self, replica: Replica) -> None:
        """After the worker's last step of an epoch (default: nothing)."""


@runtime_checkable
class Averaging(Protocol):
    """A ``synchronous`` strategy: rounds of ``tau`` steps, then ``average``.

    The sessions run a strategy whose ``synchronous`` is True in rounds and
    need these two members of it (``ModelAveraging`` has them).
    """

    tau: int

    def average(
        self,
        center: np.ndarray,
        replicas: Sequence[np.ndarray | float],
        steps: Sequence[int],
    ) -> bool:
        """Set ``center`` from the replicas; False if no worker stepped."""
        ...


def averaging(strategy: ParallelStrategy) -> Averaging:
    """Return ``strategy`` as the synchronous strategy it declares itself to be."""
    if not isinstance(strategy, Averaging):
        raise TypeError(
            f"{type(strategy).__name__} is synchronous but has no tau and "
            "average(center, replicas, steps)."
        )
    return strategy


@PARALLEL.register("hogwild")
class Hogwild(ParallelStrategy):
    """Hogwild!: lock-free parallel SGD on shared parameters (Niu et al. 2011).

    Every worker runs the optimizer on its share of the batches, reading and
    writing the shared parameters with no lock::

        x~ = x~ - lr * g_w(x~)        (worker w, whenever its gradient is ready)

    so a step may use parameters that another worker is changing. Niu et al.
    prove convergence when the updates are sparse (each touches few
    coordinates); a dense MLP update touches them all, so a collision costs a
    lost or stale update instead. Optimizer state (momentum, Adam's moments) is
    per worker.

    Hogwild is a shared-memory method: its workers are processes of one
    machine. ``backend='dask'`` is refused (use EASGD, Downpour or
    ModelAveraging on a cluster).

    Parameters
    ----------
    n_workers : int or None, default=None
        Workers (None: one per usable CPU).
    backend : {'processes', 'sequential'}, default='processes'
    start_method : str or None, default=None

    References
    ----------
    .. [1] Niu, F., Recht, B., Re, C. and Wright, S. J. (2011). Hogwild!: A
       lock-free approach to parallelizing stochastic gradient descent. NIPS.
    """

    shares_center = True

    def __init__(
        self,
        n_workers: int | None = None,
        backend: str = "processes",
        start_method: str | None = None,
    ) -> None:
        self.n_workers = n_workers
        self.backend = backend
        self.start_method = start_method

    def _validate_params(self) -> None:
        """Check the constraints, then refuse ``backend='dask'``."""
        super()._validate_params()
        if self.backend == "dask":
            invalid_parameter(
                self,
                "backend",
                "'processes' or 'sequential' (backend='dask' is not available: "
                "Hogwild's workers step one weight vector in shared memory "
                "without a lock, which machines of a cluster do not share; use "
                "EASGD, Downpour or ModelAveraging with backend='dask')",
                self.backend,
            )


@PARALLEL.register("downpour")
class Downpour(ParallelStrategy):
    """Downpour SGD: replicas that push updates to a parameter server (Dean 2012).

    Worker ``w`` steps its replica ``x_w`` with the optimizer; the center ``x~``
    (the parameter server) takes the replica's accumulated update every
    ``n_push`` steps and hands out its current value every ``n_fetch`` steps.
    As in Algorithm 7.1 of the paper, the worker accrues its updates ``a_w``
    (the steps it took since its last push) across fetches and pushes them
    all::

        every step:           a_w += (the optimizer's step of x_w)
        every n_push steps:   x~ += a_w;   a_w = 0
        every n_fetch steps:  x_w = x~     (a_w is kept)

    (each exchange under the server's lock; ``a_w`` is held as
    ``x_w - base_w``). At the end of an epoch a worker pushes what is left, so
    the center holds every step of every worker: one worker taking 12 steps of
    -1 with ``n_fetch=1, n_push=4`` moves the center by -12.

    Parameters
    ----------
    n_workers : int or None, default=None
    n_fetch : int, default=1
        Steps between fetches of the center.
    n_push : int, default=1
        Steps between pushes to the center.
    backend : {'processes', 'sequential', 'dask'}, default='processes'
        'dask': the workers of the current ``distributed.Client``.
    start_method : str or None, default=None

    References
    ----------
    .. [1] Dean, J. et al. (2012). Large scale distributed deep networks. NIPS.
    """

    _parameter_constraints: ClassVar[dict] = {
        **ParallelStrategy._parameter_constraints,
        "n_fetch": [COUNT],
        "n_push": [COUNT],
    }

    def __init__(
        self,
        n_workers: int | None = None,
        n_fetch: int = 1,
        n_push: int = 1,
        backend: str = "processes",
        start_method: str | None = None,
    ) -> None:
        self.n_workers = n_workers
        self.n_fetch = n_fetch
        self.n_push = n_push
        self.backend = backend
        self.start_method = start_method

    def after_step(self, replica: Replica) -> None:
        replica.steps += 1
        if replica.steps % int(self.n_push) == 0:
            replica.push()
        if replica.steps % int(self.n_fetch) == 0:
            replica.fetch()

    def end_epoch(self, replica: Replica) -> None:
        if replica.steps % int(self.n_push):
            replica.push()


@PARALLEL.register("easgd")
class EASGD(ParallelStrategy):
    """Elastic averaging SGD, asynchronous form (Zhang, Choromanska, LeCun 2015).

    Worker ``w`` steps its replica ``x_w`` with the optimizer; every ``tau``
    steps the replica and the center ``x~`` pull towards each other (one locked
    exchange, Algorithm 1 of the paper)::

        d   = alpha * (x_w - x~)
        x_w = x_w - d
        x~  = x~  + d

    with the moving rate ``alpha = eta * rho``. The replicas may explore away
    from the center, which averages them; the estimator ends with ``x~``.
    Replicas persist over the epochs of a fit.

    Parameters
    ----------
    n_workers : int or None, default=None
    tau : int, default=4
        Steps between elastic exchanges (the communication period).
    moving_rate : float or None, default=None
        ``alpha`` in (0, 1]; None gives ``0.9 / n_workers`` (the paper's choice
        ``beta = n_workers * alpha = 0.9``).
    backend : {'processes', 'sequential', 'dask'}, default='processes'
        'dask': the workers of the current ``distributed.Client``.
    start_method : str or None, default=None

    References
    ----------
    .. [1] Zhang, S., Choromanska, A. and LeCun, Y. (2015). Deep learning with
       elastic averaging SGD. NIPS.
    """

    _parameter_constraints: ClassVar[dict] = {
        **ParallelStrategy._parameter_constraints,
        "tau": [COUNT],
        "moving_rate": [Interval(Real, 0, 1, closed="right"), None],
    }

    def __init__(
        self,
        n_workers: int | None = None,
        tau: int = 4,
        moving_rate: float | None = None,
        backend: str = "processes",
        start_method: str | None = None,
    ) -> None:
        self.n_workers = n_workers
        self.tau = tau
        self.moving_rate = moving_rate
        self.backend = backend
        self.start_method = start_method

    def alpha(self) -> float:
        """Return the moving rate in use."""
        if self.moving_rate is None:
            return 0.9 / self.workers()
        return float(self.moving_rate)

    def after_step(self, replica: Replica) -> None:
        replica.steps += 1
        if replica.steps % int(self.tau) == 0:
            replica.elastic(self.alpha())
