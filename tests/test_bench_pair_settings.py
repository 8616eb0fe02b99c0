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


def test_a_seed_bag_averages_the_pair_at_seeds_no_other_evaluation_seed_uses(
    load_benchmark,
):
    bench = load_benchmark("bench_pair_settings")
    make = bench.SETTINGS["bag: the pair at 3 seeds"]
    seeds = {}
    for seed in range(3):
        members = make(seed, 2, 2.0, 0.05).estimators
        assert len(members) == 3
        for _, member in members:
            params = member.get_params()
            assert (
                params["lstm__lstm__random_state"] == params["mlp__mlp__random_state"]
            )
            seeds.setdefault(seed, []).append(params["lstm__lstm__random_state"])
            alone = bench.SETTINGS["as recommended"](seeds[seed][-1], 2, 2.0, 0.05)
            assert _plain(params) == _plain(alone.get_params())
    assert seeds == {0: [0, 1, 2], 1: [3, 4, 5], 2: [6, 7, 8]}


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


def _small_fit(callbacks, epochs=4, seed=0):
    """Return an LSTMRegressor fitted on a short noisy sine with ``callbacks``."""
    from lstmforecast import LSTMRegressor

    rng = np.random.default_rng(seed)
    y = np.sin(np.arange(200) / 4.0) + 0.1 * rng.standard_normal(200)
    X = np.lib.stride_tricks.sliding_window_view(y[:-1], 8)[:, :, None].copy()
    net = LSTMRegressor(
        (4,), max_epochs=epochs, lr=1e-2, random_state=seed, callbacks=callbacks
    )
    return net.fit(X, y[8:])


def test_cosine_settings_decay_each_network_over_its_own_epochs(load_benchmark):
    bench = load_benchmark("bench_pair_settings")
    base = _plain(bench.pair(0, None, 2.0, 0.05).get_params())
    for name, epochs in [("cosine learning rate", None), ("cosine learning rate", 3)]:
        params = bench.SETTINGS[name](0, epochs, 2.0, 0.05).get_params()
        for net in bench.NETWORKS:
            (decay,) = params[f"{net}__callbacks"]
            assert decay.policy is bench.CosineAnnealingLR
            assert decay.kwargs == {"T_max": params[f"{net}__max_epochs"]}
        changed = {k for k, v in _plain(params).items() if v != base[k]}
        expected = {f"{net}__callbacks" for net in bench.NETWORKS}
        if epochs is not None:  # a quick look shortens the schedule with the fit
            expected |= {f"{net}__max_epochs" for net in bench.NETWORKS}
        assert changed == expected
    twice = bench.SETTINGS["cosine learning rate, twice the epochs"](0, None)
    assert twice.get_params()["mlp__mlp__callbacks"][0].kwargs == {"T_max": 120}
    # the rate a fit trains with follows the cosine from lr towards 0
    from skorch.callbacks import LRScheduler

    decay = LRScheduler(policy=bench.CosineAnnealingLR, T_max=4, event_name="lr_")
    fitted = _small_fit([decay]).net_
    lr = np.asarray(fitted.history[:, "lr_"])
    expected = 1e-2 * (1 + np.cos(np.pi * np.arange(4) / 4)) / 2
    np.testing.assert_allclose(lr, expected, rtol=1e-6)


def test_weight_average_keeps_the_mean_of_the_last_epochs(load_benchmark):
    bench = load_benchmark("bench_pair_settings")
    from skorch.callbacks import Callback

    class Record(Callback):
        def initialize(self):
            self.weights_ = []
            return self

        def on_epoch_end(self, net, **kwargs):
            self.weights_.append([w.detach().clone() for w in net.module_.parameters()])

    record = Record()
    fitted = _small_fit([record, bench.WeightAverage(0.5)], epochs=4).net_
    # the fitted copy (the estimator's parameters are cloned)
    (record,) = [cb for _, cb in fitted.callbacks_ if isinstance(cb, Record)]
    assert len(record.weights_) == 4
    plain = _small_fit([]).net_  # the same fit without the average ends elsewhere
    for i, weight in enumerate(fitted.module_.parameters()):
        mean = (record.weights_[2][i] + record.weights_[3][i]) / 2  # epochs 3, 4
        np.testing.assert_allclose(weight.detach(), mean, rtol=1e-5, atol=1e-7)
        # averaging changes nothing on the way: the last epoch's weights are
        # those of the same fit without it
        last = list(plain.module_.parameters())[i].detach()
        np.testing.assert_allclose(last, record.weights_[3][i], rtol=1e-5, atol=1e-7)
    assert not np.allclose(
        list(fitted.module_.parameters())[0].detach(), record.weights_[3][0]
    )
