"""The import rules of docs/architecture.md that import-linter cannot state.

- No import cycle between any two modules of the package, a package's
  ``__init__`` included, counting the imports inside functions and under
  ``TYPE_CHECKING`` (grimp sees them all). The ``acyclic_siblings`` contract of
  ``lint-imports`` checks the siblings of each package; this also catches a
  package's ``__init__`` and one of its own modules importing each other.
- No module imports a private name (``_name``) that another module of the
  package defines, nor reads one as ``module._name``. Private *modules*
  (``_jit``, ``_base``, ``_estimators``) may be imported; the underscore names
  defined in them may not: a module that is needed elsewhere gets a public name.
- No module outside ``_estimators/`` reads the estimator's private attributes
  (``est._flat``, ``est._network``, ...): ``_estimators.fitted_parts`` and
  ``_estimators.checked_X`` are the read accessors.
- A third-party private name (``sklearn.base._fit_context``,
  ``skl2onnx._parse``...) is imported in one place per library, listed in
  ``THIRD_PARTY_PRIVATE``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import numpy as np
import pytest

PACKAGE = "sklearn_adamlp"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE

#: The one module allowed to import each third-party library's private names
#: (a change in that library's private API is then fixed in one place).
THIRD_PARTY_PRIVATE = {
    "sklearn": "_validation.py",
    "skl2onnx": "export/_convert.py",
}

#: scikit-learn's own protocol names that subclasses are meant to use
SKLEARN_PROTOCOL = {"_parameter_constraints"}


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package."""
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _package_imports(tree: ast.AST) -> tuple[dict[str, str], list]:
    """Return the names bound to modules of the package, and private imports.

    ``({alias: module}, [(line, name, how)])``: the second lists
    ``from sklearn_adamlp.x import _name`` where ``_name`` is not a module.
    """
    aliases: dict[str, str] = {}
    uses = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == PACKAGE:
                    aliases[a.asname or a.name] = a.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            module = node.module or ""
            for a in node.names if module.split(".")[0] == PACKAGE else ():
                full = f"{module}.{a.name}"
                if full in MODULES:
                    aliases[a.asname or a.name] = full
                elif _is_private(a.name):
                    uses.append((node.lineno, a.name, f"from {module} import"))
    return aliases, uses


def _private_uses(path: Path) -> list[tuple[int, str, str]]:
    """``(line, name, how)`` of every private name ``path`` takes from a module.

    ``from sklearn_adamlp.x import _name`` where ``_name`` is not a module, and
    ``alias._name`` where ``alias`` is bound to a module of the package.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases, uses = _package_imports(tree)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and _is_private(node.attr)):
            continue
        owner = ast.unparse(node.value)
        module = aliases.get(owner)
        if module is not None and f"{module}.{node.attr}" not in MODULES:
            uses.append((node.lineno, node.attr, f"{owner}.{node.attr} of {module}"))
    return uses


def _estimator_private_names() -> set[str]:
    """Private attributes and methods the estimator classes define."""
    names = set()
    for path in (ROOT / "_estimators").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and node.value.id == "self"
            ):
                names.add(node.attr)
            elif isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        names.add(item.name)
    return {n for n in names if _is_private(n)} - SKLEARN_PROTOCOL


def test_no_import_cycle_between_modules():
    graph = grimp.build_graph(PACKAGE, include_external_packages=False)
    cycles = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if graph.chain_exists(importer=imported, imported=importer):
                back = graph.find_shortest_chain(importer=imported, imported=importer)
                cycles.append(f"{importer} -> " + " -> ".join(back or ()))
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_no_private_name_of_another_module():
    found = []
    for path in MODULES.values():
        for line, name, how in _private_uses(path):
            found.append(f"{_rel(path)}:{line}: {how} {name}")
    assert not found, (
        "private names used outside their module (give them a public name):\n"
        + "\n".join(found)
    )


def test_estimator_private_attributes_stay_in_estimators():
    private = _estimator_private_names()
    assert {"_flat", "_network", "_snapshot_running"} <= private  # the scan works
    found = []
    for path in MODULES.values():
        if path.parent.name == "_estimators":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = None
            if isinstance(node, ast.Attribute) and node.attr in private:
                if ast.unparse(node.value) not in ("self", "cls"):
                    name = node.attr
            elif (  # getattr(est, "_flat"), check_is_fitted(est, "_flat"), ...
                isinstance(node, ast.Call)
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value in private
            ):
                name = node.args[1].value
            if name is not None:
                found.append(f"{_rel(path)}:{node.lineno}: {ast.unparse(node)}")
    assert not found, (
        "the estimator's private state read outside _estimators/ (use "
        "_estimators.fitted_parts or checked_X):\n" + "\n".join(found)
    )


def _third_party_private(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] != PACKAGE and any(_is_private(p) for p in parts):
                found.append((node.lineno, name))
    return found


def test_third_party_private_names_in_one_place():
    found = []
    for path in MODULES.values():
        for line, name in _third_party_private(path):
            if THIRD_PARTY_PRIVATE.get(name.split(".")[0]) != _rel(path):
                found.append(f"{_rel(path)}:{line}: {name}")
    assert not found, (
        "third-party private names outside their one module "
        f"{THIRD_PARTY_PRIVATE}:\n" + "\n".join(found)
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from sklearn_adamlp.layout import _offsets\n", ["_offsets"]),
        ("from sklearn_adamlp import _jit\n_jit._load()\n", ["_load"]),
        ("import sklearn_adamlp._jit as j\nj._state\n", ["_state"]),
        ("from sklearn_adamlp import _jit\n_jit.available()\n", []),
        ("from sklearn_adamlp._estimators import _base\n", []),
        ("from sklearn_adamlp.layout import __all__\n", []),
    ],
)
def test_private_use_scan_on_examples(tmp_path, source, expected):
    path = tmp_path / "example.py"
    path.write_text(source)
    assert [name for _, name, _ in _private_uses(path)] == expected


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_fitted_parts_are_the_estimators_own_working_parts():
    from sklearn.datasets import make_classification
    from sklearn.exceptions import NotFittedError

    from sklearn_adamlp import MLPClassifier, MLPRegressor
    from sklearn_adamlp._estimators import checked_X, fitted_parts

    X, y = make_classification(n_samples=40, n_features=5, random_state=0)
    with pytest.raises(NotFittedError):
        fitted_parts(MLPClassifier())
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0).fit(X, y)
    parts = fitted_parts(clf)
    assert all(np.shares_memory(parts.flat, c) for c in clf.coefs_ + clf.intercepts_)
    assert parts.network.dtype == clf.coefs_[0].dtype
    assert parts.running is parts.network.running
    assert parts.snapshot_running == ()
    np.testing.assert_array_equal(parts.label_binarizer.classes_, clf.classes_)
    with pytest.raises(AttributeError):  # frozen
        parts.flat = None
    reg = MLPRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0).fit(
        X, y.astype(float)
    )
    assert fitted_parts(reg).label_binarizer is None
    with pytest.raises(ValueError, match="features"):
        checked_X(clf, X[:, :3])
