"""Peak memory of one fit, each peer in a fresh child process.

``python -m benchmarks._memory PEER DTYPE SOLVER CONFIG_JSON`` builds the data,
records the resident set size (RSS) just before ``fit``, fits, and prints one
JSON line with ``ru_maxrss`` (the process's peak RSS) and the peak minus the
pre-fit RSS, i.e. what the fit itself added at its peak. For numpy peers
``tracemalloc``'s peak of the fit is reported too (numpy reports its buffers to
tracemalloc; torch does not, so it has no tracemalloc figure).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import warnings

from benchmarks._common import Config


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(peer: str, dtype: str, solver: str, cfg: Config) -> dict:
    from benchmarks._common import make_data

    X, y = make_data(cfg, dtype)
    if peer == "torch":
        from benchmarks import _torch_peer

        _torch_peer._data(cfg, dtype)  # tensors built before the baseline
        before = _rss_mb()
        _torch_peer.fit(cfg, solver, dtype, cfg.epochs, 1e-3, 1e-4)
        return {"before_mb": before, "peak_mb": _peak_mb(), "tracemalloc_mb": None}

    import tracemalloc

    from benchmarks._peers import estimator_params

    if peer == "adamlp":
        from sklearn_adamlp import MLPClassifier
    else:
        from sklearn.neural_network import MLPClassifier
    est = MLPClassifier(**estimator_params(cfg, solver, cfg.epochs, 1e-3, 1e-4))
    before = _rss_mb()
    tracemalloc.start()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    traced = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return {"before_mb": before, "peak_mb": _peak_mb(), "tracemalloc_mb": traced}


def measure(peer: str, dtype: str, solver: str, cfg: Config, python=None) -> dict:
    """Run ``child`` in a new interpreter; return its measurements (MB)."""
    from benchmarks._peers import REPO

    env = dict(os.environ)
    env["PYTHONPATH"] = REPO + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run(
        [
            python or sys.executable,
            "-m",
            "benchmarks._memory",
            peer,
            dtype,
            solver,
            json.dumps(cfg.to_dict()),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["fit_added_mb"] = result["peak_mb"] - result["before_mb"]
    return result


if __name__ == "__main__":
    _peer, _dtype, _solver, _cfg = sys.argv[1:5]
    _d = json.loads(_cfg)
    _d["hidden"] = tuple(_d["hidden"])
    print(json.dumps(child(_peer, _dtype, _solver, Config(**_d))))
