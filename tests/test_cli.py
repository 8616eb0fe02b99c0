"""The command line: the lab's artefacts, reproducibility, the other subcommands and
bad input (one line on stderr, exit status 2, never a traceback)."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from lstmforecast.cli import main, summarize_hourly
from lstmforecast.datasets import load_milano_cells, make_milano_traffic, write_milano
from lstmforecast.preprocessing import HourlyAggregator

TINY_LAB = [
    "lab",
    "--days",
    "16",
    "--test-days",
    "2",
    "--lstm-epochs",
    "2",
    "--mlp-epochs",
    "2",
    "--grid-epochs",
    "1",
    "--alphas",
    "1",
    "2",
    "--betas",
    "5",
    "10",
    "--quiet",
]
PNGS = [
    "traces_week.png",
    "mlp_structure.png",
    "lstm_structure.png",
    "training_curves.png",
    "forecasts.png",
    "cost_surface.png",
    "capacity.png",
    "report.png",
]


@pytest.fixture(scope="module")
def lab_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("lab")
    assert main([*TINY_LAB, "--output-dir", str(out)]) == 0
    return out


@pytest.mark.slow
def test_lab_writes_every_artefact(lab_run):
    for name in PNGS:
        assert (lab_run / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    report = (lab_run / "report.md").read_text()
    for name in PNGS:
        assert f"]({name})" in report, f"report.md does not link {name}"
    forecasts = pd.read_csv(
        lab_run / "forecasts.csv", index_col=0, float_precision="round_trip"
    )
    assert list(forecasts.columns) == ["truth", "mlp", "lstm", "seasonal_naive"]
    assert len(forecasts) == 2 * 24


@pytest.mark.slow
def test_lab_metrics_json_keys_and_ranges(lab_run):
    results = json.loads((lab_run / "metrics.json").read_text())
    assert {
        "config",
        "data",
        "features",
        "splits",
        "models",
        "metrics",
        "metrics_unscaled",
        "provisioning",
        "grid_search",
        "artefacts",
        "elapsed_s",
    } <= set(results)
    assert results["config"]["days"] == 16 and results["config"]["seed"] == 0
    assert results["data"]["hours"] == 16 * 24
    assert set(results["features"]) == {
        "day_of_week",
        "hour",
        "working_day",
        "prev_week",
        "prev_day",
    }
    for feature in results["features"].values():
        assert feature["raw_min"] <= feature["raw_max"]
        assert feature["scaled_min"] >= -1e-9  # lags on the test may exceed 1
    assert results["splits"]["lstm_test"] == [48, 36, 1]
    assert results["splits"]["mlp_test"] == [48, 5]
    assert results["models"]["lstm"]["n_params"] == 428
    assert results["models"]["mlp"]["n_params"] == 311
    for table in ("metrics", "metrics_unscaled"):
        assert set(results[table]) == {"mlp", "lstm", "seasonal_naive"}
        for row in results[table].values():
            assert row["mse"] >= 0 and row["mae"] >= 0 and row["r2"] <= 1
            assert row["mse_units"] >= row["mse"] * 0  # finite, not negative
    # the naive baseline is the same whatever the scaling
    assert results["metrics"]["seasonal_naive"]["mse"] == pytest.approx(
        results["metrics_unscaled"]["seasonal_naive"]["mse"]
    )
    prov = results["provisioning"]
    assert 0 < prov["factor_gbit_per_unit"]
    report = prov["report"]
    assert report["static peak"]["acceptance"] == 1.0
    for row in report.values():
        assert 0 <= row["acceptance"] <= 1 and 0 <= row["hours_served"] <= 1
        assert row["cost"] >= 0
    assert len(results["grid_search"]["candidates"]) == 4  # lookback 24/36 x 2 losses
    assert results["grid_search"]["best_by_cost"]["rank_cost"] == 1


@pytest.mark.slow
def test_lab_same_seed_same_metrics(lab_run, tmp_path):
    assert main([*TINY_LAB, "--no-grid", "--output-dir", str(tmp_path)]) == 0
    first = json.loads((lab_run / "metrics.json").read_text())
    second = json.loads((tmp_path / "metrics.json").read_text())
    assert first["metrics"] == second["metrics"]
    assert first["metrics_unscaled"] == second["metrics_unscaled"]
    assert first["provisioning"] == second["provisioning"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lab", "--cell", "3"], "not bundled"),
        (["lab", "--data-dir", "/nonexistent/milano"], "is not a folder"),
        (["lab", "--traffic", "sms_in"], "internet activity only"),
        (["lab", "--traffic", "smsin"], "invalid choice"),
        (["lab", "--days", "0"], "expected an integer >= 1"),
        (["lab", "--days", "70"], "days: expected an integer from 1 to 62"),
        (["lab", "--days", "12", "--test-days", "10"], "leaves 2 training days"),
        (["lab", "--alpha", "-1"], "expected a finite number >= 0"),
        (["lab", "--step", "0"], "expected a number > 0"),
        (["lab", "--alphas", "1"], "alphas: expected at least two"),
        (["lab", "--lookback", "x"], "invalid _positive_int value"),
        (["lab", "--bogus"], "unrecognized arguments"),
        (["fit", "--data", "/nonexistent.csv"], "no such file"),
        (
            ["predict", "--model", "/nonexistent.lstmf", "--data", "x.csv"],
            "run 'fit' first",
        ),
        (
            ["evaluate", "--model", "/nonexistent.lstmf", "--data", "x.csv"],
            "model file '/nonexistent.lstmf': no such file",
        ),
        (["predict", "--data", "x.csv"], "--model"),
        (
            ["aggregate", "--data-dir", "/nonexistent", "--output", "x.csv"],
            "is not a folder",
        ),
    ],
)
def test_bad_input_is_one_line_and_status_2(args, message, tmp_path, capsys):
    if args[0] == "lab":
        args = [*args, "--output-dir", str(tmp_path / "out"), "--quiet"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_unwritable_output_folder(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert main(["lab", "--quiet", "--output-dir", str(blocker / "out")]) == 2
    err = capsys.readouterr().err
    assert "output_dir: cannot write to" in err and len(err.splitlines()) == 1


@pytest.mark.slow
def test_aggregate_fit_predict_evaluate_round_trip(tmp_path, capsys):
    raw = tmp_path / "raw"
    frame = make_milano_traffic(n_cells=2, n_days=4, random_state=0)
    write_milano(frame, raw, format="kaggle", random_state=0)
    hourly_csv = tmp_path / "hourly.csv"
    assert main(["aggregate", "--data-dir", str(raw), "--output", str(hourly_csv)]) == 0
    hourly = pd.read_csv(hourly_csv, float_precision="round_trip")
    assert len(hourly) == 2 * 4 * 24
    cell = int(hourly["cell"].iloc[0])
    model = tmp_path / "model.lstmf"
    assert (
        main(
            [
                "fit",
                "--data",
                str(hourly_csv),
                "--epochs",
                "2",
                "--lookback",
                "12",
                "--output",
                str(model),
            ]
        )
        == 2
    )  # two cells
    assert "choose one with --cell" in capsys.readouterr().err
    assert (
        main(
            [
                "fit",
                "--data",
                str(hourly_csv),
                "--cell",
                str(cell),
                "--epochs",
                "2",
                "--lookback",
                "12",
                "--output",
                str(model),
            ]
        )
        == 0
    )
    forecast_csv = tmp_path / "forecast.csv"
    assert (
        main(
            [
                "predict",
                "--model",
                str(model),
                "--data",
                str(hourly_csv),
                "--cell",
                str(cell),
                "--output",
                str(forecast_csv),
            ]
        )
        == 0
    )
    forecast = pd.read_csv(forecast_csv, float_precision="round_trip")
    assert len(forecast) == 4 * 24 + 1  # every hour, and the hour after the data
    assert forecast["forecast"].iloc[:12].isna().all()  # no 12-hour history yet
    assert np.isfinite(forecast["forecast"].iloc[12:]).all()
    assert np.isnan(forecast["internet"].iloc[-1])  # the future hour
    # Parquet works the same way, index and all
    hourly_parquet = tmp_path / "hourly.parquet"
    agg_args = ["aggregate", "--data-dir", str(raw), "--output", str(hourly_parquet)]
    assert main(agg_args) == 0
    from_parquet = tmp_path / "forecast_parquet.csv"
    predict_args = ["predict", "--model", str(model), "--data", str(hourly_parquet)]
    assert (
        main([*predict_args, "--cell", str(cell), "--output", str(from_parquet)]) == 0
    )
    pd.testing.assert_frame_equal(
        pd.read_csv(from_parquet, float_precision="round_trip"), forecast
    )
    capsys.readouterr()
    assert (
        main(
            [
                "evaluate",
                "--model",
                str(model),
                "--data",
                str(hourly_csv),
                "--cell",
                str(cell),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "hours scored" in out and "seasonal_naive" in out
    assert "provisioning_cost" in out


def test_summary_numbers():
    hourly = HourlyAggregator().fit_transform(load_milano_cells(4159))
    summary = summarize_hourly(hourly).loc[4159]
    values = hourly.loc[4159, "internet"]
    assert summary["hours"] == 1488
    assert summary["peak"] == values.max()
    assert summary["peak_to_mean"] == pytest.approx(values.max() / values.mean())
    weekend = values.index.day_of_week >= 5
    assert summary["weekend_mean"] == pytest.approx(values[weekend].mean())


@pytest.mark.slow
def test_python_dash_m_help():
    out = subprocess.run(
        [sys.executable, "-m", "lstmforecast", "lab", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "--data-dir" in out.stdout and "provisioning cost" in out.stdout


@pytest.mark.slow
def test_lab_on_raw_files_of_another_traffic_type(tmp_path):
    raw = tmp_path / "raw"
    frame = make_milano_traffic(n_cells=2, n_days=11, random_state=1)
    write_milano(frame, raw, format="dataverse", random_state=1)
    cell = int(frame["cell"].iloc[0])
    out = tmp_path / "out"
    args = [
        "lab",
        "--data-dir",
        str(raw),
        "--cell",
        str(cell),
        "--traffic",
        "call_in",
        "--days",
        "11",
        "--test-days",
        "2",
        "--lstm-epochs",
        "2",
        "--mlp-epochs",
        "2",
        "--no-grid",
        "--quiet",
        "--output-dir",
        str(out),
    ]
    assert main(args) == 0
    results = json.loads((out / "metrics.json").read_text())
    assert results["config"]["traffic"] == "call_in"
    assert results["data"]["hours"] == 11 * 24
    assert str(raw) in results["data"]["source"]
    assert (out / "traces_week.png").exists()  # the data end before 2 December
    # a cell the files do not hold is a one-line error
    assert main([*args[:5], "99999", *args[6:]]) == 2


def test_aggregate_interpolates_gaps_up_to_max_gap(tmp_path, capsys):
    slots = make_milano_traffic(cells=[7], n_days=1, random_state=1, empty_fraction=0)
    raw = tmp_path / "raw"
    write_milano(slots.drop(index=slots.index[31:34]), raw, format="kaggle")
    out = tmp_path / "hourly.csv"
    args = ["aggregate", "--data-dir", str(raw), "--output", str(out)]
    assert main([*args, "--missing", "interpolate"]) == 0
    assert "3 missing slots filled" in capsys.readouterr().out
    hourly = pd.read_csv(out, float_precision="round_trip")
    reference = HourlyAggregator(missing="interpolate").fit_transform(
        slots.drop(index=slots.index[31:34])
    )
    np.testing.assert_allclose(hourly["internet"], reference["internet"], rtol=1e-9)
    assert main([*args, "--missing", "interpolate", "--max-gap", "20min"]) == 2
    err = capsys.readouterr().err
    assert "of cell 7" in err and "max_gap is '20min'" in err
    assert len(err.strip().splitlines()) == 1
    assert main([*args, "--missing", "interpolate", "--max-gap", "soon"]) == 2
    assert "--max-gap: expected a duration > 0" in capsys.readouterr().err
