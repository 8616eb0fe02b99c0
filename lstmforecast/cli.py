"""The ``lstmforecast`` command line.

Subcommands: ``lab`` (the Milano traffic-prediction lab, tasks 1-8, on the bundled
real data or raw files), ``aggregate`` (raw Telecom Italia files to an hourly CSV
or Parquet table), ``fit`` / ``predict`` / ``evaluate`` (a forecasting pipeline on
your own hourly CSV, saved as a ``.lstmf`` model file that loads without running
code from the file; old joblib files only with ``--trust``). Errors are one line on
stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from lstmforecast import __version__
from lstmforecast.datasets import TIMEZONE, TRAFFIC_TYPES

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

    run_lab(
        cell=args.cell,
        trace_cells=args.trace_cells,
        traffic=args.traffic,
        data_dir=args.data_dir,
        days=args.days,
        test_days=args.test_days,
        lookback=args.lookback,
        lstm_epochs=args.lstm_epochs,
        mlp_epochs=args.mlp_epochs,
        alpha=args.alpha,
        beta=args.beta,
        alphas=args.alphas,
        betas=args.betas,
        step=args.step,
        grid=not args.no_grid,
        grid_epochs=args.grid_epochs,
        device=args.device,
        n_threads=args.threads,
        output_dir=args.output_dir,
        seed=args.seed,
        verbose=0 if args.quiet else 1,
    )
    return 0


def _run_aggregate(args) -> int:
    from lstmforecast.datasets import read_milano
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
    slots = read_milano(
        files, cells=args.cells, types=args.types, start=args.start, end=args.end
    )
    agg = HourlyAggregator(freq=args.freq, missing=args.missing)
    hourly = agg.fit_transform(slots)
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.suffix == ".csv":
        hourly.to_csv(output)
    else:
        hourly.to_parquet(output)
    n_cells = hourly.index.get_level_values(0).nunique()
    print(
        f"aggregated {len(slots):,} slots from {len(files)} file(s) to "
        f"{len(hourly):,} rows ({n_cells} cell(s), {agg.n_missing_} missing slots "
        f"{'filled' if args.missing != 'raise' else ''}) -> {output}"
    )
    return 0


def _read_hourly(path, time_column, cell=None) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"--data {str(path)!r}: no such file.")
    if path.suffix == ".parquet":
        frame = pd.read_parquet(path)
        if not isinstance(frame.index, pd.RangeIndex):  # e.g. (cell, time)
            frame = frame.reset_index()
    else:
        frame = pd.read_csv(path)
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
    from sklearn.pipeline import Pipeline

    from lstmforecast._model_file import save_model
    from lstmforecast.preprocessing import SlidingWindow
    from lstmforecast.regressors import EpochProgress, LSTMRegressor, MLPRegressor

    data = _read_hourly(args.data, args.time_column, args.cell)
    if args.target not in data.columns:
        raise ValueError(
            f"--target {args.target!r} is not a column of --data; it has "
            f"{list(data.columns)}."
        )
    frame = data[[args.target]].astype(float)
    common = {
        "center": "last",
        "scale": "std",
        "loss": args.loss,
        "alpha": args.alpha,
        "beta": args.beta,
        "max_epochs": args.epochs,
        "random_state": args.seed,
        "device": args.device,
        "n_threads": args.threads,
        "callbacks": [EpochProgress(every=max(1, args.epochs // 5), name="fit")],
    }
    if args.model == "lstm":
        model = LSTMRegressor((7, 3), **common)
    else:
        model = MLPRegressor((15, 10, 5), activation="sigmoid", **common)
    pipeline = Pipeline([("window", SlidingWindow(args.lookback)), ("model", model)])
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


class _OneLineParser(argparse.ArgumentParser):
    """Argument errors as one line (and exit status 2), not usage text."""

    def error(self, message):  # noqa: D102 - argparse's hook
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text}")
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


def _add_cost_options(parser):
    parser.add_argument(
        "--alpha",
        type=_price,
        default=1.0,
        help="over-provisioning cost per unit (default: 1)",
    )
    parser.add_argument(
        "--beta",
        type=_price,
        default=10.0,
        help="under-provisioning (blocking) cost per unit (default: 10)",
    )


def _add_model_options(parser):
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

    _add_lab_parser(sub)
    _add_aggregate_parser(sub)
    _add_fit_parser(sub)
    _add_predict_parser(sub)
    _add_evaluate_parser(sub)
    return parser


def _add_lab_parser(sub):
    lab = sub.add_parser(
        "lab",
        help="run the Milano traffic-prediction lab (tasks 1-8)",
        description="The Politecnico di Milano traffic-prediction lab on the bundled "
        "real Milano data (or raw Telecom Italia files): hourly traffic, the MLP's "
        "calendar and lag features, the MLP (15-10-5, sigmoid) and the LSTM (7-3) "
        "against the seasonal naive, scaled and unscaled, Gbit/s units, the "
        "provisioning cost, its surface over alpha x beta, the energy report and a "
        "grid search scored by the cost. Writes PNG plots, metrics.json, "
        "forecasts.csv and report.md to --output-dir.",
    )
    lab.add_argument(
        "--cell",
        type=int,
        default=5161,
        help="cell the models forecast (default: 5161, Duomo)",
    )
    lab.add_argument(
        "--trace-cells",
        type=int,
        nargs="+",
        default=None,
        help="cells in the trace plot (default: the bundled cells)",
    )
    lab.add_argument(
        "--traffic",
        choices=TRAFFIC_TYPES,
        default="internet",
        help="traffic type (bundled data: internet only)",
    )
    lab.add_argument(
        "--data-dir",
        default=None,
        help="folder of raw Telecom Italia files (default: the bundled real data)",
    )
    lab.add_argument(
        "--days",
        type=_positive_int,
        default=61,
        help="days from 1 Nov 2013 (default: 61, to 31 Dec)",
    )
    lab.add_argument(
        "--test-days",
        type=_positive_int,
        default=10,
        help="last days kept for the test (default: 10)",
    )
    lab.add_argument(
        "--lookback",
        type=_positive_int,
        default=36,
        help="hours in each LSTM window (default: 36)",
    )
    _add_lab_training_options(lab)
    lab.set_defaults(func=_run_lab)


def _add_lab_training_options(lab):
    lab.add_argument(
        "--lstm-epochs",
        type=_positive_int,
        default=50,
        help="LSTM training epochs (default: 50)",
    )
    lab.add_argument(
        "--mlp-epochs",
        type=_positive_int,
        default=500,
        help="MLP training epochs (default: 500)",
    )
    _add_cost_options(lab)
    lab.add_argument(
        "--alphas",
        type=_price,
        nargs="+",
        default=list(range(1, 11)),
        help="alpha grid of the cost surface (default: 1 ... 10)",
    )
    lab.add_argument(
        "--betas",
        type=_price,
        nargs="+",
        default=list(range(1, 11)),
        help="beta grid of the cost surface (default: 1 ... 10)",
    )
    lab.add_argument(
        "--step",
        type=_step,
        default=0.1,
        help="capacity step in Gbit/s, or 'none' (default: 0.1)",
    )
    lab.add_argument("--no-grid", action="store_true", help="skip the grid search")
    lab.add_argument(
        "--grid-epochs",
        type=_positive_int,
        default=15,
        help="epochs per grid-search candidate (default: 15)",
    )
    lab.add_argument(
        "--device", default="cpu", help="'cpu', 'cuda' or 'auto' (default: cpu)"
    )
    lab.add_argument(
        "--threads",
        type=_positive_int,
        default=1,
        help="torch threads per network (default: 1, fastest for these tiny networks)",
    )
    lab.add_argument(
        "--output-dir",
        default="results",
        help="folder for the outputs (default: results)",
    )
    lab.add_argument(
        "--seed", type=int, default=0, help="seed of every network (default: 0)"
    )
    lab.add_argument("--quiet", action="store_true", help="print nothing")


def _add_aggregate_parser(sub):
    agg = sub.add_parser(
        "aggregate",
        help="aggregate raw Telecom Italia files to an hourly table",
        description="Read raw Telecom Italia Milano files (Dataverse, Kaggle or the "
        "lab's processed shape, told apart automatically) and write an hourly table "
        "(one row per cell and hour) as CSV or Parquet.",
    )
    agg.add_argument("--data-dir", required=True, help="folder of raw files")
    agg.add_argument("--output", required=True, help="output .csv or .parquet file")
    agg.add_argument(
        "--cells",
        type=int,
        nargs="+",
        default=None,
        help="cells to keep (default: all)",
    )
    agg.add_argument(
        "--types",
        choices=TRAFFIC_TYPES,
        nargs="+",
        default=None,
        help="traffic types to keep (default: all five)",
    )
    agg.add_argument("--start", default=None, help="first day, e.g. 2013-11-01")
    agg.add_argument("--end", default=None, help="last day, e.g. 2013-12-31")
    agg.add_argument("--freq", default="1h", help="period (default: 1h)")
    agg.add_argument(
        "--missing",
        choices=["raise", "zero", "nan"],
        default="zero",
        help="slots with no line: 'zero' (no activity, the files' "
        "meaning; default), 'nan' or 'raise'",
    )
    agg.set_defaults(func=_run_aggregate)


def _add_data_options(p):
    p.add_argument(
        "--data",
        required=True,
        help="hourly CSV or Parquet (e.g. from 'aggregate')",
    )
    p.add_argument(
        "--cell",
        type=int,
        default=None,
        help="cell to use when --data holds several",
    )


def _add_fit_parser(sub):
    fit = sub.add_parser(
        "fit",
        help="fit a forecasting pipeline on an hourly CSV and save it",
        description="Fit SlidingWindow(lookback) + an LSTM (7-3) or MLP (15-10-5) "
        "on level- and spread-free windows of one column of an hourly table; the "
        "model forecasts each hour from the hours before it. Saved as a .lstmf "
        "model file (a zip of JSON, numpy arrays and torch weights) that 'predict' "
        "and 'evaluate' load without running code from the file.",
    )
    _add_data_options(fit)
    fit.add_argument(
        "--target", default="internet", help="column to forecast (default: internet)"
    )
    fit.add_argument(
        "--time-column", default="time", help="column of timestamps (default: time)"
    )
    fit.add_argument("--model", choices=["lstm", "mlp"], default="lstm")
    fit.add_argument(
        "--lookback",
        type=_positive_int,
        default=36,
        help="hours per window (default: 36)",
    )
    fit.add_argument(
        "--epochs", type=_positive_int, default=50, help="training epochs (default: 50)"
    )
    fit.add_argument(
        "--loss",
        default="squared_error",
        choices=["squared_error", "absolute_error", "huber", "provisioning"],
        help="training loss (default: squared_error)",
    )
    _add_cost_options(fit)
    fit.add_argument("--device", default="cpu")
    fit.add_argument("--threads", type=_positive_int, default=1)
    fit.add_argument("--seed", type=int, default=0)
    fit.add_argument(
        "--output", default="model.lstmf", help="model file (default: model.lstmf)"
    )
    fit.set_defaults(func=_run_fit)


def _add_predict_parser(sub):
    predict = sub.add_parser(
        "predict",
        help="forecast every hour of an hourly CSV, and the hour after it",
    )
    _add_model_options(predict)
    _add_data_options(predict)
    predict.add_argument(
        "--output", default="forecast.csv", help="output CSV (default: forecast.csv)"
    )
    predict.set_defaults(func=_run_predict)


def _add_evaluate_parser(sub):
    evaluate = sub.add_parser(
        "evaluate",
        help="score a saved model on an hourly CSV (MSE, MAE, R², cost)",
    )
    _add_model_options(evaluate)
    _add_data_options(evaluate)
    _add_cost_options(evaluate)
    evaluate.add_argument(
        "--step",
        type=_step,
        default=None,
        help="capacity step, or 'none' (default: none)",
    )
    evaluate.set_defaults(func=_run_evaluate)


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
