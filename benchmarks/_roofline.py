"""The roofline: the time of exactly the matrix products of one epoch.

For each mini-batch of an epoch (sizes from ``batch_sizes``) and each layer l with
weights ``W_l`` of shape (fan_in, fan_out)::

    forward          Z_l  = A_l @ W_l            (A_0 = X, the batch)
    weight gradient  dW_l = A_l.T @ D_l
    input gradient   D_l-1 = D_l @ W_l.T         (not for the first layer)

all into preallocated outputs with ``np.matmul(..., out=)``. Nothing else (no
bias, activation, loss, optimizer or batch gathering) is timed, so this is the
floor that any numpy/BLAS implementation of the same training pays.
"""

from __future__ import annotations

import itertools

import numpy as np

from benchmarks._common import Config, batch_sizes, median, timeit


class _EpochMatmuls:
    def __init__(self, units, sizes, dtype, rng) -> None:
        self.sizes = sizes
        self.W = [
            rng.standard_normal((a, b)).astype(dtype) * 0.05
            for a, b in itertools.pairwise(units)
        ]
        self.gW = [np.empty_like(w) for w in self.W]
        self.bufs = {}
        for n in set(sizes):
            A = [rng.standard_normal((n, u)).astype(dtype) for u in units[:-1]]
            Z = [np.empty((n, u), dtype=dtype) for u in units[1:]]
            D = [rng.standard_normal((n, u)).astype(dtype) for u in units[1:]]
            Dp = [np.empty((n, u), dtype=dtype) for u in units[1:-1]]
            self.bufs[n] = (A, Z, D, Dp)

    def __call__(self) -> None:
        W, gW = self.W, self.gW
        for n in self.sizes:
            A, Z, D, Dp = self.bufs[n]
            for l in range(len(W)):
                np.matmul(A[l], W[l], out=Z[l])
            for l in range(len(W) - 1, -1, -1):
                np.matmul(A[l].T, D[l], out=gW[l])
                if l > 0:
                    np.matmul(D[l], W[l].T, out=Dp[l - 1])


class _ForwardMatmuls:
    def __init__(self, units, n, dtype, rng) -> None:
        self.W = [
            rng.standard_normal((a, b)).astype(dtype) * 0.05
            for a, b in itertools.pairwise(units)
        ]
        self.A = [rng.standard_normal((n, u)).astype(dtype) for u in units[:-1]]
        self.Z = [np.empty((n, u), dtype=dtype) for u in units[1:]]

    def __call__(self) -> None:
        for l in range(len(self.W)):
            np.matmul(self.A[l], self.W[l], out=self.Z[l])


def epoch_flops(units, sizes) -> float:
    """Floating-point operations of one epoch's products (2 per multiply-add)."""
    total = 0.0
    for n in sizes:
        for l, (a, b) in enumerate(itertools.pairwise(units)):
            total += 2 * n * a * b * (3 if l > 0 else 2)
    return total


def epoch_roofline(cfg: Config, dtype: str, units=None, n_samples=None, batch=None):
    """Median seconds of one epoch's matrix products, and its GFLOP/s."""
    units = units or cfg.units
    sizes = batch_sizes(n_samples or cfg.n_samples, batch or cfg.batch_size)
    run = _EpochMatmuls(units, sizes, np.dtype(dtype), np.random.default_rng(1))
    times = timeit(run, cfg.roofline_reps, warmup=1)
    t = median(times)
    return {"seconds": t, "times": times, "gflops": epoch_flops(units, sizes) / t / 1e9}


def forward_roofline(cfg: Config, dtype: str, n_rows: int, units=None) -> dict:
    """Median seconds of the forward products for ``n_rows`` rows."""
    run = _ForwardMatmuls(
        units or cfg.units, n_rows, np.dtype(dtype), np.random.default_rng(2)
    )
    reps = max(cfg.predict_reps, 5)
    times = timeit(run, reps, warmup=1)
    return {"seconds": median(times), "times": times}
