"""Smoke test of examples/: every script runs end to end with ``--quick``.

Nothing else runs the examples, so an API change could break them unnoticed.
Each script runs in a subprocess, as a user runs it, with its working directory
and ``--out`` in ``tmp_path``; the test checks the exit status, the PNG and the
printed table or statistics. No timing assertions. Skipped without matplotlib
(the ``plot`` extra).
"""

import ast
import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sklearn_adamlp import optimizers

pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
TIMEOUT = 120  # seconds per script; a --quick run takes a few

#: per script: regular expression -> number of stdout lines it must match
EXPECTED = {
    "auto_init_on_digits.py": {
        re.escape("| model | preprocessing | mean accuracy | std. error | scores |"): 1,
        r"\| [a-z +_()]+ \| [a-zA-Z /0-9]+ \| \d\.\d{4} \| \d\.\d{4} \| 3 \|": 12,
    },
    "backprop_worked_example.py": {
        r"h = \[0\.670000, 1\.020000\]": 1,
        r"output deltas dl/dz = \[-?\d\.\d{6}, -?\d\.\d{6}\]": 1,
        r"hidden deltas dl/du = \[-?\d\.\d{6}, -?\d\.\d{6}\]": 1,
        r"(w[1-8]|b[1-4]): [0-9.]+ -> -?\d\.\d{6}": 12,
    },
    "batch_vs_stochastic.py": {
        r"(batch|mini-batch|stochastic) .* loss after 100 updates: \d\.\d{4}": 3,
    },
    "compare_optimizers.py": {
        re.escape("| optimizer | test accuracy | epochs | seconds |"): 1,
        r"\| [a-z_]+ \| \d\.\d{4} \| \d+ \| \d+\.\d{2} \|": len(optimizers.available()),
    },
    "initialization_saturation.py": {
        r"(tanh|logistic) +(standard|normalized) init +"
        r"saturated per layer:( \d\.\d{3}){5}": 4,
        r" +std of activations per layer:( \d\.\d{3}){5}": 4,
        r" +std of dL/dz per layer:( \d\.\d{2}e[+-]\d\d){5}": 4,
    },
    "lr_finder.py": {
        r"suggested learning rate: \d\.\d+(e-?\d+)? \(.+\)": 1,
        r"suggested( / 10| x 10)? +rate \S+: final training loss \d+\.\d{4}": 3,
    },
    "optimizer_paths.py": {
        re.escape(
            "| function | optimizer | learning rate | steps | end point | f(end) |"
        ): 1,
        r"\| (rosenbrock|beale|saddle|ravine) \| [a-z_]+ \| [-0-9.e]+ \| \d+ \| "
        r"\(-?\d+\.\d{3}, -?\d+\.\d{3}\) \| \S+ \|": 19,
    },
    "parallel_sgd.py": {
        re.escape("| strategy | test accuracy | epochs | seconds |"): 1,
        r"\| (serial|hogwild x2|downpour x2|easgd x2) \| "
        r"\d\.\d{4} \| 4 \| \d+\.\d{2} \|": 4,
    },
    "schedules.py": {
        r"\S.* final loss \d+\.\d{4}  test accuracy \d\.\d{3}": 7,
    },
    "zero_and_equal_init.py": {
        r"\| all zeros \| 1 of 32 \| \d\.\d{3} \|": 1,
        r"\| all equal \(0\.1\) \| 1 of 32 \| \d\.\d{3} \|": 1,
        r"\| random \(Glorot\) \| 32 of 32 \| \d\.\d{3} \|": 1,
    },
}

#: the numbers the course notes print for their back-propagation example (a
#: 2-2-2 ReLU/softmax net, x = [0.2, 0.5], y = [0, 1], one step at rate 0.5),
#: each to the six decimals printed there
NOTES_BACKPROP = {
    "y_hat": (0.774256, 0.225744),
    "dl/dw8": -0.789741,
    "w8": 0.544871,
    "dl/dw1": 0.038713,
    "w1": 0.080644,
}


def _env() -> dict:
    """The parent's environment with a headless backend and this checkout first.

    Under ``.ci/run`` (``SKLEARN_ADAMLP_TEST_INSTALLED=1``) the examples import
    the installed package instead, like the tests.

    One BLAS/OpenMP thread: a smoke run needs no parallelism, and it keeps the
    test light on a shared machine (full-batch fits with 2 OpenBLAS threads
    were 10x slower on a loaded 2-core machine).
    """
    env = dict(os.environ, MPLBACKEND="Agg")
    if env.get("SKLEARN_ADAMLP_TEST_INSTALLED") != "1":
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(ROOT), env.get("PYTHONPATH")) if p
        )
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    return env


def _count(pattern: str, text: str) -> int:
    return sum(re.fullmatch(pattern, line) is not None for line in text.splitlines())


def test_every_example_is_smoke_tested():
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(EXPECTED)


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_example_runs_quick(script, tmp_path):
    png = tmp_path / (Path(script).stem + ".png")
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / script), "--quick", "--out", str(png)],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert png.stat().st_size > 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert os.listdir(tmp_path) == [png.name]  # nothing else written to the cwd
    expected = {**EXPECTED[script], rf"saved {re.escape(str(png))}": 1}
    for pattern, n in expected.items():
        assert _count(pattern, proc.stdout) == n, (pattern, proc.stdout)
    if script == "backprop_worked_example.py":
        check_backprop_numbers(proc.stdout)


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_example_runs_without_its_docstring(script, monkeypatch):
    # sphinx-gallery shows the module docstring as the page's text and runs the
    # rest with ``__doc__ = ""``: the script must not need its docstring at run
    # time (``--help`` builds the argument parser and exits 0)
    source = (EXAMPLES / script).read_text(encoding="utf-8")
    tree = ast.parse(source)
    assert ast.get_docstring(tree), "the docstring is the gallery page's text"
    tree.body = tree.body[1:]
    code = compile(tree, str(EXAMPLES / script), "exec")
    monkeypatch.setattr(sys, "argv", [script, "--help"])
    namespace = {"__name__": "__main__", "__doc__": "", "__file__": script}
    with pytest.raises(SystemExit) as exit_, contextlib.redirect_stdout(io.StringIO()):
        exec(code, namespace)
    assert exit_.value.code == 0


def _number(pattern: str, text: str) -> list[float]:
    match = re.search(pattern, text, flags=re.MULTILINE)
    assert match, (pattern, text)
    return [float(v) for v in match.groups()]


def check_backprop_numbers(out: str) -> None:
    """The worked example prints the numbers of the course notes."""
    # the notes round every printed value to 6 decimals (w8 from the rounded
    # gradient): agreement to 1.5e-6
    tol = 1.5e-6
    got = _number(r"^y_hat = \[(\S+), (\S+)\]$", out)
    assert got == pytest.approx(NOTES_BACKPROP["y_hat"], abs=tol)
    for name in ("dl/dw8", "dl/dw1"):
        (value,) = _number(rf"^{re.escape(name)} = (\S+)$", out)
        assert value == pytest.approx(NOTES_BACKPROP[name], abs=tol), name
    for name in ("w8", "w1"):
        (value,) = _number(rf"^{name}: \S+ -> (\S+)$", out)
        assert value == pytest.approx(NOTES_BACKPROP[name], abs=tol), name
    # the deltas: dl/dz = y_hat - y (the notes' softmax/cross-entropy result)
    dz = _number(r"^output deltas dl/dz = \[(\S+), (\S+)\]$", out)
    assert dz == pytest.approx([0.774256, 0.225744 - 1.0], abs=tol)
