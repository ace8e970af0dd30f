"""One model on a Dask LocalCluster against the serial fit, side by side.

On a synthetic classification task (``--rows`` x 784, float32), fits the same
network (784 -> 256 -> 128 -> 10, Adam, batches of 256):

- serially, with 1 and with 2 BLAS threads;
- with EASGD, Downpour and ModelAveraging on a LocalCluster of ``--workers``
  worker processes x 1 thread (``backend='dask'``).

For each configuration (medians over ``--repeat`` fits, run interleaved) it
reports the whole-fit seconds, seconds per epoch, the held-out accuracy after
the last epoch, the seconds until the held-out accuracy first reached the
serial fit's best one (the serial fit with 2 BLAS threads, over its epochs),
and the bytes exchanged per epoch (the center set and read by the client, the
workers' exchanges with the center Actor, counted by the fit).

One more row is a bound, not a strategy: ``--workers`` independent processes
(1 BLAS thread each) fitting their share of the rows at the same time, with
no exchange at all; its seconds per epoch are what any strategy's epoch on
these cores costs before communication.

    python -m benchmarks.bench_distributed                # 200,000 rows
    python -m benchmarks.bench_distributed --rows 60000 --epochs 4
    python -m benchmarks.bench_distributed --quick        # tiny (CI smoke)
    python -m benchmarks.bench_distributed --json out.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

from sklearn_adamlp import MLPClassifier
from sklearn_adamlp.callbacks import Callback
from sklearn_adamlp.parallel import EASGD, Downpour, ModelAveraging


class _Bytes(Callback):
    """Keep the bytes each epoch of a dask fit moved (``bytes_per_epoch_``)."""

    def __init__(self):
        self.per_epoch = []

    def on_fit_end(self, ctx, **kwargs):
        self.per_epoch = list(getattr(ctx.parallel, "bytes_per_epoch_", []))


def _data(rows: int, features: int, seed: int = 0):
    """Return a synthetic 10-class task: a random teacher network's labels.

    The teacher is ``argmax(tanh(2 x W1) W2 + 0.1 noise)`` with 64 hidden
    units, so a student of this size keeps improving for a few epochs.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((rows, features), dtype=np.float32)
    W1 = rng.standard_normal((features, 64), dtype=np.float32) / np.sqrt(features)
    W2 = rng.standard_normal((64, 10), dtype=np.float32) / np.sqrt(64)
    noise = 0.1 * rng.standard_normal((rows, 10))
    y = np.argmax(np.tanh(2 * (X @ W1)) @ W2 + noise, axis=1)
    cut = int(rows * 0.9)
    return X[:cut], y[:cut], X[cut:], y[cut:]


def _configs(quick: bool) -> list[tuple[str, object, int | None]]:
    tau = 2 if quick else 8
    return [
        ("serial, 1 BLAS thread", None, 1),
        ("serial, 2 BLAS threads", None, 2),
        (f"EASGD tau={tau}", EASGD(backend="dask", tau=tau), None),
        ("Downpour push=fetch=4", Downpour(backend="dask", n_push=4, n_fetch=4), None),
        (f"ModelAveraging tau={tau}", ModelAveraging(backend="dask", tau=tau), None),
    ]


def _fit(parallel, blas, data, hidden, epochs, batch_size) -> dict:
    Xtr, ytr, Xte, yte = data
    counter = _Bytes()
    est = MLPClassifier(
        hidden_layer_sizes=hidden,
        batch_size=batch_size,
        max_iter=epochs,
        learning_rate_init=1e-3,
        random_state=0,
        parallel=parallel,
        callbacks=[counter],
    )
    with warnings.catch_warnings(), threadpool_limits(limits=blas, user_api="blas"):
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        est.fit(Xtr, ytr, validation_data=(Xte, yte))
        seconds = time.perf_counter() - t0
    history = est.history_
    return dict(
        seconds=seconds,
        epoch_seconds=list(history["seconds"]),
        val_scores=list(history["val_score"]),
        accuracy=float(est.score(Xte, yte)),
        bytes=float(np.median(counter.per_epoch)) if counter.per_epoch else 0.0,
    )


def _share_fit(args: tuple) -> list[float]:
    """Fit one share serially with 1 BLAS thread; return its epochs' seconds."""
    X, y, hidden, epochs, batch_size = args
    est = MLPClassifier(
        hidden_layer_sizes=hidden,
        batch_size=batch_size,
        max_iter=epochs,
        learning_rate_init=1e-3,
        random_state=0,
    )
    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        warnings.simplefilter("ignore")
        est.fit(X, y)
    return list(est.history_["seconds"])


def _independent(data, hidden, epochs, batch_size, workers) -> dict:
    """``workers`` processes fitting their share at once, with no exchange."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    Xtr, ytr = data[0], data[1]
    shares = np.array_split(np.arange(len(ytr)), workers)
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
        args = [(Xtr[s], ytr[s], hidden, epochs, batch_size) for s in shares]
        seconds = list(pool.map(_share_fit, args))
    per_epoch = np.max(seconds, axis=0)  # an epoch ends with its slowest share
    return dict(
        seconds=float(per_epoch.sum()),
        epoch_seconds=list(per_epoch),
        val_scores=[np.nan] * epochs,
        accuracy=float("nan"),
        bytes=0.0,
    )


def _time_to(run: dict, target: float) -> float:
    """Seconds of training until the held-out accuracy first reached ``target``."""
    elapsed = np.cumsum(run["epoch_seconds"])
    reached = [
        t for t, s in zip(elapsed, run["val_scores"], strict=True) if s >= target
    ]
    return float(reached[0]) if reached else float("nan")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    from distributed import Client, LocalCluster

    rows, features, hidden, batch = args.rows, 784, (256, 128), 256
    epochs, repeat = args.epochs, args.repeat
    if args.quick:
        rows, features, hidden, batch, epochs, repeat = 2_000, 32, (16,), 64, 2, 1
    data = _data(rows, features)
    configs = _configs(args.quick)
    runs: dict[str, list[dict]] = {label: [] for label, _, _ in configs}
    with (
        LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        ) as cluster,
        Client(cluster),
    ):
        bound = f"{args.workers} processes, no exchange (bound)"
        runs[bound] = []
        for _ in range(repeat):  # interleaved: drifts in the machine's load spread
            runs[bound].append(_independent(data, hidden, epochs, batch, args.workers))
            for label, parallel, blas in configs:
                runs[label].append(_fit(parallel, blas, data, hidden, epochs, batch))
                done = runs[label][-1]
                print(
                    f"  {label}: {done['seconds']:.2f} s, {done['accuracy']:.4f}",
                    file=sys.stderr,
                    flush=True,
                )
    configs = [*configs, (bound, None, 1)]
    rows_out = _summarize(runs, configs, rows, features)
    best = [np.max(r["val_scores"]) for r in runs["serial, 2 BLAS threads"]]
    print(f"serial best held-out accuracy (the target): {np.median(best):.4f}")
    _print(rows_out, rows, features, epochs, repeat)
    result = {"rows": rows_out, "n_rows": rows, "epochs": epochs, "repeat": repeat}
    if args.json:
        with open(args.json, "w") as out:
            json.dump(result, out, indent=2)
    return result


def _summarize(runs: dict, configs: list, rows: int, features: int) -> list[dict]:
    serial = runs["serial, 2 BLAS threads"]
    target = float(np.median([np.max(r["val_scores"]) for r in serial]))
    out = []
    for label, _, _ in configs:
        fits = runs[label]
        out.append(
            dict(
                config=label,
                seconds=float(np.median([r["seconds"] for r in fits])),
                epoch_seconds=float(
                    np.median([np.median(r["epoch_seconds"]) for r in fits])
                ),
                accuracy=float(np.median([r["accuracy"] for r in fits])),
                time_to_serial_accuracy=float(
                    np.median([_time_to(r, target) for r in fits])
                ),
                bytes_per_epoch=float(np.median([r["bytes"] for r in fits])),
            )
        )
    return out


def _print(rows_out: list[dict], rows: int, features: int, epochs: int, repeat: int):
    print(f"{rows} x {features} float32, {epochs} epochs, medians of {repeat}")
    print(
        "| config | fit s | s / epoch | accuracy | s to serial accuracy "
        "| MB exchanged / epoch |"
    )
    print("|---|---|---|---|---|---|")
    for r in rows_out:
        accuracy, reached = r["accuracy"], r["time_to_serial_accuracy"]
        print(
            f"| {r['config']} | {r['seconds']:.2f} | {r['epoch_seconds']:.2f} "
            f"| {_fmt(accuracy, '.4f')} | {_fmt(reached, '.2f')} "
            f"| {r['bytes_per_epoch'] / 1e6:.1f} |"
        )


def _fmt(value: float, spec: str) -> str:
    """``value`` formatted, or "n/a" for NaN (not measured, or not reached)."""
    return "n/a" if np.isnan(value) else format(value, spec)


if __name__ == "__main__":
    main()
