"""The peers: sklearn-adamlp, scikit-learn and (when available) PyTorch.

Every peer offers the same operations, so ``run`` can interleave them within each
repetition (a noisy machine then slows every peer alike):

- ``fit(cfg, solver, dtype, epochs, lr, alpha)``: seconds of a fit running exactly
  ``epochs`` epochs (``tol=0``, ``n_iter_no_change`` larger than ``epochs``);
- ``predict_latency(cfg, dtype, calls)``: median seconds of single-row
  ``predict_proba``;
- ``predict_rows(cfg, dtype, n_rows, reps)``: median seconds of ``predict_proba``
  on ``n_rows`` rows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import warnings

import numpy as np

from benchmarks._common import Config, make_data, median

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def estimator_params(cfg: Config, solver: str, epochs: int, lr: float, alpha: float):
    """Parameters shared by sklearn-adamlp's and scikit-learn's MLPClassifier."""
    return {
        "hidden_layer_sizes": tuple(cfg.hidden),
        "solver": solver,
        "batch_size": cfg.batch_size,
        "max_iter": epochs,
        "tol": 0.0,
        "n_iter_no_change": epochs + 10,
        "learning_rate_init": lr,
        "alpha": alpha,
        "momentum": 0.9,
        "nesterovs_momentum": True,
        "shuffle": True,
        "random_state": cfg.seed,
    }


class EstimatorPeer:
    """A peer built from an MLPClassifier class (ours or scikit-learn's)."""

    def __init__(self, name: str, cls) -> None:
        self.name = name
        self.cls = cls
        self._data: dict = {}
        self._models: dict = {}

    def data(self, cfg: Config, dtype: str):
        key = (cfg.n_samples, cfg.n_features, cfg.n_classes, cfg.seed, dtype)
        if key not in self._data:
            self._data[key] = make_data(cfg, dtype)
        return self._data[key]

    def fit(self, cfg, solver, dtype, epochs, lr, alpha) -> float:
        X, y = self.data(cfg, dtype)
        est = self.cls(**estimator_params(cfg, solver, epochs, lr, alpha))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            est.fit(X, y)
            seconds = time.perf_counter() - t0
        if est.n_iter_ != epochs:
            raise RuntimeError(f"{self.name} ran {est.n_iter_} epochs, not {epochs}")
        return seconds

    def _fitted(self, cfg: Config, dtype: str):
        key = (dtype, cfg.n_features, tuple(cfg.hidden))
        if key not in self._models:
            X, y = self.data(cfg, dtype)
            est = self.cls(**estimator_params(cfg, "adam", 1, 1e-3, 1e-4))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                est.fit(X, y)
            self._models[key] = est
        return self._models[key]

    def predict_latency(self, cfg, dtype, calls) -> dict:
        est = self._fitted(cfg, dtype)
        row = self.data(cfg, dtype)[0][:1].copy()
        times = []
        for _ in range(calls):
            t0 = time.perf_counter()
            est.predict_proba(row)
            times.append(time.perf_counter() - t0)
        return {"seconds": median(times)}

    def predict_rows(self, cfg, dtype, n_rows, reps) -> dict:
        est = self._fitted(cfg, dtype)
        rng = np.random.default_rng(cfg.seed + 1)
        X = rng.standard_normal((n_rows, cfg.n_features)).astype(dtype)
        times = []
        for _ in range(reps + 1):
            t0 = time.perf_counter()
            est.predict_proba(X)
            times.append(time.perf_counter() - t0)
        return {"seconds": median(times[1:])}

    def close(self) -> None:
        pass


class TorchPeer:
    """PyTorch, in this process or in a worker interpreter (``python``)."""

    name = "torch"

    def __init__(self, python: str | None = None) -> None:
        self.proc = None
        if python is None:
            from benchmarks import _torch_peer

            self.local = _torch_peer
        else:
            self.local = None
            env = dict(os.environ)
            env["PYTHONPATH"] = REPO + os.pathsep + env.get("PYTHONPATH", "")
            self.proc = subprocess.Popen(
                [python, "-m", "benchmarks._torch_peer"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                cwd=REPO,
                env=env,
                text=True,
            )

    def _call(self, op: str, cfg: Config, **args):
        request = {"op": op, "cfg": cfg.to_dict(), "args": args}
        if self.local is not None:
            return self.local.handle(json.loads(json.dumps(request)))
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        reply = json.loads(self.proc.stdout.readline())
        if not reply["ok"]:
            raise RuntimeError(f"torch worker: {reply['error']}")
        return reply["result"]

    def info(self, cfg: Config) -> dict:
        return self._call("info", cfg)

    def fit(self, cfg, solver, dtype, epochs, lr, alpha) -> float:
        return self._call(
            "fit", cfg, solver=solver, dtype=dtype, epochs=epochs, lr=lr, alpha=alpha
        )["seconds"]

    def predict_latency(self, cfg, dtype, calls) -> dict:
        return self._call("predict_latency", cfg, dtype=dtype, calls=calls)

    def predict_rows(self, cfg, dtype, n_rows, reps) -> dict:
        return self._call("predict_rows", cfg, dtype=dtype, n_rows=n_rows, reps=reps)

    def close(self) -> None:
        if self.proc is not None:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
            self.proc = None


def torch_python(explicit: str | None) -> str | None:
    """The interpreter for the torch peer: '' when torch imports here, else a path.

    ``explicit`` (``--torch-python``) or ``$BENCH_TORCH_PYTHON`` names another
    interpreter; None means no torch peer.
    """
    path = explicit or os.environ.get("BENCH_TORCH_PYTHON")
    if path:
        return path
    try:
        import torch  # noqa: F401
    except ImportError:
        return None
    return ""


def make_peers(torch_path: str | None = None, with_torch: bool = True) -> list:
    from sklearn.neural_network import MLPClassifier as SkMLP

    from sklearn_adamlp import MLPClassifier

    peers = [EstimatorPeer("adamlp", MLPClassifier), EstimatorPeer("sklearn", SkMLP)]
    if with_torch:
        path = torch_python(torch_path)
        if path is not None:
            peers.append(TorchPeer(path or None))
    return peers


def current_python() -> str:
    return sys.executable
