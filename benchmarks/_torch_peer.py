"""A plain PyTorch MLP peer: same architecture, batch, optimizer and data.

Runs in-process when torch is importable, or as a worker in another interpreter
(``python -m benchmarks._torch_peer``) that reads one JSON request per line on
stdin and answers one JSON line on stdout. Imports numpy, torch and
``benchmarks._common`` only, so the worker needs neither scikit-learn nor
sklearn-adamlp.
"""

from __future__ import annotations

import itertools
import json
import sys
import time

import numpy as np

from benchmarks._common import Config, make_data, median

_CACHE: dict = {}


def _torch():
    import torch

    return torch


def info() -> dict:
    torch = _torch()
    return {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "config": torch.__config__.parallel_info().splitlines()[:6],
    }


def _model(cfg: Config, dtype: str):
    torch = _torch()
    torch.manual_seed(cfg.seed)
    layers = []
    units = cfg.units
    for i, (a, b) in enumerate(itertools.pairwise(units)):
        layers.append(torch.nn.Linear(a, b))
        if i < len(units) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    return model.to(getattr(torch, dtype))


def _data(cfg: Config, dtype: str):
    key = (cfg.n_samples, cfg.n_features, cfg.n_classes, cfg.seed, dtype)
    if key not in _CACHE:
        torch = _torch()
        X, y = make_data(cfg, dtype)
        _CACHE[key] = (torch.from_numpy(X), torch.from_numpy(y))
    return _CACHE[key]


def _optimizer(model, solver: str, lr: float, weight_decay: float):
    torch = _torch()
    if solver == "adam":
        return torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    return torch.optim.SGD(
        model.parameters(),
        lr=lr,
        momentum=0.9,
        nesterov=True,
        weight_decay=weight_decay,
    )


def fit(cfg: Config, solver: str, dtype: str, epochs: int, lr: float, alpha: float):
    """Seconds to build and train the model for ``epochs`` epochs."""
    torch = _torch()
    X, y = _data(cfg, dtype)
    t0 = time.perf_counter()
    model = _model(cfg, dtype)
    # sklearn's L2 term alpha * W / n_batch, applied as weight decay
    opt = _optimizer(model, solver, lr, alpha / cfg.batch_size)
    loss_fn = torch.nn.CrossEntropyLoss()
    n, bs = X.shape[0], cfg.batch_size
    for _ in range(epochs):
        perm = torch.randperm(n)
        total = 0.0
        for start in range(0, n, bs):
            idx = perm[start : start + bs]
            xb, yb = X[idx], y[idx]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * xb.shape[0]
    return time.perf_counter() - t0


def _fitted(cfg: Config, dtype: str):
    key = ("model", dtype, cfg.n_features, cfg.hidden)
    if key not in _CACHE:
        model = _model(cfg, dtype)
        model.eval()
        _CACHE[key] = model
    return _CACHE[key]


def predict_latency(cfg: Config, dtype: str, calls: int) -> dict:
    """Median seconds of one single-row predict_proba (numpy in, numpy out)."""
    torch = _torch()
    model = _fitted(cfg, dtype)
    X, _ = make_data(cfg, dtype)
    row = X[:1]
    times = []
    with torch.inference_mode():
        for _ in range(calls):
            t0 = time.perf_counter()
            torch.softmax(model(torch.from_numpy(row)), dim=1).numpy()
            times.append(time.perf_counter() - t0)
    return {"seconds": median(times)}


def predict_rows(cfg: Config, dtype: str, n_rows: int, reps: int) -> dict:
    """Median seconds of predict_proba on ``n_rows`` rows."""
    torch = _torch()
    model = _fitted(cfg, dtype)
    rng = np.random.default_rng(cfg.seed + 1)
    X = rng.standard_normal((n_rows, cfg.n_features)).astype(dtype)
    times = []
    with torch.inference_mode():
        for _ in range(reps + 1):
            t0 = time.perf_counter()
            torch.softmax(model(torch.from_numpy(X)), dim=1).numpy()
            times.append(time.perf_counter() - t0)
    return {"seconds": median(times[1:])}


def handle(request: dict):
    cfg = Config(**{**request["cfg"], "hidden": tuple(request["cfg"]["hidden"])})
    op = request["op"]
    if cfg.extra.get("threads"):
        _torch().set_num_threads(int(cfg.extra["threads"]))
    args = request.get("args", {})
    if op == "info":
        return info()
    if op == "fit":
        return {"seconds": fit(cfg, **args)}
    if op == "predict_latency":
        return predict_latency(cfg, **args)
    if op == "predict_rows":
        return predict_rows(cfg, **args)
    raise ValueError(f"unknown op {op!r}")


def serve() -> None:
    """Answer JSON requests, one per line, until stdin closes."""
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply = {"ok": True, "result": handle(json.loads(line))}
        except Exception as exc:  # report to the parent instead of dying
            reply = {"ok": False, "error": repr(exc)}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve()
