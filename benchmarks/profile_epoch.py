"""Where one epoch of sklearn-adamlp's fit spends its time, component by component.

    python -m benchmarks.profile_epoch [--quick] [--dtype float64] [--solver adam]
                                       [--threads N] [--epochs 3] [--cprofile]
                                       [--no-jit]

The epoch loop of ``training.run_epoch`` is replayed with a timer around each
component, using the fitted estimator's own network, loss, activations, penalty
and optimizer objects (the replay's gradient is checked against
``Network.loss_grad``):

- gather: shuffled row gathering (``training.Batches``, ``np.take(out=)``);
- forward matmul / forward bias+activation / output bias;
- softmax and loss value (one pass); loss gradient (out - y, scaled by 1/n);
- backward weight-gradient matmul, input-gradient matmul, bias sums (ones @ d),
  activation derivative;
- penalty value (L2 on the weight slice);
- optimizer.step, which adds the L2 gradient block by block inside its pass;
- the rest of the real ``fit`` (validation, setup, per-epoch bookkeeping) as the
  difference between a real fit's epoch time and the replayed components.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import pstats
import time
import warnings
from collections import defaultdict

import numpy as np

from benchmarks._common import QUICK, Config, batch_sizes, make_data, median
from benchmarks._peers import estimator_params
from benchmarks._roofline import _EpochMatmuls

LR = {"adam": 1e-3, "sgd": 1e-2}


class _Timer:
    def __init__(self) -> None:
        self.t = defaultdict(float)

    @contextlib.contextmanager
    def __call__(self, name: str):
        t0 = time.perf_counter()
        yield
        self.t[name] += time.perf_counter() - t0


def _loss_grad(net, flat, grad, X, Y, T: _Timer, terms: list) -> float:
    """``Network.loss_grad`` without sample weights, step by step, timed.

    As in the training loop, the L2 penalty's gradient is appended to ``terms``
    for the optimizer step to add inside its own pass.
    """
    from sklearn_adamlp.network import _dot

    n = X.shape[0]
    bufs = net._buffers(n)
    W, b = net.layout.views(flat)
    gW, gb = net.layout.views(grad)
    last = net.layout.n_layers - 1
    a = X
    for l in range(last):
        with T("forward matmul"):
            _dot(a, W[l], out=bufs.Z[l])
        with T("forward bias + activation"):
            a = net.activations[l].forward_biased(bufs.Z[l], b[l], out=bufs.A[l])
    with T("forward matmul"):
        _dot(a, W[last], out=bufs.Z[last])
    with T("output bias"):
        bufs.Z[last] += b[last]
    raw, out = bufs.Z[-1], bufs.out
    with T("softmax + loss value"):
        loss = net.loss.output_value(Y, raw, out, None)
    with T("loss gradient"):
        d = net.loss.gradient(Y, raw, out, bufs.D[-1])
        d *= 1.0 / n
    for l in range(last, -1, -1):
        d = bufs.D[l]
        a = X if l == 0 else bufs.A[l - 1]
        with T("backward weight-grad matmul"):
            _dot(a.T, d, out=gW[l])
        with T("backward bias sum"):
            np.matmul(bufs.ones, d, out=gb[l])
        if l > 0:
            with T("backward input-grad matmul"):
                np.matmul(d, W[l].T, out=bufs.D[l - 1])
            with T("backward activation derivative"):
                net.activations[l - 1].derivative(bufs.Z[l - 1], a, bufs.D[l - 1])
    with T("penalty value (L2; its gradient joins optimizer.step)"):
        w = flat[net.layout.weights]
        for penalty in net.penalties:
            loss += penalty.value(w, 1.0 / n)
            term = penalty.grad_term(1.0 / n, w.shape[0])
            if term is not None:
                terms.append(term)
    return loss


def _fitted(cfg: Config, solver: str, dtype: str):
    from sklearn_adamlp import MLPClassifier

    X, y = make_data(cfg, dtype)
    est = MLPClassifier(**estimator_params(cfg, solver, 1, LR[solver], 1e-4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    return est, X, y


def replay_epoch(cfg: Config, solver: str, dtype: str, epochs: int) -> dict:
    """Seconds per epoch of each component, replaying the training loop."""
    from sklearn_adamlp._estimators import fitted_parts
    from sklearn_adamlp.training import Batches

    est, X, y = _fitted(cfg, solver, dtype)
    parts = fitted_parts(est)
    net, flat, opt = parts.network, parts.flat, est.optimizer_
    grad = np.empty_like(flat)
    Y = parts.label_binarizer.transform(y).astype(dtype)
    # the replay computes what Network.loss_grad computes
    g_ref = np.empty_like(grad)
    ref = net.loss_grad(flat, g_ref, X[:64], Y[:64])
    terms: list = []
    got = _loss_grad(net, flat, grad, X[:64], Y[:64], _Timer(), terms)
    for term in terms:
        term(flat, grad, slice(None))
    np.testing.assert_allclose(got, ref, rtol=1e-5)
    np.testing.assert_allclose(grad, g_ref, rtol=1e-4, atol=1e-7)

    batches = Batches(X, Y, None, cfg.batch_size)
    order = np.arange(X.shape[0])
    rng = np.random.default_rng(0)
    T = _Timer()
    t_total = 0.0
    for _ in range(epochs):
        t0 = time.perf_counter()
        rng.shuffle(order)
        it = iter(batches(order))
        while True:
            with T("gather batch (np.take)"):
                item = next(it, None)
            if item is None:
                break
            xb, yb = item[:2]
            terms.clear()
            _loss_grad(net, flat, grad, xb, yb, T, terms)
            with T("optimizer.step (+ L2 gradient)"):
                opt.step([flat], [grad], terms)
        t_total += time.perf_counter() - t0
    per_epoch = {k: v / epochs for k, v in T.t.items()}
    per_epoch["replay total"] = t_total / epochs
    return per_epoch


def real_epoch(cfg: Config, solver: str, dtype: str, epochs: int, reps: int) -> float:
    from sklearn_adamlp import MLPClassifier

    X, y = make_data(cfg, dtype)
    times = []
    for _ in range(reps):
        est = MLPClassifier(**estimator_params(cfg, solver, epochs, LR[solver], 1e-4))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            est.fit(X, y)
            times.append((time.perf_counter() - t0) / epochs)
    return median(times)


def roofline(cfg: Config, dtype: str, reps: int) -> float:
    run = _EpochMatmuls(
        cfg.units,
        batch_sizes(cfg.n_samples, cfg.batch_size),
        np.dtype(dtype),
        np.random.default_rng(1),
    )
    run()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return median(times)


def breakdown(cfg: Config, solver: str, dtype: str, epochs: int, reps: int) -> dict:
    """Median over ``reps`` of each component's seconds per epoch."""
    runs = []
    for _ in range(reps):
        comp = replay_epoch(cfg, solver, dtype, epochs)
        comp["real fit epoch"] = real_epoch(cfg, solver, dtype, epochs, 1)
        comp["roofline"] = roofline(cfg, dtype, 1)
        runs.append(comp)
    return {k: median([r[k] for r in runs]) for k in runs[0]}


def table(comp: dict) -> str:
    real = comp["real fit epoch"]
    matmul = sum(v for k, v in comp.items() if "matmul" in k)
    parts = {
        k: v
        for k, v in comp.items()
        if k not in ("replay total", "real fit epoch", "roofline")
    }
    parts["rest of fit (validation, setup, loop)"] = real - sum(parts.values())
    lines = [
        "| component | ms / epoch | % of real epoch |",
        "|---|---:|---:|",
    ]
    for k, v in sorted(parts.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {k} | {v * 1e3:.2f} | {100 * v / real:.1f} |")
    lines.append(
        f"| **all matmuls** | {matmul * 1e3:.2f} | {100 * matmul / real:.1f} |"
    )
    lines.append(
        f"| **everything else** | {(real - matmul) * 1e3:.2f} | "
        f"{100 * (real - matmul) / real:.1f} |"
    )
    lines.append(f"| real fit epoch | {real * 1e3:.2f} | 100.0 |")
    lines.append(
        f"| roofline (separate matmul loop) | {comp['roofline'] * 1e3:.2f} | "
        f"{100 * comp['roofline'] / real:.1f} |"
    )
    return "\n".join(lines)


def cprofile_fit(cfg: Config, solver: str, dtype: str, epochs: int) -> str:
    from sklearn_adamlp import MLPClassifier

    X, y = make_data(cfg, dtype)
    est = MLPClassifier(**estimator_params(cfg, solver, epochs, LR[solver], 1e-4))
    prof = cProfile.Profile()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prof.enable()
        est.fit(X, y)
        prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(15)
    return buf.getvalue()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.profile_epoch")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--dtype", default="float64")
    ap.add_argument("--solver", default="adam", choices=("adam", "sgd"))
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--cprofile", action="store_true")
    ap.add_argument(
        "--no-jit", action="store_true", help="numpy steps (SKLEARN_ADAMLP_JIT=0)"
    )
    args = ap.parse_args(argv)
    cfg = QUICK if args.quick else Config()
    import sklearn_adamlp  # noqa: F401  (loads scipy's BLAS before the limit)
    from sklearn_adamlp import _jit

    # the compiled steps from the first step (the steady state), unless --no-jit
    jit_mode = _jit.set_enabled(not args.no_jit and _jit.available())

    limiter = contextlib.nullcontext()
    if args.threads:
        from threadpoolctl import threadpool_limits

        limiter = threadpool_limits(args.threads)
    with limiter:
        comp = breakdown(cfg, args.solver, args.dtype, args.epochs, args.reps)
        steps = "compiled" if _jit.available() else "numpy"
        print(
            f"## {args.solver} {args.dtype}, threads={args.threads or 'default'}, "
            f"{cfg.n_samples} x {cfg.units}, batch {cfg.batch_size}, "
            f"{steps} steps\n"
        )
        print(table(comp))
        if args.cprofile:
            print(cprofile_fit(cfg, args.solver, args.dtype, args.epochs))
    _jit.set_enabled(jit_mode)


if __name__ == "__main__":
    main()
