"""``predict MODEL DATA.csv [--out PRED.csv]``: predictions of a saved model.

Loads a model saved by ``train`` (or any fitted scikit-learn model whose
``feature_names_in_`` names its columns), takes the feature columns it was
trained on from the CSV by name (other columns, such as the target, are left
out) and writes one prediction per row as a CSV: to ``--out`` or to stdout.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import pandas as pd

from sklearn_adamlp.cli import _data, _models
from sklearn_adamlp.cli._common import CliError

HELP = "predict with a saved model"
DESCRIPTION = """\
Predict with a model saved by `train`: one prediction per row of DATA.csv,
written as a CSV with one column (named after the training target) to --out,
or to stdout. The feature columns are taken by the names seen in training;
other columns (the target, ids, ...) are left out; a missing one is an error.

Security: a .skops file is loaded only if every type in it comes from
sklearn_adamlp, sklearn, numpy or builtins (skops.io.get_untrusted_types);
anything else is refused. A .joblib / .pkl file is a pickle, which can run
any code when loaded: load only files you made or trust."""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``predict`` subcommand."""
    parser = subparsers.add_parser(
        "predict",
        help=HELP,
        description=DESCRIPTION,
        epilog="example:\n  %(prog)s iris.skops new_flowers.csv --out pred.csv",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "model",
        metavar="MODEL",
        help="a model saved by train (.skops, .joblib or .pkl)",
    )
    parser.add_argument("data", metavar="DATA.csv", help="rows to predict (CSV)")
    parser.add_argument(
        "--out",
        metavar="PRED.csv",
        help="write the predictions here (its directory must exist); default: stdout",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Load, select the columns, predict, write; return the exit code."""
    if args.out is not None:
        _models.check_output_dir(args.out)  # fail before any work
    model = _models.load_model(args.model)
    if not hasattr(model, "predict"):
        raise CliError(f"{args.model} holds a {type(model).__name__}, not a model")
    frame = _data.read_csv(args.data)
    X = _features(model, frame, args.data)
    _data.check_features(X, args.data)
    try:
        predictions = model.predict(X)
    except (ValueError, TypeError) as exc:
        raise CliError(f"cannot predict {args.data}: {exc}") from None
    name = str(getattr(model, "target_name_", "prediction"))
    out = pd.DataFrame({name: predictions})
    if args.out is None:
        out.to_csv(sys.stdout, index=False)
    else:
        out.to_csv(args.out, index=False)
        print(f"wrote {len(out)} predictions to {args.out}", file=sys.stderr)
    return 0


def _features(model: Any, frame: pd.DataFrame, path: str) -> pd.DataFrame:
    """Select the model's feature columns of ``frame`` by name (or count)."""
    frame.columns = [str(c) for c in frame.columns]
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        n = getattr(model, "n_features_in_", frame.shape[1])
        if frame.shape[1] != n:
            raise CliError(
                f"{path} has {frame.shape[1]} columns; the model expects {n} "
                "features (it was trained without column names)"
            )
        return frame
    names = [str(c) for c in names]
    missing = [c for c in names if c not in frame.columns]
    if missing:
        raise CliError(
            f"{path} lacks feature columns the model was trained on: "
            + ", ".join(missing)
        )
    extra = [c for c in frame.columns if c not in names]
    if extra:
        print(
            f"ignoring columns not seen in training: {', '.join(extra)}",
            file=sys.stderr,
        )
    return frame[names]
