"""Write the intersphinx inventories the docs build reads, offline.

The build machines have no network, so intersphinx cannot download
Python's, scikit-learn's, numpy's or pandas's ``objects.inv``. This script writes
equivalent inventories from the installed packages: every public class and
function of scikit-learn (with the public methods of its classes), numpy's
top-level functions, ``ndarray``, ``dtype`` and its random generators, and
pandas's ``DataFrame`` and ``Series``, and the Python builtins that numpydoc
links parameter types to, each with the address its project's
documentation gives it. Run it from the repository root after upgrading one of
those packages::

    python docs/_inventories/make_inventories.py
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _write(path: Path, project: str, version: str, entries: dict) -> None:
    """Write a Sphinx inventory (version 2) of ``{name: (role, uri)}``."""
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    lines = []
    for name in sorted(entries):
        role, uri = entries[name]
        if uri.endswith("#" + name):
            uri = uri[: -len(name)] + "$"
        lines.append(f"{name} py:{role} 1 {uri} -\n")
    body = zlib.compress("".join(lines).encode("utf-8"), 9)
    path.write_bytes(header.encode("utf-8") + body)


def _public_modules(package: str) -> list[str]:
    pkg = importlib.import_module(package)
    names = [package]
    for info in pkgutil.walk_packages(pkg.__path__, package + "."):
        parts = info.name.split(".")
        if any(p.startswith("_") or p in ("tests", "externals") for p in parts):
            continue
        names.append(info.name)
    return names


def sklearn_entries() -> dict:
    """Public classes, functions and methods, as scikit-learn documents them."""
    entries: dict = {}
    for modname in _public_modules("sklearn"):
        try:
            module = importlib.import_module(modname)
        except ImportError:
            continue
        entries.setdefault(modname, ("module", f"api/{modname}.html#module-{modname}"))
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name, None)
            full = f"{modname}.{name}"
            page = f"modules/generated/{full}.html"
            if inspect.isclass(obj):
                entries[full] = ("class", f"{page}#{full}")
                for attr, member in vars(obj).items():
                    if not attr.startswith("_") and callable(member):
                        entries[f"{full}.{attr}"] = ("method", f"{page}#{full}.{attr}")
            elif inspect.isfunction(obj):
                entries[full] = ("function", f"{page}#{full}")
    return entries


def numpy_entries() -> dict:
    """Return numpy's top-level functions, ``ndarray``, ``dtype``, generators."""
    import numpy as np

    entries: dict = {}
    for name in np.__all__:
        obj = getattr(np, name, None)
        if isinstance(obj, np.ufunc) or inspect.isroutine(obj):
            full = f"numpy.{name}"
            entries[full] = ("function", f"reference/generated/{full}.html#{full}")
    for name in ("ndarray", "dtype"):
        full = f"numpy.{name}"
        entries[full] = ("class", f"reference/generated/{full}.html#{full}")
    entries["numpy.random.Generator"] = (
        "class",
        "reference/random/generator.html#numpy.random.Generator",
    )
    entries["numpy.random.default_rng"] = (
        "function",
        "reference/random/generator.html#numpy.random.default_rng",
    )
    entries["numpy.random.RandomState"] = (
        "class",
        "reference/random/legacy.html#numpy.random.RandomState",
    )
    return entries


def pandas_entries() -> dict:
    """Return pandas's ``DataFrame`` and ``Series``."""
    return {
        f"pandas.{n}": ("class", f"reference/api/pandas.{n}.html#pandas.{n}")
        for n in ("DataFrame", "Series")
    }


def python_entries() -> dict:
    """Return the builtins numpydoc links parameter types to."""
    functions = "library/functions.html"
    stdtypes = "library/stdtypes.html"
    constants = "library/constants.html"
    entries = {
        name: ("class", f"{functions}#{name}") for name in ("int", "float", "bool")
    }
    entries |= {
        name: ("class", f"{stdtypes}#{name}")
        for name in ("str", "list", "tuple", "dict")
    }
    entries |= {
        name: ("data", f"{constants}#{name}") for name in ("None", "True", "False")
    }
    entries["callable"] = ("function", f"{functions}#callable")
    entries["contextlib.contextmanager"] = (
        "function",
        "library/contextlib.html#contextlib.contextmanager",
    )
    entries["collections.namedtuple"] = (
        "function",
        "library/collections.html#collections.namedtuple",
    )
    return entries


def main() -> None:
    """Write the ``*-objects.inv`` files beside this file."""
    import numpy
    import pandas
    import sklearn

    _write(
        HERE / "sklearn-objects.inv",
        "scikit-learn",
        sklearn.__version__,
        sklearn_entries(),
    )
    _write(HERE / "numpy-objects.inv", "NumPy", numpy.__version__, numpy_entries())
    _write(HERE / "pandas-objects.inv", "pandas", pandas.__version__, pandas_entries())
    _write(HERE / "python-objects.inv", "Python", "3", python_entries())


if __name__ == "__main__":
    main()
