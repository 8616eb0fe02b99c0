"""Synthetic Milano-like traffic, and writers for the three file shapes.

Values are multiples of 2**-10 below 2**40, so every sum of them is exact in float64
whatever the order: a generated series written to any format, read back and
aggregated to hours equals the generator's own hourly truth exactly.
"""

from __future__ import annotations

from pathlib import Path

import holidays
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pv
from sklearn.utils import check_random_state

from lstmforecast.datasets._bundled import load_milano_totals
from lstmforecast.datasets._schema import (
    SLOT,
    TIMEZONE,
    TRAFFIC_TYPES,
    _to_local,
    as_written,
    check_cells,
    check_types,
    finalize,
)

__all__ = ["make_milano_traffic", "write_milano"]

_QUANTUM = 1024.0  # values are integers / 1024
_SLOTS_PER_MILANO_PERIOD = 62 * 144  # the real totals cover 62 days of 10-min slots

# Level of each type relative to internet, and the hour of its daily peak.
_TYPE_LEVEL = {
    "sms_in": 0.060,
    "sms_out": 0.045,
    "call_in": 0.055,
    "call_out": 0.065,
    "internet": 1.0,
}
# Country codes written to the per-country files, Italy (39) first.
_COUNTRIES = np.array([39, 0, 33, 49, 44, 34, 86, 1])


def _daily_shape(hours: np.ndarray) -> np.ndarray:
    """Return a Milano-like daily cycle: night trough, morning and evening peaks."""
    h = hours
    night = np.exp(-0.5 * ((h - 4.0) / 2.2) ** 2)
    morning = np.exp(-0.5 * ((h - 11.5) / 2.5) ** 2)
    evening = np.exp(-0.5 * ((h - 19.5) / 2.8) ** 2)
    return 0.55 - 0.35 * night + 0.35 * morning + 0.45 * evening


def _milan_holidays(years) -> holidays.HolidayBase:
    return holidays.country_holidays("IT", subdiv="MI", years=years)


def _rng(random_state, owner: str):
    """``check_random_state``, with an error that names the parameter."""
    try:
        return check_random_state(random_state)
    except ValueError:
        raise ValueError(
            f"The 'random_state' parameter of {owner} must be None, an int or a "
            f"numpy RandomState. Got {as_written(random_state)} instead."
        ) from None


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _check_numbers(n_days, noise, empty_fraction) -> None:
    """Refuse a day count, noise or empty fraction out of range, naming it."""
    real = (int, float, np.integer, np.floating)
    for name, value, ok, expected in (
        ("n_days", n_days, _is_int(n_days) and n_days >= 1, "an int >= 1"),
        (
            "noise",
            noise,
            isinstance(noise, real) and np.isfinite(noise) and noise >= 0,
            "a finite float >= 0",
        ),
        (
            "empty_fraction",
            empty_fraction,
            isinstance(empty_fraction, real) and 0.0 <= empty_fraction < 1.0,
            "a float in [0, 1)",
        ),
    ):
        if not ok or isinstance(value, bool):
            raise ValueError(
                f"The '{name}' parameter of make_milano_traffic must be {expected}. "
                f"Got {as_written(value)} instead."
            )


def _pick_cells(cells, n_cells: int, grid: np.ndarray, rng) -> np.ndarray:
    """Return the sorted cell ids to generate: ``cells``, or ``n_cells`` drawn."""
    if cells is None:
        if not _is_int(n_cells) or not 1 <= n_cells <= 10_000:
            raise ValueError(
                "The 'n_cells' parameter of make_milano_traffic must be an int in "
                f"[1, 10000]. Got {as_written(n_cells)} instead."
            )
        return np.sort(rng.choice(grid, n_cells, replace=False))
    requested = cells
    cells = check_cells(cells)  # sorted, unique int64; refuses an empty list
    n_given = 1 if np.ndim(requested) == 0 else len(list(requested))
    if len(cells) != n_given:
        raise ValueError(
            f"The 'cells' parameter repeats cell ids ({as_written(requested)}); each "
            "cell is generated once. Pass distinct ids."
        )
    unknown = np.setdiff1d(cells, grid)
    if unknown.size:
        raise ValueError(
            f"Cell(s) {unknown.tolist()} are not on the Milano grid: the 'cells' "
            "parameter takes ids in [1, 10000]."
        )
    return cells


def make_milano_traffic(
    n_cells=3,
    n_days=7,
    *,
    start="2013-11-01",
    cells=None,
    types=None,
    noise=0.15,
    empty_fraction=0.01,
    random_state=None,
    return_hourly=False,
):
    """Generate Milano-like 10-minute traffic for any number of cells and days.

    Each cell follows a daily cycle (night trough, late-morning and evening peaks), a
    weekly cycle (quieter Saturdays, quieter still Sundays), Italian public holidays
    and Milan's Sant'Ambrogio (7 December, from the ``holidays`` package) treated as
    Sundays, and multiplicative log-normal noise. A cell's level is its real
    two-month internet total from :func:`load_milano_totals` spread over the 8,928
    slots, so the grid's spread of quiet and busy cells is kept; the other four
    types follow at realistic fractions of internet.

    Parameters
    ----------
    n_cells : int, default=3
        Number of cells; ignored when ``cells`` is given.
    n_days : int, default=7
        Number of local calendar days, from ``start`` at local midnight. DST days
        have 23 or 25 hours.
    start : str or date, default='2013-11-01'
        First day (Milan local time).
    cells : list of int or None, default=None
        Cell ids (1-10000). None draws ``n_cells`` distinct ids at random.
    types : str, int, list or None, default=None
        Traffic types to generate; None for all five.
    noise : float, default=0.15
        Standard deviation of the log of the multiplicative noise.
    empty_fraction : float, default=0.01
        Fraction of (cell, slot) pairs with no activity at all: the original files
        have no line for them.
    random_state : int, RandomState instance or None, default=None
        Seed for reproducible output.
    return_hourly : bool, default=False
        Also return the generator's own hourly truth.

    Returns
    -------
    frame : pandas.DataFrame
        The tidy frame (as the readers return it): ``cell``, ``time``
        (Europe/Rome) and one column per type; every slot of every cell is present,
        with zeros in empty slots.
    hourly : pandas.DataFrame
        Only when ``return_hourly=True``: the sum of each hour's six slots per
        cell, same columns, ``time`` at the start of each hour.

    See Also
    --------
    write_milano : Write the frame as files of any of the three shapes.
    load_milano_cells : The real cells this imitates.

    Examples
    --------
    >>> from lstmforecast.datasets import make_milano_traffic
    >>> frame, hourly = make_milano_traffic(
    ...     cells=[5161], n_days=2, random_state=0, return_hourly=True)
    >>> frame.shape, hourly.shape
    ((288, 7), (48, 7))
    >>> bool((frame["internet"].sum() == hourly["internet"].sum()))
    True
    """
    rng = _rng(random_state, "make_milano_traffic")
    type_list = check_types(types)
    _check_numbers(n_days, noise, empty_fraction)
    totals = load_milano_totals().set_index("cell")["internet"]
    cells = _pick_cells(cells, n_cells, totals.index.to_numpy(), rng)

    day0 = _to_local(start, "start").tz_localize(None).normalize()
    first = day0.tz_localize(TIMEZONE)
    last = (day0 + pd.Timedelta(days=n_days)).tz_localize(TIMEZONE)
    times = pd.date_range(first, last, freq=SLOT, inclusive="left")
    local = times.tz_localize(None)
    hours = local.hour.to_numpy() + local.minute.to_numpy() / 60.0
    hol = _milan_holidays(range(day0.year, (day0 + pd.Timedelta(days=n_days)).year + 1))
    is_holiday = np.array([d in hol for d in local.date])
    weekday = np.where(is_holiday, 6, local.day_of_week.to_numpy())
    weekly = np.select([weekday == 5, weekday == 6], [0.85, 0.72], 1.0)

    level = totals.loc[cells].to_numpy() / _SLOTS_PER_MILANO_PERIOD
    n_slots = len(times)
    out = {}
    for k, t in enumerate(type_list):
        shift = (k - 2) * 0.4  # each type peaks a little differently
        shape = np.clip(_daily_shape(hours + shift), 0.05, None) * weekly
        eps = rng.normal(0.0, noise, size=(len(cells), n_slots))
        values = level[:, None] * _TYPE_LEVEL[t] * shape[None, :] * np.exp(eps)
        out[t] = values
    empty = rng.random((len(cells), n_slots)) < empty_fraction
    for t in type_list:
        out[t] = np.round(np.where(empty, 0.0, out[t]) * _QUANTUM) / _QUANTUM

    frame = pd.DataFrame(
        {
            "cell": np.repeat(cells, n_slots),
            "time": np.tile(times, len(cells)),
            **{t: out[t].ravel() for t in type_list},
        }
    )
    frame = finalize(frame, type_list)
    if not return_hourly:
        return frame
    # Hours start at slot multiples of 6 (local midnight is a whole hour in UTC).
    n_hours = n_slots // 6
    hourly = pd.DataFrame(
        {
            "cell": np.repeat(cells, n_hours),
            "time": np.tile(times[::6], len(cells)),
            **{
                t: out[t].reshape(len(cells), n_hours, 6).sum(axis=2).ravel()
                for t in type_list
            },
        }
    )
    return frame, finalize(hourly, type_list)


def _split_countries(frame: pd.DataFrame, types, rng) -> pd.DataFrame:
    """Spread each slot's activity over 1-4 country-code rows, exactly.

    Each value is an integer number of quanta; it is split into integer parts, so
    the parts sum back to the value exactly. Zero parts become missing (empty)
    fields, rows with nothing left are dropped, and all-zero slots get no row.
    """
    n = len(frame)
    k = rng.randint(1, 5, size=n)  # country rows per slot
    max_k = 4
    weights = rng.random((n, max_k)) ** 3
    weights[:, 0] += 1.5  # Italy dominates
    weights[np.arange(max_k)[None, :] >= k[:, None]] = 0.0
    weights /= weights.sum(axis=1, keepdims=True)
    parts = {}
    for t in types:
        units = np.rint(frame[t].to_numpy() * _QUANTUM).astype(np.int64)
        share = np.floor(units[:, None] * weights).astype(np.int64)
        share[:, 0] += units - share.sum(axis=1)  # remainder to Italy: exact
        parts[t] = share / _QUANTUM
    # Italy first, then up to three other codes drawn without repetition
    others = np.argsort(rng.random_sample((n, len(_COUNTRIES) - 1)), axis=1)
    codes = np.column_stack(
        [np.full(n, _COUNTRIES[0]), _COUNTRIES[1:][others[:, : max_k - 1]]]
    )
    long = pd.DataFrame(
        {
            "cell": np.repeat(frame["cell"].to_numpy(), max_k),
            "time": np.repeat(frame["time"].to_numpy(), max_k),
            "country": codes.ravel(),
            **{t: parts[t].ravel() for t in types},
        }
    )
    values = long[list(types)]
    keep = (values != 0).any(axis=1).to_numpy()
    long = long.loc[keep].copy()
    long[list(types)] = long[list(types)].where(long[list(types)] != 0)
    return long.sort_values(["cell", "time", "country"], kind="stable")


def write_milano(
    frame, directory, *, format="dataverse", compress=False, random_state=None
):
    """Write a tidy frame as Milano files of one of the three shapes, one per day.

    Parameters
    ----------
    frame : pandas.DataFrame
        A tidy frame (``cell``, ``time``, type columns), e.g. from
        :func:`make_milano_traffic`. Missing types are written as empty fields
        (``'dataverse'``, ``'kaggle'``) or zeros (``'lab'``).
    directory : str or path-like
        Where to write; created if needed.
    format : {'dataverse', 'kaggle', 'lab'}, default='dataverse'
        ``'dataverse'``: ``sms-call-internet-mi-YYYY-MM-DD.txt``, tab-separated, no
        header, one line per cell, slot and country code (activity is spread over
        1-4 country codes; zero parts are empty fields; all-zero slots have no
        line). ``'kaggle'``: ``sms-call-internet-mi-YYYY-MM-DD.csv`` with the Kaggle
        header and naive UTC datetimes, same rows. ``'lab'``:
        ``short_milan_processed_YYYY-MM-DD.txt``, one space-separated line per cell
        and slot (epoch milliseconds), every slot present.
    compress : bool, default=False
        Write gzip-compressed files (``.gz`` added to the names).
    random_state : int, RandomState instance or None, default=None
        Seed of the split over country codes.

    Returns
    -------
    paths : list of pathlib.Path
        The files written, in date order.

    Examples
    --------
    >>> import tempfile
    >>> from lstmforecast.datasets import make_milano_traffic, write_milano
    >>> frame = make_milano_traffic(n_cells=2, n_days=2, random_state=0)
    >>> paths = write_milano(frame, tempfile.mkdtemp(), format="lab")
    >>> [p.name for p in paths]
    ['short_milan_processed_2013-11-01.txt', 'short_milan_processed_2013-11-02.txt']
    """
    if not isinstance(format, str) or format not in ("dataverse", "kaggle", "lab"):
        raise ValueError(
            "The 'format' parameter of write_milano must be 'dataverse', 'kaggle' or "
            f"'lab'. Got {as_written(format)} instead."
        )
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            "The 'frame' parameter of write_milano must be a tidy DataFrame (cell, "
            f"time, traffic types) as the readers return; got {type(frame).__name__}."
        )
    missing = {"cell", "time"} - set(frame.columns)
    if missing:
        raise ValueError(
            f"The frame lacks column(s) {sorted(missing)}: write_milano needs the "
            "tidy frame of the readers (cell, time, traffic types)."
        )
    rng = _rng(random_state, "write_milano")
    types = [t for t in TRAFFIC_TYPES if t in frame.columns]
    data = frame[["cell", "time", *types]].copy()
    data["time"] = pd.to_datetime(data["time"])
    if data["time"].dt.tz is None:
        data["time"] = data["time"].dt.tz_localize(TIMEZONE)
    data["time"] = data["time"].dt.tz_convert(TIMEZONE)
    data = data.sort_values(["cell", "time"], kind="stable")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if compress else ""
    paths = []
    for day, group in data.groupby(data["time"].dt.date, sort=True):
        if format == "lab":
            name = f"short_milan_processed_{day:%Y-%m-%d}.txt{suffix}"
            rows = group
        else:
            ext = "txt" if format == "dataverse" else "csv"
            name = f"sms-call-internet-mi-{day:%Y-%m-%d}.{ext}{suffix}"
            rows = _split_countries(group, types, rng)
        path = directory / name
        _write_rows(rows, path, format, types, compress)
        paths.append(path)
    return paths


def _write_rows(rows: pd.DataFrame, path: Path, format: str, types, compress: bool):
    ms = rows["time"].dt.tz_convert("UTC").dt.tz_localize(None)
    ms = ms.astype("datetime64[ms]").to_numpy().view(np.int64)
    values = {t: rows[t].to_numpy() if t in rows else None for t in TRAFFIC_TYPES}
    nulls = pa.nulls(len(rows), pa.float64())
    cols = {
        t: (pa.array(v, from_pandas=True) if v is not None else nulls)
        for t, v in values.items()
    }
    if format == "dataverse":
        table = pa.table(
            {
                "cell": rows["cell"].to_numpy(),
                "time": ms,
                "country": rows["country"].to_numpy(),
                **cols,
            }
        )
        header, delimiter = False, "\t"
    elif format == "kaggle":
        utc = rows["time"].dt.tz_convert("UTC").dt.tz_localize(None)
        uniq, inv = np.unique(utc.to_numpy(), return_inverse=True)
        text = pd.DatetimeIndex(uniq).strftime("%Y-%m-%d %H:%M:%S").to_numpy()[inv]
        table = pa.table(
            {
                "datetime": pa.array(text, pa.string()),
                "CellID": rows["cell"].to_numpy(),
                "countrycode": rows["country"].to_numpy(),
                **dict(
                    zip(
                        ("smsin", "smsout", "callin", "callout", "internet"),
                        cols.values(),
                        strict=True,
                    )
                ),
            }
        )
        header, delimiter = True, ","
    else:
        zeros = {
            t: (c if values[t] is not None else pa.array(np.zeros(len(rows))))
            for t, c in cols.items()
        }
        table = pa.table({"cell": rows["cell"].to_numpy(), "time": ms, **zeros})
        header, delimiter = False, " "
    options = pv.WriteOptions(
        include_header=False, delimiter=delimiter, quoting_style="none"
    )
    sink = pa.output_stream(str(path), compression="gzip" if compress else None)
    with sink:
        if header:  # arrow would quote the names; the Kaggle files do not
            sink.write((delimiter.join(table.column_names) + "\n").encode())
        pv.write_csv(table, sink, write_options=options)
