"""Write ``refactor_reference.npz``: fitted weights of every solver and schedule.

The file pins the numbers of the numpy path (``SKLEARN_ADAMLP_JIT=0``, float64)
before a refactoring of the optimizers, the plateau rule and weight decay:
tests/test_refactor_reference.py refits every case and compares. Regenerate
only when a change of the numbers is intended::

    SKLEARN_ADAMLP_JIT=0 python tests/data/make_refactor_reference.py
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

if __name__ == "__main__":  # the numpy path (not when a test imports this)
    os.environ["SKLEARN_ADAMLP_JIT"] = "0"

from sklearn_adamlp import MLPClassifier, MLPRegressor
from sklearn_adamlp.optimizers import Adam, AdamW
from sklearn_adamlp.schedules import Plateau

OUT = Path(__file__).with_name("refactor_reference.npz")

SOLVERS = [
    "adabound", "adadelta", "adagrad", "adam", "adamax", "adamw", "amsgrad",
    "lbfgs", "momentum", "nadam", "nesterov", "newton_cg", "quickprop",
    "rmsprop", "rprop", "sgd",
]  # fmt: skip
SCHEDULES = [
    "adaptive", "constant", "cosine", "cosine_restarts", "exponential",
    "increase_batch", "invscaling", "plateau", "step", "warmup",
]  # fmt: skip


def data():
    """A small regression and a 3-class problem (float64)."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 4))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1] * X[:, 2] + 0.1 * rng.normal(size=60)
    labels = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 3] > 0.5)
    return X, y, labels


#: the solvers whose name has since changed meaning: 'momentum' took the
#: estimator's nesterovs_momentum=True and 'rmsprop' its momentum=0.9 when the
#: reference was written; their cases give the optimizer object that name built
RENAMED = ("momentum", "rmsprop")


def _solver(s, lr):
    """``(solver, learning_rate_init)`` parameters reproducing the name ``s``."""
    if s not in RENAMED:
        return {"solver": s, "learning_rate_init": lr}
    from sklearn_adamlp import optimizers

    cls = optimizers.get(s)
    given = {
        "learning_rate": lr,
        "momentum": 0.9,
        "nesterov": True,
        "beta_1": 0.9,
        "beta_2": 0.999,
        "epsilon": 1e-8,
    }
    accepted = cls._get_param_names()
    return {"solver": cls(**{k: v for k, v in given.items() if k in accepted})}


def cases():
    """``name -> (estimator class, parameters, target: 'reg' or 'clf')``."""
    base = {"hidden_layer_sizes": (6, 5), "random_state": 0, "max_iter": 25}
    out = {}
    for s in SOLVERS:
        lr = {"adadelta": 1.0, "quickprop": 0.1, "rprop": 0.01}.get(s, 0.01)
        out[f"solver_{s}"] = (
            MLPRegressor,
            {**base, **_solver(s, lr)},
            "reg",
        )
    for s in ("adam", "nadam", "sgd", "rmsprop"):
        out[f"clf_{s}"] = (
            MLPClassifier,
            {**base, **_solver(s, 0.02), "alpha": 0.01},
            "clf",
        )
    stall = {"tol": 0.02, "n_iter_no_change": 2, "max_iter": 60}
    for sched in SCHEDULES:
        for s in ("sgd", "adam"):
            out[f"schedule_{sched}_{s}"] = (
                MLPRegressor,
                {
                    **base,
                    **stall,
                    "solver": s,
                    "learning_rate": sched,
                    "learning_rate_init": 0.05,
                },
                "reg",
            )
    out["plateau_object"] = (
        MLPRegressor,
        {
            **base,
            "solver": "sgd",
            "max_iter": 60,
            "tol": 1e-4,
            "n_iter_no_change": 30,
            "learning_rate": Plateau(factor=3.0, patience=2, min_delta=0.01),
            "learning_rate_init": 0.05,
        },
        "reg",
    )
    out["plateau_name_long"] = (
        MLPRegressor,
        {
            **base,
            "solver": "sgd",
            "max_iter": 80,
            "tol": 1e-3,
            "n_iter_no_change": 12,
            "learning_rate": "plateau",
            "learning_rate_init": 0.2,
        },
        "reg",
    )
    out["adaptive_early_stopping"] = (
        MLPClassifier,
        {
            **base,
            **stall,
            "solver": "sgd",
            "learning_rate": "adaptive",
            "learning_rate_init": 0.1,
            "early_stopping": True,
            "validation_fraction": 0.2,
        },
        "clf",
    )
    out["plateau_early_stopping"] = (
        MLPClassifier,
        {
            **base,
            **stall,
            "solver": "adam",
            "learning_rate": Plateau(factor=2.0, patience=1, min_delta=0.0),
            "learning_rate_init": 0.05,
            "n_iter_no_change": 8,
            "tol": 1e-4,
            "early_stopping": True,
            "validation_fraction": 0.2,
        },
        "clf",
    )
    for s in ("sgd", "adam", "nadam", "momentum", "rmsprop"):
        out[f"weight_decay_{s}"] = (
            MLPRegressor,
            {**base, **_solver(s, 0.02), "weight_decay": 0.05},
            "reg",
        )
        out[f"alpha_{s}"] = (
            MLPRegressor,
            {**base, **_solver(s, 0.02), "alpha": 0.05},
            "reg",
        )
    out["weight_decay_and_clip_adam"] = (
        MLPRegressor,
        {
            **base,
            "solver": "adam",
            "learning_rate_init": 0.02,
            "weight_decay": 0.05,
            "alpha": 0.01,
            "clip_norm": 1.0,
        },
        "reg",
    )
    out["adamw_object"] = (
        MLPRegressor,
        {
            **base,
            "solver": AdamW(learning_rate=0.02, weight_decay=0.1),
            "alpha": 0.01,
        },
        "reg",
    )
    out["adamw_amsgrad_schedule"] = (
        MLPRegressor,
        {
            **base,
            "solver": AdamW(learning_rate=0.02, weight_decay=0.1, amsgrad=True),
            "learning_rate": "cosine",
        },
        "reg",
    )
    out["adam_coupled_decay_object"] = (
        MLPRegressor,
        {**base, "solver": Adam(learning_rate=0.02, weight_decay=0.1)},
        "reg",
    )
    out["adam_no_bias_correction"] = (
        MLPRegressor,
        {**base, "solver": Adam(learning_rate=0.005, bias_correction=False)},
        "reg",
    )
    return out


def fit_case(cls, params, target):
    """Fit one case; return ``{key: array}`` of what is pinned."""
    X, y, labels = data()
    est = cls(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, labels if target == "clf" else y)
    flat = np.concatenate([a.ravel() for a in (*est.coefs_, *est.intercepts_)]).astype(
        np.float64
    )
    lr = np.asarray(est.history_["learning_rate"], dtype=np.float64)
    return {
        "weights": flat,
        "loss_curve": np.asarray(est.loss_curve_, dtype=np.float64),
        "learning_rate": lr,
        "n_iter": np.asarray(est.n_iter_),
    }


def main() -> None:
    arrays = {}
    for name, (cls, params, target) in cases().items():
        for key, value in fit_case(cls, params, target).items():
            arrays[f"{name}/{key}"] = value
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {len(cases())} cases to {OUT}")


if __name__ == "__main__":
    main()
