"""A tiny folder of raw Milano files and the forecasts ``forecast-cells`` must give.

``local_forecast(argv)`` computes, in this process and without Dask, what
``lstmforecast forecast-cells`` with the same options writes: the CLI's own
aggregation and pipeline, one model per cell fitted in a local loop.
"""

import warnings
from pathlib import Path

import pytest

from lstmforecast import cli
from lstmforecast.datasets import make_milano_traffic, write_milano

# Tiny settings: 3 cells x 72 hours, 1 epoch.
FAST = ["--lookback", "6", "--epochs", "1", "--horizon", "2"]


@pytest.fixture(scope="session")
def raw_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("raw")
    write_milano(make_milano_traffic(n_cells=3, n_days=3, random_state=0), folder)
    return folder


@pytest.fixture(scope="session")
def fast_options():
    return list(FAST)


@pytest.fixture(scope="session")
def local_forecast():
    from lstmforecast.parallel import PerSeriesRegressor
    from lstmforecast.preprocessing import HourlyAggregator, make_horizon_targets

    def forecast(argv):
        args = cli._build_parser().parse_args(["forecast-cells", *argv])
        files = sorted(Path(args.data_dir).iterdir())
        agg = HourlyAggregator(
            freq=args.freq, missing=args.missing, max_gap=args.max_gap
        )
        hourly, _ = cli._aggregate_files(files, agg, args)
        frame = hourly[[args.target]].astype(float)
        y = frame[args.target]
        if args.horizon > 1:
            y = make_horizon_targets(y, args.horizon)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            model = PerSeriesRegressor(cli._cell_pipeline(args)).fit(frame, y)
        return model, frame, cli._next_hours(model, frame, args.target, args.horizon)

    return forecast
