"""The README's main job, ``python -m sklearn_adamlp``, on a short run."""

from sklearn_adamlp import _jit
from sklearn_adamlp.__main__ import main


def test_demo_prints_the_three_rows_and_the_steps_used(capsys):
    # options of the default subcommand, without its name (as .ci/run calls it)
    assert main(["--repeats", "1", "--max-iter", "5"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if "x sklearn's speed" in line]
    assert [r.split("  ")[0].strip() for r in rows] == [
        "sklearn MLPClassifier",
        "sklearn-adamlp",
        "sklearn-adamlp float32",
    ]
    for row in rows:
        accuracy, epochs = float(row.split()[-6]), int(row.split()[-5])
        assert 0.5 < accuracy <= 1.0
        assert epochs == 5
    assert out.rstrip().endswith(_jit.describe())
    assert "solver 'adam' against scikit-learn's solver='adam'" in out


def test_demo_is_the_default_subcommand(capsys):
    assert main(["demo", "--repeats", "1", "--max-iter", "1"]) == 0
    named = capsys.readouterr().out.splitlines()[0]
    assert main(["--repeats", "1", "--max-iter", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == named
