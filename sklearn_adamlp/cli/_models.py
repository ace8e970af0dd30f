"""Saving and loading fitted models: skops when asked (``.skops``), else joblib.

The format follows the suffix of the file name: ``.skops`` (skops.io, which
loads without running code from the file), ``.joblib`` or ``.pkl`` (pickle, which
runs code from the file when loading it: load only files you trust).
A ``.skops`` file is loaded only when every type it holds comes from
``TRUSTED_PACKAGES``; any other type is refused by name.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from sklearn_adamlp.cli._common import CliError

SUFFIXES = (".skops", ".joblib", ".pkl")
#: top-level packages whose types a .skops file may hold
TRUSTED_PACKAGES = ("sklearn_adamlp", "sklearn", "numpy", "builtins")
SKOPS_MISSING = (
    "the .skops format needs skops (pip install skops); "
    "or save with a .joblib suffix instead"
)


def check_model_path(path: str, *, for_writing: bool) -> str:
    """Return the format ('skops' or 'joblib') of ``path``; check it is usable."""
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix not in SUFFIXES:
        raise CliError(
            f"{path}: unknown model format {suffix or '(no suffix)'!r}; "
            f"use one of {', '.join(SUFFIXES)}"
        )
    kind = "skops" if suffix == ".skops" else "joblib"
    if for_writing:
        check_output_dir(path)
        if kind == "skops":
            _skops_io()
    elif not file.is_file():
        raise CliError(f"cannot read model {path}: the file does not exist")
    return kind


def check_output_dir(path: str) -> None:
    """Refuse an output path whose directory does not exist (none is created)."""
    parent = Path(path).parent
    if not parent.is_dir():
        raise CliError(f"cannot write {path}: directory {parent} does not exist")
    if Path(path).is_dir():
        raise CliError(f"cannot write {path}: it is a directory")


def save_model(model: Any, path: str) -> str:
    """Write ``model`` to ``path`` in the format of its suffix; return the format."""
    kind = check_model_path(path, for_writing=True)
    if kind == "skops":
        _skops_io().dump(model, path)
    else:
        import joblib

        joblib.dump(model, path)
    return kind


def load_model(path: str) -> Any:
    """Read a model saved by ``save_model`` (or any fitted scikit-learn model)."""
    kind = check_model_path(path, for_writing=False)
    if kind == "joblib":
        import joblib

        try:
            return joblib.load(path)
        except Exception as exc:  # any unpickling failure is a bad file
            raise CliError(f"cannot load {path} with joblib: {exc}") from None
    sio = _skops_io()
    try:
        types = sio.get_untrusted_types(file=path)
    except Exception as exc:  # a corrupt or non-skops file
        raise CliError(f"cannot read {path} as a skops file: {exc}") from None
    refused = [t for t in types if t.split(".")[0] not in TRUSTED_PACKAGES]
    if refused:
        raise CliError(
            f"{path} holds types from outside "
            f"{', '.join(TRUSTED_PACKAGES)}: {', '.join(refused)}; refusing to "
            "load it (inspect it with skops.io.get_untrusted_types and load it "
            "in Python with trusted=... if you trust its source)"
        )
    return sio.load(path, trusted=types)


def _skops_io() -> ModuleType:
    try:
        import skops.io as sio
    except ImportError:
        raise CliError(SKOPS_MISSING) from None
    return sio
