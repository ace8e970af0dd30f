"""The Sphinx site builds with warnings as errors.

Runs ``sphinx-build -W --keep-going -b html docs <tmp>`` in a subprocess, as a
contributor runs it, but without executing the gallery
(``-D plot_gallery=0``): tests/test_examples_smoke.py already runs every example,
and executing them again here would add minutes on two cores. The API
reference, the user guide, the markdown pages and the gallery's pages are all
still built, so a docstring that breaks numpydoc, a page missing from a toctree
or a broken cross-reference fails this test. Skipped without the ``docs`` extra.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx")
pytest.importorskip("numpydoc")
pytest.importorskip("sphinx_gallery")
pytest.importorskip("myst_parser")
pytest.importorskip("pydata_sphinx_theme")

ROOT = Path(__file__).resolve().parents[1]


def test_docs_build_without_warnings(tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg", SKLEARN_ADAMLP_DOCS_GALLERY="0")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            "-D",
            "plot_gallery=0",
            "-d",
            str(tmp_path / "doctrees"),
            str(ROOT / "docs"),
            str(tmp_path / "html"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-5000:]
    html = tmp_path / "html"
    for page in ("index", "getting_started", "user_guide", "api/estimators"):
        assert (html / f"{page}.html").is_file(), page
    # docs/search.md is shown as hyperparameter_search.html; search.html stays
    # Sphinx's search page
    guide = (html / "hyperparameter_search.html").read_text(encoding="utf-8")
    assert "EvolutionarySearchCV" in guide
    assert "EvolutionarySearchCV" not in (html / "search.html").read_text("utf-8")
    estimators = (html / "api" / "estimators.html").read_text(encoding="utf-8")
    assert "sklearn_adamlp.MLPClassifier" in estimators
    assert "hidden_layer_sizes" in estimators
    # intersphinx resolves scikit-learn's objects offline, from the shipped inventory
    assert (
        "https://scikit-learn.org/stable/modules/generated/"
        "sklearn.neural_network.MLPClassifier.html" in estimators
    )
    assert "https://docs.python.org/3/library/functions.html#float" in estimators
    modules = ("optimizers", "initializers", "schedules", "parallel", "export")
    modules += ("checkpoint", "inspection", "plotting", "cli")
    for module in modules:
        page = (html / "api" / f"{module}.html").read_text(encoding="utf-8")
        assert f'id="sklearn_adamlp.{module}.' in page, module
    warnings_page = (html / "api" / "exceptions.html").read_text(encoding="utf-8")
    assert 'id="sklearn_adamlp.divergence.DivergenceWarning"' in warnings_page
    assert 'id="sklearn_adamlp.exceptions.InconsistentVersionWarning"' in warnings_page
    # the command's help texts, as the installed command prints them
    cli = (html / "api" / "cli.html").read_text(encoding="utf-8")
    for sub in ("demo", "train", "predict"):
        assert f"usage: sklearn-adamlp {sub} [-h]" in cli, sub
    # every user-guide page is in the navigation (a page outside every toctree
    # would already fail the build under -W)
    guide = (html / "user_guide.html").read_text(encoding="utf-8")
    for page in ("features", "inspection", "persistence", "cli"):
        assert f'href="{page}.html"' in guide, page
