"""benchmarks/bench_cost_bound.py: the hindsight-best offset and the error share."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import VotingRegressor
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline


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
        + ["--tune", "1", "2", "--tune-window", "96", "168"]
    )
    assert list(table.index) == [4159]
    row = table.loc[4159]
    assert row["best offset (hindsight)"] <= row["rounded up"]
    stepped = "step-aware loss, "  # its own hindsight bound: offset 0 is a candidate
    assert row[stepped + "best offset (hindsight)"] <= row[stepped + "rounded up"]
    costs = ["rounded up", "expected-cost rule", "step-aware loss + rule"]
    costs += [stepped + "best offset (hindsight)"]
    costs += ["tuned step-aware loss + rule", "MSE, step-aware loss"]
    costs += ["step-aware loss + tuned-window rule"]
    assert np.isfinite(row[costs].astype(float)).all() and (row[costs] > 0).all()
    assert row["tuned K"] in (1.0, 2.0)  # one of the factors offered
    assert row["tuned window"] in (96, 168)
    assert 0 <= row["errors x k needed for 1.5"] <= 1
    assert "best offset (hindsight)" in capsys.readouterr().out


@pytest.mark.slow
def test_bench_cost_bound_runs_the_averaged_pair(load_benchmark):
    bench = load_benchmark("bench_cost_bound")
    args = ["--cells", "4159", "--seeds", "1", "--epochs", "1", "--stepped-loss", "2"]
    pair = bench.main(
        [*args, "--model", "lstm + mlp (averaged)", "--tune-window", "168"]
    ).loc[4159]
    alone = bench.main(args).loc[4159]
    # one window offered: the tuned-window rule is the rule itself
    assert pair["tuned window"] == 168
    assert pair["step-aware loss + tuned-window rule"] == pytest.approx(
        pair["step-aware loss + rule"], rel=1e-12
    )
    assert pair["best offset (hindsight)"] <= pair["rounded up"]
    for column in ("MSE", "MSE, step-aware loss", "step-aware loss + rule"):
        assert np.isfinite(pair[column]) and pair[column] > 0
        assert pair[column] != alone[column]  # another model was run


@pytest.mark.parametrize(
    ("model", "networks"),
    [
        (None, ["lstm__"]),
        ("lstm + mlp (averaged)", ["lstm__lstm__", "mlp__mlp__"]),
    ],
)
@pytest.mark.parametrize("factor", [None, 1.0, 2.0])
def test_the_loss_is_told_k_times_the_step(
    load_benchmark, monkeypatch, factor, model, networks
):
    bench = load_benchmark("bench_cost_bound")
    told = {}

    def rule(pipe, train, test, step, window):
        told.update(pipe.get_params(), judged=step, window=window)
        return np.zeros(len(test)), np.zeros(len(test))

    monkeypatch.setattr(bench, "_rule", rule)
    bench.cell_forecast(4159, 0, 1, 0.05, factor, model=model)
    assert told["judged"] == 0.05  # the rule always scores the real step
    assert told["window"] == 168  # the rule's window unless it is tuned
    for net in networks:  # every network of an ensemble is told the same
        if factor is None:  # the squared-error network
            assert told[f"{net}loss"] == "squared_error"
        else:
            assert told[f"{net}loss"] == "provisioning"
            assert told[f"{net}capacity_step"] == pytest.approx(factor * 0.05)
            assert (told[f"{net}over_cost"], told[f"{net}under_cost"]) == (1.0, 10.0)


def test_a_model_without_a_network_is_refused(load_benchmark):
    bench = load_benchmark("bench_cost_bound")
    with pytest.raises(ValueError, match="'capacity_step' parameter.*Pipeline"):
        bench._network_keys(Pipeline([("ridge", Ridge())]), "capacity_step")


class _Capacity(RegressorMixin, BaseEstimator):
    """Allocates the demand of row t plus ``capacity_step - 0.1``; logs its rows.

    Each row's target is the row's own ``internet`` value, so ``capacity_step
    = 0.1`` is the perfect allocation and any other costs more.
    """

    log = []
    told = []

    def __init__(self, capacity_step=0.05):
        self.capacity_step = capacity_step

    def fit(self, X, y):
        _Capacity.log.append(("fit", X.index.get_level_values("time").max()))
        _Capacity.told.append(self.capacity_step)
        self.fitted_ = True
        return self

    def predict(self, X):
        _Capacity.log.append(("predict", X.index.get_level_values("time").max()))
        return X["internet"].to_numpy() + self.capacity_step - 0.1


def test_the_factor_is_tuned_on_the_training_hours_only(load_benchmark):
    bench = load_benchmark("bench_cost_bound")
    train, test = bench._cell_panel(4159)
    _Capacity.log.clear()
    pipe = Pipeline([("lstm", _Capacity())])
    assert bench.tuned_factor(pipe, train, 0.05, [3.0, 1.0, 2.0]) == 2.0
    last = train.index.get_level_values("time").max()
    assert last < test.index.get_level_values("time").min()
    assert len(_Capacity.log) == 2 * 3 * 3  # fit and predict, 3 factors, 3 folds
    assert all(hour <= last for _, hour in _Capacity.log)
    assert max(hour for kind, hour in _Capacity.log if kind == "predict") == last


def test_every_member_of_an_ensemble_is_tuned_to_the_same_factor(load_benchmark):
    bench = load_benchmark("bench_cost_bound")
    train, _ = bench._cell_panel(4159)
    _Capacity.log.clear()
    _Capacity.told.clear()
    pair = VotingRegressor(
        [
            ("a", Pipeline([("lstm", _Capacity())])),
            ("b", Pipeline([("mlp", _Capacity())])),
        ]
    )
    assert bench.tuned_factor(pair, train, 0.05, [3.0, 1.0, 2.0]) == 2.0
    # each candidate fits both members, told the same step: pairs in fit order
    told = _Capacity.told
    assert len(told) == 2 * 3 * 3  # 2 members, 3 factors, 3 folds
    assert all(a == b for a, b in zip(told[::2], told[1::2], strict=True))
    assert sorted(set(np.round(told, 9))) == [0.05, 0.1, 0.15]


def test_the_window_is_tuned_on_the_training_hours_only(load_benchmark, monkeypatch):
    bench = load_benchmark("bench_cost_bound")
    train, test = bench._cell_panel(4159)
    calls = []

    def rule(pipe, before, week, step, window):
        # over-provisions by |window - 96| thousandths: 96 hours is cheapest
        calls.append((before.index, week.index, window))
        y = week.iloc[:, 0].to_numpy()
        return y, y + abs(window - 96) / 1000

    monkeypatch.setattr(bench, "_rule", rule)
    assert bench.tuned_window(None, train, 0.05, [336, 168, 96, 48]) == 96
    assert len(calls) == 3 * 4  # three folds, four windows
    end = train.index.get_level_values("time").max()
    start = test.index.get_level_values("time").min()
    for before, week, _ in calls:
        fit_end = before.get_level_values("time").max()
        hours = week.get_level_values("time")
        assert fit_end < hours.min() and hours.max() <= end < start
        assert len(week) == 168
    assert [window for *_, window in calls].count(96) == 3


def test_the_window_options_are_checked(load_benchmark, capsys):
    bench = load_benchmark("bench_cost_bound")
    with pytest.raises(SystemExit):
        bench.main(["--tune-window", "96"])  # without --stepped-loss
    assert "--tune-window tunes the rule of the step-aware network" in (
        capsys.readouterr().err
    )
    for bad in ("0", "-5", "1.5"):
        with pytest.raises(SystemExit):
            bench.main(["--stepped-loss", "--tune-window", bad])
        assert f"a window must be an integer >= 1; got {bad}" in capsys.readouterr().err
