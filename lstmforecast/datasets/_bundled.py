"""The real Milano data shipped with the package (ODbL 1.0, see data/milano/)."""

from __future__ import annotations

from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from lstmforecast.datasets._schema import (
    SLOT,
    TIMEZONE,
    as_written,
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
    lstmforecast.lab.load_dataset : The same data as the lab's day x hour table.

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
            f"The date range start={as_written(start)}, end={as_written(end)} "
            "reaches outside the "
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
