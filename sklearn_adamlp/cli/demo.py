"""``demo``: sklearn-adamlp against scikit-learn's MLPClassifier on digits.

Trains sklearn-adamlp's MLPClassifier (float64 and float32) and scikit-learn's
MLPClassifier with the same settings on the same split of the digits data and
prints test accuracy, epochs and seconds per epoch (median of ``--repeats``).
scikit-learn has three solvers; every other registry solver is compared with
the closest of them (``SKLEARN_SOLVER``), and the header says which.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from typing import Any

import numpy as np

from sklearn_adamlp.cli._common import positive_float, positive_int

HELP = "compare with scikit-learn's MLPClassifier on the digits data (default)"

#: registry solver -> (scikit-learn's closest solver, why)
SKLEARN_SOLVER = {
    "adam": ("adam", "the same method"),
    "amsgrad": ("adam", "Adam with a running maximum of the second moment"),
    "adamw": ("adam", "Adam with decoupled weight decay"),
    "adamax": ("adam", "Adam with the infinity norm"),
    "nadam": ("adam", "Adam with Nesterov momentum"),
    "adabound": ("adam", "Adam with bounded step sizes"),
    "adagrad": ("adam", "per-weight adaptive steps, as Adam"),
    "rmsprop": ("adam", "Adam is RMSprop with momentum and bias correction"),
    "adadelta": ("adam", "per-weight adaptive steps, as Adam"),
    "rprop": ("adam", "per-weight adaptive steps, as Adam"),
    "sgd": ("sgd", "the same method, momentum=0.9, Nesterov"),
    "momentum": ("sgd", "SGD with momentum=0.9, nesterovs_momentum=False"),
    "nesterov": ("sgd", "SGD with momentum=0.9, nesterovs_momentum=True"),
    "lbfgs": ("lbfgs", "the same method"),
    "newton_cg": ("lbfgs", "a full-batch quasi-Newton method"),
    "quickprop": ("lbfgs", "a full-batch second-order method"),
}
#: settings both estimators get for a solver of the SGD family
SGD_SETTINGS = {
    "sgd": {"momentum": 0.9, "nesterovs_momentum": True},
    "momentum": {"momentum": 0.9, "nesterovs_momentum": False},
    "nesterov": {"momentum": 0.9, "nesterovs_momentum": True},
}


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``demo`` subcommand."""
    from sklearn_adamlp import optimizers

    parser = subparsers.add_parser(
        "demo",
        help=HELP,
        description="Train sklearn-adamlp's MLPClassifier (float64 and float32) "
        "and scikit-learn's MLPClassifier with the same settings on the same "
        "split of the digits data; print test accuracy, epochs and seconds per "
        "epoch. A solver scikit-learn lacks is compared with scikit-learn's "
        "closest solver (adam for the adaptive ones, sgd for sgd/momentum/"
        "nesterov, lbfgs for the full-batch ones), named in the output.",
    )
    parser.add_argument(
        "--solver",
        choices=optimizers.available(),
        default="adam",
        metavar="NAME",
        help="sklearn-adamlp's optimizer, one of: %(choices)s (default: %(default)s)",
    )
    parser.add_argument(
        "--repeats",
        type=positive_int,
        default=3,
        metavar="N",
        help="fits per estimator; the median time per epoch is "
        "shown (default: %(default)s)",
    )
    parser.add_argument(
        "--max-iter",
        type=positive_int,
        default=200,
        metavar="N",
        help="maximum epochs (iterations for full-batch "
        "solvers) (default: %(default)s)",
    )
    parser.add_argument(
        "--learning-rate-init",
        type=positive_float,
        default=0.001,
        metavar="LR",
        help="initial learning rate of both estimators "
        "(default: scikit-learn's %(default)s)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the side-by-side comparison; return the exit code."""
    from sklearn.neural_network import MLPClassifier as SklearnMLP

    from sklearn_adamlp import MLPClassifier, __version__, _jit

    X_train, X_test, y_train, y_test = _digits()
    sk_solver, why = closest_sklearn_solver(args.solver)
    shared = {
        "hidden_layer_sizes": (100,),
        "max_iter": args.max_iter,
        "learning_rate_init": args.learning_rate_init,
        "random_state": 0,
        **SGD_SETTINGS.get(args.solver, {}),
    }
    print(
        f"sklearn-adamlp {__version__}: digits, {len(X_train)} train / "
        f"{len(X_test)} test samples, settings {shared}\n"
        f"solver {args.solver!r} against scikit-learn's solver={sk_solver!r} "
        f"({why})\n"
    )
    rows = [
        ("sklearn MLPClassifier", SklearnMLP(solver=sk_solver, **shared), np.float64),
        ("sklearn-adamlp", MLPClassifier(solver=args.solver, **shared), np.float64),
        (
            "sklearn-adamlp float32",
            MLPClassifier(solver=args.solver, **shared),
            np.float32,
        ),
    ]
    print(f"{'estimator':<24} {'test accuracy':>13} {'epochs':>7} {'s/epoch':>10}")
    base = None
    for name, est, dtype in rows:
        acc, epochs, per_epoch = _run(
            est,
            X_train.astype(dtype),
            y_train,
            X_test.astype(dtype),
            y_test,
            args.repeats,
        )
        base = base or per_epoch
        print(
            f"{name:<24} {acc:>13.4f} {epochs:>7d} {per_epoch:>10.5f}"
            f"  ({base / per_epoch:.2f}x sklearn's speed)"
        )
    print(f"\nsklearn-adamlp ran {_jit.describe()}")
    return 0


def closest_sklearn_solver(name: str) -> tuple[str, str]:
    """Return scikit-learn's solver closest to registry solver ``name``, and why.

    A solver registered by the user is compared with 'lbfgs' when it is a
    full-batch minimizer (it has ``minimize``), else with 'adam'.
    """
    if name in SKLEARN_SOLVER:
        return SKLEARN_SOLVER[name]
    from sklearn_adamlp import optimizers

    if hasattr(optimizers.get(name), "minimize"):
        return "lbfgs", "a full-batch minimizer"
    return "adam", "a stochastic solver"


def _digits() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def _run(
    estimator: Any,
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    repeats: int,
) -> tuple[float, int, float]:
    from sklearn.exceptions import ConvergenceWarning

    times = []
    for _ in range(repeats):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            t0 = time.perf_counter()
            estimator.fit(X_train, y_train)
            times.append((time.perf_counter() - t0) / max(estimator.n_iter_, 1))
    return estimator.score(X_test, y_test), estimator.n_iter_, statistics.median(times)
