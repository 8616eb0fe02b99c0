"""benchmarks/bench_fleet.py at tiny settings: it runs, and the members match."""

import numpy as np


def test_bench_fleet_times_both_sides_and_checks_the_members(load_benchmark, capsys):
    bench = load_benchmark("bench_fleet")
    out = bench.main(
        ["--cells", "5", "--loop-cells", "2", "--hours", "60", "--lookback", "12"]
        + ["--epochs", "1", "--hidden", "4", "--members-per-pass", "3"]
    )
    text = capsys.readouterr().out
    assert "loop of single fits" in text and "fleet, one fit" in text
    assert "throughput ratio fleet / loop" in text
    assert out["max_difference"] <= 1e-4
    assert np.isfinite(out["ratio"]) and out["ratio"] > 0


def test_bench_fleet_cells_are_unit_scaled_hourly_panels(load_benchmark):
    bench = load_benchmark("bench_fleet")
    X = bench.make_cells(3, 50)
    assert X.shape == (150, 1)
    assert list(X.index.names) == ["cell", "time"]
    per_cell = X["load"].groupby(level="cell")
    np.testing.assert_allclose(per_cell.min(), 0.0)
    np.testing.assert_allclose(per_cell.max(), 1.0)
