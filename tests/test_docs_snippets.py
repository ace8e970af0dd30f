"""Every ```python block of README.md and docs/*.md runs as written.

A reader copies a snippet into a fresh interpreter: it must bring its own
imports and data. Each block runs in its own subprocess (a fresh namespace),
with a temporary working directory, the Agg backend and this checkout first on
``sys.path``. A block that must not run is preceded by a visible comment
``<!-- no-run: reason -->`` on the line just above its fence (used sparingly:
the reason is shown to whoever edits the page). A block that needs an optional
extra is preceded by ``<!-- requires: module other_module -->`` and is skipped
(with the module's name) where one of them is not installed, as the extras'
own tests are. No timing assertions.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TIMEOUT = 120  # seconds per block; each runs in a few
#: blocks known to fail, by page and line, until their page is rewritten
#: (strict: a block that starts to run fails here, so the entry gets removed)
KNOWN_BROKEN: dict[str, str] = {}

_OPEN = re.compile(r"^(?P<indent>[ \t]*)```python[ \t]*$")
_NO_RUN = re.compile(r"<!--\s*no-run:\s*(?P<reason>\S.*?)\s*-->")
_REQUIRES = re.compile(r"<!--\s*requires:\s*(?P<modules>\S.*?)\s*-->")


def extract(text: str) -> list[tuple[int, str, str | None, tuple[str, ...]]]:
    """``(line, code, no_run_reason, requires)`` per ```python block of ``text``.

    ``line`` is the 1-based line of the opening fence; an indented block (in a
    list item) loses its indentation; ``no_run_reason`` is the reason of a
    ``<!-- no-run: reason -->`` comment on the nearest non-blank line above;
    ``requires`` the modules of a ``<!-- requires: a b -->`` comment there.
    """
    rows = text.splitlines()
    blocks = []
    i = 0
    while i < len(rows):
        match = _OPEN.match(rows[i])
        if match is None:
            i += 1
            continue
        indent = match.group("indent")
        above = next((r for r in reversed(rows[:i]) if r.strip()), "")
        skip = _NO_RUN.search(above)
        needs = _REQUIRES.search(above)
        requires = tuple(needs.group("modules").split()) if needs else ()
        end = i + 1
        while end < len(rows) and rows[end].strip() != "```":
            end += 1
        body = [
            r[len(indent) :] if r.startswith(indent) else r for r in rows[i + 1 : end]
        ]
        code = "\n".join(body) + "\n"
        reason = skip.group("reason") if skip else None
        blocks.append((i + 1, code, reason, requires))
        i = end + 1
    return blocks


def _collect():
    cases = []
    for page in PAGES:
        for line, code, reason, requires in extract(page.read_text(encoding="utf-8")):
            name = f"{page.relative_to(ROOT)}:{line}"
            marks = [pytest.mark.skip(reason=f"no-run: {reason}")] if reason else []
            if name in KNOWN_BROKEN:
                marks.append(pytest.mark.xfail(reason=KNOWN_BROKEN[name], strict=True))
            missing = [m for m in requires if importlib.util.find_spec(m) is None]
            if missing:
                marks.append(pytest.mark.skip(reason=f"needs {', '.join(missing)}"))
            cases.append(pytest.param(code, id=name, marks=marks))
    return cases


def _env() -> dict:
    """The parent's environment, headless, one BLAS thread, this checkout first."""
    env = dict(os.environ, MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), env.get("PYTHONPATH")) if p
    )
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    return env


def test_extract_finds_blocks_and_no_run_marks():
    text = (
        "intro\n```python\nx = 1\n```\n\n<!-- no-run: needs a GPU -->\n"
        "```python\nraise SystemExit(1)\n```\n"
        "1. item\n\n   ```python\n   y = 2\n   ```\n```bash\nls\n```\n"
        "<!-- requires: onnx skl2onnx -->\n```python\nimport onnx\n```\n"
    )
    assert extract(text) == [
        (2, "x = 1\n", None, ()),
        (7, "raise SystemExit(1)\n", "needs a GPU", ()),
        (12, "y = 2\n", None, ()),
        (19, "import onnx\n", None, ("onnx", "skl2onnx")),
    ]


def test_pages_have_snippets():
    assert len(_collect()) >= 10


@pytest.mark.parametrize("code", _collect())
def test_snippet_runs(code, tmp_path):
    script = tmp_path / "snippet.py"
    script.write_text(code, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert proc.returncode == 0, f"{proc.stderr}\n--- snippet ---\n{code}"


def _course_note_examples() -> list[str]:
    """The ``MLPClassifier(...)``/``MLPRegressor(...)`` cells of course_notes.md."""
    examples = []
    text = (ROOT / "docs" / "course_notes.md").read_text(encoding="utf-8")
    for row in text.splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if row.startswith("| ") and len(cells) == 5:
            match = re.fullmatch(r"`(MLP(?:Classifier|Regressor)\(.*\))`", cells[3])
            if match:
                examples.append(match.group(1))
    return examples


def test_course_notes_examples_fit():
    # every one-line example of "From the course notes to the API" builds an
    # estimator that fits (a few epochs on small data), parallel ones included
    import warnings

    import numpy as np

    from sklearn_adamlp import MLPClassifier, MLPRegressor
    from sklearn_adamlp.inspection import LayerStatsRecorder
    from sklearn_adamlp.optimizers import Adam, RMSprop
    from sklearn_adamlp.parallel import EASGD

    names = {"MLPClassifier": MLPClassifier, "MLPRegressor": MLPRegressor}
    names |= {"Adam": Adam, "RMSprop": RMSprop, "EASGD": EASGD}
    names |= {"LayerStatsRecorder": LayerStatsRecorder}
    examples = _course_note_examples()
    assert len(examples) >= 40
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 4))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)
    for code in examples:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a few epochs do not converge
            est = eval(code, {**names, "X": X, "y": y})
            est.set_params(max_iter=3)
            target = np.abs(X[:, 0]) + 0.1 if isinstance(est, MLPRegressor) else y
            est.fit(X, target)
        assert est.n_iter_ >= 1, code
