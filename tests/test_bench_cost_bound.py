"""benchmarks/bench_cost_bound.py: the hindsight-best offset and the error share."""

import numpy as np
import pytest


def _demand(seed=0, n=240):
    rng = np.random.default_rng(seed)
    y = rng.uniform(0.05, 1.0, n)
    return y, y + rng.normal(0, 0.03, n)


def test_no_offset_on_a_grid_beats_the_hindsight_best(load_benchmark):
    bench = load_benchmark("bench_cost_bound")
    y, f = _demand()
    best, offset = bench.best_offset_ratio(y, f, 0.05)
    assert best == pytest.approx(bench.cost_ratio(y, f + offset, 0.05), rel=1e-9)
    brute = np.linspace(-0.2, 0.2, 40_001)  # every 1e-5 Gbit/s
    ratios = bench._costs(y, f, brute, 0.05) / bench._costs(y, y, np.zeros(1), 0.05)
    assert best <= ratios.min() + 1e-12
    assert best <= bench.cost_ratio(y, f, 0.05)  # the offset 0 is a candidate


def test_the_error_share_needed_is_the_largest_that_reaches_the_target(
    load_benchmark,
):
    bench = load_benchmark("bench_cost_bound")
    y, f = _demand(1)
    start = bench.best_offset_ratio(y, f, 0.05)[0]
    target = 1 + (start - 1) / 2  # halfway from this forecast to the oracle
    k = bench.shrink_needed(y, f, 0.05, target)
    assert 0 < k < 1
    assert bench.best_offset_ratio(y, y + k * (f - y), 0.05)[0] <= target
    bigger = y + (k + 0.01) * (f - y)  # the next share tried misses the target
    assert bench.best_offset_ratio(y, bigger, 0.05)[0] > target
    assert bench.shrink_needed(y, f, 0.05, start + 1e-9) == 1.0
    assert np.isnan(bench.shrink_needed(y, f, 0.05, 0.5))  # below the oracle's


@pytest.mark.slow
def test_bench_cost_bound_runs_on_one_cell(load_benchmark, capsys):
    bench = load_benchmark("bench_cost_bound")
    table = bench.main(
        ["--cells", "4159", "--seeds", "1", "--epochs", "1", "--stepped-loss"]
        + ["--tune", "1", "2"]
    )
    assert list(table.index) == [4159]
    row = table.loc[4159]
    assert row["best offset (hindsight)"] <= row["rounded up"]
    # the oracle allocates the least step above each demand: nothing costs less
    costs = ["rounded up", "expected-cost rule", "step-aware loss + rule"]
    costs += ["tuned step-aware loss + rule"]
    assert (row[costs] >= 1 - 1e-12).all()
    assert row["tuned K"] in (1.0, 2.0)  # one of the factors offered
    assert row["MSE, step-aware loss"] > 0
    assert 0 <= row["errors x k needed for 1.5"] <= 1
    assert "best offset (hindsight)" in capsys.readouterr().out


@pytest.mark.parametrize("factor", [None, 1.0, 2.0])
def test_the_loss_is_told_k_times_the_step(load_benchmark, monkeypatch, factor):
    bench = load_benchmark("bench_cost_bound")
    told = {}

    def rule(pipe, train, test, step):
        told.update(pipe.get_params(), judged=step)
        return np.zeros(len(test)), np.zeros(len(test))

    monkeypatch.setattr(bench, "_rule", rule)
    bench.cell_forecast(4159, 0, 1, 0.05, factor)
    assert told["judged"] == 0.05  # the rule always scores the real step
    if factor is None:  # the squared-error network
        assert told["lstm__loss"] == "squared_error"
    else:
        assert told["lstm__loss"] == "provisioning"
        assert told["lstm__capacity_step"] == pytest.approx(factor * 0.05)
        assert (told["lstm__over_cost"], told["lstm__under_cost"]) == (1.0, 10.0)


def test_the_factor_is_tuned_on_the_training_hours_only(load_benchmark, monkeypatch):
    bench = load_benchmark("bench_cost_bound")
    seen = {}

    def rule(pipe, train, test, step):
        seen["last train hour"] = train.index.get_level_values("time").max()
        seen["first test hour"] = test.index.get_level_values("time").min()
        seen["told"] = pipe.get_params()["lstm__capacity_step"]
        return np.zeros(len(test)), np.zeros(len(test))

    def factor(pipe, train, step, factors):
        seen["tuned on"] = train.index.get_level_values("time").max()
        return factors[-1]

    monkeypatch.setattr(bench, "_rule", rule)
    monkeypatch.setattr(bench, "tuned_factor", factor)
    *_, k = bench.cell_forecast(4159, 0, 1, 0.05, tune=[1.0, 3.0])
    assert k == 3.0 and seen["told"] == pytest.approx(0.15)
    assert seen["tuned on"] == seen["last train hour"] < seen["first test hour"]
