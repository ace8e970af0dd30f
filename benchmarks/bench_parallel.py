"""Parallel SGD (Hogwild, Downpour, EASGD) against a serial fit, side by side.

For each dataset, fits the same network serially (all BLAS threads, then one)
and with each strategy over ``--workers`` processes, and prints a markdown table:
median whole-fit seconds, seconds per epoch, the speed-up over the serial fit
measured in the same run, and the held-out accuracy. Each timed fit follows an
untimed fit of the same configuration, so that every configuration pays its
own share of the copy-on-write faults that forking leaves behind.

    python -m benchmarks.bench_parallel                 # digits and 20,000 x 784
    python -m benchmarks.bench_parallel --quick         # tiny sizes (CI smoke)
    python -m benchmarks.bench_parallel --json out.json
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info, threadpool_limits

from sklearn_adamlp import MLPClassifier
from sklearn_adamlp.parallel import EASGD, Downpour, Hogwild


def _datasets(quick: bool) -> dict:
    X, y = load_digits(return_X_y=True)
    n, p, informative = (600, 50, 20) if quick else (24_000, 784, 100)
    Xw, yw = make_classification(
        n_samples=n,
        n_features=p,
        n_informative=informative,
        n_classes=10,
        random_state=0,
    )
    return {
        "digits": dict(
            data=(X[:400], y[:400]) if quick else (X, y),
            hidden=(100,),
            batch_size="auto",
            epochs=2 if quick else 30,
        ),
        f"{n} x {p}": dict(
            data=(Xw, yw),
            hidden=(16,) if quick else (256, 128),
            batch_size=32 if quick else 256,
            epochs=2 if quick else 5,
        ),
    }


def _configs(workers: int) -> list[tuple[str, object, int | None]]:
    """``(label, parallel, BLAS threads)``; None threads: the default."""
    return [
        ("serial", None, None),
        ("serial, 1 BLAS thread", None, 1),
        (f"hogwild x{workers}", Hogwild(n_workers=workers), None),
        (f"downpour x{workers}", Downpour(n_workers=workers), None),
        (f"easgd x{workers}", EASGD(n_workers=workers), None),
    ]


def _fit(spec: dict, parallel, threads, split, seed: int):
    Xtr, Xte, ytr, yte = split
    est = MLPClassifier(
        hidden_layer_sizes=spec["hidden"],
        batch_size=spec["batch_size"],
        max_iter=spec["epochs"],
        random_state=seed,
        parallel=parallel,
    )
    with warnings.catch_warnings(), threadpool_limits(limits=threads):
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        est.fit(Xtr, ytr)
        seconds = time.perf_counter() - start
    return seconds, est.n_iter_, est.score(Xte, yte)


def run(quick: bool, workers: int, reps: int) -> list[dict]:
    rows = []
    for name, spec in _datasets(quick).items():
        X, y = spec["data"]
        Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0)
        scaler = StandardScaler().fit(Xtr)
        split = (scaler.transform(Xtr), scaler.transform(Xte), ytr, yte)
        configs = _configs(workers)
        times: dict[str, list] = {label: [] for label, _, _ in configs}
        scores: dict[str, list] = {label: [] for label, _, _ in configs}
        epochs = {}
        for rep in range(reps):  # interleaved: every config sees the same load
            for label, parallel, threads in configs:
                # untimed first: after a fork, the fitting process's next writes
                # take copy-on-write page faults (about 60 ms on digits), which
                # would otherwise land on whichever configuration runs next
                _fit(spec, parallel, threads, split, rep)
                seconds, n_iter, score = _fit(spec, parallel, threads, split, rep)
                times[label].append(seconds)
                scores[label].append(score)
                epochs[label] = n_iter
        base = float(np.median(times["serial"]))
        for label, _, _ in configs:
            fit = float(np.median(times[label]))
            rows.append(
                {
                    "data": name,
                    "config": label,
                    "fit_seconds": fit,
                    "epoch_seconds": fit / max(epochs[label], 1),
                    "speedup_vs_serial": base / fit,
                    "accuracy": float(np.mean(scores[label])),
                    "epochs": epochs[label],
                }
            )
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| data | config | fit s | s / epoch | speed-up vs serial | accuracy |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['data']} | {r['config']} | {r['fit_seconds']:.3f} | "
            f"{r['epoch_seconds']:.4f} | {r['speedup_vs_serial']:.2f}x | "
            f"{r['accuracy']:.4f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, 1 rep")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args(argv)
    reps = 1 if args.quick else args.reps
    blas = [
        {k: i.get(k) for k in ("internal_api", "num_threads", "architecture")}
        for i in threadpool_info()
        if i.get("user_api") == "blas"
    ]
    rows = run(args.quick, args.workers, reps)
    print(f"BLAS: {blas}; medians of {reps} fits, accuracy their mean\n")
    print(table(rows))
    results = {"blas": blas, "reps": reps, "workers": args.workers, "rows": rows}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return results


if __name__ == "__main__":
    main()
