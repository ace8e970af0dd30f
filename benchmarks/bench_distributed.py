"""One model on a Dask LocalCluster against the serial fit, side by side.

On a synthetic classification task (``--rows`` x 784, float32), fits the same
network (784 -> 256 -> 128 -> 10, Adam, batches of 256):

- serially, with 1 and with 2 BLAS threads;
- with EASGD, Downpour and ModelAveraging on a LocalCluster of ``--workers``
  worker processes x 1 thread (``backend='dask'``).

For each configuration (medians over ``--repeat`` fits, run interleaved) it
reports the whole-fit seconds, seconds per epoch, the held-out accuracy after
the last epoch, the seconds until the held-out accuracy first reached the
serial fit's final one (the serial fit with 2 BLAS threads), and the bytes
exchanged per epoch (the center set and read by the client, the workers'
exchanges with the center Actor, counted by the fit).

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
    """Return a synthetic 10-class task: a random teacher network's labels."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((rows, features), dtype=np.float32)
    W = rng.standard_normal((features, 10), dtype=np.float32) / np.sqrt(features)
    y = np.argmax(np.tanh(X @ W) + 0.5 * rng.standard_normal((rows, 10)), axis=1)
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
        for _ in range(repeat):  # interleaved: drifts in the machine's load spread
            for label, parallel, blas in configs:
                runs[label].append(_fit(parallel, blas, data, hidden, epochs, batch))
                done = runs[label][-1]
                print(
                    f"  {label}: {done['seconds']:.2f} s, {done['accuracy']:.4f}",
                    file=sys.stderr,
                    flush=True,
                )
    rows_out = _summarize(runs, configs, rows, features)
    _print(rows_out, rows, features, epochs, repeat)
    result = {"rows": rows_out, "n_rows": rows, "epochs": epochs, "repeat": repeat}
    if args.json:
        with open(args.json, "w") as out:
            json.dump(result, out, indent=2)
    return result


def _summarize(runs: dict, configs: list, rows: int, features: int) -> list[dict]:
    target = float(np.median([r["accuracy"] for r in runs["serial, 2 BLAS threads"]]))
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
        print(
            f"| {r['config']} | {r['seconds']:.2f} | {r['epoch_seconds']:.2f} "
            f"| {r['accuracy']:.4f} | {r['time_to_serial_accuracy']:.2f} "
            f"| {r['bytes_per_epoch'] / 1e6:.1f} |"
        )


if __name__ == "__main__":
    main()
