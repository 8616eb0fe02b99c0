"""benchmarks/bench_pair_settings.py: the cost-trained pair's settings, on folds."""

import numpy as np
import pytest


def _plain(params):
    """Return the parameters that compare by value, as reprs (NaN == NaN).

    Estimators and their step lists are left out: they compare by identity.
    """
    return {
        key: repr(value)
        for key, value in params.items()
        if not hasattr(value, "get_params")
        and key.rsplit("__", 1)[-1] not in ("steps", "estimators")
    }


def test_a_setting_changes_only_what_it_names(load_benchmark):
    bench = load_benchmark("bench_pair_settings")
    params = bench.pair(0, 1, 3.0, 0.1).get_params()
    for net in ("lstm__lstm__", "mlp__mlp__"):  # both trained for the cost
        assert params[f"{net}loss"] == "provisioning"
        assert params[f"{net}capacity_step"] == pytest.approx(0.3)
        assert (params[f"{net}over_cost"], params[f"{net}under_cost"]) == (1.0, 10.0)
    base = _plain(params)
    expected = {
        "LSTM (16, 16) and MLP (64, 32)": {
            "lstm__lstm__hidden_size": (16, 16),
            "mlp__mlp__hidden_size": (64, 32),
        },
        "weight decay 1e-3": {
            "lstm__lstm__weight_decay": 1e-3,
            "mlp__mlp__weight_decay": 1e-3,
        },
        "MLP dropout 0.1": {"mlp__mlp__dropout": 0.1},
        "trained at 1:5 (the rule at 1:10)": {
            "lstm__lstm__under_cost": 5.0,
            "mlp__mlp__under_cost": 5.0,
        },
        "24-hour windows": {
            "lstm__window__lookback": 24,
            "mlp__window__lookback": 24,
        },
        "weights 0.3 LSTM / 0.7 MLP": {"weights": [0.3, 0.7]},
    }
    for name, changes in expected.items():
        params = _plain(bench.SETTINGS[name](0, 1, 3.0, 0.1).get_params())
        changed = {key for key in params if params[key] != base[key]}
        assert changed == set(changes), name
        assert {key: params[key] for key in changed} == _plain(changes)


def test_a_bag_averages_the_settings_it_names(load_benchmark):
    bench = load_benchmark("bench_pair_settings")
    make = bench.SETTINGS["bag: the pair at 24, 36 and 48 hours"]
    members = make(1, 2, 2.0, 0.05).estimators
    assert len(members) == 3
    for (_, member), name in zip(
        members, ["24-hour windows", "as recommended", "48-hour windows"], strict=True
    ):
        alone = bench.SETTINGS[name](1, 2, 2.0, 0.05)
        assert _plain(member.get_params()) == _plain(alone.get_params())


def _fake_rule(train_end, costs):
    """Return a ``_rule`` that over-provisions by the setting's cost, and its calls.

    ``costs`` maps a weight decay to the (fold, test) over-provisioning: the
    setting is read from the pipeline, the split from whether its hours end
    after the training hours.
    """
    calls = []

    def rule(pipe, before, week, step, window=168):
        hours = week.index.get_level_values("time")
        on_test = hours.min() > train_end
        calls.append((before.index.get_level_values("time").max(), hours, on_test))
        decay = pipe.get_params()["lstm__lstm__weight_decay"]
        y = week.iloc[:, 0].to_numpy()
        return y, y + costs[decay][on_test]

    return rule, calls


def test_a_setting_is_scored_on_folds_of_the_training_hours(
    load_benchmark, monkeypatch
):
    bench = load_benchmark("bench_pair_settings")
    train, test = bench._cell_panel(4159)
    end = train.index.get_level_values("time").max()
    rule, calls = _fake_rule(end, {0.0: (0.01, 0.02)})
    monkeypatch.setattr(bench.bound, "_rule", rule)
    costs = bench.setting_costs(bench.SETTINGS["as recommended"], 4159, 0, 1, 2, 0.05)
    folds, on_test = calls[:3], calls[3]
    for fit_end, hours, test_split in folds:  # three weeks inside train
        assert not test_split and fit_end < hours.min() and hours.max() <= end
        assert len(hours) == 168
    assert on_test[2] and on_test[0] == end  # then fitted on all of train
    assert on_test[1].equals(test.index.get_level_values("time"))
    y = test.iloc[:, 0].to_numpy()
    assert costs["test"] == pytest.approx(bench.cost_ratio(y, y + 0.02, 0.05))
    weeks = [train.iloc[-168 * k :].iloc[:168, 0].to_numpy() for k in (3, 2, 1)]
    expected = np.mean([bench.cost_ratio(w, w + 0.01, 0.05) for w in weeks])
    assert costs["folds"] == pytest.approx(expected)
    assert costs["MSE"] == 0.0  # the fake forecast is the demand


def test_the_choice_is_made_on_the_folds_not_on_the_test_days(
    load_benchmark, monkeypatch, capsys, tmp_path
):
    bench = load_benchmark("bench_pair_settings")
    end = bench._cell_panel(4159)[0].index.get_level_values("time").max()
    # the weight decay is cheaper on the folds and dearer on the test days
    rule, _ = _fake_rule(end, {0.0: (0.03, 0.0), 1e-4: (0.01, 0.05)})
    monkeypatch.setattr(bench.bound, "_rule", rule)
    names = ["weight decay 1e-4", "as recommended"]  # not in alphabetical order
    png = tmp_path / "settings.png"
    table = bench.main(
        ["--settings", *names, "--cells", "4159", "--seeds", "1", "--plot", str(png)]
    )
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert list(table.index) == names  # the order given, as numbered
    assert table[("folds", "mean")].idxmin() == "weight decay 1e-4"
    assert table.loc["as recommended", ("test", 4159)] == pytest.approx(1.0)
    out = capsys.readouterr().out
    assert "the folds' choice: 'weight decay 1e-4'" in out
    assert "1. weight decay 1e-4" in out  # numbered as in the plot
    assert "met on 0 of 1 cells" in out  # its test cost is far above 1.368


def test_the_targets_must_match_the_cells(load_benchmark, capsys):
    bench = load_benchmark("bench_pair_settings")
    with pytest.raises(SystemExit):
        bench.main(["--cells", "4159", "4556", "--targets", "1.5"])
    assert "--targets: expected one per cell (2); got 1" in capsys.readouterr().err


@pytest.mark.slow
def test_as_recommended_is_bench_cost_bound_s_step_aware_pair(load_benchmark):
    bench = load_benchmark("bench_pair_settings")
    table = bench.main(
        ["--settings", "as recommended", "MLP (64, 32)", "--cells", "4159"]
        + ["--seeds", "1", "--epochs", "1"]
    )
    bound = load_benchmark("bench_cost_bound").main(
        ["--cells", "4159", "--seeds", "1", "--epochs", "1", "--stepped-loss", "2"]
        + ["--model", "lstm + mlp (averaged)"]
    )
    ours = table.loc["as recommended"]
    assert ours[("test", 4159)] == bound.loc[4159, "step-aware loss + rule"]
    assert ours[("MSE", 4159)] == bound.loc[4159, "MSE, step-aware loss"]
    other = table.loc["MLP (64, 32)"]
    assert np.isfinite(other.to_numpy(float)).all()
    assert other[("test", 4159)] != ours[("test", 4159)]  # another model was run
