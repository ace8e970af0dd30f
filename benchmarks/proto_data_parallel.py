"""Prototype: a synchronous data-parallel epoch over 2 processes, against serial.

The question behind the 2-thread speed targets: does splitting every mini-batch
over two processes (one BLAS thread each) beat one process with two BLAS threads?
Each step, both processes compute the gradient of their half of the batch into
shared memory; after a barrier each adds the two halves for its half of the
parameters and runs the optimizer on that half of the shared flat buffer;
a second barrier ends the step. The algorithm is the serial one (without
penalties, which the prototype leaves out). Printed, medians of ``--reps``:
the epoch roofline (2 threads), the serial epoch (2 threads) and the parallel
epoch, with their ratios.

    python -m benchmarks.proto_data_parallel [--dtype float32] [--solver sgd]
    python -m benchmarks.proto_data_parallel --quick     # tiny sizes (CI smoke)
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import time

import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks import _roofline
from benchmarks._common import QUICK, Config
from sklearn_adamlp import activations, initializers, losses, optimizers
from sklearn_adamlp.network import Network


class _Problem:
    def __init__(self, cfg: Config, dtype: str, solver: str) -> None:
        self.cfg, self.dtype, self.solver = cfg, np.dtype(dtype), solver
        rng = np.random.default_rng(cfg.seed)
        n, k = cfg.n_samples, cfg.n_classes
        self.X = rng.standard_normal((n, cfg.n_features)).astype(self.dtype)
        self.Y = np.eye(k, dtype=self.dtype)[rng.integers(0, k, n)]
        self.order = rng.permutation(n)
        init = [initializers.get("glorot_uniform")()] * (len(cfg.units) - 1)
        self.flat0 = self.network().init_params(init, np.random.RandomState(0))

    def network(self) -> Network:
        relu = [activations.get("relu")] * len(self.cfg.hidden)
        return Network(self.cfg.units, relu, losses.get("log_loss"), dtype=self.dtype)

    def optimizer(self):
        if self.solver == "adam":
            return optimizers.get("adam")(learning_rate=1e-3)
        return optimizers.get("sgd")(learning_rate=1e-2, momentum=0.9, nesterov=True)

    def batches(self, part: int | None = None):
        """Row indices of each batch (``part`` 0/1: that half of each batch)."""
        b = self.cfg.batch_size
        for start in range(0, len(self.order), b):
            idx = self.order[start : start + b]
            if part is None:
                yield idx
            else:
                half = len(idx) // 2
                yield idx[:half] if part == 0 else idx[half:]


def serial_epoch(prob: _Problem, flat, opt, net) -> float:
    grad = np.empty_like(flat)
    start = time.perf_counter()
    for idx in prob.batches():
        net.loss_grad(flat, grad, prob.X[idx], prob.Y[idx])
        opt.step([flat], [grad])
    return time.perf_counter() - start


def _worker(prob, rank, flat, grads, barrier, epochs) -> list:
    net, opt = prob.network(), prob.optimizer()
    mine, other = grads[rank], grads[1 - rank]
    mid = flat.size // 2
    lo, hi = (0, mid) if rank == 0 else (mid, flat.size)
    gsum = np.empty(hi - lo, dtype=flat.dtype)
    times = []
    for _ in range(epochs):
        barrier.wait()
        start = time.perf_counter()
        for idx, full in zip(prob.batches(rank), prob.batches(), strict=True):
            net.loss_grad(flat, mine, prob.X[idx], prob.Y[idx])
            mine *= len(idx) / len(full)  # the mean over the whole batch
            barrier.wait()  # both halves' gradients are ready
            np.add(mine[lo:hi], other[lo:hi], out=gsum)
            opt.step([flat[lo:hi]], [gsum])
            barrier.wait()  # both halves of the parameters are updated
        times.append(time.perf_counter() - start)
    return times


def _shared(ctx, like: np.ndarray) -> np.ndarray:
    raw = ctx.RawArray("b", like.nbytes)
    return np.frombuffer(raw, dtype=like.dtype, count=like.size)


def parallel_epoch(prob: _Problem) -> float:
    """Seconds of the second of two epochs over 2 forked processes."""
    ctx = mp.get_context("fork")
    flat = _shared(ctx, prob.flat0)
    flat[:] = prob.flat0
    grads = [_shared(ctx, prob.flat0), _shared(ctx, prob.flat0)]
    barrier = ctx.Barrier(2)
    with threadpool_limits(limits=1, user_api="blas"):  # the child inherits it
        child = ctx.Process(target=_worker, args=(prob, 1, flat, grads, barrier, 2))
        child.start()
        times = _worker(prob, 0, flat, grads, barrier, 2)
        child.join()
    return times[-1]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, 1 rep")
    parser.add_argument("--dtype", default="float64")
    parser.add_argument("--solver", default="adam", choices=["adam", "sgd"])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args(argv)
    cfg = QUICK if args.quick else Config()
    prob = _Problem(cfg, args.dtype, args.solver)
    seconds: dict[str, list] = {"roofline": [], "serial": [], "data-parallel": []}
    for _ in range(1 if args.quick else args.reps):
        with threadpool_limits(limits=2, user_api="blas"):
            roof = _roofline.epoch_roofline(cfg, args.dtype)["seconds"]
            seconds["roofline"].append(roof)
            flat, opt, net = prob.flat0.copy(), prob.optimizer(), prob.network()
            serial_epoch(prob, flat, opt, net)  # warm-up: buffers, moments
            seconds["serial"].append(serial_epoch(prob, flat, opt, net))
        seconds["data-parallel"].append(parallel_epoch(prob))
    med = {k: float(np.median(v)) for k, v in seconds.items()}
    print(f"{args.dtype} {args.solver}, medians of {len(seconds['serial'])}:")
    print("| run | epoch s | / roofline |\n|---|---:|---:|")
    for k, v in med.items():
        print(f"| {k} | {v:.4f} | {v / med['roofline']:.2f}x |")
    return med


if __name__ == "__main__":
    main()
