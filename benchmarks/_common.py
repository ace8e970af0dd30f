"""Shared pieces of the benchmark suite: configuration, data, timing, machine info.

This module imports numpy only (plus the standard library), so the torch worker,
which may run in another interpreter without scikit-learn, can use it too.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from dataclasses import asdict, dataclass, field

import numpy as np

BLAS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS")


@dataclass
class Config:
    """Sizes of one benchmark run (``full`` or ``quick``)."""

    name: str = "full"
    n_samples: int = 20_000
    n_features: int = 784
    hidden: tuple = (256, 128)
    n_classes: int = 10
    batch_size: int = 256
    epochs: int = 3  # epochs per timed fit (max_iter)
    reps: int = 5  # repetitions, interleaved across peers
    roofline_reps: int = 7
    digits_reps: int = 3
    grid_reps: int = 1
    grid_alpha: tuple = (1e-4, 1e-2)
    grid_hidden: tuple = ((50,), (100,), (100, 50))
    grid_lr: tuple = (1e-3, 3e-3, 1e-2, 3e-2)
    grid_folds: int = 5
    digits_max_iter: int = 200  # scikit-learn's default
    predict_calls: int = 1000
    predict_rows: int = 10_000
    predict_reps: int = 7
    memory: bool = True
    solvers: tuple = ("adam", "sgd")
    dtypes: tuple = ("float64", "float32")
    seed: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def units(self) -> list:
        return [self.n_features, *self.hidden, self.n_classes]

    def to_dict(self) -> dict:
        return asdict(self)


QUICK = Config(
    name="quick",
    n_samples=600,
    n_features=20,
    hidden=(16, 8),
    n_classes=3,
    batch_size=64,
    epochs=2,
    reps=2,
    roofline_reps=2,
    digits_reps=1,
    grid_reps=1,
    grid_alpha=(1e-4,),
    grid_hidden=((16,),),
    grid_lr=(1e-3, 1e-2),
    grid_folds=2,
    digits_max_iter=5,
    predict_calls=50,
    predict_rows=500,
    predict_reps=2,
    memory=True,
)


def make_data(cfg: Config, dtype: str = "float64"):
    """Synthetic classification data: Gaussian inputs, labels of a linear teacher.

    Deterministic in ``cfg.seed``; the torch worker rebuilds the same arrays.
    """
    rng = np.random.default_rng(cfg.seed)
    X = rng.standard_normal((cfg.n_samples, cfg.n_features))
    teacher = rng.standard_normal((cfg.n_features, cfg.n_classes))
    noise = rng.standard_normal((cfg.n_samples, cfg.n_classes))
    y = np.argmax(X @ teacher / np.sqrt(cfg.n_features) + 0.5 * noise, axis=1)
    return X.astype(dtype), y.astype(np.int64)


def batch_sizes(n: int, batch: int) -> list:
    """Sizes of the mini-batches of one epoch over ``n`` samples."""
    sizes = [batch] * (n // batch)
    if n % batch:
        sizes.append(n % batch)
    return sizes


def timeit(fn, reps: int, warmup: int = 0) -> list:
    """Wall times of ``reps`` calls of ``fn`` (after ``warmup`` untimed calls)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def median(values) -> float:
    return float(statistics.median(values))


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def blas_info() -> list:
    """threadpoolctl's view of the BLAS/OpenMP libraries loaded in this process."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    keep = ("user_api", "internal_api", "prefix", "version", "num_threads")
    out = []
    for lib in threadpool_info():
        row = {k: lib.get(k) for k in keep}
        row["architecture"] = lib.get("architecture")
        row["threading_layer"] = lib.get("threading_layer")
        row["filepath"] = os.path.basename(lib.get("filepath", ""))
        out.append(row)
    return out


def machine_info() -> dict:
    return {
        "date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "blas_env": {k: os.environ.get(k) for k in BLAS_ENV},
        "blas": blas_info(),
    }
