"""Reading a CSV file into features and target, with clear errors.

Only the file named on the command line is read (pandas ``read_csv``); every
problem with it (missing, empty, unparsable, a missing column, missing values,
text where numbers are needed) becomes a ``CliError`` that names it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sklearn_adamlp.cli._common import CliError

#: a numeric target with at most this many distinct integer values is a class label
MAX_INTEGER_CLASSES = 20


def read_csv(path: str) -> pd.DataFrame:
    """Read ``path`` as a CSV file with a header row; at least one data row."""
    file = Path(path)
    if not file.is_file():
        what = "is a directory" if file.is_dir() else "does not exist"
        raise CliError(f"cannot read {path}: the file {what}")
    try:
        frame = pd.read_csv(file)
    except pd.errors.EmptyDataError:
        raise CliError(
            f"{path} is empty: expected a header row and data rows"
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0]
        raise CliError(f"cannot parse {path} as CSV: {first}") from None
    if len(frame) == 0:
        raise CliError(f"{path} has a header but no data rows")
    return frame


def split_target(
    frame: pd.DataFrame, target: str, path: str
) -> tuple[pd.DataFrame, pd.Series]:
    """Return ``(features, target)``; the target column must exist and be full."""
    if target not in frame.columns:
        raise CliError(
            f"{path} has no column {target!r}; its columns are: "
            + ", ".join(map(str, frame.columns))
        )
    y = frame[target]
    if y.isna().any():
        rows = list(np.flatnonzero(y.isna().to_numpy())[:5] + 2)
        raise CliError(
            f"target column {target!r} has {int(y.isna().sum())} missing values "
            f"(file lines {', '.join(map(str, rows))}...); remove those rows"
        )
    X = frame.drop(columns=[target])
    if X.shape[1] == 0:
        raise CliError(f"{path} has no feature columns besides {target!r}")
    return X, y


def check_features(X: pd.DataFrame, path: str) -> None:
    """Refuse missing values in feature columns, naming the columns."""
    missing = [str(c) for c in X.columns if X[c].isna().any()]
    if missing:
        raise CliError(
            f"{path}: missing values in feature columns {', '.join(missing)}; "
            "fill or drop them first (the network needs a number in every cell)"
        )


def non_numeric_columns(X: pd.DataFrame) -> list[str]:
    """Names of the columns pandas did not read as numbers (or booleans)."""
    return [
        str(c)
        for c in X.columns
        if not (pd.api.types.is_numeric_dtype(X[c]) or pd.api.types.is_bool_dtype(X[c]))
    ]


def describe_text(X: pd.DataFrame, columns: list[str]) -> str:
    """Name each column with its first non-numeric value and its file line."""
    parts = []
    for c in columns:
        bad = pd.to_numeric(X[c], errors="coerce").isna().to_numpy()
        row = int(np.flatnonzero(bad)[0])
        parts.append(f"{c!r} ({X[c].iloc[row]!r} on line {row + 2})")
    return ", ".join(parts)


def detect_task(y: pd.Series) -> tuple[str, str]:
    """Return ``('classify' | 'regress', reason)`` for a target column.

    A non-numeric target, or a numeric one with only integer values and at
    most ``MAX_INTEGER_CLASSES`` distinct values, is a class label; any other
    numeric target is a quantity to regress.
    """
    n_unique = int(y.nunique())
    if not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
        return "classify", f"non-numeric, {n_unique} distinct values"
    values = y.to_numpy(dtype=float)
    if np.all(values == np.round(values)) and n_unique <= MAX_INTEGER_CLASSES:
        return "classify", f"{n_unique} distinct integer values"
    return "regress", f"numeric, {n_unique} distinct values"
