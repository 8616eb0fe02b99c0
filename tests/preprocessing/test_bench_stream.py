"""benchmarks/bench_stream.py at a tiny size: the shifted daily files are the
generated day moved on by whole days, and every case runs and agrees."""

import pandas as pd
import pytest

from lstmforecast.datasets import read_milano


@pytest.mark.slow
def test_bench_stream_runs_every_case_and_the_routes_agree(
    load_benchmark, tmp_path, capsys
):
    bench = load_benchmark("bench_stream")
    folder = tmp_path / "files"
    rows = bench.main(
        ["--cells", "40", "--days", "3", "--memory-cells", "30", "--equal-cells", "20"]
        + ["--folder", str(folder)]
    )
    text = capsys.readouterr().out
    assert [r["case"] for r in rows] == ["equal", "memory-30", "stream-30", "stream"]
    assert not any(r.get("failed") for r in rows)
    rows_out = {r["case"]: r["rows"] for r in rows}
    assert rows_out == {
        "equal": 20 * 72,
        "memory-30": 30 * 72,
        "stream-30": 30 * 72,
        "stream": 40 * 72,
    }
    assert "identical frames on 20 cells" in text and "2 GiB target" in text
    day1 = read_milano(folder / "sms-call-internet-mi-2013-11-01.txt")
    day3 = read_milano(folder / "sms-call-internet-mi-2013-11-03.txt")
    moved = day1.assign(time=day1["time"] + pd.Timedelta(days=2))
    pd.testing.assert_frame_equal(day3, moved)
