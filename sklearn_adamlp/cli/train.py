"""``train DATA.csv --target COLUMN --out MODEL``: fit an MLP on a CSV file.

Reads the CSV, decides the task (classify or regress) unless told, holds out
``--validation-fraction`` of the rows, fits a Pipeline (feature scaling and
optional one-hot encoding, then the MLP) on the rest with a progress bar,
prints the score on the held-out rows and saves the fitted Pipeline to
``--out``. Reads only DATA.csv and writes only MODEL.
"""

from __future__ import annotations

import argparse
import warnings
from typing import TYPE_CHECKING, Any

from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklearn_adamlp.cli import _data, _models
from sklearn_adamlp.cli._common import CliError, fraction
from sklearn_adamlp.cli._estimator_options import (
    add_estimator_options,
    build_estimator,
    build_model,
)

if TYPE_CHECKING:  # pandas is imported when a command needs it
    import pandas as pd

HELP = "train an MLP on a CSV file and save it"
DESCRIPTION = """\
Train MLPClassifier or MLPRegressor on a CSV file (header row, one row per
sample) and save the fitted model.

The saved model is a scikit-learn Pipeline: the numeric feature columns are
standardized (StandardScaler, fitted on the training rows), non-numeric columns
are one-hot encoded with --one-hot (refused otherwise), then the MLP. A share of
the rows (--validation-fraction) is held out and scored (accuracy for
classification, R^2 for regression); the model is fitted on the other rows.

The model format follows the --out suffix: .skops (skops.io; needs skops
installed) or .joblib / .pkl (joblib, i.e. pickle: load only files you trust)."""
EXAMPLE = """\
example:
  %(prog)s iris.csv --target species --hidden-layer-sizes 64,32 --out iris.skops"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``train`` subcommand."""
    parser = subparsers.add_parser(
        "train",
        help=HELP,
        description=DESCRIPTION,
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("data", metavar="DATA.csv", help="training data (CSV)")
    parser.add_argument(
        "--target",
        required=True,
        metavar="COLUMN",
        help="name of the column to predict",
    )
    parser.add_argument(
        "--out",
        required=True,
        metavar="MODEL",
        help="where to save the fitted model: a .skops, .joblib "
        "or .pkl file (its directory must exist)",
    )
    parser.add_argument(
        "--task",
        choices=("classify", "regress"),
        help="classify (MLPClassifier) or regress (MLPRegressor); "
        "default: classify for a non-numeric target or one with "
        f"at most {_data.MAX_INTEGER_CLASSES} distinct integer "
        "values, else regress",
    )
    parser.add_argument(
        "--validation-fraction",
        type=fraction,
        default=0.2,
        metavar="F",
        help="share of the rows held out for the printed score, "
        "in [0, 1); 0 trains on all rows and prints no score "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="no progress output (default: a tqdm bar on stderr when tqdm is "
        "installed, else one line per epoch)",
    )
    add_estimator_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Train, score, save; return the exit code."""
    # fail on the output path and on --param names before reading any data
    _models.check_model_path(args.out, for_writing=True)
    build_estimator(args, args.task or "classify")
    frame = _data.read_csv(args.data)
    X, y = _data.split_target(frame, args.target, args.data)
    _data.check_features(X, args.data)
    text = _data.non_numeric_columns(X)
    if text and not args.one_hot:
        raise CliError(
            f"{args.data}: non-numeric values in feature columns "
            f"{_data.describe_text(X, text)}; pass --one-hot to one-hot encode "
            "these columns, or fix or drop them"
        )
    numeric = [str(c) for c in X.columns if str(c) not in text]
    X.columns = [str(c) for c in X.columns]
    task, reason = _data.detect_task(y)
    if args.task is None:
        print(f"task: {task} (target {args.target!r}: {reason}; set with --task)")
    else:
        task = args.task
        print(f"task: {task} (--task)")
    if task == "regress" and not _is_numeric(y):
        raise CliError(f"--task regress needs a numeric target; {args.target!r} is not")
    model = build_model(
        build_estimator(args, task), numeric, text, scale=not args.no_scale
    )
    X_fit, X_val, y_fit, y_val = _split(X, y, task, args)
    encoded = f", {len(text)} one-hot encoded" if text else ""
    print(
        f"data: {args.data}, {len(X)} rows, {X.shape[1]} feature columns "
        f"({len(numeric)} numeric{encoded}); training "
        f"{type(model[-1]).__name__} on {len(X_fit)} rows"
    )
    converged = _fit(model, X_fit, y_fit)
    mlp = model[-1]
    note = "" if converged else " (reached --max-iter before converging)"
    print(f"stopped after {mlp.n_iter_} epochs, training loss {mlp.loss_:.4f}{note}")
    if X_val is not None:
        metric = "accuracy" if task == "classify" else "R^2"
        score = model.score(X_val, y_val)
        print(f"validation {metric}: {score:.4f} ({len(X_val)} held-out rows)")
    model.target_name_ = args.target
    kind = _models.save_model(model, args.out)
    print(f"saved the model (Pipeline, {kind}) to {args.out}")
    return 0


def _is_numeric(y: pd.Series) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y)


def _split(
    X: pd.DataFrame, y: pd.Series, task: str, args: argparse.Namespace
) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.Series, pd.Series | None]:
    """Hold out ``--validation-fraction`` of the rows (stratified if possible)."""
    if args.validation_fraction == 0:
        return X, None, y, None
    n_val = round(len(X) * args.validation_fraction)
    if n_val < 1 or len(X) - n_val < 2:
        raise CliError(
            f"{args.data} has {len(X)} rows: too few to hold out "
            f"{args.validation_fraction:g} of them; add rows or pass "
            "--validation-fraction 0"
        )
    stratify = None
    if task == "classify":
        counts = y.value_counts()
        if counts.min() >= 2 and n_val >= len(counts):
            stratify = y
    return train_test_split(
        X, y, test_size=n_val, stratify=stratify, random_state=args.random_state
    )


def _fit(model: Any, X: pd.DataFrame, y: pd.Series) -> bool:
    """Fit; return whether it converged (no ``ConvergenceWarning``).

    A rejected parameter value or bad data becomes a ``CliError``.
    """
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            model.fit(X, y)
    except (ValueError, TypeError) as exc:
        raise CliError(f"training failed: {exc}") from None
    for w in caught:
        if not issubclass(w.category, ConvergenceWarning):
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    return not any(issubclass(w.category, ConvergenceWarning) for w in caught)
