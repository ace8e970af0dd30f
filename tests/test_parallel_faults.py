"""The 'processes' backend never hangs and never leaves a process behind.

Workers are killed (SIGKILL) at chosen and at random points, inside and
outside the exchange lock; the fitting process itself is killed; fits run from
several threads with the compiled steps on; parallel fits run inside joblib
workers. Every wait in these tests is bounded (``subprocess`` timeouts and
deadlines on polling loops), so a regression fails instead of hanging.
"""

import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from sklearn_adamlp import MLPClassifier
from sklearn_adamlp.callbacks import Callback
from sklearn_adamlp.parallel import EASGD, Downpour, Hogwild, ModelAveraging

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FORK = multiprocessing.get_start_method() == "fork"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


def _workers():
    return [
        p for p in multiprocessing.active_children() if p.name.startswith("sklearn_")
    ]


class _DieInsideTheLock(EASGD):
    """EASGD whose worker 1 dies (SIGKILL) while it holds the exchange lock."""

    def __init__(self, parent=None, n_workers=2, tau=1):
        self.parent = parent
        super().__init__(n_workers=n_workers, tau=tau)

    def after_step(self, replica):
        if os.getpid() != self.parent and replica.steps >= 3:
            replica.lock.__enter__()
            os.kill(os.getpid(), signal.SIGKILL)
        super().after_step(replica)


@pytest.mark.skipif(not FORK, reason="the strategy lives in the test module")
def test_a_worker_dying_inside_the_lock_raises(digits):
    est = MLPClassifier(max_iter=50, parallel=_DieInsideTheLock(os.getpid()))
    with pytest.raises(RuntimeError, match="worker 1 exited with code -9"):
        est.fit(*digits)
    assert not _workers()


class _KillWorkers(Callback):
    """At the end of epoch ``at``, SIGKILL the workers after ``delay`` s."""

    def __init__(self, at=2, delay=0.0):
        self.at, self.delay = at, delay

    def on_epoch_end(self, ctx, record=None, **kwargs):
        if record["epoch"] == self.at:
            pids = [p.pid for p in _workers()]
            kill = lambda: [os.kill(pid, signal.SIGKILL) for pid in pids]
            if self.delay:
                threading.Timer(self.delay, kill).start()
            else:
                kill()


@pytest.mark.parametrize(
    "strategy",
    [
        EASGD(n_workers=2, tau=1),
        EASGD(n_workers=3, tau=2),
        Downpour(n_workers=2, n_push=2),
        Hogwild(n_workers=2),
        ModelAveraging(n_workers=3, tau=2),
    ],
    ids=["easgd-2", "easgd-3", "downpour", "hogwild", "averaging"],
)
@pytest.mark.parametrize("delay", [0.0, 0.003, 0.01, 0.03])
def test_killed_workers_raise_clearly(digits, strategy, delay):
    # killed between epochs (delay 0: the next epoch's order meets a dead
    # pipe) or at some point in an epoch: the documented RuntimeError, with
    # the exit code, never a raw BrokenPipeError or ConnectionResetError
    X, y = digits
    X = np.repeat(X, 4, axis=0)
    y = np.repeat(y, 4)
    est = MLPClassifier(
        hidden_layer_sizes=(64,),
        batch_size=32,
        max_iter=300,
        callbacks=[_KillWorkers(2, delay)],
        parallel=strategy,
    )
    with pytest.raises(RuntimeError, match=r"exited with code -9 without an answer"):
        est.fit(X, y)
    assert not _workers()


_THREADS = """
import threading, warnings
from sklearn.datasets import load_digits
from sklearn_adamlp import MLPClassifier
from sklearn_adamlp.parallel import Hogwild
warnings.simplefilter("ignore")
X, y = load_digits(return_X_y=True)
scores = []
def fit(seed):
    est = MLPClassifier(hidden_layer_sizes=(16,), max_iter=3, random_state=seed,
                        parallel=Hogwild(2))
    scores.append(est.fit(X / 16, y).score(X / 16, y))
threads = [threading.Thread(target=fit, args=(i,)) for i in range(3)]
[t.start() for t in threads]
[t.join() for t in threads]
print("fits", len(scores))
"""


def test_parallel_fits_from_threads_with_compiled_steps():
    # each thread loads numba at its first step; a worker forked meanwhile
    # used to wait forever for numba's import or compiler lock
    env = {**os.environ, "SKLEARN_ADAMLP_JIT": "1", "PYTHONPATH": ROOT}
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", _THREADS],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stderr
        assert "fits 3" in done.stdout


_ORPHANS = """
import multiprocessing, sys, warnings
from sklearn.datasets import load_digits
from sklearn_adamlp import MLPClassifier
from sklearn_adamlp.callbacks import Callback
from sklearn_adamlp.parallel import EASGD

class Report(Callback):
    def on_epoch_end(self, ctx, record=None, **kwargs):
        if record["epoch"] == 1:
            kids = [p.pid for p in multiprocessing.active_children()
                    if p.name.startswith("sklearn_adamlp-worker")]
            print("WORKERS", *kids, flush=True)

if __name__ == "__main__":
    warnings.simplefilter("ignore")
    X, y = load_digits(return_X_y=True)
    est = MLPClassifier(hidden_layer_sizes=(64,), max_iter=100000,
                        callbacks=[Report()],
                        parallel=EASGD(n_workers=3, start_method=sys.argv[1]))
    est.fit(X / 16, y)
"""


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_killing_the_fitting_process_ends_its_workers(tmp_path, method):
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"{method} is not available here")
    script = tmp_path / "fit.py"
    script.write_text(textwrap.dedent(_ORPHANS))
    env = {**os.environ, "PYTHONPATH": ROOT}
    proc = subprocess.Popen(
        [sys.executable, str(script), method],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("WORKERS"), line
        pids = [int(p) for p in line.split()[1:]]
        assert len(pids) == 2
        assert all(_alive(pid) for pid in pids)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 30  # generous: the workers poll every 0.1 s
        while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in pids if _alive(pid)]
        # the shared arenas were unlinked when they were made: none is left
        assert not [
            f for f in os.listdir("/dev/shm") if f.startswith(f"pym-{proc.pid}-")
        ]
    finally:
        proc.kill()
        proc.stdout.close()


def _workers_inside_joblib(_):
    return Hogwild().workers(), EASGD(n_workers=None).workers()


def test_workers_inside_joblib_take_their_share():
    # loky's workers get cpu_count // n_jobs threads each: a parallel fit in a
    # job starts that many workers, not one per CPU of the machine
    share = max(1, joblib.cpu_count() // 2)
    got = joblib.Parallel(n_jobs=2)(
        joblib.delayed(_workers_inside_joblib)(i) for i in range(2)
    )
    assert got == [(share, share)] * 2
    threads = joblib.Parallel(n_jobs=2, backend="threading")(
        joblib.delayed(_workers_inside_joblib)(i) for i in range(2)
    )
    assert threads == [(1, 1)] * 2
    assert Hogwild().workers() == min(joblib.cpu_count(), len(os.sched_getaffinity(0)))


class _CountWorkers(Callback):
    """Write the worker processes alive in the fit's process to a file."""

    def __init__(self, path=None):
        self.path = path

    def on_epoch_end(self, ctx, record=None, **kwargs):
        with open(self.path, "a") as out:
            out.write(f"{len(_workers())}\n")


def test_grid_search_over_parallel_fits_does_not_oversubscribe(digits, tmp_path):
    X, y = digits
    log = tmp_path / "workers.txt"
    est = MLPClassifier(
        hidden_layer_sizes=(8,),
        max_iter=2,
        parallel="hogwild",
        callbacks=[_CountWorkers(str(log))],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        GridSearchCV(est, {"alpha": [1e-4, 1e-2]}, cv=2, n_jobs=2, refit=False).fit(
            X, y
        )
    counts = [int(n) for n in log.read_text().split()]
    share = max(1, joblib.cpu_count() // 2)
    assert counts  # the callbacks ran
    assert max(counts) == share - 1  # the fitting process is worker 0
