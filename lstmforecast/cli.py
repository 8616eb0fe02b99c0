"""The ``lstmforecast`` command line.

Subcommands: ``lab`` (the Milano traffic-prediction lab, tasks 1-8, on the bundled
real data or raw files), ``aggregate`` (raw Telecom Italia files to an hourly CSV
or Parquet table), ``fit`` / ``predict`` / ``evaluate`` (a forecasting pipeline on
your own hourly CSV, saved as a ``.lstmf`` model file that loads without running
code from the file; old joblib files only with ``--trust``), ``forecast-cells`` (one
model per cell of a folder of raw files, fitted on Dask, and each cell's next hours).
Errors are one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import warnings
from dataclasses import fields
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from lstmforecast import __version__
from lstmforecast.datasets import TIMEZONE, TRAFFIC_TYPES
from lstmforecast.lab import LabConfig

__all__ = ["main", "summarize_hourly"]


def summarize_hourly(hourly: pd.DataFrame, column: str = "internet") -> pd.DataFrame:
    """Per-cell summary of an hourly frame indexed by ``(cell, time)``.

    Parameters
    ----------
    hourly : pandas.DataFrame
        Output of :class:`~lstmforecast.preprocessing.HourlyAggregator` on a tidy
        frame.
    column : str, default='internet'
        The traffic column to summarise.

    Returns
    -------
    summary : pandas.DataFrame
        One row per cell: hours, first and last hour, total, mean, peak and the
        peak hour, the peak-to-mean ratio (what a static allocation for the peak
        over-provisions on average), and the weekday and weekend means.

    Examples
    --------
    >>> from lstmforecast.datasets import load_milano_cells
    >>> from lstmforecast.preprocessing import HourlyAggregator
    >>> hourly = HourlyAggregator().fit_transform(load_milano_cells(5161))
    >>> summarize_hourly(hourly).loc[5161, "hours"]
    np.int64(1488)
    """
    rows = {}
    for cell, part in hourly[column].groupby(level=0):
        s = part.droplevel(0)
        local = s.index.tz_convert(TIMEZONE) if s.index.tz is not None else s.index
        weekend = local.day_of_week >= 5
        rows[cell] = {
            "hours": len(s),
            "first": local[0],
            "last": local[-1],
            "total": s.sum(),
            "mean": s.mean(),
            "peak": s.max(),
            "peak_at": local[int(np.argmax(s.to_numpy()))],
            "peak_to_mean": s.max() / s.mean(),
            "weekday_mean": s[~weekend].mean(),
            "weekend_mean": s[weekend].mean(),
        }
    summary = pd.DataFrame.from_dict(rows, orient="index")
    summary.index.name = "cell"
    return summary


def _run_lab(args) -> int:
    from lstmforecast.lab import run_lab

    # the lab's options are LabConfig's fields (see _lab_options)
    run_lab(LabConfig(**{f.name: getattr(args, f.name) for f in fields(LabConfig)}))
    return 0


def _run_aggregate(args) -> int:
    from lstmforecast.preprocessing import HourlyAggregator

    folder = Path(args.data_dir)
    if not folder.is_dir():
        raise ValueError(f"--data-dir {str(folder)!r} is not a folder.")
    files = sorted(
        p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")
    )
    if not files:
        raise ValueError(f"--data-dir {str(folder)!r} holds no files.")
    output = Path(args.output)
    if output.suffix not in (".csv", ".parquet"):
        raise ValueError(
            f"--output {str(output)!r}: expected a .csv or .parquet file name."
        )
    agg = HourlyAggregator(freq=args.freq, missing=args.missing, max_gap=args.max_gap)
    hourly, n_slots = _aggregate_files(files, agg, args)
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.suffix == ".csv":
        hourly.to_csv(output)
    else:
        hourly.to_parquet(output)
    n_cells = hourly.index.get_level_values(0).nunique()
    print(
        f"aggregated {n_slots:,} slots from {len(files)} file(s) to "
        f"{len(hourly):,} rows ({n_cells} cell(s), {agg.n_missing_} missing slots "
        f"{'filled' if args.missing != 'raise' else ''}) -> {output}"
    )
    return 0


def _aggregate_files(files, agg, args):
    """Aggregate file by file where that gives the same table (see can_stream)."""
    from lstmforecast.datasets import iter_milano, read_milano
    from lstmforecast.preprocessing._stream import can_stream

    selection = {
        "cells": args.cells,
        "types": args.types,
        "start": args.start,
        "end": args.end,
    }
    if not can_stream(agg):  # e.g. --missing interpolate: the whole table at once
        slots = read_milano(files, **selection)
        return agg.fit_transform(slots), len(slots)
    n_slots = 0

    def progress(k, frame):
        nonlocal n_slots
        n_slots += len(frame)
        name = Path(frame.attrs.get("source", f"file {k + 1}")).name
        print(f"  {name}: {len(frame):,} slots", flush=True)

    return agg.fit_transform_chunks(iter_milano(files, **selection), progress), n_slots


def _read_hourly(path, time_column, cell=None) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"--data {str(path)!r}: no such file.")
    if path.suffix == ".parquet":
        frame = pd.read_parquet(path)
        if not isinstance(frame.index, pd.RangeIndex):  # e.g. (cell, time)
            frame = frame.reset_index()
    else:
        frame = pd.read_csv(path, float_precision="round_trip")  # exact floats
    if "cell" in frame.columns:
        cells = frame["cell"].unique()
        if cell is None and len(cells) > 1:
            raise ValueError(
                f"--data holds {len(cells)} cells ({list(cells[:5])}...); choose one "
                "with --cell."
            )
        if cell is not None:
            if cell not in set(cells):
                raise ValueError(
                    f"--cell {cell}: not in --data (cells: {list(cells)})."
                )
            frame = frame[frame["cell"] == cell]
        frame = frame.drop(columns="cell")
    elif cell is not None:
        raise ValueError("--cell given but --data has no 'cell' column.")
    if time_column not in frame.columns:
        raise ValueError(
            f"--time-column {time_column!r} is not a column of --data; it has "
            f"{list(frame.columns)}."
        )
    times = pd.to_datetime(frame[time_column], utc=True).dt.tz_convert(TIMEZONE)
    return frame.drop(columns=time_column).set_index(pd.DatetimeIndex(times))


def _run_fit(args) -> int:
    from lstmforecast._model_file import save_model
    from lstmforecast.regressors import EpochProgress

    data = _read_hourly(args.data, args.time_column, args.cell)
    if args.target not in data.columns:
        raise ValueError(
            f"--target {args.target!r} is not a column of --data; it has "
            f"{list(data.columns)}."
        )
    frame = data[[args.target]].astype(float)
    progress = EpochProgress(every=max(1, args.epochs // 5), name="fit")
    pipeline = _cell_pipeline(args, callbacks=[progress])
    pipeline.fit(frame, frame[args.target])
    output = Path(args.output)
    if output.suffix.lower() in (".joblib", ".pkl", ".pickle"):
        _warn(
            f"--output {str(output)!r}: the model file is not a {output.suffix} "
            "(pickle) file; a name ending in .lstmf says what it is."
        )
    save_model(
        output,
        pipeline,
        target=args.target,
        time_column=args.time_column,
        first_time=frame.index[0],
        last_time=frame.index[-1],
    )
    print(
        f"fitted a {args.model} on {len(frame):,} hours of {args.target!r} "
        f"(lookback {args.lookback}, loss {args.loss}) -> {output}"
    )
    return 0


def _warn(message: str) -> None:
    print(f"lstmforecast: warning: {message}", file=sys.stderr)


def _load_model(path, trust: bool = False) -> dict:
    """Load a model file; its warnings (e.g. ``--trust``'s) as one line each."""
    from lstmforecast._model_file import load_model

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            bundle = load_model(path, trust=trust)
        finally:
            for item in caught:
                _warn((str(item.message).splitlines() or [""])[0])
    return bundle


def _warn_training_overlap(bundle: dict, hours: pd.DatetimeIndex) -> None:
    """Warn when the hours scored include hours the model was trained on."""
    first, last = bundle.get("first_time"), bundle.get("last_time")
    if last is None or hours.empty:
        return
    try:
        inside = hours <= last
        if first is not None:
            inside &= hours >= first
    except TypeError:  # a naive clock against an aware one: cannot tell
        return
    n = int(inside.sum())
    if n:
        since = f"{first} to {last}" if first is not None else f"up to {last}"
        _warn(
            f"{n:,} of the {len(hours):,} hours scored are hours the model was "
            f"trained on ({since}), so these scores are optimistic; evaluate on "
            "hours after the training data."
        )


def _forecast(bundle, args):
    data = _read_hourly(args.data, bundle["time_column"], args.cell)
    target = bundle["target"]
    if target not in data.columns:
        raise ValueError(f"--data has no {target!r} column (the model's target).")
    frame = data[[target]].astype(float)
    step = pd.Timedelta(hours=1)
    if len(frame) > 1:
        step = frame.index[1] - frame.index[0]
    # one more row: the forecast of the hour after the data
    future = pd.DataFrame({target: [np.nan]}, index=[frame.index[-1] + step])
    extended = pd.concat([frame, future])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # rows without history: NaN
        forecast = bundle["pipeline"].predict(extended)
    return pd.DataFrame(
        {target: extended[target], "forecast": forecast}, index=extended.index
    ).rename_axis(bundle["time_column"])


def _run_predict(args) -> int:
    bundle = _load_model(args.model, args.trust)
    result = _forecast(bundle, args)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    result.to_csv(output)
    last = result.iloc[-1]
    print(
        f"{result['forecast'].notna().sum():,} forecasts -> {output}; next hour "
        f"({result.index[-1]}): {last['forecast']:.6g}"
    )
    return 0


def _run_evaluate(args) -> int:
    from lstmforecast.metrics import provisioning_cost

    bundle = _load_model(args.model, args.trust)
    result = _forecast(bundle, args).iloc[:-1]
    target = bundle["target"]
    result["seasonal_naive"] = result[target].shift(24)
    scored = result.dropna()
    if scored.empty:
        raise ValueError(
            "--data has no hour with both a forecast and a seasonal-naive value; "
            "give at least 25 hours."
        )
    rows = {}
    for name in ("forecast", "seasonal_naive"):
        err = scored[name] - scored[target]
        ss = ((scored[target] - scored[target].mean()) ** 2).sum()
        rows[name] = {
            "mse": float((err**2).mean()),
            "rmse": float(np.sqrt((err**2).mean())),
            "mae": float(err.abs().mean()),
            "r2": float(1 - (err**2).sum() / ss) if ss > 0 else float("nan"),
            "provisioning_cost": provisioning_cost(
                scored[target],
                scored[name],
                alpha=args.alpha,
                beta=args.beta,
                step=args.step,
            ),
        }
    table = pd.DataFrame(rows).T
    _warn_training_overlap(bundle, scored.index)
    print(f"{len(scored):,} hours scored (alpha {args.alpha:g}, beta {args.beta:g})")
    print(table.to_string(float_format="{:.6g}".format))
    return 0


def _cell_pipeline(args, callbacks=None):
    """Build the pipeline of ``fit`` and, per cell, of ``forecast-cells``."""
    from sklearn.pipeline import Pipeline

    from lstmforecast.preprocessing import SlidingWindow
    from lstmforecast.regressors import LSTMRegressor, MLPRegressor

    common = {
        "center": "last",
        "scale": "std",
        "loss": args.loss,
        "over_cost": args.alpha,  # the CLI keeps the lab's alpha / beta notation
        "under_cost": args.beta,
        "max_epochs": args.epochs,
        "random_state": args.seed,
        "device": args.device,
        "n_threads": args.n_threads,
        "callbacks": callbacks,
    }
    if args.model == "lstm":
        model = LSTMRegressor((7, 3), **common)
    else:
        model = MLPRegressor((15, 10, 5), activation="sigmoid", **common)
    return Pipeline([("window", SlidingWindow(args.lookback)), ("model", model)])


def _next_hours(fitted, frame: pd.DataFrame, target: str, horizon: int):
    """Return each cell's forecast of the ``horizon`` steps after its data."""
    cells, starts, steps = [], [], []
    for cell, part in frame.groupby(level=0, sort=False):
        times = part.index.get_level_values(-1)
        cells.append(cell)
        steps.append(times[-1] - times[-2])
        starts.append(times[-1] + steps[-1])
    index = pd.MultiIndex.from_arrays(
        [cells, pd.DatetimeIndex(starts)], names=frame.index.names
    )
    future = pd.DataFrame({target: np.nan}, index=index)  # history: the tails
    forecast = fitted.predict(future).reshape(len(future), horizon)
    return pd.DataFrame(
        {
            "cell": np.repeat(cells, horizon),
            "time": [
                start + h * step
                for start, step in zip(starts, steps, strict=True)
                for h in range(horizon)
            ],
            "step": np.tile(np.arange(1, horizon + 1), len(cells)),
            "forecast": forecast.ravel(),
        }
    )


def _write_whole(table: pd.DataFrame, output: Path) -> None:
    """Write ``table`` to a temporary file beside ``output``, then rename it."""
    import os

    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.{os.getpid()}.partial")
    try:
        if output.suffix == ".csv":
            table.to_csv(partial, index=False)
        else:
            table.to_parquet(partial, index=False)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)


def _open_client(stack, args, dask_client):
    """Enter ``dask_client`` for --scheduler / --workers; errors in option terms."""
    import logging

    if args.scheduler is None:
        options = {
            "n_workers": args.workers,
            "dashboard_address": None,
            "silence_logs": logging.ERROR,  # not the workers' shutdown warnings
        }
    else:
        options = {}
    try:
        return stack.enter_context(
            dask_client(
                args.scheduler,
                torch_threads=args.n_threads,
                timeout=args.timeout,
                **options,
            )
        )
    except ConnectionError:
        raise ConnectionError(
            f"--scheduler {args.scheduler!r}: no Dask scheduler answered within "
            f"{args.timeout:g} s. Check the address and port and that the "
            "scheduler is running (`dask scheduler` prints its address), raise "
            "--timeout, or drop --scheduler for a local cluster."
        ) from None
    except ValueError as exc:
        if not str(exc).startswith("The 'scheduler' parameter"):
            raise
        raise ValueError(
            f"--scheduler {args.scheduler!r} is not a Dask scheduler address; "
            "expected one such as tcp://10.0.0.5:8786 (what `dask scheduler` "
            "prints)."
        ) from None


def _run_forecast_cells(args) -> int:
    from lstmforecast.parallel import dask_client, fit_per_series
    from lstmforecast.preprocessing import HourlyAggregator, make_horizon_targets

    folder, output = Path(args.data_dir), Path(args.output)
    if not folder.is_dir():
        raise ValueError(f"--data-dir {str(folder)!r} is not a folder.")
    files = sorted(
        p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")
    )
    if not files:
        raise ValueError(f"--data-dir {str(folder)!r} holds no files.")
    if output.suffix not in (".csv", ".parquet"):
        raise ValueError(
            f"--output {str(output)!r}: expected a .csv or .parquet file name."
        )
    if args.types is not None and args.target not in args.types:
        raise ValueError(
            f"--target {args.target!r} is not among --types {args.types}; add it."
        )
    with contextlib.ExitStack() as stack:
        client = _open_client(stack, args, dask_client)  # fails before any work
        agg = HourlyAggregator(
            freq=args.freq, missing=args.missing, max_gap=args.max_gap
        )
        hourly, _ = _aggregate_files(files, agg, args)
        if args.target not in hourly.columns:
            raise ValueError(
                f"--target {args.target!r} is not a column of the files in "
                f"--data-dir; they have {list(hourly.columns)}."
            )
        frame = hourly[[args.target]].astype(float)
        y = frame[args.target]
        if args.horizon > 1:
            y = make_horizon_targets(y, args.horizon)
        n_cells = frame.index.get_level_values(0).nunique()
        where = args.scheduler or "a local cluster"
        print(
            f"fitting {n_cells} cell(s) on {len(client.nthreads())} Dask worker(s) "
            f"({where})",
            flush=True,
        )
        done = 0

        def report(series, seconds):
            nonlocal done
            done += 1
            print(f"  cell {series[0]}: fitted in {seconds:.2f} s ({done}/{n_cells})")

        fitted = fit_per_series(
            _cell_pipeline(args), frame, y, client=client, progress=report
        )
    table = _next_hours(fitted, frame, args.target, args.horizon)
    _write_whole(table, output)
    print(
        f"forecast {args.horizon} step(s) of {args.target!r} for {n_cells} cell(s) "
        f"-> {output}"
    )
    return 0


class _OneLineParser(argparse.ArgumentParser):
    """Argument errors as one line (and exit status 2), not usage text."""

    def error(self, message):  # noqa: D102 - argparse's hook
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text}")
    return value


def _positive_float(text):
    value = float(text)
    if not np.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text}")
    return value


def _price(text):
    value = float(text)
    if not np.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, got {text}")
    return value


def _step(text):
    if text.lower() == "none":
        return None
    value = float(text)
    if not np.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0 or 'none', got {text}")
    return value


def _max_gap(text):
    if text.lower() == "none":
        return None
    try:
        gap = pd.Timedelta(text)
    except ValueError:
        gap = None
    if gap is None or pd.isna(gap) or gap <= pd.Timedelta(0):
        raise argparse.ArgumentTypeError(
            f"expected a duration > 0 such as 30min or 2h, or 'none', got {text}"
        )
    return gap


# How the command line reads each kind of config field (its ``parse`` metadata);
# a field without one is read as text.
_PARSE = {"int": int, "positive_int": _positive_int, "price": _price, "step": _step}


def _show(value) -> str:
    """Write a default as the help shows it: 10.0 as 10, (1, 2, ..., 10) as 1 ... 10."""
    if isinstance(value, tuple):
        return f"{_show(value[0])} ... {_show(value[-1])}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _add_config_options(parser, config_class, names=None):
    """One option per field of the dataclass ``config_class`` (or those in ``names``).

    The field gives the option its default, and its metadata the help text (where
    ``{default}`` stands for the default), the flag (``--`` + the name with dashes
    unless ``flag`` says otherwise), how to read the value (``parse``), ``nargs``
    and ``choices``; a field with ``const`` is a switch that stores it.
    """
    for f in fields(config_class):
        if names is not None and f.name not in names:
            continue
        meta = f.metadata
        flag = meta.get("flag", "--" + f.name.replace("_", "-"))
        option = {
            "dest": f.name,
            "default": f.default,
            "help": meta["help"].format(default=_show(f.default)),
        }
        if "const" in meta:
            option.update(action="store_const", const=meta["const"])
        else:
            option.update(
                type=_PARSE.get(meta.get("parse")),
                nargs=meta.get("nargs"),
                choices=meta.get("choices"),
            )
            shown = flag.lstrip("-").replace("-", "_")
            if shown != f.name and "choices" not in meta:
                option["metavar"] = shown.upper()
        parser.add_argument(flag, **option)


# -- option groups: each adds a few options to a subcommand -------------------------


def _lab_options(parser):
    _add_config_options(parser, LabConfig)


def _cost_options(parser):
    _add_config_options(parser, LabConfig, ("alpha", "beta"))


def _runtime_options(parser):
    _add_config_options(parser, LabConfig, ("device", "n_threads", "seed"))


def _model_file_options(parser):
    parser.add_argument(
        "--model", required=True, help="model file written by 'fit' (.lstmf)"
    )
    parser.add_argument(
        "--trust",
        action="store_true",
        help="also load an old pickle/joblib model file: unpickling runs any code "
        "the file holds, so only for a file you wrote yourself (a warning is "
        "printed); .lstmf files never need it",
    )


def _data_options(parser):
    parser.add_argument(
        "--data",
        required=True,
        help="hourly CSV or Parquet (e.g. from 'aggregate')",
    )
    parser.add_argument(
        "--cell",
        type=int,
        default=None,
        help="cell to use when --data holds several",
    )


def _output_option(default, what):
    def add(parser):
        parser.add_argument(
            "--output", default=default, help=f"{what} (default: {default})"
        )

    return add


def _aggregate_options(parser):
    parser.add_argument("--data-dir", required=True, help="folder of raw files")
    parser.add_argument("--output", required=True, help="output .csv or .parquet file")
    parser.add_argument(
        "--cells",
        type=int,
        nargs="+",
        default=None,
        help="cells to keep (default: all)",
    )
    parser.add_argument(
        "--types",
        choices=TRAFFIC_TYPES,
        nargs="+",
        default=None,
        help="traffic types to keep (default: all five)",
    )
    parser.add_argument("--start", default=None, help="first day, e.g. 2013-11-01")
    parser.add_argument("--end", default=None, help="last day, e.g. 2013-12-31")
    parser.add_argument("--freq", default="1h", help="period (default: 1h)")
    parser.add_argument(
        "--missing",
        choices=["raise", "zero", "interpolate", "nan"],
        default="zero",
        help="slots with no line: 'zero' (no activity, the files' "
        "meaning; default), 'interpolate' (linear, gaps up to --max-gap), 'nan' "
        "or 'raise'",
    )
    parser.add_argument(
        "--max-gap",
        type=_max_gap,
        default="1h",
        help="longest gap that --missing interpolate fills, e.g. 30min or 2h; "
        "'none' for any length (default: 1h)",
    )


def _model_options(parser, *, horizon=False):
    """Add the model's options, shared by 'fit' and 'forecast-cells'."""
    parser.add_argument(
        "--target", default="internet", help="column to forecast (default: internet)"
    )
    parser.add_argument("--model", choices=["lstm", "mlp"], default="lstm")
    parser.add_argument(
        "--lookback",
        type=_positive_int,
        default=36,
        help="hours per window (default: 36)",
    )
    if horizon:
        parser.add_argument(
            "--horizon",
            type=_positive_int,
            default=1,
            help="steps to forecast after each cell's data (default: 1, the next hour)",
        )
    parser.add_argument(
        "--epochs", type=_positive_int, default=50, help="training epochs (default: 50)"
    )
    parser.add_argument(
        "--loss",
        default="squared_error",
        choices=["squared_error", "absolute_error", "huber", "provisioning"],
        help="training loss (default: squared_error)",
    )


def _fit_options(parser):
    _model_options(parser)
    parser.add_argument(
        "--time-column", default="time", help="column of timestamps (default: time)"
    )


def _evaluate_step_option(parser):
    parser.add_argument(
        "--step",
        type=_step,
        default=None,
        help="capacity step, or 'none' (default: none)",
    )


def _forecast_cells_options(parser):
    _model_options(parser, horizon=True)


def _dask_options(parser):
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler",
        default=None,
        help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 "
        "(default: a local cluster)",
    )
    where.add_argument(
        "--workers",
        type=_positive_int,
        default=None,
        help="worker processes of the local cluster (default: one per core)",
    )
    parser.add_argument(
        "--timeout",
        type=_positive_float,
        default=10.0,
        help="seconds to wait for --scheduler to answer (default: 10)",
    )


class _Subcommand(NamedTuple):
    help: str
    description: str | None
    options: tuple  # option groups, in the order --help lists them
    run: str  # the function's name, looked up when the parser is built


_SUBCOMMANDS = {
    "lab": _Subcommand(
        "run the Milano traffic-prediction lab (tasks 1-8)",
        "The Politecnico di Milano traffic-prediction lab on the bundled real Milano "
        "data (or raw Telecom Italia files): hourly traffic, the MLP's calendar and "
        "lag features, the MLP (15-10-5, sigmoid) and the LSTM (7-3) against the "
        "seasonal naive, scaled and unscaled, Gbit/s units, the provisioning cost, "
        "its surface over alpha x beta, the energy report and a grid search scored "
        "by the cost. Writes PNG plots, metrics.json, forecasts.csv and report.md to "
        "--output-dir.",
        (_lab_options,),
        "_run_lab",
    ),
    "aggregate": _Subcommand(
        "aggregate raw Telecom Italia files to an hourly table",
        "Read raw Telecom Italia Milano files (Dataverse, Kaggle or the lab's "
        "processed shape, told apart automatically) and write an hourly table (one "
        "row per cell and hour) as CSV or Parquet.",
        (_aggregate_options,),
        "_run_aggregate",
    ),
    "fit": _Subcommand(
        "fit a forecasting pipeline on an hourly CSV and save it",
        "Fit SlidingWindow(lookback) + an LSTM (7-3) or MLP (15-10-5) on level- and "
        "spread-free windows of one column of an hourly table; the model forecasts "
        "each hour from the hours before it. Saved as a .lstmf model file (a zip of "
        "JSON, numpy arrays and torch weights) that 'predict' and 'evaluate' load "
        "without running code from the file.",
        (
            _data_options,
            _fit_options,
            _cost_options,
            _runtime_options,
            _output_option("model.lstmf", "model file"),
        ),
        "_run_fit",
    ),
    "predict": _Subcommand(
        "forecast every hour of an hourly CSV, and the hour after it",
        None,
        (
            _model_file_options,
            _data_options,
            _output_option("forecast.csv", "output CSV"),
        ),
        "_run_predict",
    ),
    "evaluate": _Subcommand(
        "score a saved model on an hourly CSV (MSE, RMSE, MAE, R², cost)",
        None,
        (_model_file_options, _data_options, _cost_options, _evaluate_step_option),
        "_run_evaluate",
    ),
    "forecast-cells": _Subcommand(
        "fit one model per cell of raw files on Dask; forecast each cell's next hours",
        "Read and aggregate a folder of raw Telecom Italia files (as 'aggregate' "
        "does), fit SlidingWindow(lookback) + an LSTM (7-3) or MLP (15-10-5) per "
        "cell as Dask tasks (a local cluster of --workers processes, or the cluster "
        "of --scheduler), and write the forecast of the --horizon hours after each "
        "cell's data: one row per cell and step (cell, time, step, forecast), CSV "
        "or Parquet. A line per file read and per cell fitted; the output is "
        "written whole or not at all. Needs dask[distributed] (pip install "
        "'lstmforecast[dask]').",
        (
            _aggregate_options,
            _forecast_cells_options,
            _cost_options,
            _runtime_options,
            _dask_options,
        ),
        "_run_forecast_cells",
    ),
}


def _build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="lstmforecast",
        description="Hourly traffic forecasting with LSTM and MLP networks, judged "
        "by what capacity costs (alpha per unit over, beta per unit under).",
    )
    parser.add_argument(
        "--version", action="version", version=f"lstmforecast {__version__}"
    )
    sub = parser.add_subparsers(
        dest="command", required=True, parser_class=_OneLineParser
    )
    for name, command in _SUBCOMMANDS.items():
        subparser = sub.add_parser(
            name, help=command.help, description=command.description
        )
        for add_options in command.options:
            add_options(subparser)
        subparser.set_defaults(func=globals()[command.run])
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line.

    Parameters
    ----------
    argv : list of str or None, default=None
        Arguments; None reads ``sys.argv``.

    Returns
    -------
    status : int
        0 on success, 2 on bad input (a one-line message on stderr), 1 on an
        unexpected error (a bug: one line that says where to report it), 130
        when interrupted. Never a traceback.

    Examples
    --------
    >>> import tempfile
    >>> from lstmforecast.cli import main
    >>> main(["lab", "--cell", "3", "--quiet", "--output-dir", tempfile.mkdtemp()])
    2
    """
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a one-line argument error
        return int(exc.code or 0)
    try:
        return args.func(args)
    except (ValueError, TypeError, KeyError, OSError, ImportError) as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"lstmforecast: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("lstmforecast: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line that says where to report it
        message = (str(exc).splitlines() or [""])[0]
        print(
            f"lstmforecast: internal error ({type(exc).__name__}: {message}); this "
            f"is a bug in lstmforecast {__version__}: please report it, with the "
            f"command you ran, {_report_to()}",
            file=sys.stderr,
        )
        return 1


def _report_to() -> str:
    """Where to report a bug: the package's issue tracker, when its metadata has one."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        urls = metadata("lstmforecast").get_all("Project-URL") or []
    except PackageNotFoundError:
        urls = []
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("issues", "bug tracker", "bugs", "tracker"):
            return f"at {url.strip()}"
    return "to the lstmforecast developers (the project's issue tracker)"
