"""benchmarks/bench_options.py at tiny settings: every configuration is scored."""

import numpy as np
import pytest


@pytest.mark.slow
def test_bench_options_scores_every_configuration_per_cell(load_benchmark, capsys):
    bench = load_benchmark("bench_options")
    table = bench.main(
        ["--epochs", "1", "--seeds", "1", "--horizons", "1", "24"]
        + ["--configs", "base", "anchor=24", "linear", "capacity", "quantiles"]
    )
    text = capsys.readouterr().out
    assert len(table) == 2 * 5 * 3  # horizons x configurations x cells
    assert set(table["cell"]) == {4159, 4556, 5161}
    assert np.isfinite(table[["mse / naive", "cost / naive"]].to_numpy()).all()
    assert (table["cost / naive"] > 0).all()
    coverage = table.loc[table["config"] == "quantiles", "coverage"]
    assert coverage.between(0, 1).all() and table["coverage"].isna().sum() == 24
    assert "cost / naive" in text and "fit seconds (median)" in text


def test_the_seasonal_naive_is_the_value_a_day_before(load_benchmark):
    bench = load_benchmark("bench_options")
    args = type("Args", (), {"test_days": 10})()
    train, test = bench.data(args)
    naive = bench.seasonal_naive(train, test, 2)
    whole = train["internet"].unstack("cell")
    first = test.index[0]
    day_before = whole.loc[first[1] - np.timedelta64(24, "h"), first[0]]
    assert naive[0, 0] == day_before
