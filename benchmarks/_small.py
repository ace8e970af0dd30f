"""The small-data regime: digits, whole fits and a GridSearchCV.

On 1,797 samples of 64 features with ``hidden_layer_sizes=(100,)`` the matrix
products are tiny, so fixed per-fit and per-batch overheads (validation, Python
calls, allocations) decide the wall time.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
import warnings

from benchmarks._common import Config


def digits():
    from sklearn.datasets import load_digits
    from sklearn.preprocessing import StandardScaler

    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def whole_fit(cls, X, y, max_iter: int, seed: int = 0) -> dict:
    """Seconds of one default fit (hidden (100,), batch 'auto'), its epochs."""
    est = cls(hidden_layer_sizes=(100,), max_iter=max_iter, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        est.fit(X, y)
        seconds = time.perf_counter() - t0
    return {"seconds": seconds, "n_iter": int(est.n_iter_)}


_FRESH = """
import json, time, warnings
t0 = time.perf_counter()
import importlib
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
cls = getattr(importlib.import_module({module!r}), {name!r})
X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
t1 = time.perf_counter()
est = cls(hidden_layer_sizes=(100,), max_iter={max_iter}, random_state=0)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    est.fit(X, y)
t2 = time.perf_counter()
print(json.dumps({{"imports": t1 - t0, "fit": t2 - t1}}))
"""


def fresh_process_fit(cls, max_iter: int) -> dict:
    """Seconds of the first fit in a new interpreter, and of its imports.

    What a script pays once: in adamlp with the ``jit`` extra this includes
    loading numba and its cached loops (compiling them, the very first time).
    """
    code = _FRESH.format(module=cls.__module__, name=cls.__name__, max_iter=max_iter)
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy(),
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def grid(cfg: Config) -> dict:
    """The parameter grid (``len(alpha) * len(hidden) * len(lr)`` candidates)."""
    return {
        "alpha": list(cfg.grid_alpha),
        "hidden_layer_sizes": [tuple(h) for h in cfg.grid_hidden],
        "learning_rate_init": list(cfg.grid_lr),
    }


def n_candidates(cfg: Config) -> int:
    return len(list(itertools.product(*grid(cfg).values())))


def grid_search(cls, X, y, cfg: Config) -> dict:
    """Seconds of a GridSearchCV (n_jobs=1), and its best score."""
    from sklearn.model_selection import GridSearchCV

    est = cls(max_iter=cfg.digits_max_iter, random_state=cfg.seed)
    search = GridSearchCV(est, grid(cfg), cv=cfg.grid_folds, n_jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        search.fit(X, y)
        seconds = time.perf_counter() - t0
    return {"seconds": seconds, "best_score": float(search.best_score_)}
