"""Sphinx configuration of the sklearn-adamlp documentation.

Build (from the repository root, after ``pip install -e ".[docs]"``)::

    sphinx-build -W --keep-going -b html docs docs/_build/html

The build downloads nothing: the gallery runs ``examples/*.py`` in their quick
mode, and intersphinx reads the inventories shipped in ``docs/_inventories``
(written from the installed scikit-learn, numpy and pandas, plus Python's
builtins, by ``docs/_inventories/make_inventories.py``); without them,
references to those projects render as plain text instead of links.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# document this checkout, not whatever sklearn_adamlp is installed
sys.path.insert(0, str(ROOT))

import sklearn_adamlp  # noqa: E402

project = "sklearn-adamlp"
author = "the sklearn-adamlp developers"
copyright = "the sklearn-adamlp developers"
release = sklearn_adamlp.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
# search.md would become search.html, Sphinx's own search page: the site shows
# it through hyperparameter_search.md, which includes it
exclude_patterns = [
    "_build",
    "Thumbs.db",
    ".DS_Store",
    "auto_examples/*.ipynb",
    "search.md",
]

# --- markdown pages (myst-parser) -------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
suppress_warnings = [
    # sphinx_gallery_conf holds a function (reset_argv): Sphinx cannot pickle
    # it and re-reads every page on each build, which is all this warns about
    "config.cache",
]
if os.environ.get("SKLEARN_ADAMLP_DOCS_GALLERY") == "0":
    # a build without the gallery (the test suite's quick one, with
    # -D plot_gallery=0) has none of the gallery's figures that pages embed
    suppress_warnings.append("image.not_readable")

# --- API reference (autodoc + numpydoc) ---------------------------------------
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "none"  # the numpydoc sections state the types
autosummary_generate = False
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# types in the Parameters/Returns sections link to numpy, pandas, scikit-learn
numpydoc_xref_param_type = True
numpydoc_xref_ignore = "all"  # words that are not a known object stay plain text
numpydoc_xref_aliases = {
    "ndarray": "numpy.ndarray",
    "DataFrame": "pandas.DataFrame",
    "RandomState": "numpy.random.RandomState",
    "Generator": "numpy.random.Generator",
    # numpydoc's defaults point these at Python's and numpy's glossaries and
    # labels, which no shipped inventory holds: they stay plain words
    **{
        word: word
        for word in (
            "bool",
            "boolean",
            "iterable",
            "sequence",
            "generator",
            "array-like",
            "array_like",
            "scalar",
        )
    },
}

# --- cross-references to other projects (offline) -----------------------------
# An inventory is used only if its file ships in docs/_inventories; the build
# machines have no network, so nothing is downloaded at build time.
_INVENTORIES = {
    "python": "https://docs.python.org/3/",
    "numpy": "https://numpy.org/doc/stable/",
    "pandas": "https://pandas.pydata.org/docs/",
    "sklearn": "https://scikit-learn.org/stable/",
}
intersphinx_mapping = {
    name: (url, str(DOCS / "_inventories" / f"{name}-objects.inv"))
    for name, url in _INVENTORIES.items()
    if (DOCS / "_inventories" / f"{name}-objects.inv").is_file()
}


# --- gallery (sphinx-gallery over examples/*.py) ------------------------------
def _quick_argv(gallery_conf: dict, script_vars: dict) -> list[str]:
    """Run every example as ``script.py --quick --out <tmp>/<name>.png``.

    The examples are command-line scripts; the gallery shows the figure they
    leave open, so the PNG they save goes to a throw-away directory.
    """
    name = Path(script_vars["src_file"]).stem
    return ["--quick", "--out", str(Path(_GALLERY_TMP) / f"{name}.png")]


_GALLERY_TMP = tempfile.mkdtemp(prefix="sklearn-adamlp-gallery-")
os.environ.setdefault("MPLBACKEND", "Agg")

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    # every script of examples/ is executed, whatever its name
    "filename_pattern": r".*\.py$",
    # private helpers (``_common.py``, ``__init__.py``) are not examples
    "ignore_pattern": r"[\\/]_[^\\/]*\.py$",
    "reset_argv": _quick_argv,
    "image_scrapers": ("matplotlib",),
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "plot_gallery": "True",
}

_HEADING = re.compile(
    r"^(?P<title>\S[^\n]*)\n(?P<rule>[=\-~^\"'`#*+]{3,})[ \t]*$", re.M
)
_LABEL = re.compile(r"^\.\. _sphx_glr_[^\n]*:\n\n", re.M)


def _title_untitled_example(app, docname: str, source: list[str]) -> None:
    """Give a gallery page whose docstring has no reST title its first paragraph.

    sphinx-gallery takes the page title from the docstring, which must open
    with an underlined title; a script whose docstring opens with a plain
    sentence would otherwise make an untitled page (a warning, so an error
    under ``-W``). The sentence becomes the title; nothing else changes.
    """
    if not docname.startswith("auto_examples/") or docname.endswith("/index"):
        return
    text = source[0]
    label = _LABEL.search(text)
    if label is None or _HEADING.match(text, label.end()):
        return
    end = text.find("\n\n", label.end())
    first = " ".join(text[label.end() : end].split())
    source[0] = f"{text[: label.end()]}{first}\n{'=' * len(first)}{text[end:]}"


def _cli_help(subcommand: str | None) -> str:
    """Return what ``sklearn-adamlp [SUBCOMMAND] --help`` prints, 80 columns wide."""
    import contextlib
    import io

    from sklearn_adamlp.cli import main

    argv = [subcommand, "--help"] if subcommand else ["--help"]
    out = io.StringIO()
    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "80"  # argparse wraps to the terminal's width
    try:
        with contextlib.redirect_stdout(out):
            main(argv, prog="sklearn-adamlp")
    finally:
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns
    return f"$ sklearn-adamlp {' '.join(argv)}\n{out.getvalue().rstrip()}"


class CliHelp(SphinxDirective):
    """``.. cli-help:: [SUBCOMMAND]``: the command's help text, as built now.

    The API page shows the ``--help`` output of the installed command line, so
    it cannot fall behind the options the command really has.
    """

    optional_arguments = 1

    def run(self) -> list[nodes.Node]:
        """Return the help text as one literal block."""
        text = _cli_help(self.arguments[0] if self.arguments else None)
        block = nodes.literal_block(text, text)
        block["language"] = "text"
        return [block]


def setup(app):
    """Register the title fix for untitled gallery pages and ``cli-help``."""
    app.connect("source-read", _title_untitled_example)
    app.add_directive("cli-help", CliHelp)


# --- HTML -----------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-adamlp {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_static_path: list[str] = []
