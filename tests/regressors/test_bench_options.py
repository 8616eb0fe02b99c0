"""benchmarks/bench_options.py at tiny settings: every configuration is scored."""

import numpy as np
import pandas as pd
import pytest


@pytest.mark.slow
def test_bench_options_scores_every_configuration_per_cell(load_benchmark, capsys):
    bench = load_benchmark("bench_options")
    table = bench.main(
        ["--epochs", "1", "--seeds", "1", "--horizons", "1", "24"]
        + ["--configs", "base", "anchor=24", "linear", "capacity", "quantiles"]
        + ["stepped loss + capacity (relative, rolling, per cell)"]
        + ["conformal (rolling, per cell)"]
        + ["capacity (expected cost, rolling, per cell)"]
        + ["base + best offset in hindsight (a bound)"]
    )
    text = capsys.readouterr().out
    assert len(table) == 2 * 9 * 3  # horizons x configurations x cells
    assert set(table["cell"]) == {4159, 4556, 5161}
    assert np.isfinite(table[["mse / naive", "cost / naive"]].to_numpy()).all()
    assert (table["cost / naive"] > 0).all()
    intervals = table["config"].isin(["quantiles", "conformal (rolling, per cell)"])
    assert table.loc[intervals, "coverage"].between(0, 1).all()
    assert table["coverage"].isna().sum() == 2 * 7 * 3  # the seven without intervals
    assert table["under"].between(0, 1).all()
    # the bound shifts the same (bit-identical) base forecasts by the offset
    # best on the test hours, 0 among the candidates: never above the base
    cost = table.set_index(["H", "cell", "config"])["cost / naive"].unstack()
    bound = cost["base + best offset in hindsight (a bound)"]
    assert (bound <= cost["base"] + 1e-12).all()
    assert (bound < cost["base"]).any()
    assert "cost / naive" in text and "fit seconds (median)" in text


def test_under_counts_the_hours_above_the_capacity_as_the_cost_rounds(
    load_benchmark,
):
    bench = load_benchmark("bench_options")
    train, test = bench.data(type("Args", (), {"test_days": 10})())
    truth = test["internet"].to_numpy()[:, None]
    naive = np.ones_like(truth)
    # a whole step up to floating-point noise covers the demand; a forecast
    # far below zero is capacity 0, under only where the demand is positive
    just = np.ceil(truth / 0.05) * 0.05 * (1 + 1e-13)
    assert all(v["under"] == 0 for v in bench.scores(test, just, 1, naive).values())
    below = bench.scores(test, np.full_like(truth, -1.0), 1, naive)
    cells = test.index.get_level_values("cell")
    for cell, v in below.items():
        assert v["under"] == np.mean(truth[cells == cell] > 0)
    half = bench.scores(test, just - 0.05, 1, naive)
    for cell, v in half.items():
        assert v["under"] == np.mean(just[cells == cell] - 0.05 < truth[cells == cell])


def test_the_hindsight_bound_keeps_one_offset_per_cell_and_step(load_benchmark):
    bench = load_benchmark("bench_options")
    train, test = bench.data(type("Args", (), {"test_days": 10})())
    H = 2
    naive = bench.seasonal_naive(train, test, H)
    rng = np.random.default_rng(0)
    truth = test["internet"].to_numpy()
    pred = np.c_[truth - 0.03, truth + 0.04] + rng.normal(0, 0.005, (len(test), 2))
    given = pred.copy()
    shifted = bench.in_hindsight(test, pred, H, 0.05, naive)
    np.testing.assert_array_equal(pred, given)  # the forecasts given, untouched
    cells = test.index.get_level_values("cell")
    offsets = set()
    for cell in pd.unique(cells):
        shift = shifted[cells == cell] - pred[cells == cell]
        assert np.allclose(shift, shift[0])  # one offset per cell and step
        offsets |= {round(v, 6) for v in shift[0]}
        assert shift[0, 0] > 0 > shift[0, 1]  # each step's own bias undone
    assert len(offsets) > 3  # not one offset for all
    before = bench.scores(test, pred, H, naive)
    after = bench.scores(test, shifted, H, naive)
    assert all(after[c]["cost"] <= before[c]["cost"] for c in before)


def test_the_seasonal_naive_is_the_value_a_day_before(load_benchmark):
    bench = load_benchmark("bench_options")
    args = type("Args", (), {"test_days": 10})()
    train, test = bench.data(args)
    naive = bench.seasonal_naive(train, test, 2)
    whole = train["internet"].unstack("cell")
    first = test.index[0]
    day_before = whole.loc[first[1] - np.timedelta64(24, "h"), first[0]]
    assert naive[0, 0] == day_before


class _Recorder:
    """A stand-in plan that logs what each day's forecast could have known."""

    def __init__(self, H):
        self.H, self.known, self.log, self.recorded = H, [], [], []

    def predict(self, rows):
        self.log.append((rows.index.get_level_values("time").max(), list(self.known)))
        return np.zeros((len(rows), self.H))

    def predict_interval(self, rows, coverage):
        return np.zeros((len(rows), self.H, 2))

    def update(self, rows, y):
        times = rows.index.get_level_values("time")
        new = np.isfinite(y).all(axis=1)
        last = times[new] + np.timedelta64(self.H - 1, "h")  # a target's last hour
        self.known.extend(last)
        self.recorded.extend(zip(rows.index[new], strict=True))


@pytest.mark.parametrize("H", [1, 24])
def test_day_by_day_never_calibrates_on_a_target_not_yet_seen(load_benchmark, H):
    bench = load_benchmark("bench_options")
    train, test = bench.data(type("Args", (), {"test_days": 10})())
    plan = _Recorder(H)
    bench.day_by_day(plan, train, test, H, interval=True)
    for forecast_end, known in plan.log:
        day_start = forecast_end.floor("D")
        # every recorded target's last hour was over before the day's first
        # forecast was made (at the end of the hour before the day)
        assert all(t < day_start for t in known)
    assert len(plan.log) == 10
    assert len(set(plan.recorded)) == len(plan.recorded)  # each row once
    complete = len(test) - 3 * (H - 1)  # rows whose H steps end inside the test
    assert len(plan.recorded) == complete
