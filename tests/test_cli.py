"""The command line, end to end: ``demo``, ``train``, ``predict``.

Most runs call ``main([...])`` in-process (it returns the exit code); one test
runs the real ``python -m sklearn_adamlp`` in a subprocess. Every run works in
``tmp_path`` and checks that nothing else was written there.
"""

import fractions
import os
import re
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest

import sklearn_adamlp
from sklearn_adamlp import MLPClassifier, optimizers
from sklearn_adamlp.cli import build_parser, main

FAST = ["--hidden-layer-sizes", "16", "--learning-rate-init", "0.01"]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def run(capsys, *argv):
    code = main([str(a) for a in argv], prog="sklearn-adamlp")
    out, err = capsys.readouterr()
    return code, out, err


def assert_usage_error(code, err, *words):
    assert code == 2
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "error:" in lines[0]
    for word in words:
        assert word in lines[0], (word, err)


def classes_frame(n=200, seed=0):
    """Two well separated classes with string labels (a linear boundary)."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    label = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
    return pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "c": X[:, 2], "label": label})


def write(frame, name):
    frame.to_csv(name, index=False)
    return name


# ---------------------------------------------------------------- top level


def test_version_prints_the_package_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"sklearn-adamlp {sklearn_adamlp.__version__}"


def test_help_lists_the_subcommands(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for name in ("demo", "train", "predict", "--version"):
        assert name in out


@pytest.mark.parametrize("command", ["demo", "train", "predict"])
def test_every_option_has_help_text(command, capsys):
    sub = build_parser("sklearn-adamlp")._subparsers._group_actions[0].choices
    actions = sub[command]._actions
    assert len(actions) > 2
    for action in actions:
        assert len(action.help or "") > 10, action.option_strings
    code, out, _ = run(capsys, command, "--help")
    assert code == 0
    for action in actions:
        for flag in action.option_strings:
            assert flag in out


def test_the_console_script_points_to_the_entry_function(monkeypatch):
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    if not pyproject.is_file():
        pytest.skip("no checkout beside the tests")
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    scripts = tomllib.loads(pyproject.read_text())["project"]["scripts"]
    module, _, name = scripts["sklearn-adamlp"].partition(":")
    entry = getattr(__import__(module, fromlist=[name]), name)
    monkeypatch.setattr(sys, "argv", ["sklearn-adamlp", "--version"])
    with pytest.raises(SystemExit) as exc:
        entry()
    assert exc.value.code == 0


def test_unknown_subcommand_is_a_usage_error(capsys):
    code, _, err = run(capsys, "fit")
    assert_usage_error(code, err, "'fit'")


# ---------------------------------------------------------------- demo

#: scikit-learn's closest solver, by family (the issue's table)
CLOSEST = {
    **dict.fromkeys(
        ["adam", "adamw", "adamax", "nadam", "amsgrad", "adabound"], "adam"
    ),
    **dict.fromkeys(["adagrad", "rmsprop", "adadelta", "rprop"], "adam"),
    **dict.fromkeys(["sgd", "momentum", "nesterov"], "sgd"),
    **dict.fromkeys(["lbfgs", "newton_cg", "quickprop"], "lbfgs"),
}


def test_the_closest_solver_table_covers_the_registry():
    assert sorted(CLOSEST) == optimizers.available()


@pytest.mark.parametrize("solver", optimizers.available())
def test_demo_runs_every_registry_solver(solver, capsys):
    code, out, err = run(
        capsys, "demo", "--solver", solver, "--repeats", 1, "--max-iter", 2
    )
    assert code == 0, err
    assert f"solver {solver!r} against scikit-learn's solver={CLOSEST[solver]!r}" in out
    rows = [line for line in out.splitlines() if "x sklearn's speed" in line]
    assert len(rows) == 3
    for row in rows:
        assert 0.0 <= float(row.split()[-6]) <= 1.0
        assert 1 <= int(row.split()[-5]) <= 2


@pytest.mark.parametrize(
    ("solver", "nesterov"), [("sgd", True), ("momentum", False), ("nesterov", True)]
)
def test_demo_sgd_family_matches_the_momentum_settings(solver, nesterov, capsys):
    code, out, _ = run(capsys, "--solver", solver, "--repeats", 1, "--max-iter", 1)
    assert code == 0
    assert f"'momentum': 0.9, 'nesterovs_momentum': {nesterov}" in out


@pytest.mark.parametrize(
    ("argv", "word"),
    [
        (["--repeats", "0"], "--repeats"),
        (["--repeats", "two"], "--repeats"),
        (["--max-iter", "-5"], "--max-iter"),
        (["--solver", "adamm"], "'adamm'"),
        (["demo", "--solver", "Adam"], "'Adam'"),
        (["--learning-rate-init", "0"], "--learning-rate-init"),
    ],
)
def test_demo_bad_values_give_one_line_and_code_2(argv, word, capsys):
    code, out, err = run(capsys, *argv)
    assert_usage_error(code, err, word)
    assert out == ""


# ---------------------------------------------------------------- train / predict


def test_train_then_predict_a_classifier(tmp_path, capsys):
    frame = classes_frame()
    write(frame, "data.csv")
    code, out, err = run(
        capsys, "train", "data.csv", "--target", "label", *FAST, "--out", "m.joblib"
    )
    assert code == 0, err
    assert "task: classify (target 'label': non-numeric, 2 distinct values" in out
    score = float(re.search(r"validation accuracy: (\S+) \(40 held-out rows\)", out)[1])
    assert score >= 0.9
    assert "saved the model (Pipeline, joblib) to m.joblib" in out
    # a new file with the target column: it is left out, the others used by name
    new = classes_frame(50, seed=1)
    write(new[["label", "c", "b", "a"]], "new.csv")
    code, out, err = run(capsys, "predict", "m.joblib", "new.csv")
    assert code == 0, err
    assert "ignoring columns not seen in training: label" in err
    pred = pd.read_csv(pd.io.common.StringIO(out))
    assert list(pred.columns) == ["label"]
    assert np.mean(pred["label"].to_numpy() == new["label"].to_numpy()) >= 0.9
    code, _, err = run(capsys, "predict", "m.joblib", "new.csv", "--out", "p.csv")
    assert code == 0, err
    assert pd.read_csv("p.csv").equals(pred)
    assert sorted(os.listdir(tmp_path)) == ["data.csv", "m.joblib", "new.csv", "p.csv"]


def test_train_regression_is_detected_and_scored(capsys):
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(300, 2))
    frame = pd.DataFrame({"x1": X[:, 0], "x2": X[:, 1], "y": X[:, 0] - 2 * X[:, 1]})
    write(frame, "reg.csv")
    code, out, err = run(
        capsys,
        "train",
        "reg.csv",
        "--target",
        "y",
        *FAST,
        "--max-iter",
        300,
        "--quiet",
        "--out",
        "r.pkl",
    )
    assert code == 0, err
    assert "task: regress (target 'y': numeric, 300 distinct values" in out
    r2 = float(re.search(r"validation R\^2: (\S+) \(60 held-out rows\)", out)[1])
    assert r2 > 0.9
    write(frame.drop(columns="y"), "x.csv")
    code, out, _ = run(capsys, "predict", "r.pkl", "x.csv")
    pred = pd.read_csv(pd.io.common.StringIO(out))["y"].to_numpy()
    assert np.corrcoef(pred, frame["y"])[0, 1] > 0.95


def test_few_integer_values_are_classes_and_task_overrides(capsys):
    frame = classes_frame()
    frame["label"] = (frame["label"] == "yes").astype(int)
    write(frame, "d.csv")
    code, out, _ = run(
        capsys,
        "train",
        "d.csv",
        "--target",
        "label",
        "--max-iter",
        2,
        "--quiet",
        "--out",
        "m.joblib",
    )
    assert code == 0
    assert "task: classify (target 'label': 2 distinct integer values" in out
    code, out, _ = run(
        capsys,
        "train",
        "d.csv",
        "--target",
        "label",
        "--task",
        "regress",
        "--max-iter",
        2,
        "--quiet",
        "--out",
        "m.joblib",
    )
    assert code == 0
    assert "task: regress (--task)" in out
    assert type(joblib.load("m.joblib")[-1]).__name__ == "MLPRegressor"


def test_estimator_options_and_param_reach_the_saved_model(capsys):
    write(classes_frame(), "d.csv")
    code, _, err = run(
        capsys,
        "train",
        "d.csv",
        "--target",
        "label",
        "--hidden-layer-sizes",
        "8,4",
        "--solver",
        "nadam",
        "--activation",
        "tanh",
        "--learning-rate-init",
        "0.02",
        "--max-iter",
        3,
        "--batch-size",
        16,
        "--alpha",
        "0.01",
        "--early-stopping",
        "--random-state",
        7,
        "--param",
        "dropout=0.1",
        "--param",
        "learning_rate=cosine",
        "--quiet",
        "--out",
        "m.joblib",
    )
    assert code == 0, err
    mlp = joblib.load("m.joblib").named_steps["mlp"]
    expected = {
        "hidden_layer_sizes": (8, 4),
        "solver": "nadam",
        "activation": "tanh",
        "learning_rate_init": 0.02,
        "max_iter": 3,
        "batch_size": 16,
        "alpha": 0.01,
        "early_stopping": True,
        "random_state": 7,
        "dropout": 0.1,
        "learning_rate": "cosine",
    }
    assert {k: mlp.get_params()[k] for k in expected} == expected


def test_one_hot_encodes_text_columns_in_the_saved_pipeline(capsys):
    frame = classes_frame()
    frame["colour"] = np.where(frame["c"] > 0, "red", "blue")
    write(frame, "d.csv")
    code, out, err = run(
        capsys,
        "train",
        "d.csv",
        "--target",
        "label",
        "--one-hot",
        "--max-iter",
        3,
        "--quiet",
        "--out",
        "m.joblib",
    )
    assert code == 0, err
    assert "4 feature columns (3 numeric, 1 one-hot encoded)" in out
    model = joblib.load("m.joblib")
    assert list(model[0].get_feature_names_out()) == [
        "a",
        "b",
        "c",
        "colour_blue",
        "colour_red",
    ]
    frame.loc[0, "colour"] = "green"  # unseen at training: encoded as zeros
    write(frame, "new.csv")
    code, out, err = run(capsys, "predict", "m.joblib", "new.csv")
    assert code == 0, err
    assert len(out.splitlines()) == 1 + len(frame)


def test_progress_bar_with_tqdm_and_epoch_lines_without(monkeypatch, capsys):
    pytest.importorskip("tqdm")
    write(classes_frame(), "d.csv")
    argv = ["train", "d.csv", "--target", "label", "--max-iter", 3, "--out", "m.pkl"]
    code, out, err = run(capsys, *argv)
    assert code == 0
    assert "3/3" in err
    assert "Iteration" not in out
    monkeypatch.setitem(sys.modules, "tqdm", None)  # as if not installed
    code, out, err = run(capsys, *argv)
    assert code == 0
    assert [ln.split(",")[0] for ln in out.splitlines() if ln.startswith("Iter")] == [
        "Iteration 1",
        "Iteration 2",
        "Iteration 3",
    ]


def test_skops_round_trip_and_untrusted_types_refused(tmp_path, capsys):
    sio = pytest.importorskip("skops.io")
    write(classes_frame(), "d.csv")
    code, out, err = run(
        capsys,
        "train",
        "d.csv",
        "--target",
        "label",
        *FAST,
        "--quiet",
        "--out",
        "m.skops",
    )
    assert code == 0, err
    assert "saved the model (Pipeline, skops) to m.skops" in out
    code, out, err = run(capsys, "predict", "m.skops", "d.csv")
    assert code == 0, err
    assert len(out.splitlines()) == 201
    sio.dump({"model": fractions.Fraction(1, 3)}, tmp_path / "evil.skops")
    code, out, err = run(capsys, "predict", "evil.skops", "d.csv")
    assert_usage_error(code, err, "fractions.Fraction", "refusing")
    assert out == ""


def test_skops_asked_without_skops_installed(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "skops", None)
    monkeypatch.setitem(sys.modules, "skops.io", None)
    write(classes_frame(), "d.csv")
    code, _, err = run(
        capsys, "train", "d.csv", "--target", "label", "--out", "m.skops"
    )
    assert_usage_error(code, err, "needs skops", ".joblib")
    assert os.listdir(tmp_path) == ["d.csv"]


def test_unknown_and_invalid_params_are_refused(tmp_path, capsys):
    write(classes_frame(), "d.csv")
    base = ["train", "d.csv", "--target", "label", "--quiet", "--out", "m.pkl"]
    code, out, err = run(capsys, *base, "--param", "dropuot=0.1")
    assert_usage_error(code, err, "'dropuot'", "dropout")
    assert out == ""  # refused before the data is read
    code, _, err = run(capsys, *base, "--param", "alpha=-1")
    assert_usage_error(code, err, "'alpha'")
    code, _, err = run(capsys, *base, "--param", "alpha")
    assert_usage_error(code, err, "name=value")
    code, _, err = run(capsys, *base, "--hidden-layer-sizes", "64,x")
    assert_usage_error(code, err, "--hidden-layer-sizes")
    assert os.listdir(tmp_path) == ["d.csv"]


BAD_TRAIN = {
    "missing file": (
        None,
        ["nope.csv", "--target", "label"],
        ["nope.csv", "not exist"],
    ),
    "empty file": ("", ["d.csv", "--target", "label"], ["d.csv is empty"]),
    "header only": ("a,b,label\n", ["d.csv", "--target", "label"], ["no data rows"]),
    "missing column": (
        "a,b,y\n1,2,3\n",
        ["d.csv", "--target", "label"],
        ["no column 'label'", "a, b, y"],
    ),
    "non-numeric": (
        "a,b,label\n1,2,x\n1,oops,y\n",
        ["d.csv", "--target", "label"],
        ["'b' ('oops' on line 3)", "--one-hot"],
    ),
    "missing values": (
        "a,b,label\n1,,x\n1,2,y\n",
        ["d.csv", "--target", "label"],
        ["missing values in feature columns b"],
    ),
    "bad suffix": (
        "a,label\n1,x\n",
        ["d.csv", "--target", "label", "--out", "m.onnx"],
        ["'.onnx'", ".skops"],
    ),
    "no directory": (
        "a,label\n1,x\n",
        ["d.csv", "--target", "label", "--out", "no/m.pkl"],
        ["directory no does not exist"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_TRAIN))
def test_train_bad_input_is_one_clear_line(case, tmp_path, capsys):
    content, argv, words = BAD_TRAIN[case]
    if content is not None:
        Path("d.csv").write_text(content)
    if "--out" not in argv:
        argv = [*argv, "--out", "m.pkl"]
    before = sorted(os.listdir(tmp_path))
    code, _, err = run(capsys, "train", *argv)
    assert_usage_error(code, err, *words)
    assert sorted(os.listdir(tmp_path)) == before


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_predict_bad_input_is_one_clear_line(tmp_path, capsys):
    write(classes_frame(), "d.csv")
    assert (
        run(
            capsys,
            "train",
            "d.csv",
            "--target",
            "label",
            "--max-iter",
            2,
            "--quiet",
            "--out",
            "m.pkl",
        )[0]
        == 0
    )
    write(classes_frame()[["a", "label"]], "few.csv")
    Path("empty.csv").write_text("")
    cases = [
        (["m.pkl", "few.csv"], ["lacks feature columns", "b, c"]),
        (["m.pkl", "empty.csv"], ["empty.csv is empty"]),
        (["gone.pkl", "d.csv"], ["gone.pkl", "does not exist"]),
        (["m.pkl", "d.csv", "--out", "no/p.csv"], ["directory no does not exist"]),
    ]
    for argv, words in cases:
        code, out, err = run(capsys, "predict", *argv)
        assert_usage_error(code, err, *words)
        assert out == ""
    # a model fitted without column names: the feature count must match
    rng = np.random.RandomState(0)
    bare = MLPClassifier(max_iter=2).fit(rng.normal(size=(20, 4)), [0, 1] * 10)
    joblib.dump(bare, "bare.joblib")
    code, _, err = run(capsys, "predict", "bare.joblib", "few.csv")
    assert_usage_error(code, err, "has 2 columns", "expects 4 features")
    assert "p.csv" not in os.listdir(tmp_path)


def test_python_m_runs_train_and_predict_in_a_subprocess(tmp_path):
    write(classes_frame(), "d.csv")
    env = dict(os.environ)
    where = str(Path(sklearn_adamlp.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (where, env.get("PYTHONPATH")) if p)
    cli = [sys.executable, "-m", "sklearn_adamlp"]
    done = subprocess.run(
        [*cli, "train", "d.csv", "--target", "label", *FAST, "--out", "m.pkl"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "validation accuracy: " in done.stdout
    done = subprocess.run(
        [*cli, "predict", "m.pkl", "missing.csv"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "python -m sklearn_adamlp predict: error: cannot read missing.csv: "
        "the file does not exist"
    )
    assert sorted(os.listdir(tmp_path)) == ["d.csv", "m.pkl"]
