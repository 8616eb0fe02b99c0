"""``lstmforecast forecast-cells``: a local cluster of --workers, and bad input
(one line on stderr, exit status 2, nothing written).

The run on a running cluster (``--scheduler``) is in test_dask.py, on that
module's cluster; the one here starts the CLI's own (the module's only one).
"""

import socket
import sys

import pandas as pd
import pytest

from lstmforecast.cli import main


def _argv(raw_folder, output):
    return ["forecast-cells", "--data-dir", str(raw_folder), "--output", str(output)]


@pytest.mark.slow
def test_forecast_cells_on_a_local_cluster_of_workers(
    raw_folder, fast_options, local_forecast, tmp_path, capsys
):
    pytest.importorskip("distributed")
    output = tmp_path / "out" / "forecasts.parquet"
    argv = ["--data-dir", str(raw_folder), "--output", str(output), *fast_options]
    assert main(["forecast-cells", *argv, "--workers", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == [
        f"  sms-call-internet-mi-2013-11-0{d}.txt: {n} slots"
        for d, n in ((1, "430"), (2, "427"), (3, "432"))
    ]
    assert "fitting 3 cell(s) on 1 Dask worker(s) (a local cluster)" in out
    assert out[-1] == f"forecast 2 step(s) of 'internet' for 3 cell(s) -> {output}"
    got = pd.read_parquet(output)
    _, _, expected = local_forecast(argv)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert sorted(p.name for p in output.parent.iterdir()) == ["forecasts.parquet"]


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def test_unreachable_scheduler_exits_2_and_writes_nothing(raw_folder, tmp_path, capsys):
    pytest.importorskip("distributed")
    output = tmp_path / "f.csv"
    with socket.socket() as s:  # a port where nothing listens
        s.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{s.getsockname()[1]}"
    argv = _argv(raw_folder, output) + ["--scheduler", address]
    assert main([*argv, "--timeout", "1"]) == 2
    line = _one_error_line(capsys)
    assert line == (
        f"lstmforecast: error: --scheduler '{address}': no Dask scheduler "
        "answered within 1 s. Check the address and port and that the scheduler is "
        "running (`dask scheduler` prints its address), raise --timeout, or drop "
        "--scheduler for a local cluster."
    )
    assert not output.exists()


def test_malformed_scheduler_exits_2(raw_folder, tmp_path, capsys):
    pytest.importorskip("distributed")
    argv = _argv(raw_folder, tmp_path / "f.csv") + ["--scheduler", "nonsense"]
    assert main(argv) == 2
    assert "--scheduler 'nonsense' is not a Dask scheduler address" in (
        _one_error_line(capsys)
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--scheduler", "tcp://a:1", "--workers", "2"], "not allowed with"),
        (["--types", "sms_in"], "--target 'internet' is not among --types"),
        (["--horizon", "0"], "expected an integer >= 1"),
        (["--timeout", "0"], "expected a number > 0"),
    ],
)
def test_bad_options_exit_2_before_any_cluster(
    raw_folder, tmp_path, capsys, extra, message
):
    assert main(_argv(raw_folder, tmp_path / "f.csv") + extra) == 2
    assert message in _one_error_line(capsys)
    assert list(tmp_path.iterdir()) == []


def test_bad_folder_and_output_name(tmp_path, raw_folder, capsys):
    assert main(_argv(tmp_path / "none", tmp_path / "f.csv")) == 2
    assert "is not a folder" in _one_error_line(capsys)
    assert main(_argv(raw_folder, tmp_path / "f.txt")) == 2
    assert "expected a .csv or .parquet file name" in _one_error_line(capsys)


def test_without_dask_the_error_says_how_to_install_it(
    raw_folder, tmp_path, capsys, monkeypatch
):
    monkeypatch.setitem(sys.modules, "distributed", None)
    assert main(_argv(raw_folder, tmp_path / "f.csv") + ["--workers", "1"]) == 2
    assert "pip install 'lstmforecast[dask]'" in _one_error_line(capsys)
    assert list(tmp_path.iterdir()) == []
