"""One protocol: the command's numbers are run_protocol's, on the same data."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from lstmforecast.lab import (
    LabConfig,
    cost_protocol,
    lab_series,
    load_dataset,
    protocol_table,
    run_lab,
    run_protocol,
)

TINY = LabConfig(
    days=11, test_days=2, lstm_epochs=2, mlp_epochs=2, grid=False, verbose=0
)


@pytest.fixture(scope="module")
def tiny_lab(tmp_path_factory):
    out = tmp_path_factory.mktemp("lab")
    return run_lab(TINY, output_dir=out)


@pytest.mark.slow
def test_the_command_scores_are_the_protocol_scores(tiny_lab):
    series = lab_series(TINY)
    scores = run_protocol(series, TINY, models=("mlp", "lstm", "seasonal_naive"))
    assert tiny_lab["metrics"] == scores.T.to_dict()
    assert tiny_lab["data"]["hours"] == len(series) == 11 * 24


@pytest.mark.slow
def test_results_config_is_every_field_but_where_and_how_loud(tiny_lab):
    names = [f.name for f in dataclasses.fields(LabConfig)]
    names = [n for n in names if n not in ("output_dir", "verbose")]
    assert list(tiny_lab["config"]) == names
    assert tiny_lab["config"]["trace_cells"] == [4159, 4556, 5161]
    assert tiny_lab["config"]["alphas"] == list(range(1, 11))
    assert tiny_lab["config"]["days"] == 11


def test_lab_series_is_the_lab_table_hour_by_hour():
    series = lab_series(TINY, cell=4556)
    table = load_dataset(4556, start_day=1, num_days=11, traffic_type="internet")
    np.testing.assert_array_equal(series.to_numpy(), table.to_numpy().ravel())
    assert series.index[0] == pd.Timestamp("2013-11-01", tz="Europe/Rome")


def test_protocol_networks_follow_the_config():
    series = lab_series(TINY)
    few = run_protocol(series, TINY, models=("lstm_raw",), lstm_epochs=1)
    again = run_protocol(series, TINY, models=("lstm_raw",), lstm_epochs=1)
    pd.testing.assert_frame_equal(few, again)  # seeded
    other = run_protocol(series, TINY, models=("lstm_raw",), lstm_epochs=1, seed=1)
    assert not few.equals(other)
    with pytest.raises(ValueError, match=r"models: unknown \['gru'\]"):
        run_protocol(series, TINY, models=("gru",))
    with pytest.raises(ValueError, match="series: 200 hours leave 152 training hours"):
        run_protocol(series.iloc[:200], TINY)


def test_protocol_table_has_a_row_per_cell_and_model():
    table = protocol_table(
        [4159, 5161], seeds=[0], config=TINY, models=["seasonal_naive"]
    )
    assert table.index.tolist() == [(4159, "seasonal_naive"), (5161, "seasonal_naive")]


def test_seasonal_naive_scores_are_the_day_before_with_rmse():
    series = lab_series(TINY)
    scores = run_protocol(series, TINY, models=("seasonal_naive",))
    row = scores.loc["seasonal_naive"]
    test = series.iloc[-48:].to_numpy()
    error = test - series.shift(24).iloc[-48:].to_numpy()  # the same hour yesterday
    assert row["mse_units"] == pytest.approx(np.mean(error**2))
    assert row["rmse_units"] == pytest.approx(np.sqrt(np.mean(error**2)))
    assert row["rmse"] == pytest.approx(np.sqrt(row["mse"]))
    assert row["mae_units"] == pytest.approx(np.mean(np.abs(error)))


def test_cost_protocol_in_gbit_per_s():
    config = dataclasses.replace(TINY, days=14, lstm_epochs=1)
    result = cost_protocol(lab_series(config), config, validation_hours=24)
    forecasts = result["forecasts"]
    assert len(forecasts) == 48 and 0 < forecasts["demand"].max() <= 1.0
    assert list(result["costs"].columns) == ["cost", "over", "under"]
    assert -0.2 <= result["margin"] <= 0.5
    with pytest.raises(ValueError, match="validation_hours: expected an integer"):
        cost_protocol(lab_series(config), config, validation_hours=10_000)
