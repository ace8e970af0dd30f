"""Smoke test of benchmarks/bench_distributed.py: --quick runs end to end.

No timing assertions: the table holds every configuration with positive
finite times and accuracies in [0, 1], the dask fits report the bytes they
exchanged, and the bound row (independent processes) exchanges none.
"""

import math

import pytest

pytest.importorskip("distributed")

from benchmarks import bench_distributed


def test_quick_run_reports_every_configuration(tmp_path):
    out = tmp_path / "dist.json"
    result = bench_distributed.main(["--quick", "--json", str(out)])
    assert out.exists()
    configs = [r["config"] for r in result["rows"]]
    assert len(configs) == 6
    bound = result["rows"][-1]  # independent processes: no exchange, no accuracy
    assert bound["config"] == "2 processes, no exchange (bound)"
    assert bound["bytes_per_epoch"] == 0
    assert math.isnan(bound["accuracy"])
    for row in result["rows"]:
        assert math.isfinite(row["seconds"])
        assert row["seconds"] > 0
        if row is bound:
            continue
        assert 0.0 <= row["accuracy"] <= 1.0
        if not row["config"].startswith("serial"):
            assert row["bytes_per_epoch"] > 0
