"""The command line: ``sklearn-adamlp`` / ``python -m sklearn_adamlp``.

Subcommands, one module each: ``demo`` (the default), ``train`` and
``predict``. ``main(argv)`` returns the exit code: 0 on success, 2 for a usage
error or bad input (one line on stderr, no traceback), as argparse does.
"""

from __future__ import annotations

import argparse
import sys

from sklearn_adamlp.cli import demo, predict, train
from sklearn_adamlp.cli._common import CliError, Parser

SUBCOMMANDS = ("demo", "train", "predict")
DEFAULT = "demo"
DESCRIPTION = """\
sklearn-adamlp: a drop-in, faster scikit-learn MLP.

Without a subcommand, runs `demo`: options of demo may be given directly, so
`%(prog)s --solver nadam` is `%(prog)s demo --solver nadam`.
`%(prog)s SUBCOMMAND --help` explains a subcommand's options."""


def build_parser(prog: str) -> argparse.ArgumentParser:
    """Build the parser with every subcommand."""
    from sklearn_adamlp import __version__

    parser = Parser(
        prog=prog,
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"sklearn-adamlp {__version__}",
        help="print the version and exit",
    )
    subparsers = parser.add_subparsers(
        dest="command", metavar="SUBCOMMAND", title="subcommands"
    )
    for module in (demo, train, predict):
        module.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    """Run the command line on ``argv`` (default: ``sys.argv[1:]``).

    Returns the exit code rather than exiting, so that tests and other Python
    code can call it; ``python -m sklearn_adamlp`` and the ``sklearn-adamlp``
    script exit with it.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    prog = prog or _prog()
    parser = build_parser(prog)
    try:
        args = parser.parse_args(_with_default(argv))
    except SystemExit as exc:  # --help, --version, or a usage error (code 2)
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return int(args.run(args))
    except CliError as exc:
        print(f"{prog} {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog} {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `... predict m.skops d.csv | head`
        _quiet_stdout()
        return 0


def _quiet_stdout() -> None:
    """Point stdout at devnull, so the interpreter's final flush does not fail."""
    import contextlib
    import os

    # no real file descriptor (e.g. under pytest): nothing to redirect
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def console() -> None:
    """Entry point of the ``sklearn-adamlp`` console script."""
    sys.exit(main(prog="sklearn-adamlp"))


def _with_default(argv: list[str]) -> list[str]:
    """Put ``demo`` first when no subcommand is named (options only, or none)."""
    if not argv or (argv[0].startswith("-") and argv[0] not in _TOP_OPTIONS):
        return [DEFAULT, *argv]
    return argv


_TOP_OPTIONS = ("-h", "--help", "--version")


def _prog() -> str:
    name = sys.argv[0] if sys.argv else ""
    return (
        "python -m sklearn_adamlp"
        if name.endswith("__main__.py")
        else ("sklearn-adamlp")
    )
