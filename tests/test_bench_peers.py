"""benchmarks/bench_peers.py and bench_public.py: scores, targets, smoke runs.

The smoke runs make every peer look absent (whatever is installed), so they run
the library rows only, in seconds, and check that each skipped peer is named
with its reason.
"""

import dataclasses

import numpy as np
import pandas as pd
import pytest

MISSING = "no_such_module_for_lstmforecast_tests"


def test_the_oracle_costs_exactly_the_oracle(load_benchmark):
    bench = load_benchmark("bench_peers")
    demand = np.array([0.21, 0.5, 0.98, 0.33, 0.0, 0.77])
    oracle = bench.scores(demand, demand, step=0.05)
    assert oracle["cost_vs_oracle"] == 1.0
    assert oracle["mse"] == oracle["mae"] == 0.0 and oracle["r2"] == 1.0
    assert oracle["acceptance"] == 1.0
    # blocked traffic costs ten times the spare capacity
    low = bench.scores(demand, demand - 0.1, step=0.05)
    high = bench.scores(demand, demand + 0.1, step=0.05)
    assert low["cost_vs_oracle"] > high["cost_vs_oracle"] > 1.0
    assert low["acceptance"] < 1.0 == high["acceptance"]


def test_a_missing_peer_is_skipped_with_its_reason(load_benchmark, monkeypatch):
    bench = load_benchmark("bench_peers")
    monkeypatch.setattr(bench, "PEER_MODULES", {"fake": ("numpy", MISSING)})
    status = bench.peer_status()
    assert list(status) == ["fake"]
    assert "ModuleNotFoundError" in status["fake"] and MISSING in status["fake"]
    assert bench.peer_status({"numpy": ("numpy",)}) == {"numpy": None}


def _table(bench, mse, cost, group):
    table = pd.DataFrame(
        {"group": group, "runs": 1, "mse": mse, "cost": cost},
        index=pd.Index([f"m{i}" for i in range(len(mse))], name="model"),
    )
    table["cost_vs_oracle"] = table["cost"] / 0.02
    return table


def test_targets_compare_each_library_row_with_the_best_peer(load_benchmark):
    bench = load_benchmark("bench_peers")
    group = ["library", "library", "peer", "baseline", "reference", "oracle"]
    table = _table(
        bench,
        mse=[1.0, 3.0, 2.0, 4.0, 0.5, 0.0],
        cost=[0.024, 0.05, 0.04, 0.06, 0.01, 0.02],
        group=group,
    )
    checks = bench.targets({7: table}).set_index("config")
    assert list(checks.index) == ["m0", "m1"]  # the reference never competes
    good, bad = checks.loc["m0"], checks.loc["m1"]
    assert good["best_peer_by_mse"] == "m2" and good["best_peer_by_cost"] == "m2"
    assert good["lower_mse"] and good["lower_cost"]
    assert good["cost_vs_best_peer"] == pytest.approx(0.6)
    assert good["cost_le_0.8_best_peer"] and good["cost_le_1.5_oracle"]
    assert good["all_hold"]
    assert not (bad["lower_mse"] or bad["lower_cost"] or bad["all_hold"])
    lines = bench.targets_text(bench.targets({7: table}), skipped={"darts": "x"})
    assert lines[0].startswith("NOTE") and "darts" in lines[0]
    assert any("m0: all four hold on 1 of 1 cells -> MET" in line for line in lines)
    assert lines[-1] == "best library configuration: m0"


def test_markdown_table_has_a_header_and_a_row_per_model(load_benchmark):
    bench = load_benchmark("bench_peers")
    table = pd.DataFrame({"group": ["peer"], "mse": [0.000123456]}, index=["a"])
    table.index.name = "model"
    text = bench.markdown_table(table).splitlines()
    assert text == [
        "| model | group | mse |",
        "|---|---|---|",
        "| a | peer | 0.0001235 |",
    ]


@pytest.mark.slow
def test_bench_peers_quick_runs_the_library_rows_and_skips_peers(
    load_benchmark, monkeypatch, capsys, tmp_path
):
    bench = load_benchmark("bench_peers")
    peers = dict.fromkeys(bench.PEER_MODULES, (MISSING,))
    monkeypatch.setattr(bench, "PEER_MODULES", peers)
    out = tmp_path / "peers"
    result = bench.main(
        ["--quick", "--models", *bench.RECOMMENDED, "naive", "--out", str(out)]
    )
    text = capsys.readouterr().out
    for peer in peers:
        assert f"peer {peer}: skipped (ModuleNotFoundError" in text
    assert set(result["skipped"]) == set(peers)
    (cell, table), *others = result["tables"].items()
    assert not others and cell == 4159  # --quick: one cell, one seed
    assert list(table.columns) == bench.COLUMNS
    assert table.loc["oracle", "cost_vs_oracle"] == 1.0
    library = table[table["group"] == "library"]
    assert list(library.index) == list(bench.RECOMMENDED)
    assert (library["runs"] == 1).all()
    assert set(table.loc[table["group"] == "baseline"].index) == {
        "seasonal naive 24 h",
        "seasonal naive 168 h",
    }
    numbers = table[bench.COLUMNS[2:]]
    assert np.isfinite(numbers.to_numpy(dtype=float)).all()
    assert (table["acceptance"] <= 1).all() and (table["cost_vs_oracle"] >= 1).all()
    # the naive of the day before is the same hour one day earlier, by hand
    series = bench.cell_series(4159)
    naive = series.shift(24).iloc[-bench.N_TEST :].to_numpy()
    y = series.iloc[-bench.N_TEST :].to_numpy()
    assert table.loc["seasonal naive 24 h", "mse"] == pytest.approx(
        np.mean((naive - y) ** 2)
    )
    assert len(result["targets"]) == len(library)
    assert "### Cell 4159" in out.with_suffix(".md").read_text()
    saved = pd.read_csv(out.with_suffix(".csv"))
    assert list(saved.columns) == ["cell", "model", *bench.COLUMNS]
    assert table.loc["naive (last hour)", "group"] == "reference"
    assert "the last-hour naive (a reference, not a target)" in result["text"]
    again = bench.main(["--from-csv", str(out.with_suffix(".csv"))])
    pd.testing.assert_frame_equal(
        again["tables"][4159], table, check_dtype=False, check_names=False
    )


def test_public_split_and_truth(load_benchmark):
    bench = load_benchmark("bench_public")
    series = bench._public_series.synthetic(1500)
    series.iloc[[100, 1400]] = np.nan  # one gap in the training hours, one in test
    prep = bench.prepare("s", series, max_train=1000, max_test=720)
    assert prep.n_test == 300 and prep.n_train == 1000 and prep.dropped == 200
    assert len(prep.values) == 1300 and prep.values.notna().all()
    assert prep.values.iloc[:1000].abs().max() == pytest.approx(1.0)
    Y1, mask1 = bench.test_truth(prep, 1)
    Y24, mask24 = bench.test_truth(prep, 24)
    assert Y1.shape == (300, 1) and Y24.shape == (277, 24)
    np.testing.assert_allclose(Y24[:, 0], Y1[:277, 0])
    np.testing.assert_allclose(Y24[0, 1:], Y1[1:24, 0])
    assert (~mask1).sum() == 1  # the test gap is never scored
    assert (~mask24).sum() == 24  # once per step that reaches it
    with pytest.raises(ValueError, match="training hours"):
        bench.prepare("short", series.iloc[:600], max_train=4000, max_test=720)


@pytest.mark.slow
def test_bench_public_quick_on_the_synthetic_series(
    load_benchmark, monkeypatch, capsys, tmp_path
):
    bench = load_benchmark("bench_public")
    run, stochastic, _ = bench.MODELS["MSTL"]
    monkeypatch.setitem(bench.MODELS, "MSTL", (run, stochastic, MISSING))
    out = tmp_path / "public"
    result = bench.main(["--quick", "--series", "synthetic", "--out", str(out)])
    text = capsys.readouterr().out
    assert "model MSTL: skipped (ModuleNotFoundError" in text
    table = result["table"]
    assert set(table["model"]) == set(bench.MODELS) - {"MSTL"}
    assert sorted(set(table["horizon"])) == [1, 24]
    naive = table[table["model"] == "seasonal naive 24 h"]
    assert (naive["mse_vs_naive24"] == 1.0).all()
    assert np.isfinite(table["mse"]).all() and (table["mse"] > 0).all()
    assert list(table.loc[table["horizon"] == 24, "scored"].unique()) == [217 * 24]
    checks = result["targets"]
    assert checks["le_mstl"].isna().all()
    for config in bench.LIBRARY:  # every library configuration is judged
        assert list(checks.loc[checks["config"] == config, "horizon"]) == [1, 24]
        assert f"target for {config} " in text
    assert "incomplete" in text
    written = out.with_suffix(".md").read_text()
    assert "### synthetic" in written and "| lstm (recommended) |" in written
    assert "| lstm (ridge path) |" in written


def test_public_series_name_their_package_when_it_is_missing(
    load_benchmark, monkeypatch
):
    bench = load_benchmark("bench_public")
    series = bench._public_series
    fake = dataclasses.replace(series.SOURCES["water_flow"], package=MISSING)
    monkeypatch.setitem(series.SOURCES, "water_flow", fake)
    status = series.status(["water_flow", "synthetic"])
    assert status["synthetic"] is None
    assert "ModuleNotFoundError" in status["water_flow"]
    assert {s.domain for s in series.SOURCES.values()} >= {
        "weather",
        "demand",
        "flow",
        "sensor / solar",
    }


def test_the_unit_is_set_by_the_training_hours_alone(load_benchmark, monkeypatch):
    bench = load_benchmark("bench_peers")
    import lstmforecast.lab

    real = bench.cell_series(4159)
    # the bundled cells' busiest hour lies in the training hours
    assert real.iloc[: -bench.N_TEST].max() == pytest.approx(1.0)
    assert real.iloc[-bench.N_TEST :].max() < 1.0
    # a test period that outgrows the training peak changes no training value
    raw = lstmforecast.lab.lab_series(cell=4159)
    louder = raw.copy()
    louder.iloc[-bench.N_TEST :] *= 10.0
    before = louder.copy()
    monkeypatch.setattr(lstmforecast.lab, "lab_series", lambda cell: louder)
    scaled = bench.cell_series(4159)
    pd.testing.assert_series_equal(
        scaled.iloc[: -bench.N_TEST], real.iloc[: -bench.N_TEST], check_exact=True
    )
    assert scaled.iloc[-bench.N_TEST :].max() > 1.0
    pd.testing.assert_series_equal(louder, before, check_exact=True)  # untouched


def test_the_averaged_entry_is_the_mean_of_the_two_recommended_networks(
    load_benchmark,
):
    bench = load_benchmark("bench_peers")
    frame = bench.cell_series(4159).to_frame("internet").iloc[-400:]
    train, test = frame.iloc[:-48], frame.iloc[-48:]
    average = bench.RECOMMENDED["lstm + mlp (averaged)"]
    members = [bench.RECOMMENDED[f"{net} (recommended)"] for net in ("lstm", "mlp")]
    forecasts = [
        make(3, 1, 2).fit(train, train.iloc[:, 0]).predict(test) for make in members
    ]
    both = average(3, 1, 2).fit(train, train.iloc[:, 0]).predict(test)
    assert both.shape == (48,)
    np.testing.assert_allclose(both, np.mean(forecasts, axis=0), rtol=0, atol=1e-12)
    assert not np.allclose(forecasts[0], forecasts[1])  # two different networks
    with pytest.raises(ValueError, match="horizon: .* one step ahead.*got 24"):
        average(0, 24)
