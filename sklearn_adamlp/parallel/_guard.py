"""Bounded waits between the fitting process and its worker processes.

Nothing here waits on another process without looking, every ``POLL``
seconds, whether that process is still alive:

- ``TimedLock`` guards the center's exchanges with ``acquire(timeout=POLL)``;
  between attempts it runs a check that raises (in the fitting process: a
  worker died, perhaps holding the lock) or exits (in a worker: the fitting
  process died).
- ``watch_parent`` starts, in each worker process, a thread that ends the
  worker within ``POLL`` seconds of the fitting process's death (``kill -9``
  and the OOM killer included), under every start method.
- ``fork_safely`` makes forking from a threaded program safe for the compiled
  steps: numba is fully imported and none of its compilations is running when
  the workers are forked (a thread importing or compiling numba at the moment
  of the fork would leave its lock held forever in the child).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from sklearn_adamlp import _jit

#: seconds between two looks at the other processes while waiting
POLL = 0.1


class TimedLock:
    """A ``multiprocessing`` lock whose waits look at the other processes.

    Parameters
    ----------
    lock : multiprocessing lock
    check : callable
        Called every ``POLL`` seconds while the lock is held elsewhere; it
        raises (or exits the process) when waiting is hopeless.
    """

    def __init__(self, lock: Any, check: Callable[[], None]) -> None:
        self.lock, self.check = lock, check

    def __enter__(self) -> TimedLock:
        while not self.lock.acquire(timeout=POLL):
            self.check()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.lock.release()


def gone(pid: int) -> bool:
    """Whether process ``pid`` has ended (a zombie has ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # someone else's process: the pid was reused
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except OSError:  # no /proc (not Linux), or it ended just now
        return not os.path.exists(f"/proc/{pid}") and sys.platform == "linux"


class ParentWatch:
    """In a worker process: watch whether the fitting process has died.

    The worker's parent is the fitting process ('fork', 'spawn') or the
    forkserver, which exits with the fitting process; either way the worker
    is re-parented when it dies.
    """

    def __init__(self, fitting_pid: int) -> None:
        self.fitting_pid, self.parent = fitting_pid, os.getppid()

    def orphaned(self) -> bool:
        """Whether the fitting process is gone."""
        return os.getppid() != self.parent or gone(self.fitting_pid)

    def check(self) -> None:
        """End this worker at once if the fitting process is gone."""
        if self.orphaned():
            os._exit(70)

    def start(self) -> None:
        """Start the thread that ends this worker when the fitting process dies."""

        def loop() -> None:
            while True:
                self.check()
                time.sleep(POLL)

        threading.Thread(target=loop, name="parent-watch", daemon=True).start()


@contextlib.contextmanager
def fork_safely(method: str) -> Iterator[None]:
    """Hold off numba's imports and compilations while workers are forked.

    With the compiled steps on (or numba already imported by some thread),
    numba and the loops are loaded here first, and numba's compiler lock is
    held across the forks; each forked worker gets a fresh compiler lock
    (``after_fork_in_worker``). Nothing to do for 'spawn' and 'forkserver'.
    """
    if method != "fork":
        yield
        return
    _jit.load_if_used()  # waits for a thread that is importing numba
    lock = _compiler_lock()
    if lock is None:
        yield
        return
    with lock:  # waits for a thread that is compiling
        yield


def after_fork_in_worker() -> None:
    """In a forked worker: a fresh numba compiler lock (the parent held it)."""
    lock = _compiler_lock()
    if lock is not None:
        lock._lock = threading.RLock()


def _compiler_lock() -> Any:
    module = sys.modules.get("numba.core.compiler_lock")
    return None if module is None else module.global_compiler_lock
