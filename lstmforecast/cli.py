"""The ``lstmforecast`` command line.

``lstmforecast lab`` runs the Milano lab on the bundled real data. For now it loads
the three bundled cells, aggregates them to hours, checks them against the bundled
totals, prints a summary and saves a trace plot; later releases add the models and
the provisioning cost.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from lstmforecast.datasets import (
    BUNDLED_CELLS,
    TIMEZONE,
    get_data_dir,
    load_milano_cells,
    load_milano_totals,
)
from lstmforecast.preprocessing import HourlyAggregator

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
    t0 = time.perf_counter()
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    print(f"lstmforecast lab: Milano GRID, cells {args.cells}, internet activity")
    print(f"  data: {get_data_dir()} (ODbL 1.0, see LICENSE.md / PROVENANCE.md)")
    slots = load_milano_cells(args.cells)
    print(
        f"  loaded {len(slots):,} ten-minute slots "
        f"({slots['time'].min()} to {slots['time'].max()})"
    )
    agg = HourlyAggregator(missing="raise")
    hourly = agg.fit_transform(slots)
    print(
        f"  aggregated to {len(hourly):,} hourly values (sum of 6 slots), "
        f"{agg.n_missing_} missing slots"
    )
    summary = summarize_hourly(hourly)
    totals = load_milano_totals().set_index("cell")["internet"]
    summary["bundled_total"] = totals.loc[summary.index]
    summary["total_rel_diff"] = (summary["total"] / summary["bundled_total"] - 1).abs()
    with pd.option_context(
        "display.width",
        160,
        "display.max_columns",
        20,
        "display.float_format",
        "{:,.2f}".format,
    ):
        print()
        print(
            summary.drop(columns=["first", "last"]).to_string(
                formatters={"total_rel_diff": "{:.1e}".format}
            )
        )
    print()
    ok = bool((summary["total_rel_diff"] < 1e-6).all())
    print(f"  hourly sums match the bundled 2-month totals: {'yes' if ok else 'NO'}")
    hourly_csv = out / "milano_hourly.csv"
    hourly.to_csv(hourly_csv)
    print(f"  saved {hourly_csv}")
    if not args.no_plot:
        import matplotlib

        matplotlib.use("Agg")
        from lstmforecast.plotting import TrafficTraceDisplay

        display = TrafficTraceDisplay.from_frame(
            hourly, column="internet", ylabel="internet / hour"
        )
        display.figure_.suptitle(
            "Milano GRID: hourly internet activity, 1 Nov 2013 - 1 Jan 2014"
        )
        png = out / "milano_traces.png"
        display.figure_.savefig(png, dpi=110, bbox_inches="tight")
        print(f"  saved {png}")
    print(f"done in {time.perf_counter() - t0:.1f} s")
    return 0 if ok else 1


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lstmforecast",
        description="Hourly traffic forecasting with LSTM and MLP networks.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    lab = sub.add_parser("lab", help="run the Milano lab on the bundled real data")
    lab.add_argument(
        "--cells",
        type=int,
        nargs="+",
        default=list(BUNDLED_CELLS),
        help=f"bundled cells to use (default: {list(BUNDLED_CELLS)})",
    )
    lab.add_argument(
        "--output-dir",
        default="results",
        help="folder for the CSV and PNG outputs (default: results)",
    )
    lab.add_argument("--no-plot", action="store_true", help="skip the PNG plot")
    lab.set_defaults(func=_run_lab)
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
        0 on success.

    Examples
    --------
    >>> import tempfile
    >>> from lstmforecast.cli import main
    >>> main(["lab", "--cells", "5161", "--no-plot",
    ...       "--output-dir", tempfile.mkdtemp()])  # doctest: +ELLIPSIS
    lstmforecast lab: ...
    0
    """
    args = _build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
