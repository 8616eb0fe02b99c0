import subprocess
import sys

import pandas as pd
import pytest

from lstmforecast.cli import main, summarize_hourly
from lstmforecast.datasets import load_milano_cells
from lstmforecast.preprocessing import HourlyAggregator


def test_lab_prints_summary_and_saves_outputs(tmp_path, capsys):
    status = main(["lab", "--output-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0
    assert "4,464 hourly values" in out
    assert "match the bundled 2-month totals: yes" in out
    png = tmp_path / "milano_traces.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    hourly = pd.read_csv(tmp_path / "milano_hourly.csv")
    assert len(hourly) == 3 * 1488


def test_lab_reports_bad_cells_cleanly(tmp_path, capsys):
    status = main(["lab", "--cells", "3", "--no-plot", "--output-dir", str(tmp_path)])
    assert status == 2
    assert "not bundled" in capsys.readouterr().err


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
def test_python_dash_m_entry_point(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "lstmforecast",
            "lab",
            "--no-plot",
            "--output-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "hourly values" in out.stdout
