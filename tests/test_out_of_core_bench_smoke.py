"""Smoke test of benchmarks/bench_out_of_core.py: --quick runs end to end.

No timing or memory assertions: the fit completes, the accuracy is in
[0, 1], and every worker reports a peak RSS.
"""

import math

import pytest

pytest.importorskip("distributed")
pytest.importorskip("psutil")

from benchmarks import bench_out_of_core


def test_quick_run_trains_and_reports_memory(tmp_path):
    out = tmp_path / "ooc.json"
    result = bench_out_of_core.main(["--quick", "--json", str(out)])
    assert out.exists()
    assert result["data_gb"] == pytest.approx(4_000 * 32 * 4 / 1e9)
    assert result["client_peak_rss_mb"] > 0
    [fit] = result["fits"]
    assert fit["error"] is None
    assert 0.0 <= fit["accuracy"] <= 1.0
    assert fit["steps"] == 2 * 4_000
    assert len(fit["workers"]) == 2
    for worker in fit["workers"].values():
        assert math.isfinite(worker["peak_rss_mb"])
        assert worker["peak_rss_mb"] > 0
        assert worker["vm_hwm_mb"] >= worker["peak_rss_mb"] * 0.99
