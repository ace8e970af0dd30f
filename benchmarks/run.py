"""Run the benchmark suite: print a markdown table, write JSON.

    python -m benchmarks.run [--quick] [--out results.json] [--threads N]
                             [--torch-python PATH | --no-torch] [--only SECTIONS]
                             [--no-jit]

Everything is measured in one run. Within each repetition the peers (and the
roofline) run one after another, so a noisy machine slows them alike; the table
gives medians over repetitions and ratios of those medians.

Sections: ``roofline``/``epoch`` (per-epoch fit time against the matrix-product
roofline), ``small`` (digits whole fit and GridSearchCV), ``predict`` (single-row
latency, 10,000-row throughput, forward roofline) and ``memory`` (peak RSS of a
fit, one child process per peer).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import subprocess
import sys

import numpy as np

from benchmarks import _memory, _peers, _roofline, _small
from benchmarks._common import QUICK, Config, machine_info, median

SECTIONS = ("epoch", "small", "predict", "memory")
LR = {"adam": 1e-3, "sgd": 1e-2}
ALPHA = 1e-4

# the speed targets, as ratios to scikit-learn:
# (section, case, dtype or None) -> (ratio limit, reference)
TARGETS = {
    ("epoch", "adam", "float64"): 1.5,
    ("epoch", "adam", "float32"): 1.6,
    ("epoch", "sgd", "float64"): 1.5,
    ("epoch", "sgd", "float32"): 1.6,
}


def _row(section, case, peer, dtype, seconds, *, times=None, **extra) -> dict:
    row = {
        "section": section,
        "case": case,
        "peer": peer,
        "dtype": dtype,
        "seconds": float(seconds),
    }
    if times is not None:
        row["times"] = [float(t) for t in times]
    row.update(extra)
    return row


def bench_epoch(cfg: Config, peers, log) -> list:
    """Roofline and per-epoch fit time, interleaved within each repetition."""
    runs = {
        dt: _roofline._EpochMatmuls(
            cfg.units,
            _roofline.batch_sizes(cfg.n_samples, cfg.batch_size),
            np.dtype(dt),
            np.random.default_rng(1),
        )
        for dt in cfg.dtypes
    }
    roof = {dt: [] for dt in cfg.dtypes}
    fits = {}
    for dt in cfg.dtypes:  # warm-up: BLAS threads, data, imports
        runs[dt]()
        for p in peers:
            p.fit(cfg, "adam", dt, 1, LR["adam"], ALPHA)
    for rep in range(cfg.reps):
        for dt in cfg.dtypes:
            for _ in range(max(1, cfg.roofline_reps // cfg.reps)):
                roof[dt].append(_roofline.timeit(runs[dt], 1)[0])
            for solver in cfg.solvers:
                for p in peers:
                    t = p.fit(cfg, solver, dt, cfg.epochs, LR[solver], ALPHA)
                    fits.setdefault((p.name, solver, dt), []).append(t / cfg.epochs)
        log(f"  epoch rep {rep + 1}/{cfg.reps} done")
    return _epoch_rows(cfg, roof, fits)


def _epoch_rows(cfg: Config, roof: dict, fits: dict) -> list:
    rows = []
    flops = _roofline.epoch_flops(
        cfg.units, _roofline.batch_sizes(cfg.n_samples, cfg.batch_size)
    )
    for dt in cfg.dtypes:
        t = median(roof[dt])
        rows.append(
            _row(
                "epoch",
                "roofline (matmuls of one epoch)",
                "numpy",
                dt,
                t,
                times=roof[dt],
                ratio=1.0,
                ratio_to="roofline",
                gflops=flops / t / 1e9,
            )
        )
    for (name, solver, dt), times in fits.items():
        t = median(times)
        case = "adam" if solver == "adam" else "sgd nesterov 0.9"
        row = _row(
            "epoch",
            f"{case} epoch",
            name,
            dt,
            t,
            times=times,
            ratio=t / median(roof[dt]),
            ratio_to="roofline",
        )
        if name == "adamlp":
            row["target"] = TARGETS[("epoch", solver, dt)]
        rows.append(row)
    return rows


def bench_small(cfg: Config, peers, log) -> list:
    X, y = _small.digits()
    est = {p.name: p.cls for p in peers if hasattr(p, "cls")}
    whole = {name: [] for name in est}
    for rep in range(cfg.digits_reps):
        for name, cls in est.items():
            whole[name].append(_small.whole_fit(cls, X, y, cfg.digits_max_iter))
        log(f"  digits fit rep {rep + 1}/{cfg.digits_reps} done")
    fresh = {name: [] for name in est}
    for _rep in range(cfg.digits_reps):
        for name, cls in est.items():
            fresh[name].append(_small.fresh_process_fit(cls, cfg.digits_max_iter))
    gs = {name: [] for name in est}
    for rep in range(cfg.grid_reps):
        for name, cls in est.items():
            gs[name].append(_small.grid_search(cls, X, y, cfg))
        log(f"  grid search rep {rep + 1}/{cfg.grid_reps} done")
    rows = []
    ref_fit = median([r["seconds"] for r in whole["sklearn"]])
    ref_epoch = median([r["seconds"] / r["n_iter"] for r in whole["sklearn"]])
    ref_gs = median([r["seconds"] for r in gs["sklearn"]])
    n_cand = _small.n_candidates(cfg)
    for name in est:
        per_epoch = [r["seconds"] / r["n_iter"] for r in whole[name]]
        rows.append(
            _row(
                "small",
                "digits epoch",
                name,
                "float64",
                median(per_epoch),
                times=per_epoch,
                ratio=median(per_epoch) / ref_epoch,
                ratio_to="sklearn",
            )
        )
        secs = [r["seconds"] for r in whole[name]]
        rows.append(
            _row(
                "small",
                "digits whole fit",
                name,
                "float64",
                median(secs),
                times=secs,
                ratio=median(secs) / ref_fit,
                ratio_to="sklearn",
                n_iter=[r["n_iter"] for r in whole[name]],
                target=0.5 if name == "adamlp" else None,
            )
        )
        secs = [r["fit"] for r in fresh[name]]
        rows.append(
            _row(
                "small",
                "digits first fit in a new process",
                name,
                "float64",
                median(secs),
                times=secs,
                ratio=median(secs) / median([r["fit"] for r in fresh["sklearn"]]),
                ratio_to="sklearn",
                imports=[r["imports"] for r in fresh[name]],
            )
        )
        secs = [r["seconds"] for r in gs[name]]
        rows.append(
            _row(
                "small",
                f"GridSearchCV {n_cand} cand x {cfg.grid_folds} folds",
                name,
                "float64",
                median(secs),
                times=secs,
                ratio=median(secs) / ref_gs,
                ratio_to="sklearn",
                best_score=[r["best_score"] for r in gs[name]],
                target=0.5 if name == "adamlp" else None,
            )
        )
    return rows


def bench_predict(cfg: Config, peers, log) -> list:
    rows = []
    for dt in cfg.dtypes:
        lat, thr = {}, {}
        for p in peers:  # builds and caches the fitted models first
            p.predict_latency(cfg, dt, 5)
        roof = []
        for _rep in range(cfg.predict_reps):
            roof.append(
                _roofline.forward_roofline(cfg, dt, cfg.predict_rows)["seconds"]
            )
            for p in peers:
                lat.setdefault(p.name, []).append(
                    p.predict_latency(
                        cfg, dt, max(1, cfg.predict_calls // cfg.predict_reps)
                    )["seconds"]
                )
                thr.setdefault(p.name, []).append(
                    p.predict_rows(cfg, dt, cfg.predict_rows, 1)["seconds"]
                )
        r = median(roof)
        rows.append(
            _row(
                "predict",
                f"forward roofline {cfg.predict_rows} rows",
                "numpy",
                dt,
                r,
                times=roof,
                ratio=1.0,
                ratio_to="forward roofline",
            )
        )
        for name, times in lat.items():
            rows.append(
                _row(
                    "predict",
                    "1-row predict_proba latency",
                    name,
                    dt,
                    median(times),
                    times=times,
                    calls=cfg.predict_calls,
                    ratio=median(times) / median(lat["sklearn"]),
                    ratio_to="sklearn",
                    target_seconds=60e-6 if name == "adamlp" else None,
                )
            )
        for name, times in thr.items():
            rows.append(
                _row(
                    "predict",
                    f"{cfg.predict_rows}-row predict_proba",
                    name,
                    dt,
                    median(times),
                    times=times,
                    rows_per_second=cfg.predict_rows / median(times),
                    ratio=median(times) / r,
                    ratio_to="forward roofline",
                    target=1.1 if name == "adamlp" else None,
                )
            )
        log(f"  predict {dt} done")
    return rows


def bench_memory(cfg: Config, peers, torch_path, log) -> list:
    rows = []
    names = [p.name for p in peers]
    for dt in cfg.dtypes:
        res = {}
        for name in names:
            python = torch_path or None if name == "torch" else None
            res[name] = _memory.measure(name, dt, "adam", cfg, python=python)
        ref = res["sklearn"]["fit_added_mb"]
        for name, r in res.items():
            rows.append(
                _row(
                    "memory",
                    "adam fit peak (MB added over pre-fit RSS)",
                    name,
                    dt,
                    float("nan"),
                    mb=r["fit_added_mb"],
                    peak_rss_mb=r["peak_mb"],
                    tracemalloc_mb=r["tracemalloc_mb"],
                    ratio=r["fit_added_mb"] / ref if ref > 0 else float("nan"),
                    ratio_to="sklearn",
                    target=1.0 if name == "adamlp" else None,
                )
            )
        log(f"  memory {dt} done")
    code = _memory.code_mb()
    if code["loaded"]:
        rows.append(
            _row(
                "memory",
                "one-time: numba and the compiled loops (MB of RSS)",
                "adamlp",
                "",
                float("nan"),
                mb=code["mb"],
            )
        )
    return rows


def _fmt_time(s: float) -> str:
    if not np.isfinite(s):
        return ""
    if s < 1e-3:
        return f"{s * 1e6:.1f} us"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.3f} s"


def _status(row: dict) -> str:
    if row.get("target_seconds") is not None:
        lim = row["target_seconds"]
        ok = row["seconds"] <= lim
        return f"<= {lim * 1e6:.0f} us: {'met' if ok else 'missed'}"
    if row.get("target") is not None:
        ok = row["ratio"] <= row["target"]
        return f"<= {row['target']}x: {'met' if ok else 'missed'}"
    return ""


def markdown(rows: list) -> str:
    lines = [
        "| section | case | peer | dtype | median | ratio | target |",
        "|---|---|---|---|---:|---:|---|",
    ]
    for r in rows:
        value = _fmt_time(r["seconds"])
        if r["section"] == "memory":
            value = f"{r['mb']:.1f} MB"
        elif r.get("gflops"):
            value += f" ({r['gflops']:.1f} GFLOP/s)"
        elif r.get("rows_per_second"):
            value += f" ({r['rows_per_second'] / 1e3:.0f}k rows/s)"
        ratio = r.get("ratio")
        ratio_s = (
            f"{ratio:.2f}x {r['ratio_to']}"
            if ratio is not None and np.isfinite(ratio)
            else ""
        )
        lines.append(
            f"| {r['section']} | {r['case']} | {r['peer']} | {r['dtype']} | "
            f"{value} | {ratio_s} | {_status(r)} |"
        )
    return "\n".join(lines)


def _jit_info() -> str:
    """Whether adamlp's compiled steps ran (the ``jit`` extra), with numba's version."""
    from sklearn_adamlp import _jit

    if not _jit.available():
        return "off (numpy steps)"
    import numba

    child = os.environ.get("SKLEARN_ADAMLP_JIT", "auto")
    return f"on (numba {numba.__version__}); child processes: {child}"


def versions(peers) -> dict:
    import scipy
    import sklearn

    import sklearn_adamlp

    out = {
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "sklearn-adamlp": getattr(sklearn_adamlp, "__version__", "?"),
        "sklearn-adamlp jit": _jit_info(),
    }
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        out["sklearn-adamlp commit"] = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            cwd=_peers.REPO,
            check=True,
        ).stdout.strip()
    for p in peers:
        if isinstance(p, _peers.TorchPeer):
            out["torch"] = p.info(Config())
    return out


def parse_args(argv=None):
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    ap.add_argument("--out", default=None, help="write the results as JSON here")
    ap.add_argument("--threads", type=int, default=None, help="limit BLAS threads")
    ap.add_argument("--torch-python", default=None, help="interpreter with torch")
    ap.add_argument("--no-torch", action="store_true", help="skip the torch peer")
    ap.add_argument(
        "--only", default=",".join(SECTIONS), help="comma-separated sections"
    )
    ap.add_argument("--reps", type=int, default=None, help="override repetitions")
    ap.add_argument(
        "--no-jit",
        action="store_true",
        help="adamlp without its compiled steps (SKLEARN_ADAMLP_JIT=0)",
    )
    return ap.parse_args(argv)


def _run_sections(cfg, sections, peers, torch_path, log) -> list:
    rows = []
    if "epoch" in sections:
        log("epoch: roofline and per-epoch fit times")
        rows += bench_epoch(cfg, peers, log)
    if "small" in sections:
        log("small: digits fit and grid search")
        rows += bench_small(cfg, peers, log)
    if "predict" in sections:
        log("predict: latency and throughput")
        rows += bench_predict(cfg, peers, log)
    if "memory" in sections and cfg.memory:
        log("memory: peak RSS of a fit, one child process per peer")
        rows += bench_memory(cfg, peers, torch_path, log)
    return rows


def main(argv=None) -> dict:
    args = parse_args(argv)
    cfg = dataclasses.replace(QUICK if args.quick else Config(), extra={})
    if args.reps:
        cfg.reps = args.reps
    if args.threads:
        cfg.extra["threads"] = args.threads
    sections = [s for s in args.only.split(",") if s]
    torch_path = None if args.no_torch else _peers.torch_python(args.torch_python)

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    from sklearn_adamlp import _jit

    jit_mode, jit_env = _jit.set_enabled(True), os.environ.get("SKLEARN_ADAMLP_JIT")
    if args.no_jit or jit_mode is False:  # here and in the child processes
        os.environ["SKLEARN_ADAMLP_JIT"] = "0"
        _jit.set_enabled(False)
    # else steady state here: numba loaded from the first step, where the default
    # ("auto") loads it after ~0.3 s of numpy steps. The fresh-process row and
    # the memory children keep the environment's mode.
    if args.threads:  # for the child processes (memory, torch worker)
        os.environ["OMP_NUM_THREADS"] = str(args.threads)
        os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    # imports load every BLAS (numpy's and scipy's OpenBLAS) before the limit
    peers = _peers.make_peers(torch_path, with_torch=torch_path is not None)
    limiter = contextlib.nullcontext()
    if args.threads:
        import scipy.linalg  # noqa: F401
        from threadpoolctl import threadpool_limits

        limiter = threadpool_limits(args.threads)
    rows = []
    try:
        with limiter:
            meta = {
                "command": " ".join(
                    [
                        "python -m benchmarks.run",
                        *(sys.argv[1:] if argv is None else argv),
                    ]
                ),
                "config": cfg.to_dict(),
                "machine": machine_info(),
                "versions": versions(peers),
            }
            rows += _run_sections(cfg, sections, peers, torch_path, log)
    finally:
        for p in peers:
            p.close()
        _jit.set_enabled(jit_mode)  # main() may run inside a test session
        if jit_env is None:
            os.environ.pop("SKLEARN_ADAMLP_JIT", None)
        else:
            os.environ["SKLEARN_ADAMLP_JIT"] = jit_env
    results = {"meta": meta, "rows": rows}
    print(markdown(rows))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1, default=str)
    return results


if __name__ == "__main__":
    main()
