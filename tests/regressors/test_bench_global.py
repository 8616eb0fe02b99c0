"""benchmarks/bench_global.py at tiny settings: every case runs and is reported."""

import numpy as np
import pytest


@pytest.mark.slow
def test_bench_global_runs_both_routes_the_hand_loop_and_the_forecasts(
    load_benchmark, capsys
):
    bench = load_benchmark("bench_global")
    rows = bench.main(
        ["--sizes", "20", "--stacked", "20", "--hours", "120", "--lookback", "12"]
        + ["--hidden", "4", "--windows", "64", "--epochs", "2"]
    )
    text = capsys.readouterr().out
    assert [r["case"] for r in rows] == ["lazy-20", "stacked-20"]
    assert not any(r.get("failed") for r in rows)
    lazy, stacked = rows
    assert lazy["train_rows"] == stacked["train_rows"] == 20 * (120 - 12)
    assert lazy["windows"] == 64
    assert lazy["forecast_rows"] == 20
    for key in ("hand_epoch_s", "forecast_s", "forecast32_s", "epoch_s"):
        assert np.isfinite(lazy[key]) and lazy[key] > 0
    assert lazy["peak_mib"] > 0 and stacked["peak_mib"] > 0
    assert "hand-written loop" in text and "next-hour forecasts of 20 cells" in text
    assert "fit's peak" in text and ("GPU skipped" in text or "on the GPU" in text)


def test_bench_global_next_hour_rows_follow_the_panel(load_benchmark):
    bench = load_benchmark("bench_global")
    panel = bench.make_panel(3, 30)
    assert panel["load"].dtype == np.float32
    nxt = bench._next_hour(panel)
    times = panel.index.get_level_values("time")
    assert len(nxt) == 3 and nxt["load"].isna().all()
    assert (
        nxt.index.get_level_values("time") == times.max() + np.timedelta64(1, "h")
    ).all()
