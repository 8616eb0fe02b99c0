"""The real Milano data shipped with the package (ODbL 1.0, see data/milano/)."""

from __future__ import annotations

from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from lstmforecast.datasets._schema import (
    LAB_TYPE_CODES,
    SLOT,
    TIMEZONE,
    check_cells,
    check_selection,
    check_time_range,
    check_types,
    finalize,
)

__all__ = [
    "BUNDLED_CELLS",
    "LAB_DAY_ONE",
    "get_data_dir",
    "load_dataset",
    "load_lab_reference",
    "load_milano_cells",
    "load_milano_totals",
]

#: The three real cells bundled at 10-minute resolution (internet only).
BUNDLED_CELLS = (4159, 4556, 5161)

#: Day 1 of the lab's day index.
LAB_DAY_ONE = pd.Timestamp("2013-11-01")

_SPAN = (
    pd.Timestamp("2013-11-01 00:00", tz=TIMEZONE),
    pd.Timestamp("2014-01-01 23:50", tz=TIMEZONE),
)


def get_data_dir() -> Path:
    """Return the folder of the bundled Milano data.

    It holds the data files, ``PROVENANCE.md`` (sources, checksums, how each file
    was built) and ``LICENSE.md`` (the ODbL 1.0 attribution that comes with it).

    Returns
    -------
    path : pathlib.Path
        The ``data/milano`` folder inside the installed package.

    Examples
    --------
    >>> from lstmforecast.datasets import get_data_dir
    >>> (get_data_dir() / "PROVENANCE.md").is_file()
    True
    """
    return Path(str(resources.files("lstmforecast.datasets") / "data" / "milano"))


@cache
def _read_cell(cell: int) -> pd.DataFrame:
    path = get_data_dir() / "yunis-konda001" / f"ts_full_square_{cell}.csv.gz"
    raw = pd.read_csv(
        path,
        usecols=["square_id", "time_ms", "internet"],
        dtype={"square_id": np.int64, "time_ms": np.int64, "internet": np.float64},
    )
    return pd.DataFrame(
        {
            "cell": raw["square_id"].to_numpy(),
            "time": pd.to_datetime(raw["time_ms"], unit="ms", utc=True),
            "internet": raw["internet"].to_numpy(),
        }
    )


def load_milano_cells(cells=None, *, start=None, end=None, types=None) -> pd.DataFrame:
    """Load the three bundled real Milano cells as the tidy frame.

    Cells 4159, 4556 and 5161 (5161 is the busiest square of the grid; the three are
    often labelled Bocconi, Navigli and Duomo), Internet activity summed over country
    codes, at the original 10-minute resolution from 1 November 2013 00:00 to
    1 January 2014 23:50, Milan local time: 8,928 slots per cell, no gaps.

    The data is derived from the Telecom Italia Big Data Challenge (Harvard
    Dataverse doi:10.7910/DVN/EGZHFV) and ships under the Open Database License
    1.0: see ``get_data_dir() / "LICENSE.md"`` and ``"PROVENANCE.md"``.

    Parameters
    ----------
    cells : int, list of int or None, default=None
        Which of the bundled cells; None loads all three.
    start, end : str, date, datetime or None, default=None
        Inclusive bounds in Milan local time (a date alone as ``end`` includes the
        whole day). They must lie within the data.
    types : str, list or None, default=None
        Only ``'internet'`` is bundled; None means that.

    Returns
    -------
    frame : pandas.DataFrame
        Columns ``cell`` (int64), ``time`` (``datetime64[ns, Europe/Rome]``),
        ``internet`` (float64), sorted by cell then time.

    See Also
    --------
    load_milano_totals : The two-month internet total of every cell.
    load_dataset : The same data as the lab's day x hour table.

    Examples
    --------
    >>> from lstmforecast.datasets import load_milano_cells
    >>> frame = load_milano_cells(5161, end="2013-11-01")
    >>> frame.shape
    (144, 3)
    >>> frame["time"].iloc[0]
    Timestamp('2013-11-01 00:00:00+0100', tz='Europe/Rome')
    """
    type_list = check_types(types, available=("internet",))
    chosen = check_cells(cells)
    if chosen is None:
        chosen = np.array(BUNDLED_CELLS)
    unknown = np.setdiff1d(chosen, BUNDLED_CELLS)
    if unknown.size:
        raise ValueError(
            f"Cell(s) {unknown.tolist()} are not bundled: the package ships cells "
            f"{list(BUNDLED_CELLS)} at 10-minute resolution (load_milano_totals has "
            "the totals of all 10,000). Read other cells from the original files "
            "with read_milano."
        )
    lo, hi = check_time_range(start, end)
    if (lo is not None and not _SPAN[0] <= lo <= _SPAN[1]) or (
        hi is not None and not _SPAN[0] < hi <= _SPAN[1] + SLOT
    ):
        raise ValueError(
            f"The date range start={start!r}, end={end!r} reaches outside the "
            f"bundled data, which covers {_SPAN[0]} to {_SPAN[1]} (Milan time). "
            "Pick dates between 2013-11-01 and 2014-01-01."
        )
    frame = pd.concat([_read_cell(int(c)) for c in chosen], ignore_index=True)
    if lo is not None:
        frame = frame[frame["time"] >= lo]
    if hi is not None:
        frame = frame[frame["time"] < hi]
    check_selection(
        frame,
        cells=chosen,
        lo=lo,
        hi=hi,
        source="the bundled cells",
        available_span=_SPAN,
    )
    return finalize(frame, type_list)


@lru_cache(maxsize=1)
def _read_totals() -> pd.DataFrame:
    path = get_data_dir() / "yunis-konda001" / "square_totals_2mo.csv.gz"
    raw = pd.read_csv(path, dtype={"square_id": np.int64, "internet": np.float64})
    return raw.rename(columns={"square_id": "cell"})


def load_milano_totals() -> pd.DataFrame:
    """Load the two-month Internet total of every one of the 10,000 Milano cells.

    Each value is the sum of a cell's Internet activity over all country codes and
    all 8,928 10-minute slots from 1 November 2013 to 1 January 2014 (62 days),
    accumulated in float32 by the source. Same licence and provenance as
    :func:`load_milano_cells`.

    Returns
    -------
    totals : pandas.DataFrame
        10,000 rows, columns ``cell`` (int64, 1-10000) and ``internet`` (float64).

    See Also
    --------
    load_milano_cells : Three cells at 10-minute resolution.

    Examples
    --------
    >>> from lstmforecast.datasets import load_milano_totals
    >>> totals = load_milano_totals()
    >>> totals.shape
    (10000, 2)
    >>> int(totals.loc[totals["internet"].idxmax(), "cell"])
    5161
    """
    return _read_totals().copy()


def load_lab_reference() -> pd.DataFrame:
    """Load the lab's printed hourly table for cell 3, Internet, days 32-38.

    The output of the Politecnico lab's ``load_dataset(cell_id=3, start_day=32,
    num_days=7, traffic_type=5)`` (Mon 2 - Sun 8 December 2013), transcribed from the
    notebook: a reference to check aggregation rules against. Values are rounded to
    6 decimals as pandas printed them; hours 10-13 were elided by pandas and are NaN.

    Returns
    -------
    table : pandas.DataFrame
        Index ``day`` (32-38, day 1 = 2013-11-01), columns the hours 0-23.

    Examples
    --------
    >>> from lstmforecast.datasets import load_lab_reference
    >>> table = load_lab_reference()
    >>> table.shape
    (7, 24)
    >>> float(table.loc[32, 0])
    55.560594
    """
    path = get_data_dir() / "lab_reference" / "cell3_internet_hourly_days32-38.csv"
    raw = pd.read_csv(path, index_col="day_index").drop(columns="date")
    raw.columns = pd.Index([int(c[1:]) for c in raw.columns], name="hour")
    raw.index.name = "day"
    return raw.astype(float)


def _select_from_frame(data: pd.DataFrame, type_name, *, cells, start, end):
    """Check a user's tidy frame and select one cell, type and window from it."""
    source = "the frame passed as 'data'"
    needed = ["cell", "time", type_name]
    absent = [c for c in needed if c not in data.columns]
    if absent:
        raise ValueError(
            f"The frame passed as 'data' has no column(s) {absent} (it has "
            f"{list(data.columns)}). Pass a tidy frame from the readers, with columns "
            f"'cell', 'time' and {type_name!r}."
        )
    times = data["time"]
    if not isinstance(times.dtype, pd.DatetimeTZDtype):
        raise ValueError(
            f"Column 'time' of the frame passed as 'data' must hold tz-aware "
            f"timestamps; got dtype {times.dtype}. Localize it, e.g. "
            f"data.assign(time=data['time'].dt.tz_localize({TIMEZONE!r}))."
        )
    lo, hi = check_time_range(start, end)
    keep = data["cell"].isin(cells) & (times >= lo) & (times < hi)
    frame = data.loc[keep, needed]
    check_selection(
        frame,
        cells=np.asarray(cells),
        lo=lo,
        hi=hi,
        source=source,
        available_cells=np.unique(data["cell"].to_numpy()),
        available_span=(times.min(), times.max()) if len(data) else None,
    )
    return frame


def load_dataset(
    cell_id, start_day, num_days, traffic_type, *, data=None, missing="raise"
):
    """Return the lab's day x hour traffic table (the lab's ``load_dataset``).

    A drop-in for the Politecnico lab's ``load_dataset(cell_id, start_day, num_days,
    traffic_type)``: hourly traffic of one cell as a table with one row per day
    (day 1 = 1 November 2013) and one column per hour 0-23, each hour the sum of its
    six 10-minute slots, each slot summed over country codes. Unlike the lab's
    loader it reads slots by their timestamps, so a missing slot is an error rather
    than a shift of every later hour.

    Parameters
    ----------
    cell_id : int
        The cell (square of the Milano grid).
    start_day : int
        First day, 1 = 2013-11-01 (so 32 is Monday 2 December 2013).
    num_days : int
        Number of days.
    traffic_type : int or str
        The lab's code (1 sms-in, 2 sms-out, 3 call-in, 4 call-out, 5 internet) or a
        type name.
    data : None, str, path-like, list of paths or pandas.DataFrame, default=None
        Where the traffic comes from: None for the bundled real cells (4159, 4556,
        5161; internet only), files or folders in any of the three Milano formats
        (read with :func:`read_milano`), or a tidy frame.
    missing : {'raise', 'zero', 'interpolate', 'nan'}, default='raise'
        What to do with missing slots (see :class:`HourlyAggregator`). The lab's
        processed files have every slot; in the original and Kaggle files a slot
        with no activity has no line, so pass ``'zero'`` for those.

    Returns
    -------
    table : pandas.DataFrame
        Shape ``(num_days, 24)``, index ``day`` (``start_day`` ...), columns
        ``hour`` 0-23.

    See Also
    --------
    HourlyAggregator : The aggregation behind it, for any cells and frequency.

    Examples
    --------
    >>> from lstmforecast.datasets import load_dataset
    >>> table = load_dataset(5161, start_day=32, num_days=7, traffic_type=5)
    >>> table.shape
    (7, 24)
    >>> [d.day_name() for d in table.attrs["dates"][:2]]
    ['Monday', 'Tuesday']
    """
    from lstmforecast.datasets._readers import read_milano
    from lstmforecast.preprocessing import HourlyAggregator

    for name, value in (
        ("cell_id", cell_id),
        ("start_day", start_day),
        ("num_days", num_days),
    ):
        if (
            not isinstance(value, (int, np.integer))
            or isinstance(value, bool)
            or value < 1
        ):
            hint = " (day 1 is 2013-11-01)" if name != "cell_id" else ""
            raise ValueError(
                f"The '{name}' parameter must be an int >= 1{hint}. Got {value!r} "
                f"of type {type(value).__name__} instead."
            )
    if (
        isinstance(traffic_type, (int, np.integer))
        and traffic_type not in LAB_TYPE_CODES
    ):
        raise ValueError(
            "The 'traffic_type' parameter must be 1 (sms-in), 2 (sms-out), 3 "
            f"(call-in), 4 (call-out) or 5 (internet). Got {traffic_type!r} instead."
        )
    (type_name,) = check_types(traffic_type)
    first = LAB_DAY_ONE + pd.Timedelta(days=start_day - 1)
    last = first + pd.Timedelta(days=num_days - 1)
    window = {"cells": [cell_id], "start": first.date(), "end": last.date()}
    if data is None:
        frame = load_milano_cells(types=type_name, **window)
    elif isinstance(data, pd.DataFrame):
        frame = _select_from_frame(data, type_name, **window)
    else:
        frame = read_milano(data, types=type_name, **window)
    hourly = HourlyAggregator(
        missing=missing, start=window["start"], end=window["end"]
    ).fit_transform(frame)
    series = hourly[type_name].droplevel("cell")
    local = series.index.tz_convert(TIMEZONE).tz_localize(None)
    days = (local.normalize() - LAB_DAY_ONE).days + 1
    absent = sorted(set(range(start_day, start_day + num_days)) - set(days))
    if absent:
        raise ValueError(
            f"Day(s) {absent} (day 1 = 2013-11-01) are not in the data for cell "
            f"{cell_id}. Pick 'start_day' and 'num_days' within the data."
        )
    counts = pd.Series(local.hour).groupby(np.asarray(days)).size()
    odd = counts[counts != 24]
    if len(odd):
        raise ValueError(
            f"Day(s) {odd.index.tolist()} of cell {cell_id} do not have 24 hours "
            f"(found {odd.tolist()}); the lab's day x hour table needs every hour of "
            "every day. Use HourlyAggregator for the hourly series instead."
        )
    table = pd.DataFrame(
        series.to_numpy().reshape(num_days, 24),
        index=pd.RangeIndex(start_day, start_day + num_days, name="day"),
        columns=pd.RangeIndex(24, name="hour"),
    )
    table.attrs["dates"] = list(pd.date_range(first, periods=num_days, freq="D"))
    table.attrs["cell"] = int(cell_id)
    table.attrs["traffic_type"] = type_name
    return table
