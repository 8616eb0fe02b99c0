"""The lab's day x hour table: bundled or user slots, aggregated to hours.

Data flow from the readers to the aggregator: :mod:`lstmforecast.datasets` reads
the slots, :class:`~lstmforecast.preprocessing.HourlyAggregator` sums them to
hours, and this module lays the hours out as the lab's table. It lives in the lab,
not in ``datasets``, so that the data layer never imports ``preprocessing``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lstmforecast.datasets import (
    LAB_DAY_ONE,
    TIMEZONE,
    load_milano_cells,
    read_milano,
)
from lstmforecast.datasets._schema import (
    LAB_TYPE_CODES,
    TRAFFIC_TYPES,
    as_written,
    check_selection,
    check_time_range,
    check_types,
)
from lstmforecast.preprocessing import HourlyAggregator

__all__ = ["load_dataset"]


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
    cell_id,
    start_day,
    num_days,
    traffic_type,
    *,
    data=None,
    missing="raise",
    max_gap="1h",
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
        (read with :func:`~lstmforecast.datasets.read_milano`), or a tidy frame.
    missing : {'raise', 'zero', 'interpolate', 'nan'}, default='raise'
        What to do with missing slots (see
        :class:`~lstmforecast.preprocessing.HourlyAggregator`). The lab's
        processed files have every slot; in the original and Kaggle files a slot
        with no activity has no line, so pass ``'zero'`` for those.
    max_gap : str, pandas.Timedelta or None, default='1h'
        Longest run of missing slots that ``missing='interpolate'`` fills (see
        :class:`~lstmforecast.preprocessing.HourlyAggregator`); a longer gap is
        an error naming the cell and the gap. None fills gaps of any length.

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
    >>> from lstmforecast.lab import load_dataset
    >>> table = load_dataset(5161, start_day=32, num_days=7, traffic_type=5)
    >>> table.shape
    (7, 24)
    >>> [d.day_name() for d in table.attrs["dates"][:2]]
    ['Monday', 'Tuesday']
    """
    type_name = _check_arguments(
        cell_id, start_day, num_days, traffic_type, missing, max_gap
    )
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
        missing=missing, max_gap=max_gap, start=window["start"], end=window["end"]
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


_MISSING = ("raise", "zero", "interpolate", "nan")


def _check_arguments(cell_id, start_day, num_days, traffic_type, missing, max_gap):
    """Check load_dataset's arguments; return the traffic type's column name."""
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
                f"The '{name}' parameter of load_dataset must be an int >= 1{hint}. "
                f"Got {as_written(value)} of type {type(value).__name__} instead."
            )
    codes = "1 (sms-in), 2 (sms-out), 3 (call-in), 4 (call-out) or 5 (internet)"
    is_code = isinstance(traffic_type, (int, np.integer)) and not isinstance(
        traffic_type, bool
    )
    if (is_code and traffic_type not in LAB_TYPE_CODES) or (
        not is_code and traffic_type not in TRAFFIC_TYPES
    ):
        raise ValueError(
            f"The 'traffic_type' parameter of load_dataset must be {codes}, or a "
            f"type name {as_written(list(TRAFFIC_TYPES))}. Got "
            f"{as_written(traffic_type)} instead."
        )
    if not isinstance(missing, str) or missing not in _MISSING:
        raise ValueError(
            f"The 'missing' parameter of load_dataset must be one of "
            f"{as_written(list(_MISSING))}. Got {as_written(missing)} instead."
        )
    if max_gap is not None:
        try:
            gap = pd.Timedelta(max_gap)
        except (TypeError, ValueError):
            gap = None
        if gap is None or gap is pd.NaT or gap <= pd.Timedelta(0):
            raise ValueError(
                "The 'max_gap' parameter of load_dataset must be a positive "
                f"duration such as '30min' or '2h', or None. Got "
                f"{as_written(max_gap)} instead."
            )
    (type_name,) = check_types(traffic_type)
    return type_name
