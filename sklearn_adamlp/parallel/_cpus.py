"""How many CPUs a parallel fit may keep busy (``n_workers=None``)."""

from __future__ import annotations

import os


def usable_cpus() -> int:
    """Return the number of CPUs this process may keep busy.

    The CPUs it may run on (affinity), no more than ``joblib.cpu_count()``
    (which honours cgroup CPU quotas and ``LOKY_MAX_CPU_COUNT``), and, inside
    a joblib worker (e.g. one of ``GridSearchCV(n_jobs=2)``'s), only that
    worker's share: the ``OMP_NUM_THREADS`` joblib gives each of its worker
    processes (``cpu_count // n_jobs``), or 1 in a joblib thread. A grid
    search over parallel fits thus does not oversubscribe the cores.
    """
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n = os.cpu_count() or 1
    import joblib
    from joblib.parallel import get_active_backend

    n = min(n, joblib.cpu_count())
    backend, _ = get_active_backend()
    if getattr(backend, "nesting_level", 0) >= 1:  # inside a joblib worker
        share = os.environ.get("OMP_NUM_THREADS", "")
        n = min(n, int(share)) if share.isdigit() else 1
    return max(1, n)
