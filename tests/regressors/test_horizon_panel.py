"""The panel + horizon protocol of benchmarks/bench_horizon.py, at small settings.

Three bundled cells as one panel, 6 hours ahead: MIMO, direct and recursive
Pipelines fitted on horizon targets with no row dropped by hand, tuned in
GridSearchCV(PanelTimeSeriesSplit(gap=H - 1)) by provisioning cost, forecasting
every test hour of every cell.
"""

import numpy as np
import pytest


@pytest.fixture(scope="module")
def bench(load_benchmark):
    return load_benchmark("bench_horizon")


@pytest.mark.slow
def test_three_strategies_forecast_every_test_hour_of_every_cell(bench, tmp_path):
    H = 6
    out = bench.main(
        ["--epochs", "2", "--horizon", str(H), "--output-dir", str(tmp_path)]
    )
    assert set(out["predictions"]) == {"MIMO", "direct", "recursive"}
    for name, pred in out["predictions"].items():
        assert pred.shape == (720, H), name  # 3 cells x 240 test hours
        assert not np.isnan(pred).any(), name
        report = out["reports"][name]
        assert list(report.index) == list(range(1, H + 1))
        # the truth of step h is missing for the last h - 1 hours of each cell
        np.testing.assert_array_equal(report["n"], [720 - 3 * h for h in range(H)])
        assert np.isfinite(report[["mse_ratio", "cost_ratio"]].to_numpy()).all()
        cv = out["tuned"][name]["cv"]
        assert len(cv) == 2 and np.isfinite(cv["cost"]).all()  # both losses scored
    assert (tmp_path / "horizon_error.png").stat().st_size > 10_000
    assert (tmp_path / "horizon_report.csv").exists()
