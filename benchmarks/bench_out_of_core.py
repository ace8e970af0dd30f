"""Data bigger than a Dask worker's memory: a lazy X trained block by block.

On a LocalCluster of ``--workers`` worker processes x 1 thread, each with a
``--memory-limit`` well below its share of the data, spilling to a temporary
directory:

- ``X`` (``--rows`` x ``--features`` float32) is generated lazily on the
  workers, block by block (``da.map_blocks``, block ``i`` from the seed
  ``(seed, i)``), never on the client;
- its labels are computed per block from that block only (``argmax`` of a
  fixed random teacher network applied to the rows), so a row's label
  depends on that row alone;
- ``MLPClassifier(parallel=EASGD(backend="dask"))`` (and ModelAveraging with
  ``--strategy both``) trains on it for ``--epochs`` epochs.

It reports the data's size, the memory limit, the fit's seconds, the accuracy
on a held-out numpy test set generated separately (same teacher), the peak
RSS of the client process (``getrusage``) and of each worker (its ``VmHWM``,
and the maximum of RSS samples taken every 0.5 s), and how much Dask spilled
(bytes on disk at most, bytes written during the fit).

    python -m benchmarks.bench_out_of_core                  # 1.5 GB, 700MB workers
    python -m benchmarks.bench_out_of_core --strategy both
    python -m benchmarks.bench_out_of_core --quick          # tiny (CI smoke)
    python -m benchmarks.bench_out_of_core --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import threading
import time
import warnings

import numpy as np

from sklearn_adamlp import MLPClassifier
from sklearn_adamlp.parallel import EASGD, ModelAveraging

HIDDEN = 32  # the teacher's hidden units

#: Dask's spilling thresholds, as fractions of ``memory_limit``. A worker's
#: imports (numpy, scipy, scikit-learn, dask, this package) take about 200 MB
#: of it before any data, and writing a block to disk briefly holds its bytes
#: twice more; so blocks go to disk once the data in memory passes 30% of the
#: limit (Dask's default: 60%) or the process passes 50% (default: 70%).
SPILL = {
    "distributed.worker.memory.target": 0.3,
    "distributed.worker.memory.spill": 0.5,
}


def _teacher(seed: int, features: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the fixed random teacher ``features -> 32 (tanh) -> 10``."""
    rng = np.random.default_rng([seed, 2**31])
    W1 = rng.standard_normal((features, HIDDEN), dtype=np.float32)
    W2 = rng.standard_normal((HIDDEN, 10), dtype=np.float32)
    return W1 / np.sqrt(features), W2


def _rows(block_info=None, seed=0, features=784) -> np.ndarray:
    """Block ``i`` of X: standard normal float32 rows from the seed ``(seed, i)``."""
    info = block_info[None]
    i, (rows, _) = info["chunk-location"][0], info["chunk-shape"]
    rng = np.random.default_rng([seed, i])
    return rng.standard_normal((rows, features), dtype=np.float32)


def _labels(block: np.ndarray, seed: int = 0) -> np.ndarray:
    """The teacher's class of each row of ``block``: ``argmax tanh(x W1) W2``."""
    W1, W2 = _teacher(seed, block.shape[1])
    return np.argmax(np.tanh(block @ W1) @ W2, axis=1)


def _test_set(rows: int, features: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    X = np.random.default_rng([seed, 2**32]).standard_normal(
        (rows, features), dtype=np.float32
    )
    return X, _labels(X, seed)


def _hwm_mb() -> float:
    """This process's peak RSS in MB (``VmHWM``; ``ru_maxrss`` elsewhere)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_hwm() -> None:
    """Reset this process's ``VmHWM`` to its RSS (Linux); harmless if refused."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _worker_sample(dask_worker) -> dict:
    """RSS, bytes on disk and bytes written to disk by Dask's spilling, so far."""
    import psutil

    disk = getattr(getattr(dask_worker.data, "spilled_total", None), "disk", 0)
    written = sum(
        v
        for k, v in dask_worker.digests_total.items()
        if isinstance(k, tuple) and k[-2:] == ("disk-write", "bytes")
    )
    return dict(
        rss=psutil.Process().memory_info().rss,
        pid=os.getpid(),
        disk=disk,
        written=written,
        hwm=_hwm_mb(),
    )


class _Monitor(threading.Thread):
    """Sample every worker every ``period`` seconds; keep the maxima."""

    def __init__(self, client, period: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.client, self.period = client, period
        self.peak: dict[str, dict] = {}
        self.pids: dict[str, set] = {}
        self.written: dict[str, float] = {}  # bytes written before the fit
        self.done = threading.Event()

    def begin(self) -> None:
        """Reset the workers' peaks and note their disk writes; start sampling."""
        self.client.run(_reset_hwm)  # each fit's own peak
        samples = self.client.run(_worker_sample)
        self.written = {a: s["written"] for a, s in samples.items()}
        self.start()

    def run(self) -> None:
        while not self.done.is_set():
            self.sample()
            self.done.wait(self.period)

    def sample(self) -> None:
        try:
            samples = self.client.run(_worker_sample)
        except Exception:  # a worker restarting: the next sample sees it
            return
        for address, s in samples.items():
            peak = self.peak.setdefault(address, dict(rss=0, disk=0, written=0))
            for name in ("rss", "disk", "written"):
                peak[name] = max(peak[name], s[name])
            peak["hwm"] = s["hwm"]
            self.pids.setdefault(address, set()).add(s["pid"])

    def stop(self) -> dict:
        self.done.set()
        self.join()
        self.sample()
        return self.peak


def _fit(label, parallel, X, y, test, epochs, batch, hidden, client) -> dict:
    monitor = _Monitor(client)
    monitor.begin()
    est = MLPClassifier(
        hidden_layer_sizes=hidden,
        batch_size=batch,
        max_iter=epochs,
        learning_rate_init=1e-3,
        random_state=0,
        parallel=parallel,
    )
    error = None
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(X, y)
    except Exception as exc:  # reported, not hidden: the run says why
        error = f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - t0
    peak = monitor.stop()
    workers = {
        address: dict(
            peak_rss_mb=p["rss"] / 2**20,
            vm_hwm_mb=p["hwm"],
            max_spilled_mb=p["disk"] / 2**20,
            written_to_disk_mb=(p["written"] - monitor.written.get(address, 0)) / 2**20,
            restarted=len(monitor.pids.get(address, ())) > 1,
        )
        for address, p in sorted(peak.items())
    }
    out = dict(config=label, seconds=seconds, error=error, workers=workers)
    if error is None:
        out["accuracy"] = float(est.score(*test))
        out["steps"] = int(est.t_)
    print(f"  {label}: {seconds:.1f} s, {error or out['accuracy']}", file=sys.stderr)
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rows", type=int, default=480_000)
    parser.add_argument("--features", type=int, default=784)
    parser.add_argument("--block", type=int, default=20_000)
    parser.add_argument("--memory-limit", default="700MB")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--strategy", choices=["easgd", "both"], default="easgd")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    import dask
    import dask.array as da
    from distributed import Client, LocalCluster

    rows, features, block, limit = (
        args.rows,
        args.features,
        args.block,
        args.memory_limit,
    )
    hidden, batch, seed, test_rows = (128,), 256, 0, 10_000
    if args.quick:
        rows, features, block, limit, hidden, test_rows = (
            4_000,
            32,
            500,
            "1GB",
            (16,),
            500,
        )
    configs = [("EASGD tau=8", EASGD(backend="dask", tau=8))]
    if args.strategy == "both":
        configs.append(("ModelAveraging tau=8", ModelAveraging(backend="dask", tau=8)))
    test = _test_set(test_rows, features, seed)
    sizes = (block,) * (rows // block) + ((rows % block,) if rows % block else ())
    X = da.map_blocks(
        _rows,
        seed=seed,
        features=features,
        chunks=(sizes, (features,)),
        dtype=np.float32,
    )
    y = X.map_blocks(_labels, seed=seed, drop_axis=1, dtype=np.int64)
    results = []
    with (
        tempfile.TemporaryDirectory(prefix="bench_out_of_core_") as spill,
        dask.config.set(SPILL),
        LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            processes=True,
            memory_limit=limit,
            local_directory=spill,
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        for label, parallel in configs:
            results.append(
                _fit(label, parallel, X, y, test, args.epochs, batch, hidden, client)
            )
    result = dict(
        rows=rows,
        features=features,
        block_rows=block,
        data_gb=rows * features * 4 / 1e9,
        memory_limit=limit,
        workers=args.workers,
        epochs=args.epochs,
        client_peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        fits=results,
    )
    _print(result)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(result, out, indent=2)
    return result


def _print(result: dict) -> None:
    print(
        f"{result['rows']} x {result['features']} float32 = "
        f"{result['data_gb']:.2f} GB in blocks of {result['block_rows']} rows; "
        f"{result['workers']} workers, memory_limit={result['memory_limit']}; "
        f"{result['epochs']} epochs; client peak RSS "
        f"{result['client_peak_rss_mb']:.0f} MB"
    )
    for fit in result["fits"]:
        outcome = fit["error"] or f"accuracy {fit['accuracy']:.4f}"
        print(f"{fit['config']}: {fit['seconds']:.1f} s, {outcome}")
        for address, w in fit["workers"].items():
            print(
                f"  {address}: peak RSS {w['peak_rss_mb']:.0f} MB sampled, "
                f"VmHWM {w['vm_hwm_mb']:.0f} MB; spilled at most "
                f"{w['max_spilled_mb']:.0f} MB, "
                f"written {w['written_to_disk_mb']:.0f} MB"
                + (" (restarted)" if w["restarted"] else "")
            )


if __name__ == "__main__":
    main()
