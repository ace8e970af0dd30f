"""Peak memory of one fit, each peer in a fresh child process.

``python -m benchmarks._memory PEER DTYPE SOLVER CONFIG_JSON`` builds the data,
(for adamlp with numba, first loads the compiled loops with a tiny fit: code
loaded once per process, measured apart by ``code_mb``) records the resident
set size (RSS) just before ``fit``, resets the kernel's peak
RSS mark (``/proc/self/clear_refs``), fits, and prints one JSON line with the
peak RSS during the fit (``VmHWM``) and that peak minus the pre-fit RSS: what
the fit itself added at its peak. ``ru_maxrss`` is not used: Linux carries it
over from the parent across fork and exec, so a child started by a large
benchmark process would report the parent's peak. For numpy peers
``tracemalloc``'s peak of the fit is reported too (numpy reports its buffers to
tracemalloc; torch does not, so it has no tracemalloc figure).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

from benchmarks._common import Config


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"{field} not in /proc/self/status")


def _rss_mb() -> float:
    return _status_mb("VmRSS")


def _reset_peak() -> None:
    """Reset VmHWM to the current RSS (Linux >= 4.0); harmless if refused."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _peak_mb() -> float:
    return _status_mb("VmHWM")


def child(peer: str, dtype: str, solver: str, cfg: Config) -> dict:
    from benchmarks._common import make_data

    X, y = make_data(cfg, dtype)
    if peer == "torch":
        from benchmarks import _torch_peer

        _torch_peer._data(cfg, dtype)  # tensors built before the baseline
        before = _rss_mb()
        _reset_peak()
        _torch_peer.fit(cfg, solver, dtype, cfg.epochs, 1e-3, 1e-4)
        return {"before_mb": before, "peak_mb": _peak_mb(), "tracemalloc_mb": None}

    import tracemalloc

    from benchmarks._peers import estimator_params

    if peer == "adamlp":
        from sklearn_adamlp import MLPClassifier
    else:
        from sklearn.neural_network import MLPClassifier
    params = estimator_params(cfg, solver, cfg.epochs, 1e-3, 1e-4)
    if peer == "adamlp":
        _load_compiled_steps(X, y, params)
    est = MLPClassifier(**params)
    before = _rss_mb()
    _reset_peak()
    tracemalloc.start()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    traced = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return {"before_mb": before, "peak_mb": _peak_mb(), "tracemalloc_mb": traced}


def _load_compiled_steps(X, y, params) -> None:
    """Load numba's loops before the baseline, as torch is imported before its.

    Loading code is a one-time cost of the process, not of a fit (its size is
    ``code_mb``, measured on its own); a tiny fit with the compiled steps on
    loads every loop the real fit uses. Nothing happens if they are off.
    """
    from sklearn_adamlp import MLPClassifier, _jit

    if not _jit.available():
        return
    previous = _jit.set_enabled(True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # a tiny network: the same loops, no large buffer left for the real
        # fit to reuse (freed heap memory stays in the RSS baseline)
        tiny = {**params, "max_iter": 1, "hidden_layer_sizes": (4,)}
        MLPClassifier(**tiny).fit(X[:64, :8], y[:64])
    _jit.set_enabled(previous)


def code_mb() -> dict:
    """RSS added by loading numba and the compiled loops, in a new interpreter."""
    code = """
import json, warnings
import numpy as np
from benchmarks._memory import _rss_mb
from sklearn_adamlp import MLPClassifier, _jit

before, loaded = _rss_mb(), _jit.available()
if loaded:
    _jit.set_enabled(True)
    warnings.simplefilter("ignore")
    X = np.random.default_rng(0).normal(size=(64, 8))
    MLPClassifier((8,), max_iter=1).fit(X, X[:, 0] > 0)
print(json.dumps({"loaded": loaded, "mb": _rss_mb() - before}))
"""
    from benchmarks._peers import REPO

    env = dict(os.environ)
    env["PYTHONPATH"] = REPO + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


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
