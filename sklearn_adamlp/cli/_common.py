"""What every subcommand shares: the error type and argparse value types.

A ``CliError`` is a problem with the user's input (a missing file, a missing
column, a bad value); ``main`` prints it as one line on stderr and exits with
code 2, argparse's code for a usage error, never with a traceback.
"""

from __future__ import annotations

import argparse
import ast
from typing import Any, NoReturn


class CliError(Exception):
    """A problem with the user's input, reported as one line and exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse's parser, reporting a usage error in one line (exit code 2)."""

    def error(self, message: str) -> NoReturn:
        """Print ``prog: error: message (see prog --help)``; exit with 2."""
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def positive_int(text: str) -> int:
    """Parse an integer >= 1 (argparse ``type``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return value


def positive_float(text: str) -> float:
    """Parse a finite float > 0 (argparse ``type``)."""
    value = _float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def nonnegative_float(text: str) -> float:
    """Parse a finite float >= 0 (argparse ``type``)."""
    value = _float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def fraction(text: str) -> float:
    """Parse a float in [0, 1) (argparse ``type``)."""
    value = _float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text}")
    return value


def _float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text}")
    return value


def layer_sizes(text: str) -> tuple[int, ...]:
    """Parse ``'64,32'`` into ``(64, 32)`` (argparse ``type``)."""
    parts = [p.strip() for p in text.split(",")]
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of integers, e.g. 64,32"
        ) from None
    if any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be >= 1, got {text}")
    return sizes


def batch_size(text: str) -> int | str:
    """Parse ``'auto'`` or a positive integer (argparse ``type``)."""
    return "auto" if text == "auto" else positive_int(text)


def name_value(text: str) -> tuple[str, Any]:
    """Parse ``name=value``; the value by ``ast.literal_eval``, else the string.

    ``alpha=1e-3`` gives ``('alpha', 0.001)``, ``dropout=[0.1,0.2]`` a list and
    ``learning_rate=cosine`` the string ``'cosine'``.
    """
    name, sep, raw = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(
            f"{text!r} is not of the form name=value, e.g. --param dropout=0.1"
        )
    try:
        value = ast.literal_eval(raw.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        value = raw.strip()
    return name, value
