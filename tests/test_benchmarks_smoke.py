"""Smoke test of the benchmark suite: --quick runs end to end.

No timing assertions: only that the table and JSON hold the expected rows with
positive finite times. The torch peer is skipped (it may not be installed).
"""

import json
import math

import pytest

from benchmarks import run


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "results.json"
    res = run.main(["--quick", "--no-torch", "--out", str(out)])
    with open(out) as f:
        assert json.load(f)["rows"] == json.loads(json.dumps(res["rows"]))
    return res


def _cases(rows, section):
    return {(r["case"], r["peer"], r["dtype"]) for r in rows if r["section"] == section}


def test_epoch_rows(results):
    cases = _cases(results["rows"], "epoch")
    for dt in ("float64", "float32"):
        assert ("roofline (matmuls of one epoch)", "numpy", dt) in cases
        for peer in ("adamlp", "sklearn"):
            assert ("adam epoch", peer, dt) in cases
            assert ("sgd nesterov 0.9 epoch", peer, dt) in cases


def test_small_and_predict_rows(results):
    small = _cases(results["rows"], "small")
    for peer in ("adamlp", "sklearn"):
        assert ("digits whole fit", peer, "float64") in small
        assert ("digits epoch", peer, "float64") in small
        assert ("GridSearchCV 2 cand x 2 folds", peer, "float64") in small
    predict = _cases(results["rows"], "predict")
    for dt in ("float64", "float32"):
        assert ("1-row predict_proba latency", "adamlp", dt) in predict
        assert ("500-row predict_proba", "sklearn", dt) in predict
        assert ("forward roofline 500 rows", "numpy", dt) in predict


def test_times_positive_finite(results):
    for r in results["rows"]:
        if r["section"] == "memory":
            if r["case"].startswith("one-time"):  # numba's code, jit extra only
                assert r["mb"] > 0
            else:
                assert r["peak_rss_mb"] > 0
            continue
        assert math.isfinite(r["seconds"]), r
        assert r["seconds"] > 0, r
        assert math.isfinite(r["ratio"]), r
        assert r["ratio"] > 0, r


def test_meta_records_blas(results):
    meta = results["meta"]
    assert meta["machine"]["nproc"] >= 1
    assert any(lib["user_api"] == "blas" for lib in meta["machine"]["blas"])
    assert "scikit-learn" in meta["versions"]
    jit = meta["versions"]["sklearn-adamlp jit"]
    from sklearn_adamlp import _jit

    assert jit.startswith("on (numba") if _jit.available() else jit.startswith("off")


def test_markdown_table(results):
    table = run.markdown(results["rows"])
    assert table.startswith("| section | case |")
    assert table.count("\n") == len(results["rows"]) + 1


def test_profile_epoch_quick_replays_the_loop(capsys):
    """The epoch profiler runs, and its replay (checked against
    Network.loss_grad inside) lists every component of the training loop."""
    from benchmarks import profile_epoch

    profile_epoch.main(["--quick", "--epochs", "1", "--reps", "1", "--threads", "1"])
    out = capsys.readouterr().out
    for component in (
        "forward matmul",
        "softmax + loss value",
        "optimizer.step (+ L2 gradient)",
        "penalty value (L2; its gradient joins optimizer.step)",
        "gather batch (np.take)",
        "real fit epoch",
        "roofline (separate matmul loop)",
    ):
        assert f"| {component} |" in out, component


def test_bench_optimizers_quick_lists_every_stepping_optimizer(capsys):
    from benchmarks import bench_optimizers
    from sklearn_adamlp import optimizers

    bench_optimizers.main(["--quick"])
    rows = [line for line in capsys.readouterr().out.splitlines() if line[:2] == "| "]
    names = {line.split("|")[1].strip() for line in rows}
    stepping = {n for n in optimizers.available() if hasattr(optimizers.get(n), "step")}
    assert stepping <= names
    # every built-in stepping optimizer (a test may have registered more)
    builtin = {
        "sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "rprop",
        "adam", "adamw", "adamax", "nadam", "amsgrad", "adabound",
    }  # fmt: skip
    assert builtin <= stepping


def test_bench_parallel_quick_runs_every_strategy(capsys):
    from benchmarks import bench_parallel

    results = bench_parallel.main(["--quick"])
    configs = {r["config"] for r in results["rows"]}
    assert {"serial", "hogwild x2", "downpour x2", "easgd x2"} <= configs
    for r in results["rows"]:
        assert r["fit_seconds"] > 0
        assert 0.0 <= r["accuracy"] <= 1.0
    out = capsys.readouterr().out
    assert out.count("| hogwild x2 |") == 2  # both datasets


def test_data_parallel_prototype_quick_runs(capsys):
    from benchmarks import proto_data_parallel

    med = proto_data_parallel.main(["--quick"])
    assert set(med) == {"roofline", "serial", "data-parallel"}
    assert all(v > 0 for v in med.values())
    assert "| data-parallel |" in capsys.readouterr().out


def test_bench_layouts_quick_runs_every_layout(capsys):
    from benchmarks import bench_layouts

    rows = bench_layouts.main(["--quick"])
    assert [r["layout"] for r in rows] == list(bench_layouts.layouts())
    assert all(r["adamlp"] > 0 and r["sklearn"] > 0 for r in rows)
    assert capsys.readouterr().out.count("x |") == 3


def test_bench_partial_fit_quick_runs_every_batch_size(capsys):
    from benchmarks import bench_partial_fit

    rows = bench_partial_fit.main(["--quick"])
    assert [r["batch"] for r in rows] == list(bench_partial_fit.BATCHES)
    assert all(r["adamlp"] > 0 and r["sklearn"] > 0 for r in rows)
    assert capsys.readouterr().out.count("x |") == len(rows)
